"""Load and validate config.yaml, and answer the questions rules ask of it."""

from __future__ import annotations

import copy
import functools
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import yaml

from .errors import SupplementError

SCHEMA_PATH = Path(__file__).resolve().parents[1] / "schemas" / "config.schema.yaml"


def _validator_with_defaults():
    """A Draft 2020-12 validator that fills in `default`s, as Snakemake's validate() does."""
    import jsonschema

    base = jsonschema.Draft202012Validator

    def set_defaults(validator, properties, instance, schema):
        if isinstance(instance, dict):
            for name, subschema in properties.items():
                if "default" in subschema and name not in instance:
                    instance[name] = copy.deepcopy(subschema["default"])
        yield from base.VALIDATORS["properties"](validator, properties, instance, schema)

    return jsonschema.validators.extend(base, {"properties": set_defaults})


def _schema_problem(error, source: str) -> str:
    """One schema error as key path, value found, what is expected and, for a misspelt key, a
    hint."""
    import difflib

    where = "/".join(map(str, error.absolute_path)) or "(top level)"
    if error.validator == "additionalProperties":
        allowed = list(error.schema.get("properties", {}))
        unknown = sorted(set(error.instance) - set(allowed))
        hints = []
        for key in unknown:
            close = difflib.get_close_matches(str(key), allowed, n=1)
            hints.append(f"'{key}'" + (f" (did you mean '{close[0]}'?)" if close else ""))
        return (
            f"{source}: key '{where}': unknown key {', '.join(hints)}; expected one of "
            f"{sorted(allowed)}"
        )
    found = repr(error.instance)
    if error.validator == "required" or error.message.startswith(
        found
    ):  # the message shows the value already
        return f"{source}: key '{where}': {error.message}"
    found = found if len(found) <= 60 else found[:57] + "..."
    return f"{source}: key '{where}': value {found}: {error.message}"


def validate_config(config: dict[str, Any], source: str = "config.yaml") -> dict[str, Any]:
    """Return a validated copy of `config` with defaults filled in; raise SupplementError if
    invalid.

    Schema errors are reported all together; only a config that passes the schema has its
    cross-references checked (they assume the schema's shape).
    """
    config = _with_schema_defaults(config, source)
    check_cross_references(config, source)
    return config


def _with_schema_defaults(config: dict[str, Any], source: str) -> dict[str, Any]:
    config, problems = _schema_checked(config, source)
    if problems:
        raise SupplementError(problems)
    return config


# libyaml's C loader when PyYAML was built with it: the same documents as yaml.safe_load, parsed
# several times faster, which counts because every Snakemake invocation plans with them.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str) -> Any:
    """Parse YAML text as ``yaml.safe_load`` does (C loader when available).

    Examples
    --------
    >>> load_yaml("a: [1, 2]")
    {'a': [1, 2]}
    """
    return yaml.load(text, Loader=_YAML_LOADER)


@functools.cache
def _schema() -> dict[str, Any]:
    return load_yaml(SCHEMA_PATH.read_text(encoding="utf-8"))


def _schema_checked(config: dict[str, Any], source: str) -> tuple[dict[str, Any], list[str]]:
    """A copy with the schema's defaults filled in, and every schema error as a problem line."""
    schema = copy.deepcopy(_schema())
    config = copy.deepcopy(config)
    validator = _validator_with_defaults()(schema)
    errors = sorted(validator.iter_errors(config), key=lambda e: [str(p) for p in e.absolute_path])
    return config, [_schema_problem(e, source) for e in errors]


