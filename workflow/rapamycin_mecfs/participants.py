"""The participant table: roster, dose by visit, who stopped and why, and analysis-set membership.

Membership is computed from which cells of the attendance and completion outcomes hold a value in
the extracted tables (plus ledger rows that turn a value missing or present), not from cleaned
values: a correction that only changes a number then leaves this table, and every analysis that
reads it, untouched. Without a roster table everyone listed in those tables is enrolled; without a
discontinuations table no one is recorded as having stopped.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .cells import CellParser, IdNormaliser
from .clean import (
    cell_parser,
    distinct_values,
    id_normaliser,
    map_distinct,
    normalise_ids,
)
from .config import visit_ids
from .errors import SupplementError
from .plan import StudyPlan

ATTRITION_COLUMNS = ["category", "visit", "reason", "n", "definition"]
CELL_KEY = ["participant_id", "outcome", "visit"]


def _wide_fields(extracted: pd.DataFrame) -> pd.DataFrame:
    """participant_id x field table of raw text, numbers parsed where the whole column is
    numeric."""
    wide = extracted.pivot(index="participant_id", columns="outcome", values="raw_value")
    wide = wide.reindex(
        columns=extracted["outcome"].unique()
    )  # columns in the order of the source table
    for field in wide.columns:
        numeric = pd.to_numeric(wide[field].str.strip().replace("", np.nan), errors="coerce")
        if numeric.notna().sum() == (wide[field].str.strip() != "").sum():
            wide[field] = numeric
    return wide


def presence(
    extracted_tables: dict[str, pd.DataFrame],
    presence_outcomes: list[str],
    config: dict[str, Any],
    corrections: list[dict[str, str]],
) -> pd.DataFrame:
    """participant_id, outcome, visit, present for every cell of `presence_outcomes` in the
    extracted tables."""
    ids = id_normaliser(config)
    parser = cell_parser(config)
    wanted = set(presence_outcomes)
    frames = []
    for instrument, table in extracted_tables.items():
        table = normalise_ids(table, ids, f"the {instrument} table")
        table = table[table["outcome"].isin(wanted)]
        missing = map_distinct(table["raw_value"], parser.is_missing).astype(bool)
        present = (table["raw_type"] != "empty").to_numpy() & ~missing
        frames.append(table[CELL_KEY].assign(present=present))
    cells = pd.concat(frames, ignore_index=True)
    return _correct_presence(cells, corrections, ids, parser, wanted)


def _correct_presence(
    cells: pd.DataFrame,
    corrections: list[dict[str, str]],
    ids: IdNormaliser,
    parser: CellParser,
    wanted: set[str],
) -> pd.DataFrame:
    """Apply ledger rows, in ledger order, that turn a cell missing or present, or fill in an absent
    one."""
    if not corrections:
        return cells
    participants = [
        ids(row["participant_id"], f"correction {row['correction_id']}") for row in corrections
    ]
    # Only cells of corrected participants can match: index those rather than scan every cell per
    # ledger row.
    rows = np.flatnonzero(cells["participant_id"].isin(participants).to_numpy())
    positions: dict[tuple[str, str, str], list[int]] = {}
    for i, key in zip(rows, zip(*(cells[column].to_numpy()[rows] for column in CELL_KEY))):
        positions.setdefault(key, []).append(i)
    present = cells["present"].to_numpy(dtype=bool, copy=True)
    added: dict[tuple[str, str, str], dict[str, Any]] = {}
    for row, participant in zip(corrections, participants):
        key = (participant, row["outcome"], row["visit"])
        value = not parser.is_missing(row["new_value"])
        if key in positions:
            present[positions[key]] = value
        elif key in added:
            added[key]["present"] = value
        elif row["outcome"] in wanted:
            # A cell not in the table (cleaning flags it not_in_table) that the ledger fills in.
            added[key] = {
                "participant_id": participant,
                "outcome": row["outcome"],
                "visit": row["visit"],
                "present": value,
            }
    cells = cells.assign(present=present)
    if added:
        cells = pd.concat([cells, pd.DataFrame(list(added.values()))], ignore_index=True)
    return cells


def _presence_grid(cells: pd.DataFrame, people: pd.Index, visits: list[str]) -> np.ndarray:
    """present[participant, outcome, visit]: whether any cell with that key holds a value.

    Outcomes are those in `cells`, sorted; cells of people or visits not listed are ignored.
    """
    outcomes = pd.Index(sorted(cells["outcome"].unique()))
    where = (
        _positions(people, cells["participant_id"]),
        _positions(outcomes, cells["outcome"]),
        _positions(pd.Index(visits), cells["visit"]),
    )
    known = cells["present"].to_numpy(dtype=bool) & (where[0] >= 0) & (where[2] >= 0)
    grid = np.zeros((len(people), len(outcomes), len(visits)), dtype=bool)
    grid[tuple(axis[known] for axis in where)] = True
    return grid


def _positions(index: pd.Index, values: pd.Series) -> np.ndarray:
    """index.get_indexer(values), looking up each distinct value once (cells repeat a few keys many
    times)."""
    codes, distinct = distinct_values(values)
    return index.get_indexer(distinct)[codes]


def _last_visit_with_data(by_visit: pd.DataFrame) -> pd.Series:
    """The last visit (column) that is True in each row, or "" when none is."""
    has = by_visit.to_numpy(dtype=bool)
    last = has.shape[1] - 1 - np.argmax(has[:, ::-1], axis=1)
    names = np.asarray(by_visit.columns, dtype=object)
    return pd.Series(np.where(has.any(axis=1), names[last], ""), index=by_visit.index)


def _roster_from_tables(
    extracted_tables: dict[str, pd.DataFrame], ids: IdNormaliser
) -> pd.DataFrame:
    """Everyone listed in the outcome tables, with the first cell naming them: the roster when there
    is none."""
    frames = [
        normalise_ids(table, ids, f"the {name} table") for name, table in extracted_tables.items()
    ]
    listed = pd.concat(frames, ignore_index=True).drop_duplicates("participant_id")
    locators = listed["source_file"] + " [" + listed["id_locator"] + "]"
    return pd.DataFrame(
        {"source_locator": locators.to_numpy()},
        index=pd.Index(listed["participant_id"], name="participant_id"),
    )


def build_participants(
    roster_extracted: pd.DataFrame | None,
    discontinuations_extracted: pd.DataFrame | None,
    extracted_tables: dict[str, pd.DataFrame],
    attendance_outcomes: list[str],
    completion_outcomes: list[str],
    dose_clean: pd.DataFrame | None,
    config: dict[str, Any],
    presence_corrections: list[dict[str, str]],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(participants, attrition) tables.

    `config` needs only visits, participant_ids, missing_tokens, below_lloq and analysis_sets, so
    the job that calls this is not replanned when an outcome's scale definition changes. The roster
    and the discontinuations table may be None (not in the supplement).
    """
    ids = id_normaliser(config)
    plan = StudyPlan({**config, "instruments": {}, "tables": {}})
    visits = visit_ids(config)
    baseline, first, final = plan.baseline, plan.first_follow_up, plan.final
    if roster_extracted is not None:
        roster = normalise_ids(roster_extracted, ids, "the participants table")
        people = _wide_fields(roster)
        people.insert(
            0,
            "source_locator",
            roster.drop_duplicates("participant_id").set_index("participant_id")["id_locator"],
        )
    else:
        people = _roster_from_tables(extracted_tables, ids)

    if dose_clean is not None and not dose_clean.empty:
        dose = dose_clean.pivot(index="participant_id", columns="visit", values="value").reindex(
            columns=visits
        )
        for visit in visits:
            people[f"dose_{visit}"] = dose[visit].astype(float)

    presence_outcomes = list(dict.fromkeys([*attendance_outcomes, *completion_outcomes]))
    cells = presence(extracted_tables, presence_outcomes, config, presence_corrections)
    attended = _presence_grid(
        cells[cells["outcome"].isin(attendance_outcomes)], people.index, visits
    )
    completed = _presence_grid(
        cells[cells["outcome"].isin(completion_outcomes)], people.index, visits
    )
    by_visit = pd.DataFrame(attended.any(axis=1), index=people.index, columns=visits)
    # Every completion outcome must be present: an outcome with no cell at all counts as absent.
    n_completion_seen = completed.shape[1]
    complete = pd.Series(
        completed[:, :, visits.index(final)].all(axis=1)
        & (n_completion_seen == len(set(completion_outcomes))),
        index=people.index,
    )
    for visit in visits:
        people[f"has_data_{visit}"] = by_visit[visit]
    people["last_visit_with_data"] = _last_visit_with_data(by_visit)

    if discontinuations_extracted is not None:
        stops = _discontinuations(discontinuations_extracted, ids, people.index, visits)
    else:
        stops = pd.DataFrame(
            columns=[
                "stop_after_visit",
                "stop_reason",
                "stop_reason_detail",
                "stop_source_locator",
            ],
            index=pd.Index([], name="participant_id"),
            dtype=object,
        )
    people = people.join(stops, how="left")
    people["stopped"] = people["stop_after_visit"].notna()
    for column in ("stop_after_visit", "stop_reason", "stop_reason_detail", "stop_source_locator"):
        people[column] = people[column].fillna("")
    people["status_flag"] = _status_flags(people, visits, final)

    people["set_enrolled"] = True
    people["set_reached_first_follow_up"] = people[f"has_data_{first}"]
    people["set_completers"] = complete.reindex(people.index).fillna(False).astype(bool)
    people = people.reset_index().sort_values("participant_id", kind="stable")
    described = {
        "discontinuations": discontinuations_extracted is not None,
        "roster": roster_extracted is not None,
    }
    return people.reset_index(drop=True), _attrition(people, visits, baseline, final, described)


