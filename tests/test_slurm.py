"""Scale-out and environment reproducibility.

- The whole pipeline runs on a real SLURM scheduler through snakemake-executor-plugin-slurm with the
  workflow profile profiles/slurm, and writes byte-identical results to a local run. The test starts
  a one-node cluster of its own on this machine (munged with a generated key, slurmctld and slurmd
  with a minimal slurm.conf, everything in a temporary directory, ports picked free) and stops
  every process it started, also on failure.
- The committed Dockerfile is what `snakemake --containerize` prints for the current conda envs.

Needs root (slurmd launches jobs) and Debian's slurm-wlm and munge; without them the SLURM test is
skipped, unless CI is set, when it fails (.ci/run installs both).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
import yaml
from test_workflow import copy_project as copy_workflow_project

ROOT = Path(__file__).resolve().parents[1]
SNAKEMAKE = [sys.executable, "-m", "snakemake"]
PROJECT_FILES = [
    "Snakefile",
    "config.yaml",
    "workflow",
    "resources",
    "profiles",
    "requirements.lock",
]
PROFILE = ROOT / "profiles" / "slurm" / "config.yaml"
# Written into results/ by other tests, not by the pipeline.
WRITTEN_BY_TESTS = {"report_screenshot.png"}
DAEMONS = ["munged", "slurmctld", "slurmd"]
CLIENTS = ["sbatch", "srun", "squeue", "scontrol", "scancel", "sinfo"]
CPUS = 2
RUN_TIMEOUT = 900  # seconds, for one pipeline run
# Set in the environment of every process this test starts, so teardown can find them all.
MARKER = "RAPAMYCIN_SLURM_TEST"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


def cannot_run(reason: str):
    if in_ci():
        pytest.fail(
            f"{reason}; CI is set, so this is a failure (.ci/run installs slurm-wlm and munge, "
            "as root)"
        )
    pytest.skip(reason)


def copy_project(destination: Path) -> Path:
    return copy_workflow_project(destination, PROJECT_FILES)


def files_under(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name not in WRITTEN_BY_TESTS
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_snakemake(
    project: Path, args: list[str], env: dict[str, str] | None = None
) -> tuple[str, float]:
    """Run snakemake in its own session; on timeout kill the whole session. Returns (output,
    seconds)."""
    started = time.monotonic()
    process = subprocess.Popen(
        [*SNAKEMAKE, *args],
        cwd=project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=RUN_TIMEOUT)
    except subprocess.TimeoutExpired as err:
        os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
        raise AssertionError(
            f"snakemake {' '.join(args)} timed out after {RUN_TIMEOUT} s:\n{output[-5000:]}"
        ) from err
    elapsed = time.monotonic() - started
    if process.returncode != 0:
        logs = sorted((project / ".snakemake" / "slurm_logs").rglob("*.log"))
        tails = "\n".join(f"--- {p}\n{p.read_text(errors='replace')[-3000:]}" for p in logs[-3:])
        raise AssertionError(f"snakemake {' '.join(args)} failed:\n{output[-8000:]}\n{tails}")
    return output, elapsed


def profile_resources() -> tuple[str, int]:
    """The partition the profile submits to, and the largest memory (MB) any rule asks for."""
    profile = yaml.safe_load(PROFILE.read_text())
    defaults = profile["default-resources"]
    requests = [int(defaults["mem_mb"])] + [
        int(r["mem_mb"]) for r in profile.get("set-resources", {}).values() if "mem_mb" in r
    ]
    return str(defaults["slurm_partition"]), max(requests)


class Cluster:
    """A one-node SLURM cluster in `directory`: munged, slurmctld, slurmd. Use as a context
    manager."""

    def __init__(self, directory: Path):
        self.dir = directory
        self.conf = directory / "slurm.conf"
        self.bin = directory / "bin"
        self.logs = directory / "log"
        self.socket = directory / "munge" / "munge.socket"
        self.node = socket.gethostname().split(".")[0]
        self.partition, largest_request = profile_resources()
        physical = psutil.virtual_memory().total // 2**20
        # Memory is requested by every job (sbatch --mem) but not enforced here (no cgroups,
        # CR_CPU); the node must only be large enough to accept the largest request.
        self.memory = max(physical, largest_request)
        self.processes: dict[str, subprocess.Popen] = {}
        self.env = {
            k: v for k, v in os.environ.items() if not k.startswith(("SLURM_", "SBATCH_", "SRUN_"))
        }
        self.env.update(
            SLURM_CONF=str(self.conf), PATH=f"{self.bin}{os.pathsep}{os.environ['PATH']}"
        )
        self.env[MARKER] = str(directory)

    # --- setup -------------------------------------------------------------------------------

    def write_files(self):
        for sub in ("munge", "state", "spool", "log", "bin"):
            (self.dir / sub).mkdir(parents=True, exist_ok=True)
        (self.dir / "munge").chmod(0o711)
        key = self.dir / "munge" / "munge.key"
        key.write_bytes(os.urandom(128))
        key.chmod(0o600)
        ctld_port = free_port()
        slurmd_port = next(port for port in iter(free_port, None) if port != ctld_port)
        self.conf.write_text(
            "\n".join(
                [
                    "ClusterName=snaketest",
                    f"SlurmctldHost={self.node}(127.0.0.1)",
                    f"SlurmctldPort={ctld_port}",
                    f"SlurmdPort={slurmd_port}",
                    "SlurmUser=root",
                    "SlurmdUser=root",
                    "AuthType=auth/munge",
                    "CredType=cred/munge",
                    f"AuthInfo=socket={self.socket}",
                    f"StateSaveLocation={self.dir / 'state'}",
                    f"SlurmdSpoolDir={self.dir / 'spool'}",
                    f"SlurmctldPidFile={self.dir / 'slurmctld.pid'}",
                    f"SlurmdPidFile={self.dir / 'slurmd.pid'}",
                    f"SlurmctldLogFile={self.logs / 'slurmctld.log'}",
                    f"SlurmdLogFile={self.logs / 'slurmd.log'}",
                    "SelectType=select/cons_tres",
                    "SelectTypeParameters=CR_CPU",
                    "ProctrackType=proctrack/linuxproc",
                    "TaskPlugin=task/none",
                    "JobAcctGatherType=jobacct_gather/none",
                    # No slurmdbd: sacct cannot answer ("accounting storage is disabled"); the
                    # plugin asks squeue, which lists finished jobs for MinJobAge seconds.
                    "AccountingStorageType=accounting_storage/none",
                    "JobCompType=jobcomp/none",
                    "MinJobAge=3600",
                    "SchedulerType=sched/builtin",
                    "MpiDefault=none",
                    "MailProg=/bin/true",
                    "ReturnToService=2",
                    "KillWait=5",
                    # Trust the node definition below rather than the hardware (CPUs and memory).
                    "SlurmdParameters=config_overrides",
                    f"NodeName={self.node} NodeAddr=127.0.0.1 CPUs={CPUS} "
                    f"RealMemory={self.memory} State=UNKNOWN",
                    f"PartitionName={self.partition} Nodes={self.node} Default=YES "
                    "MaxTime=INFINITE State=UP",
                    "",
                ]
            )
        )
        # The jobstep plugin drops every SLURM_* variable (SLURM_CONF too) before the srun it runs
        # inside each job; on a real cluster srun finds /etc/slurm/slurm.conf. Point it here again.
        srun = self.bin / "srun"
        srun.write_text(f'#!/bin/sh\nSLURM_CONF="{self.conf}" exec "{shutil.which("srun")}" "$@"\n')
        srun.chmod(0o755)

    def start(self, name: str, args: list[str]):
        log = (self.logs / f"{name}.out").open("w")
        self.processes[name] = subprocess.Popen(
            [shutil.which(name), *args],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=self.env,
            cwd=self.dir,
            start_new_session=True,
        )
        log.close()

    def client(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(
            args, env=self.env, capture_output=True, text=True, timeout=30, check=check
        )

    def wait_for(self, what: str, condition, timeout: float = 30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise RuntimeError(
                        f"{name} exited with {process.returncode} while waiting for {what}:\n"
                        f"{self.daemon_logs()}"
                    )
            if condition():
                return
            time.sleep(0.2)
        raise RuntimeError(f"timed out after {timeout} s waiting for {what}:\n{self.daemon_logs()}")

    def daemon_logs(self) -> str:
        return "\n".join(
            f"--- {p.name}\n{p.read_text(errors='replace')[-2000:]}"
            for p in sorted(self.logs.glob("*"))
            if p.is_file()
        )

    def node_state(self) -> str:
        result = self.client("sinfo", "--noheader", "--Node", "--format=%T", check=False)
        return result.stdout.strip() if result.returncode == 0 else ""

    def __enter__(self) -> Cluster:
        try:
            self.write_files()
            self.start(
                "munged",
                [
                    "--foreground",
                    "--force",
                    f"--socket={self.socket}",
                    f"--key-file={self.dir / 'munge' / 'munge.key'}",
                    f"--pid-file={self.dir / 'munge' / 'munged.pid'}",
                    f"--seed-file={self.dir / 'munge' / 'munged.seed'}",
                    f"--log-file={self.logs / 'munged.log'}",
                ],
            )
            self.wait_for("the munge socket", self.socket.exists)
            self.start("slurmctld", ["-D", "-i", "-f", str(self.conf)])
            self.wait_for(
                "slurmctld", lambda: self.client("scontrol", "ping", check=False).returncode == 0
            )
            self.start("slurmd", ["-D", "-f", str(self.conf), "-N", self.node])
            self.wait_for("the node to be idle", lambda: self.node_state() == "idle")
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc):
        self.stop()

    # --- teardown ----------------------------------------------------------------------------

    def stop(self):
        """Cancel every job, stop the daemons, then end any process left that this cluster
        started."""
        if "slurmctld" in self.processes and self.processes["slurmctld"].poll() is None:
            try:
                self.client("scancel", f"--user={os.getuid()}", check=False)
                deadline = time.monotonic() + 15
                while time.monotonic() < deadline:
                    active = self.client("squeue", "--noheader", "--format=%i", check=False)
                    if active.returncode != 0 or not active.stdout.strip():
                        break
                    time.sleep(0.5)
            except (OSError, subprocess.SubprocessError):
                pass
        for name in ["slurmd", "slurmctld", "munged"]:
            process = self.processes.get(name)
            if process is None or process.poll() is not None:
                continue
            with _ignore_missing():
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with _ignore_missing():
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=15)
        for process in self.leftovers():
            with _ignore_missing():
                process.kill()
        psutil.wait_procs(self.leftovers(), timeout=10)

    def leftovers(self) -> list[psutil.Process]:
        """Processes started by this cluster: job processes carry the marker in their environment;
        slurmstepd (which clears its environment) holds the slurmd log and a socket in our spool."""
        directory = str(self.dir)
        found = []
        for process in psutil.process_iter():
            if process.pid == os.getpid():
                continue
            try:
                if process.environ().get(MARKER) == directory or any(
                    f.path.startswith(directory) for f in process.open_files()
                ):
                    found.append(process)
            except (psutil.Error, OSError):
                continue
        return found


class _ignore_missing:
    def __enter__(self):
        return self

    def __exit__(self, kind, value, traceback):
        return kind is not None and issubclass(kind, (ProcessLookupError, psutil.NoSuchProcess))


def check_prerequisites():
    if os.geteuid() != 0:
        cannot_run("needs root: slurmd must run as root to launch jobs as their user")
    missing = [name for name in DAEMONS + CLIENTS if shutil.which(name) is None]
    if missing:
        cannot_run(
            f"SLURM/MUNGE not installed (missing {', '.join(missing)}): apt-get install "
            "slurm-wlm munge"
        )


@pytest.fixture(scope="module")
def local_results(request, tmp_path_factory) -> Path:
    """results/ of a plain local run (`snakemake --cores 2`) of the same project.

    A session-wide local run provided by conftest.py as `local_project` (the project directory after
    `snakemake --cores 2`) is reused when there is one, so the suite runs the local pipeline once;
    otherwise this module makes its own.
    """
    check_prerequisites()  # skip before spending minutes on the local run
    try:
        project = request.getfixturevalue("local_project")
    except pytest.FixtureLookupError:
        project = copy_project(tmp_path_factory.mktemp("local"))
        _, seconds = run_snakemake(project, ["--cores", str(CPUS)])
        print(f"\nlocal run: {seconds:.0f} s")
    return project / "results"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    check_prerequisites()
    with Cluster(tmp_path_factory.mktemp("slurm")) as cluster:
        yield cluster


@pytest.mark.workflow
@pytest.mark.slurm
def test_pipeline_on_slurm_matches_a_local_run(local_results, cluster, tmp_path):
    on_slurm = copy_project(tmp_path / "slurm")
    output, slurm_seconds = run_snakemake(
        on_slurm,
        [
            "--workflow-profile",
            "profiles/slurm",
            # No accounting database here: query squeue (MinJobAge=3600 keeps finished jobs listed).
            "--slurm-status-command",
            "squeue",
            # First status check 1 s after submission instead of 40 s (jobs here take seconds).
            "--slurm-init-seconds-before-status-checks",
            "1",
        ],
        env=cluster.env,
    )
    print(f"\nSLURM run: {slurm_seconds:.0f} s")

    # The jobs really went through the scheduler and all completed there.
    submitted = set(re.findall(r"has been submitted with SLURM jobid (\d+)", output))
    assert submitted, output[-3000:]
    states = cluster.client("squeue", "--states=all", "--noheader", "--format=%i %T").stdout.split(
        "\n"
    )
    states = dict(line.split() for line in states if line.strip())
    assert {job: states.get(job) for job in submitted} == {job: "COMPLETED" for job in submitted}

    # Exactly the rules marked `localrule: True` ran on the head node.
    ran_locally = set(re.findall(r"^localrule (\w+):", output, flags=re.M)) - {"all"}
    assert ran_locally == rules_marked_local(), ran_locally

    local_files = files_under(local_results)
    slurm_files = files_under(on_slurm / "results")
    assert sorted(slurm_files) == sorted(local_files)
    assert any(name.endswith(".png") for name in local_files) and "report.html" in local_files
    differing = [name for name in local_files if local_files[name] != slurm_files[name]]
    assert differing == []


@pytest.mark.workflow  # runs snakemake --list-rules (no cluster)
def test_slurm_profile_names_only_existing_rules():
    """Snakemake silently ignores set-resources and groups entries for rules that do not exist, so a
    renamed rule would lose its resources or its group without a word."""
    profile = yaml.safe_load(PROFILE.read_text())
    named = set(profile.get("set-resources", {})) | set(profile.get("groups", {}))
    listed = subprocess.run(
        [*SNAKEMAKE, "--list-rules"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout.split()
    assert sorted(named - set(listed)) == []
    assert set(profile.get("groups", {}).values()) <= set(profile.get("group-components", {}))
    assert rules_marked_local().isdisjoint(named), (
        "local rules are not submitted: no resources or groups"
    )


def rules_marked_local() -> set[str]:
    text = "\n".join(p.read_text() for p in sorted((ROOT / "workflow" / "rules").glob("*.smk")))
    blocks = re.split(r"^rule ", text, flags=re.M)[1:]
    return {
        block.split(":", 1)[0]
        for block in blocks
        if re.search(r"^\s+localrule: True\s*$", block, flags=re.M)
    }