def check_config(config: dict[str, Any], source: str = "config.yaml") -> dict[str, Any]:
    """Everything planning needs checked, in one pass: the schema (with defaults), cross-references,
    the biomarker and simulation sections, that every named file exists, the corrections ledger and
    the claims file. Returns the validated config; raises SupplementError naming every problem.
    """
    config, problems = _schema_checked(config, source)
    shape_ok = not problems
    from .biomarkers import plan as biomarker_plan
    from .claim_specs import check_claims, load_claims
    from .ledger import read_ledger, route
    from .simulate import scenarios

    def collect(check, *args) -> Any:
        try:
            return check(*args)
        except SupplementError as error:
            problems.extend(error.problems)
        except (KeyError, TypeError, AttributeError, ValueError):
            # Only after a schema error: a check that assumed the schema's shape found another one.
            # The schema's message already names the cause.
            if shape_ok:
                raise
        return None

    collect(check_cross_references, config, source)
    collect(biomarker_plan.check, config, source)
    collect(scenarios.check, config, source)
    tables = config.get("tables") if isinstance(config.get("tables"), dict) else {}
    named = [
        (f"tables/{key}/file", table["file"])
        for key, table in tables.items()
        if isinstance(table, dict) and "file" in table
    ]
    named += [
        (key, config[key]) for key in ("corrections", "claims") if isinstance(config.get(key), str)
    ]
    missing = [(key, path) for key, path in named if not Path(path).is_file()]
    problems += [
        f"{source}: key '{key}': value {path!r}: file not found; expected an existing file"
        for key, path in missing
    ]
    missing_paths = {path for _, path in missing}
    if isinstance(config.get("corrections"), str) and config["corrections"] not in missing_paths:
        rows = collect(read_ledger, config["corrections"])
        if rows is not None and shape_ok:
            outcomes = {
                name: list(inst["outcomes"]) for name, inst in config["instruments"].items()
            }
            collect(route, rows, outcomes, config["corrections"])
    if isinstance(config.get("claims"), str) and config["claims"] not in missing_paths:
        claims = collect(load_claims, config["claims"])
        if claims is not None and not problems:
            # A claim naming an outcome, visit or column the study lacks fails at planning, not
            # when its job runs; only on an otherwise valid config, whose outcomes it relies on.
            collect(check_claims, claims["claims"], config)
    if problems:
        raise SupplementError(problems)
    return config


def _grid_problems(scale: dict[str, Any], where: str) -> list[str]:
    """A step that nearly but not exactly reaches max (33.333333 for 100/3) moves max off the
    grid."""
    step = parse_step(scale["step"])
    if step == 0:
        return []
    span = Fraction(str(scale["max"])) - Fraction(str(scale["min"]))
    steps = span / step
    nearest = round(steps)
    if steps == nearest or abs(steps - nearest) > Fraction(1, 1000):
        return []
    reached = float(Fraction(str(scale["min"])) + nearest * step)
    return [
        f"{where}: {scale['step']} does not reach max {scale['max']:g} exactly ({nearest} "
        "steps give "
        f"{reached:.10g}); expected a step that divides the range, written as a fraction if no "
        f'decimal does (e.g. "{span.numerator}/{nearest * span.denominator}")'
    ]


def check_cross_references(config: dict[str, Any], source: str = "config.yaml") -> None:
    """Consistency the schema cannot express: keys that must refer to each other."""
    problems = []
    visit_ids = [v["id"] for v in config["visits"]]
    if len(set(visit_ids)) != len(visit_ids):
        problems.append(f"{source}: visits: duplicate visit id in {visit_ids}")
    seen_outcomes: dict[str, str] = {}
    for name, instrument in config["instruments"].items():
        table = instrument["table"]
        for outcome in instrument["outcomes"]:
            if outcome in seen_outcomes:
                problems.append(
                    f"{source}: outcome '{outcome}' is in instruments '{seen_outcomes[outcome]}' "
                    f"and '{name}'"
                )
            seen_outcomes[outcome] = name
        if table not in config["tables"]:
            problems.append(f"{source}: instruments/{name}/table: unknown table '{table}'")
            continue
        for outcome, scale in instrument["outcomes"].items():
            problems += _grid_problems(
                scale, f"{source}: instruments/{name}/outcomes/{outcome}/step"
            )
        mapped = set(config["tables"][table].get("outcomes", {}).values())
        for outcome in instrument["outcomes"]:
            if outcome not in mapped:
                problems.append(
                    f"{source}: instruments/{name}/outcomes/{outcome}: not mapped in "
                    f"tables/{table}/outcomes"
                )
    for key, table in config["tables"].items():
        for header, outcome in table.get("outcomes", {}).items():
            if outcome not in seen_outcomes:
                problems.append(
                    f"{source}: tables/{key}/outcomes/{header}: outcome '{outcome}' belongs to "
                    "no instrument; expected it under instruments/<name>/outcomes (or list the "
                    "header under ignore_headers)"
                )
        for header, visit in table.get("visits", {}).items():
            if visit not in visit_ids:
                problems.append(
                    f"{source}: tables/{key}/visits/{header}: '{visit}' is not one of the visits "
                    f"{visit_ids}"
                )
        suffix = Path(table["file"]).suffix.lower()
        if suffix == ".xlsx" and "sheet" not in table:
            problems.append(f"{source}: tables/{key}: an .xlsx table needs 'sheet'")
        if table.get("layout") == "long":
            if "columns" not in table or "outcomes" not in table:
                problems.append(
                    f"{source}: tables/{key}: a long table needs 'columns' (at least visit) and "
                    "'outcomes' and 'visits'"
                )
            if table.get("header_rows", 1) != 1:
                problems.append(
                    f"{source}: tables/{key}/header_rows: {table['header_rows']}; expected 1 for "
                    "a long table"
                )
        elif "columns" in table:
            problems.append(
                f"{source}: tables/{key}/columns: only a long table has columns; set layout: long"
            )
    problems += _analysis_references(config, seen_outcomes, visit_ids, source)
    problems += _set_references(config, seen_outcomes, visit_ids, source)
    if problems:
        raise SupplementError(problems)


