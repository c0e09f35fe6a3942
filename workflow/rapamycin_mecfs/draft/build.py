"""The whole draft: `draft_config` reads the files, analyses their tables and builds the config
(tables, instruments, visits, participant IDs, missing values), the checklist validation will name
and the guesses to confirm.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from ..errors import SupplementError
from ..plan import DISCONTINUATIONS_TABLE as STOPPED
from ..plan import PARTICIPANTS_TABLE as ROSTER
from .files import Source, config_path, read_sources
from .headers import (
    ID_SHAPE,
    LAST_VISIT_HEADER,
    REASON_HEADER,
    TABLE_NUMBER,
    TRAILING_PARENTHESIS,
    id_pattern,
    most_common,
    short,
    snake_key,
    unit,
    visit_id,
)
from .observed import Observed, extract_read
from .render import Draft
from .tables import BY_VISIT_NOTE, TableGuess, by_visit, tables_of

# Field names the pipeline reads from the discontinuations table.
STOP_FIELDS = ("last_visit", "reason", "reason_detail")
DEFAULT_OUTPUT = "config.draft.yaml"
CHECKED_PROPERTIES = ("direction", "min", "max", "step")  # left unset: the schema names each one
RESPONDER_PATH = "analysis/responders/criteria"


# --------------------------------------------------------------------------- the whole draft


def draft_config(
    paths: list[str | Path], output: str = DEFAULT_OUTPUT, results_dir: str | None = None
) -> Draft:
    """Draft the config of the supplement in ``paths``; file paths in it are as given (from the
    working directory).

    Parameters
    ----------
    paths : list of str or Path
        The supplement's .xlsx, .csv and .pdf files.
    output : str
        Where the draft will be written (named in its header; the default results directory is
        ``results_<its name>``).
    results_dir : str, optional
        The study's results directory.

    Returns
    -------
    Draft

    Raises
    ------
    SupplementError
        A file cannot be read, or no table with a participant ID column is found; every such
        problem, one line each, naming the file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "pain.csv").write_text(
    ...     "Table 2. Pain score by visit\\n"
    ...     "Subject,Pain score,,\\n"
    ...     ",Week 0 (day 0),Week 6 (day 42),Week 12 (day 84)\\n"
    ...     "S-01,7,5,4\\nS-02,6,6,NA\\nS-03,8,,3\\n", encoding="utf-8")
    >>> draft = draft_config([folder / "pain.csv"], output="pain.yaml")
    >>> draft.config["participant_ids"]
    {'pattern': '^\\\\s*S[\\\\s_-]*0*(\\\\d+)\\\\s*$', 'canonical': 'S-{number:02d}'}
    >>> draft.config["visits"][2]
    {'id': 'Week_12', 'day': 84}
    >>> table = draft.config["tables"]["pain"]
    >>> table["header_rows"], table["id_header"], table["outcomes"]
    (2, 'Subject', {'Pain score': 'pain_score'})
    >>> draft.config["instruments"]["pain"]["outcomes"]["pain_score"]
    {'label': 'Pain score', 'unit': 'points'}
    >>> draft.config["missing_tokens"]
    ['', 'NA']
    >>> for path, properties, _hint in draft.checklist:
    ...     print(path, properties)
    instruments/pain/outcomes/pain_score ('direction', 'min', 'max', 'step')
    analysis/responders/criteria ('criteria',)
    """
    problems: list[str] = []
    sources: list[Source] = []
    notes: list[str] = []
    for path in paths:
        try:
            found, left_out = read_sources(path)
        except SupplementError as error:
            problems += error.problems
            continue
        sources += found
        notes += left_out
    if problems:
        raise SupplementError(problems)
    tables, left_out = tables_of(sources)
    notes += left_out
    if not any(t.kind in ("outcomes", "long") for t in tables):
        read = ", ".join(str(p) for p in paths)
        raise SupplementError(
            [
                f"{read}: no table of outcomes by visit found; expected a table with a "
                "participant ID column (IDs such as 'P-001') and outcome labels above visit "
                "headers, or a long table with a visit column"
            ]
            + [BY_VISIT_NOTE.format(where=t.where) for t in tables if by_visit(t, set())]
        )
    builder = _Builder(tables, [str(p) for p in paths], output, results_dir, sources)
    builder.notes += notes
    return builder.build()


class _Builder:
    def __init__(
        self,
        tables: list[TableGuess],
        files: list[str],
        output: str,
        results_dir: str | None,
        sources: list[Source],
    ):
        self.tables = tables
        self.sources = sources
        self.files = files
        self.output = output
        self.results_dir = results_dir or _results_dir_for(output)
        self.notes: list[str] = [note for t in tables for note in t.notes]
        self.confirm: list[str] = []
        self.comments: dict[str, list[str]] = {}
        self.token_counts: Counter = Counter()

    # ---- pieces
    def visits(self) -> tuple[list[dict[str, Any]], dict[str, str]]:
        """Visit list and header text -> visit id, over every outcome table in order."""
        order: dict[str, int | None] = {}
        days_seen: dict[str, set] = {}
        headers: dict[str, str] = {}
        for table in self.tables:
            if table.kind not in ("outcomes", "long"):
                continue
            for header in table.visits:
                ident, day = visit_id(header)
                days_seen.setdefault(ident, set()).add(day)
                headers[header] = ident
                order.setdefault(ident, day)
        clashing = {ident for ident, days in days_seen.items() if len(days) > 1}
        if clashing:
            for header, ident in list(headers.items()):
                if ident in clashing:
                    _, day = visit_id(header)
                    headers[header] = f"{ident}_day{day}" if day is not None else ident
            order = {}
            for header, ident in headers.items():
                order.setdefault(ident, visit_id(header)[1])
        with_days = all(day is not None for day in order.values())
        ids = list(order)
        if with_days:
            ids.sort(key=lambda ident: order[ident])  # stable: equal days keep their order
            visits = [{"id": ident, "day": order[ident]} for ident in ids]
        else:
            visits = [{"id": ident} for ident in ids]
            if any(day is not None for day in order.values()):
                self.confirm.append(
                    "visits: only some visit headers state a day, so no study days are drafted "
                    "(add `day:` to every visit or none)"
                )
        return visits, headers

    def build(self) -> Draft:
        visits, visit_of = self.visits()
        visit_ids = [v["id"] for v in visits]
        ids = [i for t in self.tables for i in t.ids]
        if not ids:
            raise SupplementError(
                f"{', '.join(self.files)}: no participant IDs below the headers; expected IDs "
                "written as letters then digits"
            )
        pattern, canonical = id_pattern(ids)
        taken_tables: set[str] = {ROSTER, STOPPED}
        taken_outcomes: set[str] = set()
        tables: dict[str, Any] = {}
        instruments: dict[str, Any] = {}
        roles = self.roles(visit_ids, visit_of)
        outcome_header: dict[str, tuple[str, str]] = {}  # outcome key -> (table key, header text)
        for table in self.tables:
            role = roles.get(id(table))
            if table.kind == "by_visit":
                continue
            if table.kind == "fields" and role is None:
                self.notes.append(
                    f"{table.where}: one value per participant, but a roster is drafted already; "
                    "left out (add it under tables: only if it is the roster instead)"
                )
                continue
            key = role or _unique(
                snake_key(TABLE_NUMBER.sub("", table.name) or table.name, "table"), taken_tables
            )
            spec = self.table_spec(table)
            if table.kind == "fields":
                spec["fields"] = self.fields(table, role, visit_ids)
            else:
                labels = {}
                for label in table.outcomes:
                    bare = TRAILING_PARENTHESIS.sub("", label) or label
                    base = snake_key(bare, "outcome")
                    if base in taken_outcomes:
                        base = snake_key(label, "outcome")
                    if base in taken_outcomes:
                        base = f"{key}_{base}"
                    labels[label] = _unique(base, taken_outcomes)
                    outcome_header[labels[label]] = (key, label)
                spec["outcomes"] = labels
                spec["visits"] = {header: visit_of[header] for header in table.visits}
                instruments[key] = {
                    "table": key,
                    "label": table.name,
                    "outcomes": {
                        k: {"label": label, "unit": unit(label)} for label, k in labels.items()
                    },
                }
            tables[key] = spec
            self.comments[f"tables/{key}"] = self.table_comment(table, role)
        config: dict[str, Any] = {
            "synthetic": any(t.synthetic for t in self.tables),
            "study": {
                "title": f"Re-analysis of {', '.join(Path(f).name for f in self.files)}",
                "citation": "",
            },
            "results_dir": self.results_dir,
            "corrections": None,
            "claims": None,
            "visits": visits,
            "participant_ids": {"pattern": pattern, "canonical": canonical},
            "missing_tokens": [""],
            "below_lloq": {"substitute": "lloq_half"},
            "tables": tables,
            "instruments": instruments,
            "analysis": {"responders": {"combine": "all", "criteria": []}},
        }
        self.observe(config, outcome_header)
        self.confirm_guesses(config, ids, roles)
        checklist = [
            (f"instruments/{name}/outcomes/{key}", CHECKED_PROPERTIES, "")
            for name, instrument in instruments.items()
            for key in instrument["outcomes"]
        ]
        checklist.append(
            (
                RESPONDER_PATH,
                ("criteria",),
                "the responder rule, or delete analysis/responders for no responder analysis",
            )
        )
        return Draft(
            config, checklist, self.confirm, self.comments, self.files, self.output, self.notes
        )

    def roles(self, visit_ids: list[str], visit_of: dict[str, str]) -> dict[int, str]:
        """Table (by id()) -> participants or discontinuations, for one-value-per-participant
        tables."""
        roles: dict[int, str] = {}
        known_visits = {v.casefold() for v in visit_ids} | {h.casefold() for h in visit_of}
        fields_tables = [t for t in self.tables if t.kind == "fields"]
        for table in fields_tables:
            last = next((h for h in table.fields if LAST_VISIT_HEADER.search(h)), None)
            if last is None:
                last = next(
                    (
                        h
                        for h in table.fields
                        if any(table.values[h])
                        and all(v.casefold() in known_visits for v in table.values[h] if v)
                    ),
                    None,
                )
            reason = next((h for h in table.fields if REASON_HEADER.search(h)), None)
            if last and reason and STOPPED not in roles.values():
                roles[id(table)] = STOPPED
                table.columns = {"last_visit": last, "reason": reason}
        for table in fields_tables:
            if id(table) in roles:
                continue
            if by_visit(table, known_visits):
                table.kind = "by_visit"
                self.notes.append(BY_VISIT_NOTE.format(where=table.where))
            elif ROSTER not in roles.values():
                roles[id(table)] = ROSTER
        return roles

    def table_spec(self, table: TableGuess) -> dict[str, Any]:
        source = table.source
        spec: dict[str, Any] = {"file": config_path(source.path)}
        if source.sheet is not None:
            spec["sheet"] = source.sheet
        if source.page is not None:
            pdf_tables = [t for t in self.tables if t.source.path == source.path]
            if len(pdf_tables) > 1:
                spec["pages"] = sorted(table.pages)
        spec.update(source.csv_options)
        if table.kind == "long":
            spec["layout"] = "long"
            spec["columns"] = dict(table.columns)
        spec["header_rows"] = table.header_rows
        spec["id_header"] = table.id_header
        if table.header_row >= 20:
            spec["search_rows"] = table.header_row + 1
        if table.ignored:
            spec["ignore_headers"] = list(dict.fromkeys(table.ignored))
        return spec

    def fields(self, table: TableGuess, role: str, visit_ids: list[str]) -> dict[str, str]:
        names: dict[str, str] = {}
        taken: set[str] = set()
        if role == STOPPED:
            last, reason = table.columns["last_visit"], table.columns["reason"]
            names[last], names[reason] = STOP_FIELDS[0], STOP_FIELDS[1]
            taken |= {STOP_FIELDS[0], STOP_FIELDS[1]}
            detail = next((h for h in table.fields if h not in names), None)
            if detail is not None:
                names[detail] = STOP_FIELDS[2]
                taken.add(STOP_FIELDS[2])
            unknown = sorted({v for v in table.values.get(last, []) if v} - set(visit_ids))
            if unknown:
                self.notes.append(
                    f"tables/{STOPPED}: last-visit values {unknown} are not visit ids "
                    f"{visit_ids}; the pipeline compares them with the visit ids"
                )
        for header in table.fields:
            if header not in names:
                names[header] = _unique(
                    snake_key(TRAILING_PARENTHESIS.sub("", header) or header, "field"), taken
                )
        return {header: names[header] for header in table.fields}

    def table_comment(self, table: TableGuess, role: str | None) -> list[str]:
        lines = [f"From {table.where}" + (f": {short(table.title)!r}" if table.title else ".")]
        n = len({int(ID_SHAPE.match(i).group(3)) for i in table.ids})
        if table.kind == "outcomes":
            lines.append(
                f"{n} participants; {len(table.outcomes)} outcome(s) x {len(table.visits)} "
                "visit(s); outcome labels in the first header row, visits in the second."
            )
        elif table.kind == "long":
            lines.append(
                f"{n} participants, one row per participant and visit"
                + (" and outcome." if "outcome" in table.columns else ".")
            )
        elif role == STOPPED:
            lines.append(
                f"Drafted as who stopped ({n} rows): the column {table.columns['last_visit']!r} "
                f"names the last visit and {table.columns['reason']!r} the reason. Confirm."
            )
        else:
            lines.append(
                f"Drafted as the roster: the {n} participants enrolled, one value per "
                "participant. Confirm."
            )
        return lines

    # ---- what the cells hold
    def observe(self, config: dict[str, Any], outcome_header: dict[str, tuple[str, str]]) -> None:
        """Extract every drafted table with its drafted spec; record what the value cells hold."""
        from ..cells import IdNormaliser

        ids = IdNormaliser(**config["participant_ids"])
        tokens: Counter = Counter()
        odd: dict[str, Counter] = {}
        for key, spec in config["tables"].items():
            try:
                extracted = extract_read(key, spec, ids, self.sources)
            except SupplementError as error:
                first = error.problems[0]
                more = f" (and {len(error.problems) - 1} more)" if len(error.problems) > 1 else ""
                self.notes.append(
                    f"tables/{key}: extraction with the drafted spec stops: {first}{more}"
                )
                continue
            if key in (ROSTER, STOPPED):
                continue
            instrument = config["instruments"][key]
            for outcome, rows in extracted.groupby("outcome", sort=False):
                stats = Observed.of(
                    rows["raw_value"].tolist(), rows["raw_type"].tolist(), rows["visit"].nunique()
                )
                tokens.update(stats.tokens)
                for token, count in stats.odd.items():
                    odd.setdefault(token, Counter())[f"tables/{key}"] += count
                definition = instrument["outcomes"][outcome]
                limits = stats.limits
                if limits:
                    definition["lloq"] = _plain_number(most_common(limits.elements()))
                    if len(limits) > 1:
                        self.notes.append(
                            f"instruments/{key}/outcomes/{outcome}: below-limit cells state "
                            f"different limits {sorted(limits)}; drafted lloq "
                            f"{definition['lloq']} (one limit per outcome)"
                        )
                self.comments[f"instruments/{key}/outcomes/{outcome}"] = stats.describe(
                    outcome_header[outcome][1], definition
                )
        config["missing_tokens"] = [""] + [
            token for token, _ in sorted(tokens.items(), key=lambda kv: (-kv[1], kv[0]))
        ]
        self.token_counts = tokens
        for token, where in odd.items():
            self.notes.append(
                f"value cells read {token!r} ({sum(where.values())} cells in "
                f"{', '.join(sorted(where))}): neither a number nor drafted as a missing value; "
                "cleaning will stop there (fix the cell or add a correction)"
            )

    def confirm_guesses(
        self, config: dict[str, Any], ids: list[str], roles: dict[int, str]
    ) -> None:
        pattern = config["participant_ids"]
        styles: dict[tuple, list[str]] = {}
        for written in ids:
            match = ID_SHAPE.match(written)
            digits = match.group(3)
            styles.setdefault(
                (match.group(1), match.group(2), len(digits) if digits.startswith("0") else 0), []
            ).append(written)
        ranked = sorted(styles.values(), key=len, reverse=True)[:4]
        shown = ", ".join(f"{group[0]!r} ({len(group)} cells)" for group in ranked)
        n = len({int(ID_SHAPE.match(i).group(3)) for i in ids})
        self.confirm.insert(
            0,
            f"participant_ids: {n} participants, written as {shown}; canonical form "
            f"{pattern['canonical']!r}",
        )
        described = ", ".join(
            f"{v['id']}" + (f" (day {v['day']})" if "day" in v else "") for v in config["visits"]
        )
        self.confirm.insert(
            1,
            f"visits, in order (the first is baseline, the last the final visit): {described}",
        )
        for table in self.tables:
            if roles.get(id(table)) == STOPPED:
                self.confirm.append(
                    f"tables/{STOPPED}: {table.where} drafted as who stopped and why"
                )
            elif roles.get(id(table)) == ROSTER:
                self.confirm.append(
                    f"tables/{ROSTER}: {table.where} drafted as the roster (who was enrolled)"
                )
        if STOPPED not in config["tables"]:
            self.confirm.append(
                f"tables/{STOPPED}: none found, so no one is recorded as having stopped; add the "
                "table of who stopped if there is one"
            )
        if len(config["missing_tokens"]) > 1:
            shown = ", ".join(
                f"{t!r} ({self.token_counts[t]})" for t in config["missing_tokens"][1:]
            )
            self.confirm.append(
                f"missing_tokens: texts found in value cells, drafted as missing values: {shown}"
            )
        units = [
            key
            for inst in config["instruments"].values()
            for key, spec in inst["outcomes"].items()
            if spec["unit"] == "points"
        ]
        if units:
            listed = ", ".join(units[:6]) + (
                f" and {len(units) - 6} more" if len(units) > 6 else ""
            )
            self.confirm.append(f"unit 'points' where the header states no unit: {listed}")
        if config["synthetic"]:
            self.confirm.append("synthetic: true, because the files say 'synthetic data'")
        self.confirm.append(
            "study: the report title, citation and the words about the intervention"
        )


def _plain_number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def _unique(base: str, taken: set[str]) -> str:
    key, n = base, 2
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    taken.add(key)
    return key


def _results_dir_for(output: str) -> str:
    words = [
        w
        for w in snake_key(Path(output).name.rsplit(".", 1)[0], "study").split("_")
        if w not in ("config", "draft")
    ]
    return "results_" + ("_".join(words) or "draft")
