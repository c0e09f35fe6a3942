"""Seeded generator of a SYNTHETIC supplement for the low-dose rapamycin trial in ME/CFS.

The real supplement of Ruan et al. (J Transl Med 2025) is what the pipeline is meant to
re-analyse; until it is used, the pipeline runs on this imitation. **Nothing generated here
is trial data**: every table title, the file metadata and the README say so.

Command: ``python -m rapamycin_mecfs generate [--out DIR] [--corrections PATH] [--seed INT]
[--participants N]`` (defaults ``resources/supplementary``, ``resources/corrections.csv``,
20250523, 86). The same seed and N give byte-identical files.

Modules
-------
``model``    simulate the cohort into tidy DataFrames (``simulate_cohort``; pure, vectorised,
             ``numpy.random.default_rng(seed)``); every parameter below is a constant there.
``defects``  inject the realistic defects into the tables to be written (own stream,
             ``default_rng([seed, 1])``).
``writers``  lay out and write the workbook (openpyxl), the PDF (fpdf2), the README and the
             corrections ledger, byte-deterministically (``write_supplement``).
``cli``      the ``generate`` sub-command.

What is calibrated to the publication
-------------------------------------
* 86 participants started rapamycin at 8 clinical sites of unequal size (22, 18, 12, 10, 9,
  7, 5, 3 for sites A-H; ``REFERENCE_SITE_SIZES``); single arm, decentralized.
* Visits T0, T1, T2, T3 at days 0, 30, 60, 90 (``VISITS``, ``VISIT_DAYS``).
* Attrition, exactly for N = 86 (``REFERENCE_WITH_VISIT``, ``REFERENCE_INCOMPLETE_T3``):
  70 have T1 data, 56 T2, 46 T3; 6 of the 46 have incomplete T3 questionnaires, so 40 are
  completers; 16 / 14 / 10 stopped after T0 / T1 / T2.
* Reasons for stopping (``STOP_REASONS``), 40 for N = 86: "Lack of perceived benefit" 18,
  "Side effects" 11 (headache, gastrointestinal upset, mouth sores), "Cost" 7 (drug and
  laboratory tests paid by the participant), "Other" 4 (started another therapy, lost to
  follow-up).
* Dose 0.5 or 1 mg/week at the start, stepped up as tolerated in steps of 0.5 or 1 mg, at
  most 6 mg/week; some stay low after side effects.
* Instruments and scales: Bell Activity Scale, SSS v2.2 items, MFI-20 domains, RAND SF-36
  scales, ELISA biomarkers pSer258-ATG13 (elevated at baseline, lower at T1) and BECLIN-1
  (higher at T3 than T0), both with an LLOQ of 0.05 ng/mL.

Other N (``--participants``, at least 20): every count is scaled by N/86 and rounded half up
(visit counts, incomplete T3 at least 1); reason counts and site sizes are split by largest
remainder of the published shares (each site keeps at least one participant). Participant
IDs are ``RAP-001`` ... (3 digits; 5 digits when N > 999).

The model (parameters; constant names in ``model``)
---------------------------------------------------
Participants
    Age ~ N(42, 11²) rounded, clipped to 18-70 (``AGE_*``); sex F with probability 0.75
    (``FEMALE_PROPORTION``); years ill log-normal with median 8 and SD log 0.65, plus 0.15 on
    the log scale per SD of severity, rounded, clipped to 1-30 and to age - 12
    (``YEARS_ILL_*``). Sites are assigned by a random permutation of the site sizes.

Latent baseline severity S
    S = site effect (N(0, 0.3²) per site, ``SITE_SEVERITY_SD``) + sqrt(1 - 0.3²) x N(0, 1);
    higher = more severe. It correlates all baseline scores.

Latent response
    Responder with probability 0.65 (``RESPONDER_PROPORTION``; the "mix of improvers and
    non-improvers"). Response amplitude A ~ N(1, 0.3²) clipped to 0.2-2 for responders
    (``RESPONDER_AMPLITUDE_*``), A ~ N(0, 0.15²) for non-responders (some worsen a little).
    Latent improvement at T0..T3 = A x (0, 0.45, 0.8, 1) (``RESPONSE_TIME_COURSE``).

Informative dropout
    At each stopping point (after T0, T1, T2) the required number of still-active
    participants with the lowest A + N(0, 0.5²) stop (``DROPOUT_SCORE_NOISE_SD``); so those
    not improving are more likely to stop, with noise. Among all who stop, "Lack of perceived
    benefit" goes to the lowest A + N(0, 0.5²) (``REASON_SCORE_NOISE_SD``); the other reasons
    are assigned at random to the rest; details are drawn within reason (side effects:
    headache 0.35, gastrointestinal upset 0.35, mouth sores 0.30; other: started another
    therapy 0.5, lost to follow-up 0.5). Participant 23 (or N when N < 23;
    ``DEFECT_PARTICIPANT_NUMBER``) is never among those stopping after T0.

Dose (``dose_mg_week``, mg/week)
    Start 0.5 or 1 (equal odds), at most the participant's ceiling. Per 30-day interval
    0/1/2/3/4 increments (probabilities 0.15/0.25/0.25/0.2/0.15) of the participant's step
    size (0.5 or 1, equal odds) up to the ceiling: 3/4/5/6 mg (probabilities
    0.15/0.2/0.25/0.4), or 1/1.5/2 mg for participants with side effects (all who stop for
    side effects and 20 % of those who do not stop; ``DOSE_SIDE_EFFECT_*``). Never decreases;
    always a multiple of 0.5 within 0.5-6.

Questionnaires (``OUTCOMES``; one ``OutcomeSpec`` per outcome)
    value = baseline + d x between_sd x (-loading x S + sqrt(1 - loading²) x Z)
    + d x effect x improvement_t + noise_sd x E_t, clipped to the scale's range and rounded to
    its grid; d = +1 when higher is better, -1 when higher is worse; Z ~ N(0, 1) per
    participant and outcome, E_t ~ N(0, 1) per visit. Baseline means are calibrated to the
    severity described for ME/CFS cohorts and the brief: BAS ~30; SSS items ~7; MFI-20
    general fatigue ~18, the other domains 15-17; SF-36 physical functioning ~35,
    role-physical mostly 0, energy/fatigue ~15, emotional well-being ~60, social functioning
    ~30, pain ~50, general health ~25.

    ==========================  ====  ======  =====  =======  ======  ========  =========
    key                         mean  btw SD  load   effect   noise   range     grid
    ==========================  ====  ======  =====  =======  ======  ========  =========
    bas                         30    10      0.8    +12      5       0-100     10
    sss_fatigue                 7.3   1.2     0.7    -2       0.8     0-10      1
    sss_sleep                   6.8   1.5     0.5    -1.5     0.9     0-10      1
    sss_pem                     7.5   1.3     0.7    -2       0.9     0-10      1
    sss_oi                      6.5   1.8     0.5    -1.5     0.9     0-10      1
    mfi_general_fatigue         18    1.6     0.7    -2.5     1.0     4-20      1
    mfi_physical_fatigue        17    2.0     0.7    -2.5     1.0     4-20      1
    mfi_reduced_activity        16.5  2.2     0.7    -2.5     1.0     4-20      1
    mfi_reduced_motivation      15    2.8     0.5    -2       1.2     4-20      1
    mfi_mental_fatigue          16    2.6     0.5    -2       1.2     4-20      1
    sf36_physical_functioning   35    15      0.8    +12      6       0-100     5
    sf36_role_physical          5     12      0.6    +15      10      0-100     25
    sf36_role_emotional         65    30      0.3    +5       20      0-100     100/3 (*)
    sf36_energy_fatigue         15    10      0.7    +15      6       0-100     5
    sf36_emotional_wellbeing    60    14      0.3    +6       7       0-100     4
    sf36_social_functioning     30    18      0.6    +15      10      0-100     12.5
    sf36_pain                   50    20      0.4    +8       10      0-100     2.5
    sf36_general_health         25    12      0.6    +8       6       0-100     5
    ==========================  ====  ======  =====  =======  ======  ========  =========

    (*) 0, 33.3, 66.7, 100 (one decimal). "effect" is the change at A = 1 in the better
    direction, shown with the sign it has on the raw scale.
    The SF-36 physical functioning of participant 23 at T1 is then set to 85 (the true value
    behind the injected 850).

Biomarkers (``BIOMARKERS``, ng/mL, ELISA)
    log value = log(median) + sdlog_between x Z + course_t x (change_mean + change_sd x W
    + response_loading x A) + noise_sdlog x E_t, rounded to 3 decimals.

    * ``patg13`` (pSer258-ATG13): median 1.2, SD log 0.5 between participants, log change
      -0.6 (SD 0.35) with course (0, 1, 0.9, 0.85), response loading 0, noise 0.15: about
      90 % are lower at T1 than T0, responders and non-responders alike (the critics' point
      that the target engagement does not track benefit).
    * ``beclin1`` (BECLIN-1): median 0.13, SD log 0.6, log change +0.3 (SD 0.3) with course
      (0, 0.15, 0.5, 1), response loading 0.15 (slightly larger rise in improvers), noise
      0.55. Calibrated so that about 3-5 % of all biomarker values fall below the LLOQ
      (0.05 ng/mL, ``BIOMARKER_LLOQ``), nearly all of them BECLIN-1.
    * 2 % of biomarker values at attended visits are missing
      (``BIOMARKER_MISSING_PROBABILITY``). The tidy table keeps values below the LLOQ as
      simulated; the writer prints them as "<0.05".

Missingness
    Values exist only at attended visits (T0 ... last visit). For the participants with
    incomplete T3 questionnaires (6 for N = 86), one pattern each (``INCOMPLETE_PATTERNS``):
    whole MFI-20 block (0.35), two random SF-36 scales (0.35), whole SSS block (0.15), BAS
    (0.15); dose and biomarkers at T3 are unaffected.

Defects written into the files (``defects``; all documented in the generated README)
-------------------------------------------------------------------------------------
* Missing tokens: about 25 % of empty cells hold "NA", "n/a", "—" (U+2014), or in S4 SSS
  and S7 Biomarkers also "ND"; the rest are blank.
* Numbers stored as text: about 5 % of numeric cells in every sheet ("45", " 45 ", "45 ").
* Three participant IDs written differently in S4 SSS only: "RAP 12", "rap-031", "RAP-045 "
  (participants 12, 31, 45; at the same relative positions when N < 45).
* One impossible value: SF-36 physical functioning of participant 23 at T1 written as 850;
  the corrections ledger (``resources/corrections.csv``) row C001 sets it back to 85.
* Biomarker values below the LLOQ written as "<0.05".

Outputs (``writers``)
---------------------
``supplementary_tables.xlsx`` (sheets "S1 Participants", "S2 Dose", "S3 BAS", "S4 SSS",
"S5 MFI-20", "S6 SF-36", "S7 Biomarkers"; title row, blank row, header (two rows with merged
outcome cells except S1), data sorted by participant ID, blank row, footnotes),
``supplementary_discontinuations.pdf`` (Table S8, ruled table, header repeated on each page),
``README.md`` and the corrections ledger.
"""

__all__ = ["SyntheticCohort", "simulate_cohort", "write_supplement"]


def __getattr__(name: str):
    # Lazy, so that importing the CLI module (``--help``) does not load numpy and pandas.
    if name in __all__:
        from . import model

        return getattr(model, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