def _discontinuations(
    extracted: pd.DataFrame, ids, roster: pd.Index, visits: list[str]
) -> pd.DataFrame:
    table = normalise_ids(extracted, ids, "the discontinuations table")
    first_rows = table.drop_duplicates("participant_id")
    problems = [
        f"{r.source_file} [{r.id_locator}]: value {r.raw_participant_id!r}: participant "
        f"{r.participant_id} is not in the participants table; expected every participant who "
        "stopped to be enrolled"
        for r in first_rows[~first_rows["participant_id"].isin(roster)].itertuples()
    ]
    wide = table.pivot(index="participant_id", columns="outcome", values="raw_value")
    locators = first_rows.set_index("participant_id")
    # Each participant's first last_visit cell, for naming a bad one without scanning the table per
    # participant.
    last_visit_cells = (
        table[table["outcome"] == "last_visit"]
        .drop_duplicates("participant_id")
        .set_index("participant_id")
    )
    for participant, visit in wide.get("last_visit", pd.Series(dtype=str)).items():
        if visit.strip() not in visits:
            cell = last_visit_cells.loc[participant]
            problems.append(
                f"{cell.source_file} [{cell.source_locator}]: value {visit!r}: unknown visit; "
                f"expected one of {visits}"
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


def _status_flags(people: pd.DataFrame, visits: list[str], final: str) -> np.ndarray:
    """Disagreements between the discontinuation table and the data, kept visible rather than
    resolved.

    data_after_stated_last_visit: stopped, yet has data after the stated last visit;
    no_final_visit_data_and_no_stop_record: not stopped, yet no data at the final visit.
    """
    order = {visit: i for i, visit in enumerate(visits)}
    stopped = people["stopped"].to_numpy(dtype=bool)
    last = people["last_visit_with_data"]
    # "" (no data) has no place in `order`: NaN compares False, so it is never "after".
    later = (last.map(order) > people["stop_after_visit"].map(order)).to_numpy(dtype=bool)
    no_final = (last != final).to_numpy(dtype=bool)
    return np.select(
        [stopped & later, ~stopped & no_final],
        ["data_after_stated_last_visit", "no_final_visit_data_and_no_stop_record"],
        "",
    )


def _attrition(
    people: pd.DataFrame, visits: list[str], baseline: str, final: str, described: dict[str, Any]
) -> pd.DataFrame:
    where = (
        "in the participants table"
        if described["roster"]
        else "listed in an outcome table (no participants table)"
    )
    rows = [("enrolled", baseline, "", len(people), where)]
    for visit in visits:
        rows.append(
            (
                "data_at_visit",
                visit,
                "",
                int(people[f"has_data_{visit}"].sum()),
                f"any attendance-outcome value at {visit}",
            )
        )
    rows.append(
        (
            "completers",
            final,
            "",
            int(people["set_completers"].sum()),
            f"every completion outcome present at {final}",
        )
    )
    rows.append(
        (
            "stopped",
            "",
            "",
            int(people["stopped"].sum()),
            "listed in the discontinuations table"
            if described["discontinuations"]
            else "no discontinuations table: no one is recorded as having stopped",
        )
    )
    stopped = people[people["stopped"]]
    for (visit, reason), group in stopped.groupby(["stop_after_visit", "stop_reason"], sort=True):
        rows.append(
            (
                "stopped_after_visit",
                visit,
                reason,
                len(group),
                "last visit and reason as stated in the discontinuations table",
            )
        )
    return pd.DataFrame(rows, columns=ATTRITION_COLUMNS)
