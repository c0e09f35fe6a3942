"""The study plan: every question about the study's design, answered once from the validated config.

Rules, scripts, figures and the report ask this module; nothing else re-derives these answers.
Standard library only: Snakemake plans with it.

* Visits have roles: baseline (the first), first follow-up (the second), final (the completer
  visit, by default the last). Code asks for a role, never for a visit name.
* Components are optional. Each has a status: on, or off with the reason in one sentence. A
  component that is off plans no job and its report section says "not run: <reason>".
* Outcomes have kinds by configuration, not by name: analysed outcomes, the outcomes whose
  presence defines completion and attendance, markers, the dose outcome.

Example
-------
>>> config = {
...     "visits": [{"id": "pre"}, {"id": "post"}],
...     "instruments": {"scale": {"table": "t", "label": "Scale", "outcomes": {
...         "score": {"label": "Score", "unit": "points", "min": 0, "max": 10, "step": 1,
...                   "direction": "lower_is_better"}}}},
...     "tables": {"t": {"file": "t.xlsx"}},
... }
>>> plan = StudyPlan(config)
>>> plan.baseline, plan.first_follow_up, plan.final, plan.days
('pre', 'post', 'post', None)
>>> plan.component("friedman").on, plan.component("friedman").reason
(False, 'the Friedman test needs at least 3 visits; this study has 2')
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

# The per-outcome tables (job analyse_outcome), in report order, each with the component it
# needs: one line per table in analysis/registry.py.
from .analysis.registry import OUTCOME_TABLES

# Names of the tables the pipeline reads by role (keys under `tables:`); every other table holds
# outcomes.
PARTICIPANTS_TABLE = "participants"
DISCONTINUATIONS_TABLE = "discontinuations"

# Settings of analysis/tipping_point left out of the config (the section may be null, so the schema
# cannot hold these defaults). delta_grid: outcome -> {step, max} in points; an outcome not listed
# gets step = delta_step_sd baseline SDs rounded down to 1, 2 or 5 x a power of ten, up to
# max_shift_sd baseline SDs.
TIPPING_POINT_DEFAULTS = {
    "max_shift_sd": 3,
    "imputations": 100,
    "seed": 20250611,
    "delta_step_sd": 0.1,
    "delta_grid": {},
}

# Report sections: id -> heading. The order is the report's.
SECTIONS = {
    "key_findings": "Key findings",
    "participant_flow": "Participant flow",
    "baseline": "Baseline characteristics",
    "outcomes": "Change from baseline: paired tests",
    "responders": "Responders",
    "attrition": "Attrition and sensitivity",
    "biomarkers": "Biomarkers",
    "dose_response": "Dose–response",
    "simulation": "What attrition and regression to the mean alone produce: null-trial simulation",
    "claims": "Claims audit",
    "methods": "Methods",
    "provenance": "Provenance",
}

# Optional components: name -> report section where "not run: <reason>" stands when it is off.
COMPONENT_SECTIONS = {
    "participants_table": "baseline",
    "discontinuations": "attrition",
    "corrections": "provenance",
    "friedman": "attrition",
    "tipping_point": "attrition",
    "responders": "responders",
    "biomarkers": "biomarkers",
    "biomarker_responders": "biomarkers",
    "dose_response": "dose_response",
    "cumulative_dose": "dose_response",
    "simulation": "simulation",
    "claims": "claims",
}

# Study words used when the config's `study:` leaves them out (generic on purpose).
STUDY_DEFAULTS = {
    "title": "Re-analysis of a single-arm trial from its supplementary tables",
    "citation": "",
    "intervention": "the intervention",
    "design": (
        "Single arm, no control group: changes from baseline cannot separate a treatment effect "
        "from regression to the mean, placebo response or natural course."
    ),
    "arm_label": "Enrolled",
}


@dataclass(frozen=True)
class Component:
    """Whether an optional part of the analysis runs, and if not, why (one sentence, no trailing
    stop)."""

    name: str
    on: bool
    reason: str = ""


def _unique(items) -> list[str]:
    return list(dict.fromkeys(items))


class StudyPlan:
    """Answers about the study, from a validated config (schema defaults filled in)."""

    def __init__(self, config: dict[str, Any]):
        self.config = config

    # --- visits -----------------------------------------------------------------------------

    @cached_property
    def visits(self) -> list[str]:
        return [v["id"] for v in self.config["visits"]]

    @property
    def baseline(self) -> str:
        return self.visits[0]

    @property
    def first_follow_up(self) -> str:
        return self.visits[1]

    @property
    def follow_ups(self) -> list[str]:
        return self.visits[1:]

    @property
    def final(self) -> str:
        """The completer visit: `analysis_sets/completer_visit`, by default the last visit."""
        return self.config.get("analysis_sets", {}).get("completer_visit") or self.visits[-1]

    @cached_property
    def days(self) -> dict[str, int] | None:
        """Visit -> study day when every visit has one; None when any day is unknown."""
        days = [v.get("day") for v in self.config["visits"]]
        if any(day is None for day in days):
            return None
        return {v["id"]: int(v["day"]) for v in self.config["visits"]}

    def visit_positions(self) -> list[float]:
        """Where each visit sits on a time axis: its study day, or its index when days are
        unknown."""
        return (
            [float(self.days[v]) for v in self.visits]
            if self.days
            else [float(i) for i in range(len(self.visits))]
        )

    def visit_label(self, visit: str) -> str:
        """A visit's id, with its study day when known."""
        return f"{visit} (day {self.days[visit]})" if self.days else visit

    # --- outcomes ---------------------------------------------------------------------------

    @cached_property
    def outcomes(self) -> dict[str, dict[str, Any]]:
        """Outcome key -> its definition with `key` and `instrument` added, in config order."""
        return {
            key: {"key": key, "instrument": name, **spec}
            for name, inst in self.config["instruments"].items()
            for key, spec in inst["outcomes"].items()
        }

    @property
    def instruments(self) -> list[str]:
        return list(self.config["instruments"])

    def instrument_outcomes(self, instrument: str) -> list[str]:
        return list(self.config["instruments"][instrument]["outcomes"])

    def instrument_of(self, outcome: str) -> str:
        return self.outcomes[outcome]["instrument"]

    def table_of(self, outcome: str) -> str:
        return self.config["instruments"][self.instrument_of(outcome)]["table"]

    @cached_property
    def directed_outcomes(self) -> list[str]:
        """Outcomes with a direction of improvement (not markers, not dose)."""
        return [key for key, spec in self.outcomes.items() if spec["direction"] != "none"]

    def _chosen(self, section: str, key: str) -> list[str]:
        return list(self.config.get(section, {}).get(key) or []) or self.directed_outcomes

    @cached_property
    def analysed_outcomes(self) -> list[str]:
        """`analysis/outcomes`, by default every outcome with a direction."""
        return self._chosen("analysis", "outcomes")

    @cached_property
    def completion_outcomes(self) -> list[str]:
        """Outcomes that must all be present at the final visit for a completer."""
        return self._chosen("analysis_sets", "completion_outcomes")

    @cached_property
    def attendance_outcomes(self) -> list[str]:
        """Outcomes of which any value at a visit means the participant attended it."""
        return self._chosen("analysis_sets", "attendance_outcomes")

    @cached_property
    def presence_outcomes(self) -> list[str]:
        """Outcomes whose cells decide attendance or completion, in config order."""
        wanted = set(self.completion_outcomes) | set(self.attendance_outcomes)
        return [key for key in self.outcomes if key in wanted]

    @cached_property
    def presence_instruments(self) -> list[str]:
        return _unique(self.instrument_of(o) for o in self.presence_outcomes)

    def outcome_instruments(self, outcomes: list[str]) -> list[str]:
        """Instruments holding any of `outcomes`, in config order."""
        wanted = set(outcomes)
        return [name for name in self.instruments if wanted & set(self.instrument_outcomes(name))]

    # --- optional parts ---------------------------------------------------------------------

    @cached_property
    def dose(self) -> dict[str, Any] | None:
        """The dose_response section (dose_outcome, bands) with the dose outcome's definition, or
        None."""
        section = self.config.get("dose_response")
        if not section:
            return None
        return {**section, "spec": self.outcomes[section["dose_outcome"]]}

    @property
    def dose_outcome(self) -> str | None:
        return self.dose["dose_outcome"] if self.dose else None

    @cached_property
    def markers(self) -> list[str]:
        return list(self.config.get("biomarker_analysis", {}).get("markers") or [])

    @cached_property
    def correlated_outcomes(self) -> list[str]:
        """Outcomes each marker is correlated with: configured, else every outcome with a
        direction."""
        return self._chosen("biomarker_analysis", "correlate_with")

    @cached_property
    def change_visits(self) -> list[str]:
        """Follow-up visits of the biomarker change analyses: configured, else first follow-up and
        final."""
        chosen = self.config.get("biomarker_analysis", {}).get("change_visits") or []
        return list(chosen) or _unique([self.first_follow_up, self.final])

    @cached_property
    def responder_rule(self) -> dict[str, Any] | None:
        """The responder rule with its visit resolved (default the final visit), or None."""
        rule = self.config.get("analysis", {}).get("responders")
        if not rule:
            return None
        return {
            "combine": "all",
            "k": 1,
            "assumption": "",
            **rule,
            "visit": rule.get("visit") or self.final,
        }

    @property
    def responder_outcomes(self) -> list[str]:
        return (
            [c["outcome"] for c in self.responder_rule["criteria"]] if self.responder_rule else []
        )

    @cached_property
    def tipping_point(self) -> dict[str, Any] | None:
        """The tipping-point settings with the visit resolved (default the final visit), or None
        when off."""
        section = self.config.get("analysis", {}).get("tipping_point", {})
        if section is None:
            return None
        return {**TIPPING_POINT_DEFAULTS, **section, "visit": section.get("visit") or self.final}

    @cached_property
    def scenarios(self) -> list[str]:
        return (
            list(self.config.get("simulation", {}).get("scenarios") or {})
            if self.component("simulation").on
            else []
        )

    @property
    def synthetic(self) -> bool:
        return bool(self.config.get("synthetic", False))

    @cached_property
    def study(self) -> dict[str, str]:
        """Study words for headings, captions and boxes: the config's `study:` over generic
        defaults."""
        return {
            **STUDY_DEFAULTS,
            **{k: v for k, v in (self.config.get("study") or {}).items() if v is not None},
        }

    # --- components -------------------------------------------------------------------------

    def component(self, name: str) -> Component:
        return self.components[name]

    def has(self, name: str) -> bool:
        return self.components[name].on

    @cached_property
    def components(self) -> dict[str, Component]:
        config, tables = self.config, self.config["tables"]
        analysis = config.get("analysis", {})
        states: dict[str, tuple[bool, str]] = {
            "participants_table": (
                PARTICIPANTS_TABLE in tables,
                f"no '{PARTICIPANTS_TABLE}' table is configured under tables; everyone with a "
                "value in any outcome table counts as enrolled, and there are no baseline "
                "characteristics to show",
            ),
            "discontinuations": (
                DISCONTINUATIONS_TABLE in tables,
                f"no '{DISCONTINUATIONS_TABLE}' table is configured under tables, so no one is "
                "recorded as having stopped and completers cannot be compared with those who "
                "stopped",
            ),
            "corrections": (
                bool(config.get("corrections")),
                "no corrections ledger is configured (corrections)",
            ),
            "friedman": (
                len(self.visits) >= 3,
                f"the Friedman test needs at least 3 visits; this study has {len(self.visits)}",
            ),
            "tipping_point": (
                analysis.get("tipping_point", {}) is not None,
                "the tipping-point analysis is switched off (analysis/tipping_point is null)",
            ),
            "responders": (
                bool(analysis.get("responders")),
                "no responder rule is configured (analysis/responders)",
            ),
            "biomarkers": (
                bool(self.markers),
                "no biomarker is configured (biomarker_analysis/markers)",
            ),
            "dose_response": (
                bool(config.get("dose_response")),
                "no dose outcome is configured (dose_response/dose_outcome)",
            ),
            "claims": (
                bool(config.get("claims")),
                "no file of published claims is configured (claims)",
            ),
        }
        states["biomarker_responders"] = (
            states["biomarkers"][0] and states["responders"][0],
            "markers are not compared between responders and non-responders: "
            + (
                "no responder rule is configured (analysis/responders)"
                if states["biomarkers"][0]
                else "no biomarker is configured"
            ),
        )
        states["cumulative_dose"] = (
            states["dose_response"][0] and self.days is not None,
            "cumulative dose needs the study day of every visit (visits/day)"
            if states["dose_response"][0]
            else "no dose outcome is configured (dose_response/dose_outcome)",
        )
        scenarios = bool((config.get("simulation") or {}).get("scenarios"))
        states["simulation"] = (
            scenarios and states["responders"][0],
            "no simulation scenario is configured (simulation/scenarios)"
            if not scenarios
            else (
                "the null-trial simulator judges apparent response, and no responder rule is "
                "configured (analysis/responders)"
            ),
        )
        return {
            name: Component(name, on, "" if on else reason) for name, (on, reason) in states.items()
        }

    def not_run(self) -> list[Component]:
        """Components that are off, each once; cumulative dose only when dose itself is on."""
        off = [c for c in self.components.values() if not c.on]
        if not self.has("dose_response"):
            off = [c for c in off if c.name != "cumulative_dose"]
        if not self.has("biomarkers"):
            off = [c for c in off if c.name != "biomarker_responders"]
        return off

    # --- tables ---------------------------------------------------------------------------

    @cached_property
    def outcome_tables(self) -> list[str]:
        """Per-outcome tables this study produces (each also combined over outcomes)."""
        return [
            name
            for name, table in OUTCOME_TABLES.items()
            if table.needs is None or self.has(table.needs)
        ]

    def result_tables(self) -> list[str]:
        """Files under results/tables/ (relative) that a complete run writes, sorted."""
        from .biomarkers.plan import marker_tables
        from .simulate.scenarios import TABLES as SIMULATION_TABLES

        names = [f"{name}.csv" for name in self.outcome_tables]
        names += [
            f"outcomes/{o}/{name}.csv"
            for o in self.analysed_outcomes
            for name in self.outcome_tables
        ]
        if self.has("responders"):
            names += ["responders.csv", "responders_by_participant.csv"]
        if self.has("claims"):
            names += ["claims_audit.csv", "grim.csv"]
        if self.has("biomarkers"):
            own = marker_tables(self)
            names += [f"biomarkers/{name}.csv" for name in own]
            names += [f"biomarkers/{m}/{name}.csv" for m in self.markers for name in own]
        if self.has("simulation"):
            names += [f"{name}.csv" for name in SIMULATION_TABLES]
        return sorted(names)

    def sections(self) -> dict[str, str]:
        return dict(SECTIONS)

    def not_run_by_section(self) -> dict[str, list[Component]]:
        """Section id -> the components that are off, whose "not run" line stands there."""
        placed: dict[str, list[Component]] = {}
        for component in self.not_run():
            placed.setdefault(COMPONENT_SECTIONS[component.name], []).append(component)
        return placed

    # --- figure contents --------------------------------------------------------------------

    @cached_property
    def dose_figure_outcomes(self) -> list[str]:
        """Outcomes drawn against dose: configured (those analysed), else the first four
        analysed."""
        chosen = (self.config.get("dose_response") or {}).get("figure_outcomes") or []
        return [o for o in chosen if o in self.analysed_outcomes] or self.analysed_outcomes[:4]

    @cached_property
    def scatter_outcomes(self) -> list[str]:
        """Outcomes drawn against marker change: configured (those correlated), else the first
        three correlated."""
        chosen = self.config.get("biomarker_analysis", {}).get("scatter_outcomes") or []
        return [o for o in chosen if o in self.correlated_outcomes] or self.correlated_outcomes[:3]

    def visit_axis(self) -> list[dict[str, Any]]:
        """Each visit as a time axis shows it: id, x position (study day or index) and tick text."""
        return [
            {
                "id": visit,
                "x": x,
                "tick": f"{visit}\nday {self.days[visit]}" if self.days else visit,
            }
            for visit, x in zip(self.visits, self.visit_positions())
        ]

    def section_runs(self) -> dict[str, bool]:
        """Report section id -> whether it has results (else it holds only its "not run" lines)."""
        needs = {
            "baseline": "participants_table",
            "responders": "responders",
            "biomarkers": "biomarkers",
            "dose_response": "dose_response",
            "simulation": "simulation",
            "claims": "claims",
        }
        return {
            section: self.has(needs[section]) if section in needs else True for section in SECTIONS
        }
