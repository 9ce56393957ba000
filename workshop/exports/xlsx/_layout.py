"""Where things are in the workbook: sheet names, columns, row markers and result cells.

Every module of the workbook reads its positions from here, so a formula on one sheet and the
cell it refers to on another cannot drift apart. The result cells are documented in
docs/exports.md and read by the tests.
"""

from __future__ import annotations

# Sheet names users know from the method's spreadsheet (fixed, in Swedish).
START, BENEFITS, COSTS, NOT_VALUED, RESULT, FACTORS = (
    "Start",
    "Värde nyttor",
    "Värde kostnader",
    "Ej värderade",
    "Resultat",
    "Faktorer",
)
# Step 4's votes, gråzon and decisions (written when the group sorted or a decision is motivated).
SORTING = "Sortering"

# Osäkerhet per area (the seven-step edition), only when the analysis has areas recorded.
UNCERTAINTY = "Osäkerhet"

# Columns of the value sheets (and Faktorer, so a name resolves to the same columns).
C_LABEL, C_NAME, C_UNIT, C_LOW, C_LIKELY, C_HIGH, C_SOURCE, C_TYPE, C_CAT, C_PERSP, C_Y1 = range(1, 12)
SCENARIO_COL = {"low": C_LOW, "likely": C_LIKELY, "high": C_HIGH}
FIRST_BLOCK_ROW = 5
YEAR_ROW, DISCOUNT_ROW = 2, 3
# Row markers in column H (ASCII codes, the criteria of SUMIF on Resultat).
M_VALUE, M_YEARLY, M_SUM, M_SUM_DISC, M_HOURS, M_HOURS_SUM = (
    "varde",
    "arsvarde",
    "summa",
    "summa_disk",
    "timmar",
    "timmar_summa",
)

# Start: where the frame's input cells are.
START_RATE_ROW, START_CONV_ROW = 19, 20
RATE_REF = f"{START}!$B${START_RATE_ROW}"
CONV_REF = f"{START}!$B${START_CONV_ROW}"

# Where the result measures are on Resultat.
MEASURE_CELLS = {  # key of engine.Measures -> (undiscounted, discounted)
    "benefits": ("B5", "C5"),
    "costs": ("B6", "C6"),
    "nettonytta": ("B7", "C7"),
    "per_krona": ("B8", "C8"),
    "reading": ("B9", "C9"),
    "break_even_year": ("B10", "C10"),
}
SHARE_CELLS = {  # (kind, category) -> (undiscounted, discounted)
    ("benefit", "finansiell"): ("B13", "C13"),
    ("benefit", "omfordelning"): ("B14", "C14"),
    ("cost", "finansiell"): ("B15", "C15"),
    ("cost", "omfordelning"): ("B16", "C16"),
}
HOURS_CELLS = {"benefit_hours": "B19", "benefit_arsarbetare": "C19", "cost_hours": "B20", "cost_arsarbetare": "C20"}
UNCERTAINTY_CELLS = {  # (scenario, discounted, key) -> cell
    (s, d, key): f"{'BCD'[i]}{23 + 4 * d + j}"
    for i, s in enumerate(("low", "likely", "high"))
    for d in (0, 1)
    for j, key in enumerate(("benefits", "costs", "nettonytta", "per_krona"))
}
CATEGORY_CELLS = {  # (kind, category, discounted) -> cell
    (kind, cat, d): f"{'BCDE'[2 * (kind == 'cost') + d]}{33 + j}"
    for kind in ("benefit", "cost")
    for d in (0, 1)
    for j, cat in enumerate(("finansiell", "omfordelning"))
}

# Number formats.
MONEY = "#,##0"
HOURS = "#,##0.0"
RATIO = "0.00"
PERCENT = "0.0%"
FACTOR = "0.0000"
