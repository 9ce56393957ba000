"""After the decision: decided versions of an analysis, the follow-up plan and what was
measured (nyttorealisering). The comparison itself is pure: ``workshop.calculation.outcome``."""
