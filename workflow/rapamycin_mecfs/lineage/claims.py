"""Rows of the claims audit and the GRIM table: the claims file and the cells a claim is
recomputed from."""

from __future__ import annotations

import pandas as pd

from ..errors import SupplementError
from ..plan import PARTICIPANTS_TABLE
from .rows import analysis_row, stop_cells
from .sets import true_cells
from .study import Part, Study, row_text, split_source, table_file, unique


def membership_cells(study: Study, column: str) -> Part:
    """The cells that put participants in a participant-table column (set_*, has_data_*, ...)."""
    plan = study.plan
    people = study.people.table
    if column not in people:
        raise SupplementError(
            f"{study.results / 'clean' / 'participants.csv'}: no column {column}; expected a "
            "participant-table column (set_<name>, has_data_<visit>, stopped)"
        )
    chosen = list(people.index[people[column].astype(bool)])
    if column == "set_reached_first_follow_up":
        column = f"has_data_{plan.first_follow_up}"
    if column == "set_enrolled":
        roster = table_file(study, PARTICIPANTS_TABLE)
        extra = []
        for participant in chosen:
            file, locator = split_source(str(people.loc[participant, "source_locator"]), roster)
            extra.append(
                {
                    "participant_id": participant,
                    "role": "row of the participant roster",
                    "value": participant,
                    "raw_value": participant,
                    "source_file": file,
                    "source_locator": locator,
                }
            )
        return Part(
            participants=chosen,
            extra=extra,
            notes=[f"{len(chosen)} participants: one roster row each"],
        )
    if column == "stopped":
        return Part(
            participants=chosen,
            extra=stop_cells(study, chosen),
            notes=[f"{len(chosen)} participants listed in the discontinuations table"],
        )
    if column.startswith("has_data_") or column == "set_completers":
        visit = column.removeprefix("has_data_") if column.startswith("has_data_") else plan.final
        outcomes = (
            plan.attendance_outcomes if column.startswith("has_data_") else plan.completion_outcomes
        )
        present = study.present(outcomes, [visit])
        present = present[present.index.isin(chosen)]
        keys = [(p, o, v, "present") for p, o, v in true_cells(present)]
        what = (
            "any attendance-outcome value"
            if column.startswith("has_data_")
            else "every completion outcome present"
        )
        return Part(
            keys,
            chosen,
            notes=[f"{len(chosen)} participants with {what} at {visit}; their values there listed"],
        )
    return Part(
        participants=chosen,
        notes=[f"{len(chosen)} participants with {column} = True in participants.csv"],
    )


def claim_row(study: Study, row: pd.Series) -> Part:
    from ..claim_specs import load_claims

    path = study.config.get("claims")
    claim_id = row_text(row, "claim_id")
    config = [
        {
            "key": "claims",
            "value": str(path),
            "note": f"published number: claims item id = {claim_id}",
        }
    ]
    claims = load_claims(study.root / str(path))["claims"]
    found = [c for c in claims if str(c["id"]) == claim_id]
    if not found:
        raise SupplementError(
            f"{path}: no claim with id {claim_id}; expected the claims_audit "
            "row's claim_id to be listed under claims"
        )
    spec = found[0]["recompute"]
    kind = spec["kind"]
    if kind == "count":
        part = membership_cells(study, spec["set"])
        part.notes.insert(0, f"recomputed as the number of participants with {spec['set']} = True")
    elif kind == "responders":
        responders = study.table("responders")
        match = responders[responders["analysis_set"] == spec["analysis_set"]]
        if match.empty:
            raise SupplementError(
                f"{study.results / 'tables' / 'responders.csv'}: no row for "
                f"analysis set {spec['analysis_set']}; expected the claim's set"
            )
        part = analysis_row(study, match.iloc[0])
        part.notes.insert(0, f"recomputed from responders.csv, analysis set {spec['analysis_set']}")
    elif kind == "categorical":
        part = source_column(study, spec["table"], spec["column"])
    elif kind == "direction":
        visit = spec.get("visit") or study.plan.final
        pseudo = pd.Series(
            {
                "outcome": spec["outcome"],
                "visit": visit,
                "baseline_visit": study.plan.baseline,
                "analysis_set": spec["analysis_set"],
            }
        )
        part = analysis_row(study, pseudo)
        part.notes.insert(
            0,
            f"recomputed from the paired test of {spec['outcome']} at {visit}, "
            f"analysis set {spec['analysis_set']} (paired_tests.csv)",
        )
    else:
        part = Part(notes=[f"recompute kind {kind!r}: no rule in lineage; the claims file only"])
    part.config = config + part.config
    return part


def source_column(study: Study, table: str, column: str) -> Part:
    """Every cell of one column of an extracted source table (one value per participant)."""
    from ..clean import id_normaliser

    path = study.results / "extracted" / f"{table}.csv"
    extracted = study.read(path, f"the extracted table '{table}' (tables/{table} in the config)")
    rows = extracted[extracted["outcome"] == column]
    normalise = id_normaliser(study.config) if "participant_ids" in study.config else None
    extra = []
    for cell in rows.itertuples():
        participant = cell.raw_participant_id
        if normalise is not None:
            participant = normalise.try_normalise(participant) or participant
        extra.append(
            {
                "participant_id": participant,
                "outcome": "",
                "visit": "",
                "role": f"{column} (every row of the table counted)",
                "value": cell.raw_value,
                "raw_value": cell.raw_value,
                "source_file": cell.source_file,
                "source_locator": cell.source_locator,
            }
        )
    note = (
        f"column {column} of the source table {table} ({path.name} under extracted/): "
        f"all {len(rows)} rows"
    )
    return Part(participants=unique(e["participant_id"] for e in extra), extra=extra, notes=[note])


def grim_row(study: Study, row: pd.Series) -> Part:
    path = study.config.get("claims")
    return Part(
        config=[
            {
                "key": "claims",
                "value": str(path),
                "note": f"means item id = {row_text(row, 'mean_id')}: a published mean and its n",
            }
        ],
        notes=["a published mean checked by GRIM: it depends on no supplement cell"],
    )
