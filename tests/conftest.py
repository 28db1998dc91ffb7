"""Shared test settings: hypothesis runs without deadlines (shared, noisy machines) and
derandomized, so the same inputs are drawn on every run. Also the `chromium` fixture: a real
headless browser for the page tests."""

import os
import shutil

import pytest
from hypothesis import settings

settings.register_profile("weightgrad", deadline=None, derandomize=True, max_examples=100,
                          print_blob=True)
settings.register_profile("thorough", deadline=None, max_examples=2000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "weightgrad"))


# --- A real browser for page tests (tests/engine/test_explain_html.py) ---------------------------
# Debian's Chromium driven through playwright; playwright's own browser download is never used.
# No browser or no playwright: the test is skipped with the reason, except on CI (CI=true), where
# a browser test that silently skipped would prove nothing, so it fails with the same reason.

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def unavailable(reason: str) -> None:
    """Skip with `reason`, or fail with it when CI=true."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: a browser test may not skip on CI)", pytrace=False)
    pytest.skip(reason)


def find_chromium() -> str | None:
    """`$WEIGHTGRAD_CHROMIUM` when set (and then only it), else Chromium on PATH or in /usr/bin."""
    override = os.environ.get("WEIGHTGRAD_CHROMIUM")
    if override:
        return override if os.access(override, os.X_OK) and os.path.isfile(override) else None
    for candidate in (shutil.which("chromium"), "/usr/bin/chromium",
                      shutil.which("chromium-browser")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


@pytest.fixture(scope="session")
def chromium():
    """A headless playwright Browser running Debian's Chromium, shared by the session."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("playwright is not installed: pip install -e '.[dev]' (make test does it)")
    path = find_chromium()
    if path is None:
        where = os.environ.get("WEIGHTGRAD_CHROMIUM") or "chromium on PATH or /usr/bin/chromium"
        unavailable(f"no Chromium found ({where}): run `make browser` to install Debian's "
                    "chromium, or set WEIGHTGRAD_CHROMIUM to a Chromium executable")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
