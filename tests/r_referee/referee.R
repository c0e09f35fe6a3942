# R as referee: recompute, from the pipeline's own cleaned inputs, the statistics that
# tests/test_r_referee.py declares (its COMPARISONS table names each check, its R call and its
# tolerance), and write them as one tidy CSV for the test to compare with results/tables/.
#
# Usage: Rscript referee.R <project dir> <spec dir> <output csv>
#   <project dir>/results/clean/<instrument>.csv, participants.csv: the cleaned inputs;
#   <spec dir>/outcomes.csv (outcome, instrument, direction, analysed, marker, correlated),
#   visits.csv (visit, day; baseline first), settings.csv (name, value; lists joined by ";"):
#   the study plan, written by the test from config.yaml, so nothing here names a visit or outcome.
# Output: one row per check x key x column: check, table, the key columns (outcome, visit,
# analysis_set, test, marker, change, dose_measure, correlation, delta; "" where a key does not
# apply), column, value (17 significant digits, NaN = not computed), low and high (NaN, or the
# interval of equally valid answers when R's answer is not unique), note (R's warnings or error).

suppressPackageStartupMessages({
  library(lme4)
  library(lmerTest)
  library(coin)
  library(mice)
})

args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 3) stop("usage: Rscript referee.R <project dir> <spec dir> <output csv>")
project <- args[1]
spec_dir <- args[2]
out_path <- args[3]

read_text <- function(path) {
  read.csv(path, colClasses = "character", na.strings = character(0), check.names = FALSE)
}
as_number <- function(x) suppressWarnings(as.numeric(ifelse(x == "", NA, x)))
as_flag <- function(x) x %in% c("True", "TRUE", "true")

outcomes <- read_text(file.path(spec_dir, "outcomes.csv"))
visit_table <- read_text(file.path(spec_dir, "visits.csv"))
settings_table <- read_text(file.path(spec_dir, "settings.csv"))
setting <- function(name) settings_table$value[settings_table$name == name]
setting_list <- function(name) {
  value <- setting(name)
  if (length(value) == 0 || value == "") character(0) else strsplit(value, ";", fixed = TRUE)[[1]]
}

visits <- visit_table$visit
baseline <- visits[1]
follow_ups <- visits[-1]
days <- as_number(visit_table$day)
confidence <- as.numeric(setting("confidence"))
final <- setting("final_visit")
clean_dir <- file.path(project, "results", "clean")
tables_dir <- file.path(project, "results", "tables")

# --- inputs -----------------------------------------------------------------------------------

people <- read_text(file.path(clean_dir, "participants.csv"))
enrolled <- people$participant_id[as_flag(people$set_enrolled)]
completers <- people$participant_id[as_flag(people$set_completers)]

clean <- do.call(rbind, lapply(unique(outcomes$instrument), function(instrument) {
  read_text(file.path(clean_dir, paste0(instrument, ".csv")))[, c("participant_id", "outcome", "visit", "value")]
}))
clean$value <- as_number(clean$value)

# participant x visit matrix of one outcome's values (NA = missing), visits in plan order.
wide <- function(outcome) {
  rows <- clean[clean$outcome == outcome, ]
  ids <- sort(unique(rows$participant_id))
  values <- matrix(NA_real_, length(ids), length(visits), dimnames = list(ids, visits))
  values[cbind(match(rows$participant_id, ids), match(rows$visit, visits))] <- rows$value
  values
}
direction_sign <- function(outcome) {
  switch(outcomes$direction[outcomes$outcome == outcome], higher_is_better = 1, lower_is_better = -1,
         stop("no direction of improvement for ", outcome))
}

# --- output -----------------------------------------------------------------------------------

