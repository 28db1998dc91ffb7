"""The expression language's reading half: tokens, the syntax tree and the parser.

Our own tokenizer and precedence-climbing parser read the text (never eval, exec, compile or
ast.parse): numbers, names, parentheses, + - * / ** with Python's precedence and associativity
(-x**2 == -(x**2), 2**3**2 == 2**9, 2**-1 == 0.5) and calls of the op catalogue's functions
(`engine.ops.functions()`: exp, log, tanh, relu, ..., and any op defined with `ops.define`),
each with as many arguments, separated by commas, as its op takes (`Op.arity`: `max(x, y)`).
Anything else is an `ExprError` naming the problem and its column; length and nesting are
bounded so that hostile text fails fast instead of exhausting memory or the recursion limit.
`engine.expr` builds Values from the tree.
"""

from __future__ import annotations

import keyword
import math
import re
from dataclasses import dataclass
from typing import TypeAlias

from . import ops

MAX_LENGTH = 10_000  # characters, checked before tokenizing
MAX_DEPTH = 100  # nested parentheses, calls, signs and powers
NAME = r"[A-Za-z_][A-Za-z0-9_]*"
NUMBER = r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"

_TOKEN = re.compile(rf"(?P<num>{NUMBER})|(?P<name>{NAME})"
                    r"|(?P<op>\*\*|[-+*/(),])|(?P<space>[ \t\r\n]+)")
_NUMBER_TAIL = re.compile(r"[A-Za-z0-9_.]+")  # glued onto a number, it makes it malformed
_BINARY = {"+": 1, "-": 1, "*": 2, "/": 2}  # precedence; signs and ** bind tighter
_HINTS = {"^": "use ** for powers", ".": "no attributes"}


class ExprError(ValueError):
    """An expression (or values for it) that weightgrad refuses; the message is one line."""


@dataclass(frozen=True)
class Num:
    value: float


@dataclass(frozen=True)
class Name:
    name: str


@dataclass(frozen=True)
class Unary:
    op: str  # "-" or "+"
    operand: Node


@dataclass(frozen=True)
class Binary:
    op: str  # "+", "-", "*", "/" or "**"
    left: Node
    right: Node


@dataclass(frozen=True)
class Call:
    func: str  # the name of a function op of the catalogue
    arg: Node
    arg2: Node | None = None  # the second argument of a two-operand function (max)


Node: TypeAlias = "Num | Name | Unary | Binary | Call"
_Token = tuple[str, str, int]  # kind ("num", "name", "op" or "end"), text, 1-based column


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    while pos < len(text):
        m, col = _TOKEN.match(text, pos), pos + 1
        if m is None:
            hint = f" ({_HINTS[text[pos]]})" if text[pos] in _HINTS else ""
            raise ExprError(f"unexpected character {text[pos]!r} at column {col}{hint}")
        kind, word = m.lastgroup or "", m.group()
        tail = _NUMBER_TAIL.match(text, m.end()) if kind == "num" else None
        if tail:  # "2x", "1e", "1.2.3": refused, not read as a number and something else
            raise ExprError(f"malformed number {word + tail.group()!r} at column {col}")
        if kind == "num" and math.isinf(float(word)):
            raise ExprError(f"number too large: {word} at column {col}")
        if kind == "name" and (keyword.iskeyword(word) or word.startswith("__")):
            why = "a Python keyword" if keyword.iskeyword(word) else "names may not start with __"
            raise ExprError(f"name {word!r} at column {col} is not allowed ({why})")
        if kind != "space":
            tokens.append((kind, word, col))
        pos = m.end()
    tokens.append(("end", "", len(text) + 1))
    return tokens


def _describe(token: _Token) -> str:
    kinds = {"num": f"number {token[1]}", "name": f"name {token[1]!r}", "end": "end of expression"}
    return kinds.get(token[0], repr(token[1]))


