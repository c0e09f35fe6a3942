"""The participant table: roster, dose by visit, who stopped and why, and analysis-set membership.

Membership is computed from which questionnaire cells hold a value in the extracted tables (plus
ledger rows that turn a value missing or present), not from cleaned values: a correction that
only changes a number then leaves this table, and every analysis that reads it, untouched.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .clean import cell_parser, id_normaliser, normalise_ids
from .config import visit_ids
from .errors import SupplementError

ATTRITION_COLUMNS = ["category", "visit", "reason", "n", "definition"]


def _wide_fields(extracted: pd.DataFrame) -> pd.DataFrame:
    """participant_id x field table of raw text, numbers parsed where the whole column is numeric."""
    wide = extracted.pivot(index="participant_id", columns="outcome", values="raw_value")
    wide = wide.reindex(columns=extracted["outcome"].unique())  # columns in the order of the source table
    for field in wide.columns:
        numeric = pd.to_numeric(wide[field].str.strip().replace("", np.nan), errors="coerce")
        if numeric.notna().sum() == (wide[field].str.strip() != "").sum():
            wide[field] = numeric
    return wide


def presence(
    extracted_tables: dict[str, pd.DataFrame],
    questionnaire_outcomes: list[str],
    config: dict[str, Any],
    corrections: list[dict[str, str]],
) -> pd.DataFrame:
    """participant_id, outcome, visit, present for every questionnaire cell in the extracted tables."""
    ids = id_normaliser(config)
    parser = cell_parser(config)
    questionnaire = set(questionnaire_outcomes)
    frames = []
    for instrument, table in extracted_tables.items():
        table = normalise_ids(table, ids, f"the {instrument} table")
        table = table[table["outcome"].isin(questionnaire)]
        present = (table["raw_type"] != "empty") & ~table["raw_value"].map(parser.is_missing)
        frames.append(table[["participant_id", "outcome", "visit"]].assign(present=present.to_numpy()))
    cells = pd.concat(frames, ignore_index=True)
    for row in corrections:
        participant = ids(row["participant_id"], f"correction {row['correction_id']}")
        key = (cells["participant_id"] == participant) & (cells["outcome"] == row["outcome"]) & (cells["visit"] == row["visit"])
        present = not parser.is_missing(row["new_value"])
        if key.any():
            cells.loc[key, "present"] = present
        elif row["outcome"] in questionnaire:
            # A cell not in the table (cleaning flags it not_in_table) that the ledger fills in.
            added = {"participant_id": participant, "outcome": row["outcome"], "visit": row["visit"], "present": present}
            cells = pd.concat([cells, pd.DataFrame([added])], ignore_index=True)
    return cells


def build_participants(
    roster_extracted: pd.DataFrame,
    discontinuations_extracted: pd.DataFrame,
    extracted_tables: dict[str, pd.DataFrame],
    questionnaire_outcomes: list[str],
    dose_clean: pd.DataFrame | None,
    config: dict[str, Any],
    presence_corrections: list[dict[str, str]],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(participants, attrition) tables.

    `config` needs only visits, participant_ids, missing_tokens, below_lloq and analysis_sets, so the
    job that calls this is not replanned when an outcome's scale definition changes.
    """
    ids = id_normaliser(config)
    visits = visit_ids(config)
    baseline, final = visits[0], config["analysis_sets"]["completer_visit"]
    roster = normalise_ids(roster_extracted, ids, "the participants table")
    people = _wide_fields(roster)
    people.insert(0, "source_locator", roster.drop_duplicates("participant_id").set_index("participant_id")["id_locator"])

    if dose_clean is not None and not dose_clean.empty:
        dose = dose_clean.pivot(index="participant_id", columns="visit", values="value").reindex(columns=visits)
        for visit in visits:
            people[f"dose_{visit}"] = dose[visit].astype(float)

    cells = presence(extracted_tables, questionnaire_outcomes, config, presence_corrections)
    questionnaire = sorted(cells["outcome"].unique())
    grid = pd.MultiIndex.from_product([people.index, questionnaire, visits], names=["participant_id", "outcome", "visit"])
    present = cells.groupby(["participant_id", "outcome", "visit"])["present"].any().reindex(grid, fill_value=False)
    by_visit = present.groupby(level=["participant_id", "visit"]).any().unstack("visit").reindex(columns=visits)
    complete = present.groupby(level=["participant_id", "visit"]).all().unstack("visit")[final]
    for visit in visits:
        people[f"has_data_{visit}"] = by_visit[visit]
    attended = by_visit.apply(lambda row: [v for v in visits if row[v]], axis=1)
    people["last_visit_with_data"] = attended.map(lambda vs: vs[-1] if vs else "")

    stops = _discontinuations(discontinuations_extracted, ids, people.index, visits)
    people = people.join(stops, how="left")
    people["stopped"] = people["stop_after_visit"].notna()
    for column in ("stop_after_visit", "stop_reason", "stop_reason_detail", "stop_source_locator"):
        people[column] = people[column].fillna("")
    people["status_flag"] = [
        _status_flag(row, visits, final) for row in people[["stopped", "stop_after_visit", "last_visit_with_data"]].itertuples()
    ]

    people["set_enrolled"] = True
    people[f"set_reached_{visits[1]}"] = people[f"has_data_{visits[1]}"]
    people["set_completers"] = complete.reindex(people.index).fillna(False).astype(bool)
    people = people.reset_index().sort_values("participant_id", kind="stable")
    return people.reset_index(drop=True), _attrition(people, visits, baseline, final)