KEYS <- c("outcome", "visit", "analysis_set", "test", "marker", "change", "dose_measure", "correlation", "delta")
collected <- list()
emit <- function(check, table, keys, values, note = "", bounds = list()) {
  row <- setNames(as.list(rep("", length(KEYS))), KEYS)
  row[names(keys)] <- keys
  values <- unlist(values)
  bound <- function(i) vapply(names(values), function(name) {
    if (is.null(bounds[[name]])) NA_real_ else bounds[[name]][i]
  }, numeric(1))
  collected[[length(collected) + 1]] <<- data.frame(
    check = check, table = table, as.data.frame(row, stringsAsFactors = FALSE),
    column = names(values), value = unname(values), low = unname(bound(1)), high = unname(bound(2)),
    note = paste(unique(note), collapse = " | "), stringsAsFactors = FALSE
  )
}

# Evaluate expr; return list(value = result or NULL on error, notes = warnings and the error).
captured <- function(expr) {
  notes <- character(0)
  value <- withCallingHandlers(
    tryCatch(expr, error = function(e) {
      notes <<- c(notes, paste("error:", conditionMessage(e)))
      NULL
    }),
    warning = function(w) {
      notes <<- c(notes, conditionMessage(w))
      invokeRestart("muffleWarning")
    }
  )
  list(value = value, notes = notes)
}
field <- function(result, f) if (is.null(result$value)) NaN else unname(f(result$value))

# wilcox.test's (pseudo)median is uniroot's root of the signed-rank statistic of d - mu, without
# continuity correction. That statistic is a step function of mu with steps at the Walsh averages
# of d (zeros dropped); where it is exactly 0 between two of them, every mu in that interval is a
# root and uniroot returns one of them. Returns that interval, or NULL when the root is a step.
flat_root <- function(d, root) {
  d <- d[d != 0]
  if (!length(d) || !is.finite(root)) return(NULL)
  centred <- d - root
  centred <- centred[centred != 0]
  statistic <- sum(rank(abs(centred))[centred > 0]) - length(centred) * (length(centred) + 1) / 4
  walsh <- outer(d, d, "+")[upper.tri(diag(length(d)), diag = TRUE)] / 2
  below <- walsh[walsh < root]
  above <- walsh[walsh > root]
  if (statistic != 0 || !length(below) || !length(above) || any(walsh == root)) return(NULL)
  c(max(below), min(above))
}

# --- paired tests: paired_tests.csv -----------------------------------------------------------