class _Parser:
    # Depth is passed down and checked in unary(), which every nesting (parentheses, calls,
    # signs, exponents) goes through: at most 6 frames a level, far below the recursion limit.
    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens, self.pos = tokens, 0

    def peek(self, *kind_text: str) -> bool:
        return self.tokens[self.pos][: len(kind_text)] == kind_text

    def take(self) -> _Token:
        self.pos += 1
        return self.tokens[self.pos - 1]

    def expression(self, depth: int, min_prec: int = 1) -> Node:
        left = self.unary(depth)
        while self.peek("op") and _BINARY.get(self.tokens[self.pos][1], 0) >= min_prec:
            op = self.take()[1]
            left = Binary(op, left, self.expression(depth, _BINARY[op] + 1))
        return left

    def unary(self, depth: int) -> Node:
        """A sign covers a whole power (-x**2 == -(x**2)); ** is right-associative."""
        if depth > MAX_DEPTH:
            raise ExprError(f"expression nested too deeply at column {self.tokens[self.pos][2]} "
                            f"(limit {MAX_DEPTH} levels)")
        if self.peek("op", "-") or self.peek("op", "+"):
            op, operand = self.take()[1], self.unary(depth + 1)
            if isinstance(operand, Num):  # a signed literal is one number: x ** -2, x * -1
                return Num(-operand.value if op == "-" else operand.value)
            return Unary(op, operand)
        base = self.atom(depth)
        if not self.peek("op", "**"):
            return base
        self.take()
        return Binary("**", base, self.unary(depth + 1))  # the exponent may be signed: 2**-1

    def atom(self, depth: int) -> Node:
        kind, word, col = token = self.take()
        if kind == "num":
            return Num(float(word))
        functions = ops.functions() if kind == "name" else {}
        if kind == "name" and self.peek("op", "("):
            if word not in functions:
                raise ExprError(f"unknown function {word!r} at column {col} "
                                f"(known: {', '.join(functions)})")
            self.take()
            return self.call(word, col, functions[word].arity, depth + 1)
        if kind == "name" and word in functions:
            raise ExprError(f"function {word!r} at column {col} needs parentheses: {word}(...)")
        if kind == "name":
            return Name(word)
        if token[:2] == ("op", "("):
            return self.group(col, depth + 1)
        raise ExprError(f"expected a number, a name or '(' at column {col}, "
                        f"got {_describe(token)}")

    def group(self, open_col: int, depth: int) -> Node:
        inner = self.expression(depth)
        token = self.take()
        if token[:2] != ("op", ")"):
            raise ExprError(f"expected ')' at column {token[2]} to close the '(' at column "
                            f"{open_col}, got {_describe(token)}")
        return inner

    def call(self, func: str, col: int, arity: int, depth: int) -> Call:
        """The arguments of `func(`, separated by commas, up to its ')': exactly `arity`."""
        args = [self.expression(depth)]
        while self.peek("op", ","):
            self.take()
            args.append(self.expression(depth))
        token = self.take()
        if token[:2] != ("op", ")"):
            raise ExprError(f"expected ',' or ')' at column {token[2]} in the call of {func!r} "
                            f"at column {col}, got {_describe(token)}")
        if len(args) != arity:
            raise ExprError(f"function {func!r} at column {col} takes {arity} argument"
                            f"{'s' * (arity > 1)}, got {len(args)}")
        return Call(func, *args)


def parse(text: str) -> Node:
    """The syntax tree of `text`; ExprError (one line, with a column) for anything refused."""
    if len(text) > MAX_LENGTH:
        raise ExprError(f"expression too long: {len(text)} characters (limit {MAX_LENGTH})")
    if not text.strip():
        raise ExprError("empty expression")
    parser = _Parser(_tokenize(text))
    node = parser.expression(depth=0)
    token = parser.tokens[parser.pos]
    if token[0] != "end":
        hint = " (missing operator?)" if token[0] in ("num", "name") else ""
        raise ExprError(f"unexpected {_describe(token)} at column {token[2]}{hint}")
    return node
