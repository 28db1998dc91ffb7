"""Build out/index.html: one page linking every picture the lessons wrote, with its caption.

Lessons note each file in out/pictures.json (`demos.common.record_picture`); this page lists
them lesson by lesson, SVGs shown inline as images, pages and data files as links.

Run: python -m demos.index   (the last step of `make demo`)
"""

from __future__ import annotations

import html
import json
from pathlib import Path

from demos.common import lesson_parser

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>weightgrad lessons</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em auto; max-width: 70em; color: #222; }}
figure {{ display: inline-block; vertical-align: top; margin: 0 1.5em 1.5em 0; max-width: 30em; }}
figure img {{ max-width: 30em; max-height: 22em; border: 1px solid #ddd; }}
figcaption {{ font-size: 0.9em; color: #444; }}
</style></head><body>
<h1>weightgrad: what the lessons drew</h1>
<p>Every picture below was written by <code>make demo</code>; click one to open it.</p>
{sections}
</body></html>
"""


def build(out: Path) -> Path:
    registry = out / "pictures.json"
    if not registry.exists():
        raise SystemExit(f"{registry} not found: run the lessons first (make demo)")
    entries = json.loads(registry.read_text())
    lessons: dict[str, list[dict[str, str]]] = {}
    for entry in entries:
        if (out / entry["file"]).exists():
            lessons.setdefault(entry["lesson"], []).append(entry)
    sections = []
    for lesson, items in lessons.items():
        figures = []
        for e in items:
            href, caption = html.escape(e["file"]), html.escape(e["caption"])
            shown = (f'<img src="{href}" alt="{caption}">' if e["file"].endswith(".svg")
                     else f"<code>{href}</code>")
            figures.append(f'<figure><a href="{href}">{shown}</a>'
                           f"<figcaption>{caption}</figcaption></figure>")
        sections.append(f"<h2>{html.escape(lesson)}</h2>\n" + "\n".join(figures))
    path = out / "index.html"
    path.write_text(PAGE.format(sections="\n".join(sections)), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> Path:
    args = lesson_parser("Build out/index.html from the lessons' pictures").parse_args(argv)
    path = build(args.out)
    count = sum(1 for _ in json.loads((args.out / "pictures.json").read_text()))
    print(f"open {path.resolve()}  ({count} pictures and pages, each with a caption)")
    return path


if __name__ == "__main__":
    main()