def _discontinuations(extracted: pd.DataFrame, ids, roster: pd.Index, visits: list[str]) -> pd.DataFrame:
    table = normalise_ids(extracted, ids, "the discontinuations table")
    problems = [
        f"{r.source_file} [{r.id_locator}]: value {r.raw_participant_id!r}: participant {r.participant_id} is not in "
        "the participants table; expected every participant who stopped to be enrolled"
        for r in table.drop_duplicates("participant_id").itertuples()
        if r.participant_id not in roster
    ]
    wide = table.pivot(index="participant_id", columns="outcome", values="raw_value")
    locators = table.drop_duplicates("participant_id").set_index("participant_id")
    for participant, visit in wide.get("last_visit", pd.Series(dtype=str)).items():
        if visit.strip() not in visits:
            cell = table[(table["participant_id"] == participant) & (table["outcome"] == "last_visit")].iloc[0]
            problems.append(
                f"{cell.source_file} [{cell.source_locator}]: value {visit!r}: unknown visit; expected one of {visits}"
            )
    if problems:
        raise SupplementError(problems)
    return pd.DataFrame(
        {
            "stop_after_visit": wide.get("last_visit", pd.Series(dtype=str)).str.strip(),
            "stop_reason": wide.get("reason", pd.Series(dtype=str)),
            "stop_reason_detail": wide.get("reason_detail", pd.Series(dtype=str)),
            "stop_source_locator": locators["source_file"] + " [" + locators["id_locator"] + "]",
        }
    )


def _status_flag(row, visits: list[str], final: str) -> str:
    """Disagreements between the discontinuation table and the data, kept visible rather than resolved."""
    if row.stopped and row.last_visit_with_data and visits.index(row.last_visit_with_data) > visits.index(row.stop_after_visit):
        return "data_after_stated_last_visit"
    if not row.stopped and row.last_visit_with_data != final:
        return "no_final_visit_data_and_no_stop_record"
    return ""


def _attrition(people: pd.DataFrame, visits: list[str], baseline: str, final: str) -> pd.DataFrame:
    rows = [("enrolled", baseline, "", len(people), "in the participants table (started rapamycin)")]
    for visit in visits:
        rows.append(("data_at_visit", visit, "", int(people[f"has_data_{visit}"].sum()), f"any questionnaire value at {visit}"))
    rows.append(("completers", final, "", int(people["set_completers"].sum()), f"every questionnaire outcome present at {final}"))
    rows.append(("stopped", "", "", int(people["stopped"].sum()), "listed in the discontinuations table"))
    stopped = people[people["stopped"]]
    for (visit, reason), group in stopped.groupby(["stop_after_visit", "stop_reason"], sort=True):
        rows.append(("stopped_after_visit", visit, reason, len(group), "last visit and reason as stated in the discontinuations table"))
    return pd.DataFrame(rows, columns=ATTRITION_COLUMNS)
