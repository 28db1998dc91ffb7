"""How fast the moons page trains in headless Chromium: train steps per second (and frames
per second) while its Train button runs, at the page's default speed, the decision boundary,
edges and loss curve repainted every frame. The lesson's page: MLP(2, [8, 8, 1]) on 50 points.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from weightgrad.nn import MLP, make_moons, network_playground

SECONDS = 3.0
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def measure() -> dict[str, Any]:
    """Steps and frames per second; None without Chromium."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return {"steps_per_s": None, "why": "playwright is not installed"}
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        return {"steps_per_s": None, "why": "no Chromium (make browser installs Debian's)"}
    xs, ys = make_moons(50, noise=0.1, seed=0)
    with tempfile.TemporaryDirectory() as folder:
        path = network_playground(MLP(2, [8, 8, 1], seed=1337), xs, ys).save_html(
            Path(folder) / "moons_live.html")
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(chromium), args=ARGS)
            page = browser.new_page()
            page.goto(path.as_uri())
            speed = int(page.input_value("#speed"))
            start = page.evaluate("window.weightgrad.steps()")
            page.click("#train")
            t0 = page.evaluate("performance.now()")
            page.wait_for_timeout(SECONDS * 1000)
            page.click("#train")
            t1 = page.evaluate("performance.now()")
            steps = page.evaluate("window.weightgrad.steps()") - start
            browser.close()
    seconds = (t1 - t0) / 1000
    return {"steps_per_s": steps / seconds, "frames_per_s": steps / speed / seconds,
            "steps_per_frame": speed, "seconds": seconds}