paired_p <- list()  # R's own p-values, for the multiplicity adjustment below
for (outcome in outcomes$outcome[as_flag(outcomes$analysed)]) {
  values <- wide(outcome)
  sign <- direction_sign(outcome)
  for (visit in follow_ups) {
    both <- !is.na(values[, baseline]) & !is.na(values[, visit])
    with_baseline <- rownames(values) %in% enrolled & !is.na(values[, baseline])
    bocf_follow <- ifelse(is.na(values[, visit]), values[, baseline], values[, visit])
    sets <- list(
      available_pairs = list(base = values[both, baseline], follow = values[both, visit]),
      completers = list(base = values[both & rownames(values) %in% completers, baseline],
                        follow = values[both & rownames(values) %in% completers, visit]),
      enrolled_bocf = list(base = values[with_baseline, baseline], follow = bocf_follow[with_baseline])
    )
    for (set in names(sets)) {
      base <- sets[[set]]$base
      follow <- sets[[set]]$follow
      # Improvement = follow-up - baseline, sign-flipped when lower is better: R's x - y.
      x <- if (sign > 0) follow else base
      y <- if (sign > 0) base else follow
      keys <- list(outcome = outcome, visit = visit, analysis_set = set)
      wilcoxon_keys <- c(keys, test = "wilcoxon_signed_rank")
      if (set == "enrolled_bocf") {
        # check pratt_signed_rank: zeros ranked and given no sign, no continuity correction.
        data <- data.frame(improvement = x - y, zero = 0)
        result <- captured(pvalue(wilcoxsign_test(improvement ~ zero, data = data, zero.method = "Pratt",
                                                  distribution = "asymptotic")))
        p <- field(result, as.numeric)
        emit("pratt_signed_rank", "paired_tests.csv", wilcoxon_keys, list(p_value = p), result$notes)
      } else {
        # checks signed_rank and hodges_lehmann.
        result <- captured(wilcox.test(x, y, paired = TRUE, exact = FALSE, correct = TRUE, conf.int = TRUE,
                                       conf.level = confidence))
        p <- field(result, function(r) r$p.value)
        emit("signed_rank", "paired_tests.csv", wilcoxon_keys,
             list(statistic = field(result, function(r) r$statistic), p_value = p), result$notes)
        estimate <- field(result, function(r) r$estimate)
        flat <- flat_root(x - y, estimate)
        level <- field(result, function(r) attr(r$conf.int, "conf.level"))
        notes <- c(result$notes,
                   if (isTRUE(level != confidence)) sprintf("R's level %.17g", level),
                   if (!is.null(flat))
                     sprintf("estimate: every value in [%.17g, %.17g] is a root (uniroot returned one)",
                             flat[1], flat[2]))
        emit("hodges_lehmann", "paired_tests.csv", wilcoxon_keys,
             list(estimate = estimate,
                  ci_low = field(result, function(r) r$conf.int[1]),
                  ci_high = field(result, function(r) r$conf.int[2])),
             notes, bounds = list(estimate = flat))
      }
      paired_p[[length(paired_p) + 1]] <- data.frame(wilcoxon_keys, p_value = p)
      # check paired_t.
      result <- captured(t.test(x, y, paired = TRUE, conf.level = confidence))
      t_keys <- c(keys, test = "paired_t")
      p <- field(result, function(r) r$p.value)
      emit("paired_t", "paired_tests.csv", t_keys,
           list(statistic = field(result, function(r) r$statistic), df = field(result, function(r) r$parameter),
                p_value = p, estimate = field(result, function(r) r$estimate),
                ci_low = field(result, function(r) r$conf.int[1]), ci_high = field(result, function(r) r$conf.int[2])),
           result$notes)
      paired_p[[length(paired_p) + 1]] <- data.frame(t_keys, p_value = p)
    }
  }
}

# check paired_adjusted: p.adjust of R's own p-values within each family (analysis/multiplicity).
paired_p <- do.call(rbind, paired_p)
P_ADJUST <- c(holm = "holm", fdr_bh = "BH")
methods <- setting_list("multiplicity_methods")
family <- interaction(paired_p[setting_list("multiplicity_family_by")], drop = TRUE)
for (method in methods) {
  paired_p[[paste0("p_", method)]] <- ave(paired_p$p_value, family, FUN = function(p) p.adjust(p, P_ADJUST[[method]]))
}
for (i in seq_len(nrow(paired_p))) {
  emit("paired_adjusted", "paired_tests.csv", as.list(paired_p[i, c("outcome", "visit", "analysis_set", "test")]),
       as.list(paired_p[i, paste0("p_", methods), drop = FALSE]))
}

# --- repeated measures: friedman.csv, mixed_model.csv -----------------------------------------

for (outcome in outcomes$outcome[as_flag(outcomes$analysed)]) {
  values <- wide(outcome)
  # check friedman: completers with the outcome at every visit (the pipeline needs 3 visits or more).
  if (length(visits) >= 3) {
    complete <- values[rownames(values) %in% completers, , drop = FALSE]
    complete <- complete[stats::complete.cases(complete), , drop = FALSE]
    result <- captured(friedman.test(complete))
    emit("friedman", "friedman.csv", list(outcome = outcome, analysis_set = "completers", test = "friedman"),
         list(statistic = field(result, function(r) r$statistic), df = field(result, function(r) r$parameter),
              p_value = field(result, function(r) r$p.value)),
         result$notes)
  }

  # check mixed_model: everyone enrolled, every available value, Satterthwaite df.
  long <- data.frame(participant_id = rep(rownames(values), ncol(values)),
                     visit = rep(visits, each = nrow(values)), value = as.vector(values))
  long <- long[long$participant_id %in% enrolled & !is.na(long$value), ]
  long$visit <- factor(long$visit, levels = visits[visits %in% long$visit])
  result <- captured(
    summary(lmerTest::lmer(value ~ visit + (1 | participant_id), data = long, REML = TRUE))$coefficients
  )
  for (visit in follow_ups) {
    term <- paste0("visit", visit)
    at <- function(column) field(result, function(r) if (term %in% rownames(r)) r[term, column] else NaN)
    emit("mixed_model", "mixed_model.csv",
         list(outcome = outcome, visit = visit, analysis_set = "enrolled_available", test = "mixed_model"),
         list(estimate = at("Estimate"), se = at("Std. Error"), df = at("df"), t = at("t value"),
              p_value = at("Pr(>|t|)")),
         result$notes)
  }
}

