"""config.yaml validation: schema with defaults, cross-references, and the helpers rules use."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml
from rapamycin_mecfs.config import (
    load_config,
    outcome_specs,
    validate_config,
    visit_days,
    visit_ids,
)
from rapamycin_mecfs.errors import SupplementError

ROOT = Path(__file__).resolve().parents[1]


def minimal() -> dict:
    """The smallest config the schema accepts: nothing that has a default is given."""
    return {
        "visits": [{"id": "T0", "day": 0}, {"id": "T3", "day": 90}],
        "participant_ids": {"pattern": r"^RAP-?(\d+)$", "canonical": "RAP-{number:03d}"},
        "tables": {
            "participants": {
                "file": "p.xlsx",
                "sheet": "S1",
                "id_header": "ID",
                "fields": {"Site": "site"},
            },
            "discontinuations": {
                "file": "d.pdf",
                "id_header": "ID",
                "fields": {"Last visit": "last_visit"},
            },
            "bas": {
                "file": "p.xlsx",
                "sheet": "S3",
                "header_rows": 2,
                "id_header": "ID",
                "outcomes": {"BAS": "bas"},
                "visits": {"Baseline": "T0", "Day 90": "T3"},
            },
        },
        "instruments": {
            "bas": {
                "table": "bas",
                "label": "BAS",
                "outcomes": {
                    "bas": {
                        "label": "BAS",
                        "unit": "points",
                        "min": 0,
                        "max": 100,
                        "step": 10,
                        "direction": "higher_is_better",
                    }
                },
            }
        },
    }


def test_project_config_is_valid():
    config = load_config(ROOT / "config.yaml")
    assert visit_ids(config) == ["T0", "T1", "T2", "T3"]
    assert config["tables"]["participants"]["search_rows"] == 20  # default filled in
    assert config["tables"]["bas"]["ignore_headers"] == []
    assert config["tables"]["participants"]["pages"] == "all"


def test_defaults_filled_in():
    config = validate_config(minimal())
    assert config["synthetic"] is False
    assert config["results_dir"] == "results"
    assert config["corrections"] is None and config["claims"] is None
    assert config["missing_tokens"] == ["", "NA", "n/a", "—", "ND"]
    assert config["below_lloq"] == {"substitute": "lloq_half"}
    assert config["grid_tolerance"] == 0.051
    assert config["analysis_sets"] == {
        "completer_visit": None,
        "completion_outcomes": [],
        "attendance_outcomes": [],
    }
    assert config["dose_response"] is None and config["study"] == {}
    assert config["biomarker_analysis"]["markers"] == [] and config["simulation"]["outcomes"] == []
    participants = config["tables"]["participants"]
    assert (
        participants["header_rows"],
        participants["search_rows"],
        participants["ignore_headers"],
        participants["pages"],
    ) == (
        1,
        20,
        [],
        "all",
    )
    assert config["tables"]["bas"]["header_rows"] == 2  # given values are kept


def test_nested_default_inside_given_object():
    raw = minimal()
    raw["below_lloq"] = {}
    assert validate_config(raw)["below_lloq"] == {"substitute": "lloq_half"}


def test_validate_does_not_modify_input():
    raw = minimal()
    before = copy.deepcopy(raw)
    validate_config(raw)
    assert raw == before


def test_defaults_are_not_shared_between_configs():
    first = validate_config(minimal())
    first["missing_tokens"].append("zzz")
    first["tables"]["bas"]["ignore_headers"].append("zzz")
    second = validate_config(minimal())
    assert "zzz" not in second["missing_tokens"]
    assert second["tables"]["bas"]["ignore_headers"] == []


@pytest.mark.parametrize(
    "edit, key, fragment",
    [
        (
            lambda c: c["tables"]["bas"].update(header_rows=3),
            "tables/bas/header_rows",
            "3 is not one of [1, 2]",
        ),
        (
            lambda c: c.update(colour="blue"),
            "(top level)",
            "unknown key 'colour'; expected one of ['analysis',",
        ),
        (
            lambda c: c.update(visit=[]),
            "(top level)",
            "unknown key 'visit' (did you mean 'visits'?)",
        ),
        (lambda c: c.pop("visits"), "(top level)", "'visits' is a required property"),
        (lambda c: c["tables"]["bas"].update(file="bas.ods"), "tables/bas/file", "does not match"),
        (
            lambda c: c.update(below_lloq={"substitute": "zero"}),
            "below_lloq/substitute",
            "'zero' is not one of ['lloq_half', 'lloq', 'missing']",
        ),
        (
            lambda c: c["visits"].__setitem__(1, {"id": "T3", "day": -1}),
            "visits/1/day",
            "-1 is less than the minimum of 0",
        ),
        (
            lambda c: c["instruments"]["bas"]["outcomes"]["bas"].update(direction="up"),
            "instruments/bas/outcomes/bas/direction",
            "'up' is not one of",
        ),
        (
            lambda c: c["tables"]["bas"].update(fields={"Site": "site"}),
            "tables/bas",
            "is not valid under any of the given schemas",
        ),
        (
            lambda c: c.update(grid_tolerance=-0.1),
            "grid_tolerance",
            "-0.1 is less than the minimum of 0",
        ),
    ],
)
def test_schema_errors_name_file_key_and_value(edit, key, fragment):
    raw = minimal()
    edit(raw)
    with pytest.raises(SupplementError) as info:
        validate_config(raw, source="my-config.yaml")
    message = str(info.value)
    assert f"my-config.yaml: key '{key}': " in message
    assert fragment in message


def test_bad_identifier_key():
    raw = minimal()
    raw["tables"]["bas"]["outcomes"] = {"BAS": "Bell Activity"}
    with pytest.raises(SupplementError) as info:
        validate_config(raw, source="c.yaml")
    assert (
        "c.yaml: key 'tables/bas/outcomes/BAS': 'Bell Activity' does not match '^[a-z][a-z0-9_]*$'"
        in str(info.value)
    )


def test_several_schema_errors_reported_together():
    raw = minimal()
    raw["tables"]["bas"]["header_rows"] = 3
    raw["grid_tolerance"] = "small"
    with pytest.raises(SupplementError) as info:
        validate_config(raw, source="c.yaml")
    assert len(info.value.problems) == 2
    assert info.value.problems[0].startswith(
        "c.yaml: key 'grid_tolerance': 'small' is not of type 'number'"
    )
    assert info.value.problems[1].startswith("c.yaml: key 'tables/bas/header_rows'")


def cross_reference_problems(edit) -> list[str]:
    raw = minimal()
    edit(raw)
    with pytest.raises(SupplementError) as info:
        validate_config(raw, source="c.yaml")
    return info.value.problems


# Configs that pass the schema but contradict themselves: the edit of minimal() and every problem.
CROSS_REFERENCES = {
    "duplicate_visit": (
        lambda c: c["visits"].append({"id": "T0", "day": 120}),
        ["c.yaml: visits: duplicate visit id in ['T0', 'T3', 'T0']"],
    ),
    "unknown_table": (
        lambda c: c["instruments"]["bas"].update(table="bell"),
        ["c.yaml: instruments/bas/table: unknown table 'bell'"],
    ),
    "outcome_not_mapped": (
        lambda c: c["instruments"]["bas"]["outcomes"].update(
            bas_total=dict(c["instruments"]["bas"]["outcomes"]["bas"])
        ),
        ["c.yaml: instruments/bas/outcomes/bas_total: not mapped in tables/bas/outcomes"],
    ),
    "outcome_in_two_instruments": (
        lambda c: c["instruments"].update(bas2=copy.deepcopy(c["instruments"]["bas"])),
        ["c.yaml: outcome 'bas' is in instruments 'bas' and 'bas2'"],
    ),
    "visit_header_to_unknown_visit": (
        lambda c: c["tables"]["bas"]["visits"].update({"Day 30": "T1"}),
        ["c.yaml: tables/bas/visits/Day 30: 'T1' is not one of the visits ['T0', 'T3']"],
    ),
    "xlsx_without_sheet": (
        lambda c: c["tables"]["participants"].pop("sheet"),
        ["c.yaml: tables/participants: an .xlsx table needs 'sheet'"],
    ),
    "completer_visit": (
        lambda c: c.update(analysis_sets={"completer_visit": "T9"}),
        [
            "c.yaml: analysis_sets/completer_visit: 'T9' is not a follow-up visit; expected one "
            "of ['T3']"
        ],
    ),
    "dose_outcome_must_exist_without_direction": (
        lambda c: c.update(dose_response={"dose_outcome": "bas", "bands": [1, 2]}),
        [
            "c.yaml: dose_response/dose_outcome: 'bas' has direction 'higher_is_better'; expected "
            "'none' (a dose is not an outcome that improves)"
        ],
    ),
    "completion_outcomes_must_exist": (
        lambda c: c.update(analysis_sets={"completion_outcomes": ["walk"]}),
        [
            "c.yaml: analysis_sets/completion_outcomes: unknown outcome 'walk'; expected one of "
            "['bas']"
        ],
    ),
    "tipping_point_delta_grid_names_known_outcomes": (
        lambda c: c.setdefault("analysis", {}).update(
            tipping_point={"delta_grid": {"walk": {"step": 1, "max": 5}}}
        ),
        [
            "c.yaml: analysis/tipping_point/delta_grid: unknown outcome 'walk'; expected one of "
            "['bas']"
        ],
    ),
}


@pytest.mark.parametrize("edit, problems", CROSS_REFERENCES.values(), ids=CROSS_REFERENCES.keys())
def test_cross_reference(edit, problems):
    assert cross_reference_problems(edit) == problems


def test_cross_reference_outcome_mapped_in_a_table_but_in_no_instrument():
    # A header mapped to an outcome that no instrument lists would be extracted and then never
    # cleaned.
    def edit(c):
        c["instruments"]["bas"]["outcomes"]["bas_total"] = c["instruments"]["bas"]["outcomes"].pop(
            "bas"
        )
        c["tables"]["bas"]["outcomes"]["BAS total"] = "bas_total"

    problems = cross_reference_problems(edit)
    assert "c.yaml: tables/bas/outcomes/BAS: outcome 'bas' belongs to no instrument" in problems[0]


def test_default_final_visit_is_the_last_whatever_its_name():
    raw = minimal()
    raw["visits"][1]["id"] = "week12"
    raw["tables"]["bas"]["visits"]["Day 90"] = "week12"
    assert (
        validate_config(raw)["analysis_sets"]["completer_visit"] is None
    )  # the plan reads None as the last visit


def test_load_config_missing_file(tmp_path):
    with pytest.raises(SupplementError) as info:
        load_config(tmp_path / "config.yaml")
    assert str(info.value) == f"{tmp_path / 'config.yaml'}: config file not found"


def test_load_config_invalid_yaml(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text("visits: [\n", encoding="utf-8")
    with pytest.raises(SupplementError, match=rf"^{path}: not valid YAML: "):
        load_config(path)


def test_load_config_empty_file(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text("", encoding="utf-8")
    with pytest.raises(SupplementError) as info:
        load_config(path)
    assert f"{path}: key '(top level)': 'visits' is a required property" in info.value.problems


def test_load_config_round_trip(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(minimal()), encoding="utf-8")
    assert load_config(path) == validate_config(minimal())


def test_helpers():
    raw = minimal()
    raw["instruments"]["bio"] = {
        "table": "bas",
        "label": "Bio",
        "outcomes": {
            "marker": {
                "label": "M",
                "unit": "ng/mL",
                "min": 0,
                "max": 10,
                "step": 0,
                "lloq": 0.05,
                "direction": "none",
            }
        },
    }
    raw["tables"]["bas"]["outcomes"]["Marker"] = "marker"
    config = validate_config(raw)
    assert visit_ids(config) == ["T0", "T3"]
    assert visit_days(config) == {"T0": 0, "T3": 90}
    specs = outcome_specs(config)
    assert list(specs) == ["bas", "marker"]
    assert (
        specs["bas"].instrument,
        specs["bas"].min,
        specs["bas"].max,
        specs["bas"].step,
        specs["bas"].lloq,
    ) == (
        "bas",
        0.0,
        100.0,
        10.0,
        None,
    )
    assert specs["marker"].lloq == 0.05 and specs["marker"].direction == "none"
    assert isinstance(specs["bas"].min, float)


def test_fixture_config_is_valid(config):
    # The config used by the other tests goes through the same validation.
    assert config["grid_tolerance"] == 0.051
    assert config["tables"]["bas"]["search_rows"] == 20
