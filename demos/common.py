"""What every lesson shares: its command line (--seed, --quick, --out), the output folder,
and plots saved as deterministic SVG (same seed, same bytes)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

OUT = Path("out")


def lesson_parser(description: str, seed: int = 0) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--seed", type=int, default=seed, help="random seed (default %(default)s)")
    parser.add_argument("--quick", action="store_true", help="a short run, as the tests use")
    parser.add_argument("--out", type=Path, default=OUT, help="folder for pictures and files")
    return parser


def pyplot() -> Any:
    """matplotlib's pyplot, headless, with SVG ids and metadata fixed for reproducible files."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams["svg.hashsalt"] = "weightgrad"
    plt.rcParams["svg.fonttype"] = "none"  # text stays text: searchable and small
    return plt


def save_svg(fig: Any, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="svg", metadata={"Date": None}, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    return path


def record_picture(out: Path, path: Path, caption: str, lesson: str) -> Path:
    """Note a written picture (or page) and its one-line caption for out/index.html.

    Lessons append to out/pictures.json; `python -m demos.index` turns it into the gallery.
    """
    import json

    registry = out / "pictures.json"
    entries = json.loads(registry.read_text()) if registry.exists() else []
    name = str(Path(path).relative_to(out))
    entry = {"file": name, "caption": caption, "lesson": lesson}
    places = [i for i, e in enumerate(entries) if e["file"] == name]
    if places:  # a lesson run again keeps its place in the gallery
        entries[places[0]] = entry
    else:
        entries.append(entry)
    registry.write_text(json.dumps(entries, indent=1))
    return path