# --- responders.csv: check wilson -------------------------------------------------------------

responders_path <- file.path(tables_dir, "responders.csv")
if (file.exists(responders_path)) {
  responders <- read_text(responders_path)
  for (i in seq_len(nrow(responders))) {
    k <- as.numeric(responders$responders[i])
    n <- as.numeric(responders$n[i])
    result <- captured(prop.test(k, n, correct = FALSE, conf.level = confidence)$conf.int)
    emit("wilson", "responders.csv", list(analysis_set = responders$analysis_set[i]),
         list(ci_low = field(result, function(r) r[1]), ci_high = field(result, function(r) r[2])), result$notes)
  }
}

# --- Spearman correlations: dose_response.csv, biomarkers/spearman_*.csv -----------------------

spearman <- function(check, table, keys, x, y) {
  keep <- !is.na(x) & !is.na(y)
  result <- captured(cor.test(x[keep], y[keep], method = "spearman", exact = FALSE))
  emit(check, table, keys,
       list(rho = field(result, function(r) r$estimate), p_value = field(result, function(r) r$p.value)),
       result$notes)
}

# Last value up to and including `upto` among `columns` (last observation carried forward).
carried <- function(values, columns, upto) {
  columns <- columns[seq_len(match(upto, columns))]
  apply(values[, columns, drop = FALSE], 1, function(row) {
    present <- row[!is.na(row)]
    if (length(present)) present[length(present)] else NA_real_
  })
}

dose_outcome <- setting("dose_outcome")
if (length(dose_outcome) && dose_outcome != "") {
  # Dose per visit from participants.csv (a rate per week); last dose, and with study days the
  # cumulative dose: each visit's dose x weeks to the next visit, when that next visit has a dose.
  # Summed in dose x days and divided by 7 once: equal totals are then equal numbers (ties stay
  # ties for the ranks), which a sum of dose x (days / 7) terms does not guarantee.
  doses <- sapply(visits, function(visit) as_number(people[[paste0("dose_", visit)]]))
  rownames(doses) <- people$participant_id
  exposure <- list(last_dose = carried(doses, visits, visits[length(visits)]))
  if (!anyNA(days)) {
    taken <- doses[, -ncol(doses), drop = FALSE] * ifelse(is.na(doses[, -1, drop = FALSE]), 0, 1)
    exposure$cumulative_dose <- rowSums(sweep(taken, 2, diff(days), `*`), na.rm = TRUE) / 7
  }
  for (outcome in outcomes$outcome[as_flag(outcomes$analysed)]) {
    values <- wide(outcome)
    sign <- direction_sign(outcome)
    changes <- list(last_observation = sign * (carried(values, follow_ups, final) - values[, baseline]))
    changes[[paste0("at_", final)]] <- sign * (values[, final] - values[, baseline])
    for (change in names(changes)) {
      ids <- intersect(names(changes[[change]]), people$participant_id)
      for (measure in names(exposure)) {
        spearman("dose_spearman", "dose_response.csv",
                 list(outcome = outcome, change = change, dose_measure = measure, test = "spearman"),
                 exposure[[measure]][ids], changes[[change]][ids])
      }
    }
  }
}