def _set_references(config, owner: dict[str, str], visit_ids: list[str], source: str) -> list[str]:
    """The final visit, the outcomes defining completion and attendance, and the dose outcome must
    exist."""
    problems = []
    sets = config.get("analysis_sets", {})
    final = sets.get("completer_visit")
    if final is not None and final not in visit_ids[1:]:
        problems.append(
            f"{source}: analysis_sets/completer_visit: '{final}' is not a follow-up visit; "
            f"expected one of {visit_ids[1:]}"
        )
    directions = {
        key: spec["direction"]
        for inst in config["instruments"].values()
        for key, spec in inst["outcomes"].items()
    }
    for key in ("completion_outcomes", "attendance_outcomes"):
        for outcome in sets.get(key, []):
            if outcome not in owner:
                problems.append(
                    f"{source}: analysis_sets/{key}: unknown outcome '{outcome}'; expected one "
                    f"of {sorted(owner)}"
                )
    if not any(direction != "none" for direction in directions.values()) and not (
        sets.get("completion_outcomes") and sets.get("attendance_outcomes")
    ):
        problems.append(
            f"{source}: instruments: no outcome has a direction; expected at least one outcome "
            "with direction higher_is_better or lower_is_better (or "
            "analysis_sets/completion_outcomes and attendance_outcomes)"
        )
    dose = config.get("dose_response")
    if dose:
        if dose["dose_outcome"] not in owner:
            problems.append(
                f"{source}: dose_response/dose_outcome: unknown outcome "
                f"'{dose['dose_outcome']}'; expected one of {sorted(owner)}"
            )
        elif directions[dose["dose_outcome"]] != "none":
            problems.append(
                f"{source}: dose_response/dose_outcome: '{dose['dose_outcome']}' has direction "
                f"'{directions[dose['dose_outcome']]}'; expected 'none' "
                "(a dose is not an outcome that improves)"
            )
        if any(b >= a for a, b in zip(dose["bands"][1:], dose["bands"])):
            problems.append(f"{source}: dose_response/bands: {dose['bands']} must increase")
    return problems


