"""Report sections: each turns pipeline tables into display tables (pandas frames of text)."""

from __future__ import annotations

import pandas as pd

from ..table_types import as_types
from .formatting import interval, median_iqr, number, p_value


def baseline_characteristics(participants: pd.DataFrame) -> pd.DataFrame:
    """Age, sex, years ill and sites for everyone enrolled, completers and those who stopped."""
    typed = as_types(participants, "participants")
    groups = {
        "Enrolled": participants,
        "Completers": participants[typed["set_completers"].astype(bool)],
        "Stopped": participants[typed["stopped"].astype(bool)],
    }
    rows = []
    for label, column in (
        ("Age, years: median (IQR)", "age"),
        ("Years ill: median (IQR)", "years_ill"),
    ):
        if column in participants:
            row = {"Characteristic": label}
            for name, group in groups.items():
                values = pd.to_numeric(group[column], errors="coerce").dropna()
                row[name] = (
                    median_iqr(values.median(), values.quantile(0.25), values.quantile(0.75))
                    if len(values)
                    else "–"
                )
            rows.append(row)
    if "sex" in participants:
        for sex in sorted(participants["sex"].dropna().astype(str).unique()):
            row = {"Characteristic": f"Sex {sex}: n (%)"}
            for name, group in groups.items():
                count = int((group["sex"].astype(str) == sex).sum())
                row[name] = f"{count} ({100 * count / len(group):.0f}%)" if len(group) else "–"
            rows.append(row)
    rows.append(
        {"Characteristic": "n", **{name: str(len(group)) for name, group in groups.items()}}
    )
    if "site" in participants:
        rows.append(
            {
                "Characteristic": "Sites",
                **{name: str(group["site"].nunique()) for name, group in groups.items()},
            }
        )
    return pd.DataFrame(rows)


def paired_display(paired: pd.DataFrame, instrument: str, test: str) -> pd.DataFrame:
    rows = paired[(paired["instrument"] == instrument) & (paired["test"] == test)]
    out = []
    for row in rows.itertuples():
        out.append(
            {
                "Outcome": row.label,
                "Visit": row.visit,
                "Analysis set": row.analysis_set,
                "n": int(row.n_pairs),
                "Baseline median (IQR)": median_iqr(
                    row.baseline_median, row.baseline_q1, row.baseline_q3
                ),
                "Follow-up median (IQR)": median_iqr(
                    row.follow_up_median, row.follow_up_q1, row.follow_up_q3
                ),
                f"{row.estimate_name} [95% CI]": interval(row.estimate, row.ci_low, row.ci_high),
                "Statistic": f"{row.statistic_name.split(' ')[0]} = {number(row.statistic)}",
                "Effect size": number(row.effect_size),
                "p": p_value(row.p_value),
                "p Holm": p_value(row.p_holm),
                "p BH": p_value(row.p_fdr_bh),
            }
        )
    frame = pd.DataFrame(out)
    # One estimate column name per test keeps the table rectangular.
    return frame


def responders_display(responders: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Denominator (analysis set)": responders["analysis_set"],
            "Definition": responders["analysis_set_definition"],
            "Responders / n": responders["responders"].astype(int).astype(str)
            + " / "
            + responders["n"].astype(int).astype(str),
            "Proportion [95% CI]": [
                f"{100 * p:.1f}% [{100 * lo:.1f}, {100 * hi:.1f}]"
                for p, lo, hi in zip(
                    responders["proportion"], responders["ci_low"], responders["ci_high"]
                )
            ],
        }
    )


def attrition_display(attrition: pd.DataFrame) -> pd.DataFrame:
    return attrition.rename(
        columns={
            "category": "Step",
            "visit": "Visit",
            "reason": "Reason",
            "n": "n",
            "definition": "Definition",
        }
    ).drop(columns=[c for c in ("data_status",) if c in attrition])


def generic_display(
    frame: pd.DataFrame, columns: dict[str, str], p_columns=(), numeric=()
) -> pd.DataFrame:
    """Select and rename columns; format p-values and numbers."""
    present = {k: v for k, v in columns.items() if k in frame}
    out = frame[list(present)].copy()
    for column in out.columns:
        if column in p_columns:
            out[column] = out[column].map(p_value)
        elif column in numeric:
            out[column] = out[column].map(number)
    return out.rename(columns=present)