change_visits <- setting_list("change_visits")
for (marker in outcomes$outcome[as_flag(outcomes$marker)]) {
  marker_values <- wide(marker)
  for (outcome in outcomes$outcome[as_flag(outcomes$correlated)]) {
    values <- wide(outcome)
    level <- function(matrix, visit) unname(matrix[match(enrolled, rownames(matrix)), visit])
    for (visit in visits) {
      spearman("spearman_cross_sectional", "biomarkers/spearman_cross_sectional.csv",
               list(marker = marker, outcome = outcome, visit = visit, correlation = "spearman_cross_sectional"),
               level(marker_values, visit), level(values, visit))
    }
    for (visit in change_visits) {
      spearman("spearman_change", "biomarkers/spearman_change.csv",
               list(marker = marker, outcome = outcome, visit = visit, correlation = "spearman_change"),
               level(marker_values, visit) - level(marker_values, baseline),
               level(values, visit) - level(values, baseline))
    }
  }
}

# --- delta-adjusted multiple imputation: check mice_pool --------------------------------------
# results/imputations/<outcome>.csv: imputation 0 = the analysis set as observed (follow_up empty
# where missing), imputations 1..m = the imputed follow-up values of those missing. For delta = 0
# and the largest delta of the outcome's grid in tipping_point_mi.csv, the imputed values are
# shifted by delta towards worsening, each completed set analysed by lm(change ~ 1) and the m fits
# pooled by mice::pool (Barnard-Rubin df, dfcom = n - 1 from the fits).

mi_path <- file.path(tables_dir, "tipping_point_mi.csv")
imputations_dir <- file.path(project, "results", "imputations")
has <- function(table, columns) all(columns %in% names(table))
mi <- if (file.exists(mi_path)) read_text(mi_path) else data.frame()
if (has(mi, c("outcome", "visit", "analysis_set", "delta", "m"))) {
  for (outcome in unique(mi$outcome)) {
    rows <- mi[mi$outcome == outcome & mi$delta != "" & as_number(mi$m) >= 2, ]
    path <- file.path(imputations_dir, paste0(outcome, ".csv"))
    if (!nrow(rows) || !file.exists(path)) next
    sets <- read_text(path)
    if (!has(sets, c("participant_id", "imputation", "baseline", "follow_up"))) next
    observed <- sets[sets$imputation == "0", ]
    m <- max(as.integer(sets$imputation))
    worsening <- -direction_sign(outcome)
    deltas <- rows$delta[as_number(rows$delta) %in% c(0, max(as_number(rows$delta)))]
    for (delta in unique(deltas)) {
      result <- captured({
        fits <- lapply(seq_len(m), function(j) {
          imputed <- sets[sets$imputation == as.character(j), ]
          follow <- as_number(observed$follow_up)
          at <- match(imputed$participant_id, observed$participant_id)
          follow[at] <- as_number(imputed$follow_up) + worsening * as_number(delta)
          lm(change ~ 1, data = data.frame(change = follow - as_number(observed$baseline)))
        })
        mice::pool(mice::as.mira(fits))$pooled
      })
      row <- rows[rows$delta == delta, ][1, ]
      emit("mice_pool", "tipping_point_mi.csv",
           list(outcome = outcome, visit = row$visit, analysis_set = row$analysis_set, delta = delta),
           list(estimate = field(result, function(r) r$estimate), `se^2` = field(result, function(r) r$t),
                df = field(result, function(r) r$df)),
           result$notes)
    }
  }
}

# --- write ------------------------------------------------------------------------------------

tidy <- do.call(rbind, collected)
for (column in c("value", "low", "high")) {
  tidy[[column]] <- ifelse(is.na(tidy[[column]]), "NaN", sprintf("%.17g", tidy[[column]]))
}
write.csv(tidy, out_path, row.names = FALSE)
