"""What an organisation keeps and shares beyond one workshop: its own factor library (hourly
costs and prices that new analyses start from), the analysis library (finished analyses
published as templates for others, participant data removed) and the portfolio of every
analysis of the organisation."""