def _analysis_references(
    config, owner: dict[str, str], visit_ids: list[str], source: str
) -> list[str]:
    """Outcomes and visits named by the analysis plan must exist, and analysed outcomes need a
    direction."""
    analysis = config.get("analysis")
    if not analysis:
        return []
    problems = []
    directions = {
        key: spec["direction"]
        for inst in config["instruments"].values()
        for key, spec in inst["outcomes"].items()
    }
    named = [("analysis/outcomes", o) for o in analysis.get("outcomes", [])]
    named += [
        ("analysis/responders/criteria", c["outcome"])
        for c in analysis.get("responders", {}).get("criteria", [])
    ]
    named += [("analysis/regression_to_mean", o) for o in analysis.get("regression_to_mean", {})]
    grids = (analysis.get("tipping_point") or {}).get("delta_grid") or {}
    named += [("analysis/tipping_point/delta_grid", o) for o in grids]
    for where, outcome in named:
        if outcome not in owner:
            problems.append(
                f"{source}: {where}: unknown outcome '{outcome}'; expected one of {sorted(owner)}"
            )
        elif directions[outcome] == "none":
            problems.append(
                f"{source}: {where}: outcome '{outcome}' has direction 'none'; expected an "
                "outcome with a direction"
            )
    for where, visit in (
        ("analysis/responders/visit", analysis.get("responders", {}).get("visit")),
        ("analysis/tipping_point/visit", (analysis.get("tipping_point") or {}).get("visit")),
    ):
        if visit is not None and visit not in visit_ids[1:]:
            problems.append(
                f"{source}: {where}: '{visit}' is not a follow-up visit; expected one of "
                f"{visit_ids[1:]}"
            )
    responders = analysis.get("responders")
    if (
        responders
        and responders.get("combine") == "at_least"
        and responders["k"] > len(responders["criteria"])
    ):
        problems.append(
            f"{source}: analysis/responders/k: {responders['k']} exceeds the "
            f"{len(responders['criteria'])} criteria"
        )
    return problems


def load_config(path: str | Path = "config.yaml") -> dict[str, Any]:
    """Read and validate a config file."""
    path = Path(path)
    try:
        raw = load_yaml(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SupplementError(f"{path}: config file not found") from None
    except yaml.YAMLError as error:
        raise SupplementError(f"{path}: not valid YAML: {error}") from None
    return validate_config(raw or {}, source=str(path))


@dataclass(frozen=True)
class OutcomeSpec:
    """Scale definition of one outcome, as cleaning and analysis need it."""

    key: str
    instrument: str
    label: str
    unit: str
    min: float
    max: float
    step: float
    direction: str
    lloq: float | None = None
    # The step as written in the config ("100/3", "2.5") and as an exact fraction: grid values are
    # computed from these exactly and converted to float once (see ``grid_value``).
    step_text: str = ""
    step_exact: Fraction = Fraction(0)

    def __post_init__(self) -> None:
        if not self.step_text:  # built in code from a float step
            object.__setattr__(self, "step_text", f"{self.step:g}")
            object.__setattr__(self, "step_exact", Fraction(str(self.step)))

    def grid_value(self, k: int) -> float:
        """min + k * step, computed exactly, as the nearest float."""
        return float(Fraction(str(self.min)) + k * self.step_exact)


def parse_step(raw: float | int | str) -> Fraction:
    """A scale step as an exact fraction: a number (read as the decimal it is written as) or "a/b".

    Examples
    --------
    >>> parse_step("100/3"), parse_step(2.5), parse_step(10)
    (Fraction(100, 3), Fraction(5, 2), Fraction(10, 1))
    """
    if isinstance(raw, str):
        numerator, _, denominator = raw.partition("/")
        return Fraction(numerator.strip()) / Fraction(denominator.strip() or "1")
    return Fraction(str(raw))


def outcome_spec(key: str, instrument: str, spec: dict[str, Any]) -> OutcomeSpec:
    """One outcome's scale, from its config entry (``instruments/<instrument>/outcomes/<key>``)."""
    return OutcomeSpec(
        key=key,
        instrument=instrument,
        label=spec["label"],
        unit=spec["unit"],
        min=float(spec["min"]),
        max=float(spec["max"]),
        step=float(parse_step(spec["step"])),
        direction=spec["direction"],
        lloq=float(spec["lloq"]) if spec.get("lloq") is not None else None,
        step_text=str(spec["step"]).strip(),
        step_exact=parse_step(spec["step"]),
    )


def outcome_specs(config: dict[str, Any]) -> dict[str, OutcomeSpec]:
    """Every configured outcome, in config order."""
    return {
        key: outcome_spec(key, instrument, spec)
        for instrument, definition in config["instruments"].items()
        for key, spec in definition["outcomes"].items()
    }


def visit_ids(config: dict[str, Any]) -> list[str]:
    return [v["id"] for v in config["visits"]]


def visit_days(config: dict[str, Any]) -> dict[str, int | None]:
    """Visit -> study day, None where the config gives none."""
    return {
        v["id"]: (int(v["day"]) if v.get("day") is not None else None) for v in config["visits"]
    }
