"""Turn DOT text into SVG with whichever Graphviz renderer this machine has.

The renderer is, in order: the executable named by `$WEIGHTGRAD_DOT`, Graphviz's `dot` on
PATH, or the `graphviz-pure` executable that `pip install graphviz-pure` puts next to the
Python interpreter (a pure-Rust port of dot: no root, no apt). Without any of them the
DOT text (`digraph.source`) is still there; only the SVG needs a renderer.

`Graph` is a graphviz.Digraph that displays inline in Jupyter through this renderer, so a
notebook shows pictures even where no `dot` is installed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import graphviz

from . import files

# A render that takes longer than this is refused in one line instead of hanging a lesson,
# a notebook or the CLI; callers that render many pictures (the stepper page) share one limit.
TIMEOUT_SECONDS = 30.0


class RendererNotFound(RuntimeError):
    """No Graphviz renderer is available; the message says how to get one."""


class RenderError(RuntimeError):
    """The renderer ran and failed; the message carries its own error output."""


class RenderTimeout(RenderError):
    """Laying out the picture took longer than its time limit; the message names the limit."""


def find_renderer() -> str:
    """Path of the executable that turns DOT into SVG (see the module docstring)."""
    configured = os.environ.get("WEIGHTGRAD_DOT")
    if configured:
        found = shutil.which(configured)
        if found is None:
            raise RendererNotFound(f"WEIGHTGRAD_DOT={configured!r} is not an executable; "
                                   "point it at Graphviz's dot or unset it")
        return found
    for candidate in (shutil.which("dot"),
                      str(Path(sys.executable).parent / "graphviz-pure"),
                      shutil.which("graphviz-pure")):
        if candidate and os.access(candidate, os.X_OK) and Path(candidate).is_file():
            return candidate
    raise RendererNotFound(
        "no Graphviz renderer found to make SVG: `pip install graphviz-pure` (no root "
        "needed; `make demo` does it), install Graphviz's `dot`, or set WEIGHTGRAD_DOT to one. "
        "The DOT text is available without a renderer as digraph.source")


def render_svg(digraph: graphviz.Digraph | str, timeout: float | None = None) -> str:
    """SVG text of a Digraph (or of DOT source text); RenderTimeout past `timeout` seconds
    (default TIMEOUT_SECONDS)."""
    source = digraph if isinstance(digraph, str) else digraph.source
    renderer = find_renderer()
    timeout = TIMEOUT_SECONDS if timeout is None else timeout
    if timeout <= 0:
        raise RenderTimeout(_too_slow(timeout))
    if Path(renderer).name.startswith("graphviz-pure"):
        source = _pure_tooltips(source)
    try:
        done = subprocess.run([renderer, "-Tsvg"], input=source.encode("utf-8"),
                              capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise RenderTimeout(_too_slow(timeout)) from None
    except OSError as e:
        raise RenderError(f"{renderer} could not be started: {e}") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip() or "(no error output)"
        raise RenderError(f"{Path(renderer).name} failed with exit status {done.returncode}: "
                          f"{message}")
    return done.stdout.decode("utf-8")


# graphviz-pure reads the backslashes of a tooltip twice, unlike Graphviz's dot and unlike its
# own labels and ids: `tooltip="C:\\Net"` (a literal C:\Net for dot) shows "C:" and the node's
# name. For it, each escaped backslash inside a tooltip is escaped once more; `\"` stays a quote.
_TOOLTIP = re.compile(r'(?<=[\s\[,;])((?:edge|head|tail|label)?tooltip=")((?:[^"\\]|\\.)*)"')


def _pure_tooltips(source: str) -> str:
    def doubled(m: re.Match[str]) -> str:
        value = re.sub(r"\\\\", r"\\\\\\\\", m[2])
        return f'{m[1]}{value}"'
    return _TOOLTIP.sub(doubled, source)


def _too_slow(timeout: float) -> str:
    return (f"laying out the picture took longer than its limit of {max(timeout, 0):g} s; "
            "draw a smaller part of the graph")


def save_svg(digraph: graphviz.Digraph | str, path: str | Path) -> Path:
    """Render and write an SVG file (creating its folder), atomically (engine.files: a failed
    write leaves any old file whole); returns the path."""
    return files.write_atomic(path, render_svg(digraph), "the picture", make_folder=True)


class Graph(graphviz.Digraph):
    """A Digraph that Jupyter displays inline as SVG through `render_svg`."""

    def _repr_mimebundle_(self, include: object = None, exclude: object = None,
                          **_: object) -> dict[str, str]:
        return {"image/svg+xml": render_svg(self)}
