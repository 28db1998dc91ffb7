"""out/index.html links every recorded picture with its caption."""

from __future__ import annotations

import html
import json
from pathlib import Path

from demos import index
from demos.common import record_picture


def test_index_links_every_picture_with_its_caption(tmp_path: Path) -> None:
    (tmp_path / "a.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    (tmp_path / "b.html").write_text("<p>page</p>")
    record_picture(tmp_path, tmp_path / "a.svg", "A <first> picture", "Lesson one")
    record_picture(tmp_path, tmp_path / "b.html", "A page", "Lesson two")
    record_picture(tmp_path, tmp_path / "a.svg", "A <first> picture, again", "Lesson one")
    assert len(json.loads((tmp_path / "pictures.json").read_text())) == 2  # no duplicates
    page = index.main(["--out", str(tmp_path)]).read_text()
    assert page.count("<figure>") == 2
    assert 'href="a.svg"' in page and 'href="b.html"' in page
    assert html.escape("A <first> picture, again") in page and "<first>" not in page
    assert page.index("Lesson one") < page.index("Lesson two")
