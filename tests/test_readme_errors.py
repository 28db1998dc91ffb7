"""The README's error tables stay true: every exception type and message shape they list is
one that a row of the bad-input table (tests/test_bad_input.py) really produces.

Each table row of "## Errors you may see" names one or more exception types (`ValueError`,
`TypeError`; "or another `OSError`" allows any subclass of it) and one or more typical
messages (the backticked phrases of its second column that read as messages). A message's
example values may differ from a row's: numbers, quoted strings and paths match any of their
kind, and `...` matches anything. Every such message must match a message that a row raised,
with a type the table row allows.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.test_bad_input import ROWS, make_ctx, write_bad_files

README = Path(__file__).resolve().parents[1] / "README.md"

Produced = list[tuple[type[BaseException], str]]


def _section() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("## Errors you may see")
    end = text.index("\n## ", start + 1)
    return text[start:end]


def _spans(cell: str) -> list[str]:
    """The backticked spans of a table cell (``double`` ones may hold single backticks)."""
    return [a or b for a, b in re.findall(r"``(.+?)``|`([^`]+)`", cell)]


def _entries() -> list[tuple[str, tuple[str, ...], bool, str]]:
    """(id, allowed type names, any subclass of the last allowed?, message) per message."""
    entries = []
    for line in _section().splitlines():
        if not line.startswith("| `"):
            continue
        cells = [c.strip() for c in line.strip("|").split(" | ")]
        kinds_cell = re.sub(r"\((an?|a) `\w+`\)", "", cells[0])  # "(a `ValueError`)": its base
        kinds = tuple(_spans(kinds_cell))
        another = "another `" in kinds_cell
        for message in _spans(cells[1]):
            if " " in message or ":" in message:  # `activation` alone is a name, not a message
                entries.append((f"{kinds[0]}: {message[:50]}", kinds, another, message))
    return entries


_NUMBER = r"-?(?:\d+(?:\.\d+)?(?:e[+-]?\d+)?|nan|inf)"
_GENERAL = [  # an example value in the README -> what it stands for
    (re.compile(r"'[^']*'"), r"'.*?'"),  # a quoted str
    (re.compile(r"(?:[\w.-]*/)+[\w.*-]+|[\w-]+\.json"), r"\S+"),  # a path
    (re.compile(r"\d+ (?:MB|bytes)"), r"\d+ (?:MB|bytes)"),  # a size
    (re.compile(r"(?<![\w.])" + _NUMBER + r"(?![\w])"), _NUMBER),
]


def shape(message: str) -> re.Pattern[str]:
    """The README message as a pattern: its literal words, any example value of each kind."""
    parts = []
    for piece in re.split(r"\.\.\.|…", message):
        pattern, start = [], 0
        spots = sorted((m.start(), -m.end(), repl) for rx, repl in _GENERAL
                       for m in rx.finditer(piece))  # at one place, the longest value first
        for begin, end, repl in ((b, -e, r) for b, e, r in spots):
            if begin < start:
                continue  # inside a value already generalised
            pattern += [re.escape(piece[start:begin]), repl]
            start = end
        pattern.append(re.escape(piece[start:]))
        parts.append("".join(pattern))
    return re.compile(".*".join(parts))


@pytest.fixture(scope="module")
def produced(tmp_path_factory: pytest.TempPathFactory) -> Produced:
    """(type, message) of every row of the bad-input table, each run in a fresh context."""
    bad = write_bad_files(tmp_path_factory.mktemp("bad"))
    out: Produced = []
    for param in ROWS:
        action = param.values[0]
        with pytest.MonkeyPatch.context() as monkeypatch:
            c = make_ctx(tmp_path_factory.mktemp("row"), monkeypatch, bad)
            try:
                action(c)
            except Exception as e:  # what the table's test checks; here only collected
                out.append((type(e), str(e)))
    return out


@pytest.mark.parametrize(("kinds", "another", "message"),
                         [pytest.param(k, a, m, id=i) for i, k, a, m in _entries()])
def test_every_message_in_the_readme_tables_is_one_a_row_produces(
        produced: Produced, kinds: tuple[str, ...], another: bool, message: str) -> None:
    pattern = shape(message)
    matching = [(t, m) for t, m in produced if pattern.search(m)]
    assert matching, f"no row of tests/test_bad_input.py raises a message shaped like {message!r}"
    allowed = [(t, m) for t, m in matching
               if t.__name__ in kinds or (another and issubclass(t, _builtin(kinds[-1])))]
    assert allowed, (f"{message!r} is raised as {sorted({t.__name__ for t, _ in matching})}, "
                     f"the README says {', '.join(kinds)}")


def _builtin(name: str) -> type[BaseException]:
    return __builtins__[name] if isinstance(__builtins__, dict) else getattr(__builtins__, name)


def test_the_tables_were_read() -> None:
    entries = _entries()
    assert len(entries) >= 60, len(entries)  # every table, not just the first
    assert shape("graph has 4003 Values; at most 2000").fullmatch(
        "graph has 2001 Values; at most 2000")
    assert not shape("got str: '1.5'").fullmatch("got int: 3")
