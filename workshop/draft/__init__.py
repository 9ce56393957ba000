"""The draft analysis (utkast till nyttoanalys): stored model, editing rules, calculation.

``models`` are the tables, ``service`` the only way to change them, ``compute`` feeds the pure
engine in ``workshop.calculation`` and ``serialize`` shapes it for screens and exports.
"""
