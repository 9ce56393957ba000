"""One module per sheet (or family of sheets) of the workbook; each has ``write(ctx)``."""
