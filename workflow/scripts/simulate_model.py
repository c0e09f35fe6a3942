"""Rule simulation_model: build and calibrate one scenario's model (baseline, noise, selection,
dropout)."""

from _step import run_step


def main(snakemake):
    import json
    import logging

    from rapamycin_mecfs.atomic import read_csv, write_text
    from rapamycin_mecfs.simulate import model as sim
    from rapamycin_mecfs.table_types import read_table

    settings = snakemake.params.settings
    visits = [v["id"] for v in settings["visits"]]
    outcomes = list(settings["outcomes"])
    people = read_table(snakemake.input.participants, "participants")
    n_enrolled, retention = sim.retention_from_participants(people, visits)
    if settings["baseline"]["source"] == "supplement":
        enrolled = people.loc[people["set_enrolled"].astype(bool), "participant_id"].tolist()
        clean = {}
        for path in snakemake.input.clean:
            frame = read_csv(path)
            for outcome in frame["outcome"].unique():
                clean[outcome] = frame[frame["outcome"] == outcome]
        baseline = sim.baseline_from_supplement(
            {o: clean[o] for o in outcomes}, enrolled, visits[0]
        )
    else:
        baseline = sim.baseline_from_config(settings["baseline"], outcomes)
    model = sim.model_from_settings(settings, baseline, n_enrolled, retention)
    write_text(json.dumps(model.to_dict(), indent=1, sort_keys=True) + "\n", snakemake.output.model)
    d = model.diagnostics
    logging.info(
        "%s: %d enrolled per trial; dropout %s; enrol fraction %.3g (achieved %.3g)",
        model.scenario,
        model.n_enrolled,
        model.dropout_mode,
        model.enrol_fraction,
        d["selection_achieved_enrol_fraction"],
    )
    logging.info(
        "retention target %s, expected %s",
        d["retention_target"],
        [round(r, 4) for r in d["retention_expected"]],
    )


run_step(main, snakemake)
