"""Formulas of our language as Excel formula text over cell references.

A block's formula (``antal * (min_A - min_B) / 60 * timkostnad``) is parsed by the engine's own
parser (:func:`workshop.calculation.formula.parse`, whose ``tree`` is the public syntax tree), so the
spreadsheet computes exactly what the engine computes. :func:`to_excel` writes the tree out with a
caller-supplied ``ref`` that turns a name into a cell reference: a row's name becomes the cell of
that row in the scenario's column, a shared factor its cell on Faktorer. ``+ - * /``,
parentheses, ``min``, ``max`` and ``round`` map to Excel's operators, MIN, MAX and ROUND (which
rounds half away from zero, like the engine). Nothing participant-written other than a parsed,
whitelisted formula ever becomes formula text; text goes in as a quoted literal
(:func:`text_literal`).
"""

from __future__ import annotations

from collections.abc import Callable

from ...calculation.formula import Call, Name, Neg, Node, Num, Prod, Sum, children, names_in, parse

__all__ = ["divides_by_variable", "formula_tree", "names_in", "quote_sheet", "text_literal", "to_excel"]


def formula_tree(text: str) -> Node:
    """The syntax tree of a block formula (the engine's own parser; raises FormulaError)."""
    return parse(text).tree


def quote_sheet(sheet: str) -> str:
    """A sheet name as it goes into a reference."""
    return f"'{sheet}'" if any(not (ch.isalnum() or ch == "_") for ch in sheet) else sheet


def text_literal(text: str) -> str:
    """A string constant in a formula."""
    return '"' + text.replace('"', '""') + '"'


def _num_literal(value: float) -> str:
    if float(value).is_integer() and abs(value) < 1e15:
        out = str(int(value))
    else:
        out = repr(float(value)).upper()
    return f"({out})" if out.startswith("-") else out


def to_excel(tree: Node, ref: Callable[[str], str]) -> str:
    """Excel formula text (without "=") for a syntax tree; ``ref`` maps a name to a cell reference."""
    if isinstance(tree, Num):
        return _num_literal(tree.value)
    if isinstance(tree, Name):
        return ref(tree.name)
    if isinstance(tree, Neg):
        text = to_excel(tree.operand, ref)
        return f"-({text})" if isinstance(tree.operand, (Sum, Prod)) else f"-{text}"
    if isinstance(tree, Sum):
        parts = []
        for i, (sign, child) in enumerate(tree.terms):
            text = to_excel(child, ref)
            if isinstance(child, Sum):
                text = f"({text})"
            parts.append(text if i == 0 and sign == "+" else f"{sign}{text}")
        return "".join(parts)
    if isinstance(tree, Prod):
        parts = []
        for i, (op, child) in enumerate(tree.factors):
            text = to_excel(child, ref)
            if isinstance(child, (Sum, Prod)) or (isinstance(child, Neg) and i > 0):
                text = f"({text})"
            parts.append(text if i == 0 else f"{op}{text}")
        return "".join(parts)
    if isinstance(tree, Call):
        return f"{tree.function.upper()}({','.join(to_excel(a, ref) for a in tree.args)})"
    raise ValueError(f"unknown node {tree!r}")


def divides_by_variable(tree: Node) -> bool:
    """True when the formula divides by anything but a non-zero constant.

    Such a formula is wrapped in IFERROR(…, 0) in the sheet: the engine counts an item that
    divides by zero as 0.
    """
    if isinstance(tree, Prod):
        for i, (op, child) in enumerate(tree.factors):
            if i and op == "/" and not (isinstance(child, Num) and child.value != 0):
                return True
    return any(divides_by_variable(child) for child in children(tree))
