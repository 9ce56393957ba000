"""A small, whitelisted formula language for calculation blocks (beräkningsblock).

Participants type formulas such as ``antal * (min_A - min_B) / 60 * timkostnad``. The text
comes from untrusted users, so it is parsed by a hand-written recursive-descent parser: nothing
is ever passed to ``eval``/``exec``/``compile`` and only the constructs below exist.

Language
--------
* Numbers: ``12``, ``0.5``, ``.5``, ``1 700`` / ``12 000 000`` (a single space, no-break space
  or thin space followed by exactly three digits groups thousands, as written in Swedish).
  ``.`` is the decimal point; ``,`` is reserved for separating function arguments, so ``0,5``
  is refused with a hint. ``;`` is accepted as an argument separator too (as in Swedish
  spreadsheets).
* Names: ``[A-Za-z_åäöÅÄÖ][A-Za-z0-9_åäöÅÄÖ]*`` - row names and shared-factor ids, case-sensitive.
* Operators: ``+ - * /`` with the usual precedence, unary ``-``/``+`` and parentheses. Aliases:
  ``×``, ``·``, ``⋅`` for ``*``; ``÷`` for ``/``; ``−`` (minus sign) and ``–`` (en dash, from
  word processors) for ``-``.
* Functions (names case-insensitive): ``min(a, ...)``, ``max(a, ...)``, ``round(x)``,
  ``round(x, n)`` where ``n`` is an integer literal in -15..10. ``round`` rounds half away from
  zero like spreadsheets do (``round(2.5) == 3``), not Python's banker's rounding.

Errors are :class:`FormulaError` with a stable ``code`` (the UI translates it) and an English
``message``: ``syntax``, ``not_allowed`` (power, attribute access, strings, calls other than
min/max/round, ...), ``too_long``, ``too_complex`` (nesting deeper than ``max_depth``),
``unknown_name`` (``names`` lists them), ``division_by_zero`` and ``not_finite`` (a number, a part
or the result overflowed or was NaN, where Excel would say #NUM!).

:func:`parse` once, :meth:`Formula.evaluate` many times (the tree is compiled to closures).
``Formula.tree`` is the syntax tree (:class:`Num`, :class:`Name`, :class:`Neg`, :class:`Sum`,
:class:`Prod`, :class:`Call`) for other readers, such as the spreadsheet export.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

__all__ = [
    "MAX_DEPTH",
    "MAX_LENGTH",
    "Call",
    "Formula",
    "FormulaError",
    "Name",
    "Neg",
    "Node",
    "Num",
    "Prod",
    "Sum",
    "children",
    "evaluate",
    "is_valid_name",
    "names_in",
    "parse",
]

MAX_LENGTH = 500
MAX_DEPTH = 50

_NAME_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_åäöÅÄÖ")
_NAME_CHARS = _NAME_START | frozenset("0123456789")
_DIGITS = frozenset("0123456789")
_GROUP_SEPARATORS = frozenset(" \u00a0\u202f\u2009")
_OPERATORS = {
    "+": "+",
    "-": "-",
    "\u2212": "-",
    "\u2013": "-",  # − minus sign, – en dash
    "*": "*",
    "\u00d7": "*",
    "\u00b7": "*",
    "\u22c5": "*",  # × · ⋅
    "/": "/",
    "\u00f7": "/",  # ÷
}
_FORBIDDEN = {
    **dict.fromkeys("'\"", "strings are not allowed"),
    **dict.fromkeys("[]", "subscripts are not allowed"),
    **dict.fromkeys("{}", "braces are not allowed"),
    ":": "':' is not allowed (no lambdas or slices)",
    "^": "powers are not allowed; write the multiplication out",
    "%": "'%' is not allowed; divide by 100 instead",
    "=": "comparisons and assignments are not allowed",
    **dict.fromkeys("<>", "comparisons are not allowed"),
    **{ch: f"'{ch}' is not allowed" for ch in "!&|~@\\`$#"},
}
_FUNCTIONS = ("min", "max", "round")
_ROUND_DIGITS = range(-15, 11)


class FormulaError(ValueError):
    """A formula could not be parsed or evaluated.

    ``code`` is stable for translation, ``message`` is English for logs,
    ``position`` is a 0-based character offset when known, ``names`` lists the
    unknown names for ``unknown_name``.
    """

    def __init__(self, code: str, message: str, position: int | None = None, names: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.position = position
        self.names: tuple[str, ...] = tuple(names)

    def __repr__(self) -> str:
        return f"FormulaError({self.code!r}, {self.message!r})"


def is_valid_name(name: str) -> bool:
    """True when ``name`` can be used as a row name or factor id in formulas."""
    return bool(name) and name[0] in _NAME_START and all(ch in _NAME_CHARS for ch in name)


# --------------------------------------------------------------------------- tokens

# A token is (kind, value, position); kinds: num, name, op, (, ), sep, end.
_Token = tuple[str, object, int]


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch in _DIGITS or (ch == "." and i + 1 < n and text[i + 1] in _DIGITS):
            value, end = _read_number(text, i)
            if not math.isfinite(value):
                raise FormulaError("not_finite", "the number is too large", i)
            tokens.append(("num", value, i))
            i = end
        elif ch in _NAME_START:
            start = i
            while i < n and text[i] in _NAME_CHARS:
                i += 1
            tokens.append(("name", text[start:i], start))
            if i < n and text[i] == ".":
                raise FormulaError("not_allowed", "attribute access is not allowed", i)
        elif ch == "*" and i + 1 < n and text[i + 1] == "*":
            raise FormulaError("not_allowed", "powers are not allowed; write the multiplication out", i)
        elif ch in _OPERATORS:
            tokens.append(("op", _OPERATORS[ch], i))
            i += 1
        elif ch in "(),;":
            tokens.append((ch if ch in "()" else "sep", ch, i))
            i += 1
        elif ch == ".":
            raise FormulaError("not_allowed", "attribute access is not allowed", i)
        elif ch in _FORBIDDEN:
            raise FormulaError("not_allowed", _FORBIDDEN[ch], i)
        else:
            raise FormulaError("syntax", f"unexpected character {ch!r}", i)
    tokens.append(("end", None, n))
    return tokens


def _read_number(text: str, i: int) -> tuple[float, int]:
    """Read ``1 700.25``-style numbers; return (value, index after the number)."""
    n = len(text)
    parts: list[str] = []
    start = i
    while i < n and text[i] in _DIGITS:
        i += 1
    parts.append(text[start:i])
    # Thousands groups: separator + exactly three digits, not followed by a digit.
    while (
        i + 3 < n
        and text[i] in _GROUP_SEPARATORS
        and 1 <= len(parts[0]) <= 3
        and all(c in _DIGITS for c in text[i + 1 : i + 4])
        and (i + 4 >= n or text[i + 4] not in _DIGITS)
    ):
        parts.append(text[i + 1 : i + 4])
        i += 4
    if i < n and text[i] == ".":
        frac_start, i = i, i + 1
        while i < n and text[i] in _DIGITS:
            i += 1
        parts.append(text[frac_start:i])
    return float("".join(parts) or "0"), i


# --------------------------------------------------------------------------- tree


@dataclass(frozen=True, slots=True)
class Num:
    """A number (``-3`` is folded into ``Num(-3.0)``)."""

    value: float


@dataclass(frozen=True, slots=True)
class Name:
    """A row name or shared-factor id."""

    name: str


@dataclass(frozen=True, slots=True)
class Neg:
    """Unary minus of anything but a number."""

    operand: Node


@dataclass(frozen=True, slots=True)
class Sum:
    """``a + b - c``: two or more ``(sign, node)`` terms, sign "+" or "-" (the first is "+")."""

    terms: tuple[tuple[str, Node], ...]


@dataclass(frozen=True, slots=True)
class Prod:
    """``a * b / c``: two or more ``(op, node)`` factors, op "*" or "/" (the first is "*")."""

    factors: tuple[tuple[str, Node], ...]


@dataclass(frozen=True, slots=True)
class Call:
    """``min``/``max`` (one or more arguments) or ``round`` (always two: x and a whole ``Num``)."""

    function: str
    args: tuple[Node, ...]


Node = Num | Name | Neg | Sum | Prod | Call


def children(node: Node) -> tuple[Node, ...]:
    """The nodes directly below ``node``."""
    if isinstance(node, Neg):
        return (node.operand,)
    if isinstance(node, Sum):
        return tuple(child for _sign, child in node.terms)
    if isinstance(node, Prod):
        return tuple(child for _op, child in node.factors)
    if isinstance(node, Call):
        return node.args
    return ()


def names_in(node: Node) -> tuple[str, ...]:
    """Every name the tree reads, once each, in the order they first appear."""
    out: dict[str, None] = {}
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, Name):
            out.setdefault(current.name)
        stack.extend(reversed(children(current)))
    return tuple(out)


# --------------------------------------------------------------------------- parser


class _Parser:
    def __init__(self, tokens: list[_Token], max_depth: int) -> None:
        self.tokens, self.pos, self.depth, self.max_depth = tokens, 0, 0, max_depth

    def peek(self) -> _Token:
        return self.tokens[self.pos]

    def take(self) -> _Token:
        self.pos += 1
        return self.tokens[self.pos - 1]

    def enter(self, position: int) -> None:
        self.depth += 1
        if self.depth > self.max_depth:
            raise FormulaError("too_complex", f"formula is nested deeper than {self.max_depth} levels", position)

    def parse(self) -> Node:
        node = self.expr()
        kind, value, position = self.peek()
        if kind != "end":
            raise FormulaError("syntax", _unexpected(kind, value), position)
        return node

    def expr(self) -> Node:
        terms = [("+", self.term())]
        while self.peek()[0] == "op" and self.peek()[1] in ("+", "-"):
            terms.append((str(self.take()[1]), self.term()))
        return terms[0][1] if len(terms) == 1 else Sum(tuple(terms))

    def term(self) -> Node:
        factors = [("*", self.unary())]
        while self.peek()[0] == "op" and self.peek()[1] in ("*", "/"):
            factors.append((str(self.take()[1]), self.unary()))
        return factors[0][1] if len(factors) == 1 else Prod(tuple(factors))

    def unary(self) -> Node:
        kind, value, position = self.peek()
        if kind == "op" and value in ("+", "-"):
            self.take()
            self.enter(position)
            operand = self.unary()
            self.depth -= 1
            if value == "+":
                return operand
            if isinstance(operand, Num):
                return Num(-operand.value)
            return Neg(operand)
        return self.primary()

    def primary(self) -> Node:
        kind, value, position = self.take()
        if kind == "num":
            return Num(float(value))  # type: ignore[arg-type]
        if kind == "name":
            if self.peek()[0] == "(":
                return self.call(str(value), position)
            return Name(str(value))
        if kind == "(":
            self.enter(position)
            node = self.expr()
            self.expect(")", position)
            self.depth -= 1
            return node
        raise FormulaError("syntax", _unexpected(kind, value), position)

    def call(self, name: str, position: int) -> Node:
        fname = name.lower()
        if fname not in _FUNCTIONS:
            raise FormulaError("not_allowed", f"'{name}(...)' is not allowed; only min, max and round", position)
        self.take()  # "("
        self.enter(position)
        args = [self.expr()]
        while self.peek()[0] == "sep":
            self.take()
            args.append(self.expr())
        self.expect(")", position)
        self.depth -= 1
        if fname == "round":
            return self.round_call(args, position)
        return Call(fname, tuple(args))

    def round_call(self, args: list[Node], position: int) -> Node:
        if len(args) == 1:
            return Call("round", (args[0], Num(0.0)))
        if len(args) != 2:
            raise FormulaError("syntax", "round takes one or two arguments", position)
        digits = args[1]
        if not (isinstance(digits, Num) and digits.value == int(digits.value) and int(digits.value) in _ROUND_DIGITS):
            raise FormulaError("syntax", "round(x, n): n must be a whole number from -15 to 10", position)
        return Call("round", tuple(args))

    def expect(self, kind: str, opened_at: int) -> None:
        tok_kind, value, position = self.take()
        if tok_kind != kind:
            if tok_kind == "sep" and value == ",":
                message = "unexpected ','; use '.' as the decimal point"
            elif tok_kind == "end":
                message = f"missing ')' for '(' at position {opened_at}"
            else:
                message = _unexpected(tok_kind, value)
            raise FormulaError("syntax", message, position)


def _unexpected(kind: str, value: object) -> str:
    if kind == "end":
        return "unexpected end of formula"
    if kind == "sep" and value == ",":
        return "unexpected ','; use '.' as the decimal point and ',' only between function arguments"
    if kind == "num":
        return f"unexpected number {value:g}; an operator is missing"
    if kind == "name":
        return f"unexpected name {value!r}; an operator is missing"
    return f"unexpected {value!r}"


# --------------------------------------------------------------------------- compiler

_Fn = Callable[[Mapping[str, float]], float]


def _compile(node: Node) -> _Fn:
    if isinstance(node, Num):
        value = float(node.value)
        return lambda env: value
    if isinstance(node, Name):
        name = node.name
        return lambda env: env[name]
    if isinstance(node, Neg):
        inner = _compile(node.operand)
        return lambda env: -inner(env)
    if isinstance(node, Sum):
        return _compile_sum(node.terms)
    if isinstance(node, Prod):
        return _compile_prod(node.factors)
    return _compile_call(node)


def _compile_sum(terms: tuple[tuple[str, Node], ...]) -> _Fn:
    fns = [(sign == "+", _compile(child)) for sign, child in terms]
    if len(fns) == 2:
        (_, a), (plus, b) = fns
        return (lambda env: a(env) + b(env)) if plus else (lambda env: a(env) - b(env))

    def total(env: Mapping[str, float]) -> float:
        acc = 0.0
        for plus, fn in fns:
            acc = acc + fn(env) if plus else acc - fn(env)
        return acc

    return total


def _compile_prod(factors: tuple[tuple[str, Node], ...]) -> _Fn:
    fns = [(op == "*", _compile(child)) for op, child in factors]
    if len(fns) == 2 and fns[1][0]:
        a, b = fns[0][1], fns[1][1]
        return lambda env: a(env) * b(env)

    def product(env: Mapping[str, float]) -> float:
        acc = 1.0
        for is_mul, fn in fns:
            if is_mul:
                acc *= fn(env)
            else:
                divisor = fn(env)
                if divisor == 0:
                    raise FormulaError("division_by_zero", "division by zero")
                if not math.isfinite(divisor):  # x / inf would hide the overflow as 0
                    raise FormulaError("not_finite", "the result is too large")
                acc /= divisor
        return acc

    return product


def _compile_call(node: Call) -> _Fn:
    fns = [_compile(arg) for arg in node.args]
    if node.function == "round":
        value_fn, digits = fns[0], int(node.args[1].value)  # type: ignore[union-attr]
        return lambda env: _round_half_away(value_fn(env), digits)
    pick = min if node.function == "min" else max

    def extreme(env: Mapping[str, float]) -> float:
        values = [fn(env) for fn in fns]
        if all(map(math.isfinite, values)):
            return pick(values)
        raise FormulaError("not_finite", "the result is too large")  # min(inf, 5) would hide it

    return extreme


def _round_half_away(x: float, digits: int) -> float:
    """Round like spreadsheets (2.5 -> 3, -2.5 -> -3), on the decimal text of x."""
    if not math.isfinite(x):
        raise FormulaError("not_finite", "round() got a value that is not a finite number")
    if abs(x) >= 1e15:
        if digits >= 0:
            return x  # already whole at float precision
        scale = 10.0**-digits
        return math.copysign(math.floor(abs(x) / scale + 0.5) * scale, x)
    quantum = Decimal(1).scaleb(-digits)
    return float(Decimal(repr(x)).quantize(quantum, rounding=ROUND_HALF_UP))


# --------------------------------------------------------------------------- API


@dataclass(frozen=True, eq=False)
class Formula:
    """A parsed formula: immutable, cheap to evaluate many times."""

    text: str
    names: frozenset[str]
    tree: Node = field(repr=False)  # what the text says, for readers other than the evaluator
    _fn: _Fn = field(repr=False)

    def evaluate(self, env: Mapping[str, float]) -> float:
        """Evaluate with ``env`` (name -> number); raises :class:`FormulaError`."""
        try:
            value = self._fn(env)
        except KeyError:
            missing = sorted(name for name in self.names if name not in env)
            raise FormulaError("unknown_name", f"unknown name(s): {', '.join(missing)}", names=missing) from None
        except OverflowError:
            raise FormulaError("not_finite", "the result is too large") from None
        if not math.isfinite(value):
            raise FormulaError("not_finite", "the result is not a finite number")
        return float(value)

    def check_names(self, known: Iterable[str]) -> None:
        """Raise ``unknown_name`` if the formula uses names outside ``known``."""
        known_set = known if isinstance(known, (set, frozenset, Mapping)) else set(known)
        missing = sorted(name for name in self.names if name not in known_set)
        if missing:
            raise FormulaError("unknown_name", f"unknown name(s): {', '.join(missing)}", names=missing)


def parse(
    text: str, known: Iterable[str] | None = None, *, max_length: int = MAX_LENGTH, max_depth: int = MAX_DEPTH
) -> Formula:
    """Parse ``text`` into a :class:`Formula`; with ``known``, also check its names.

    Results are cached by text, so re-parsing the same blocks on every incoming
    figure costs a dictionary lookup.
    """
    if not isinstance(text, str):
        raise FormulaError("syntax", "formula must be text")
    formula = _parse_cached(text, max_length, max_depth)
    if known is not None:
        formula.check_names(known)
    return formula


@lru_cache(maxsize=4096)
def _parse_cached(text: str, max_length: int, max_depth: int) -> Formula:
    if len(text) > max_length:
        raise FormulaError("too_long", f"formula is longer than {max_length} characters")
    if not text.strip():
        raise FormulaError("syntax", "formula is empty")
    try:
        tree = _Parser(_tokenize(text), max_depth).parse()
        fn = _compile(tree)
    except RecursionError:  # only reachable when a caller raises max_depth a lot
        raise FormulaError("too_complex", "formula is nested too deeply") from None
    return Formula(text=text, names=frozenset(names_in(tree)), tree=tree, _fn=fn)


def evaluate(text: str, env: Mapping[str, float] | None = None) -> float:
    """Parse and evaluate in one go (convenience for one-off use and tests)."""
    return parse(text).evaluate(env or {})
