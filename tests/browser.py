"""Open a page in the real headless Chromium of the `chromium` fixture, offline, from disk,
and record everything that would make it untrustworthy: network requests (blocked), console
errors and uncaught page errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Log:
    blocked: list[str] = field(default_factory=list)  # requests for anything not on disk
    console: list[str] = field(default_factory=list)  # "type: text" of every console message
    errors: list[str] = field(default_factory=list)  # uncaught exceptions in the page
    dialogs: list[str] = field(default_factory=list)  # alert() and friends: injected script

    def assert_clean(self) -> None:
        assert self.blocked == [], f"the page asked the network for {self.blocked}"
        assert [c for c in self.console if c.startswith("error")] == [], self.console
        assert self.errors == [], self.errors
        assert self.dialogs == [], f"the page opened dialogs: {self.dialogs}"


@contextmanager
def offline_page(chromium, page_html: str, path: Path) -> Iterator[tuple[object, Log]]:
    """The page written to `path` and opened from file:// with no network; yields
    (playwright Page, Log). The caller asserts `log.assert_clean()` when done."""
    path.write_text(page_html, encoding="utf-8")
    context = chromium.new_context()
    context.set_offline(True)
    log = Log()

    def route(r) -> None:
        if r.request.url.startswith(("file:", "data:")):
            r.continue_()
        else:
            log.blocked.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("console", lambda msg: log.console.append(f"{msg.type}: {msg.text}"))
    page.on("pageerror", lambda exc: log.errors.append(str(exc)))

    def dialog(d) -> None:
        log.dialogs.append(d.message)
        d.dismiss()

    page.on("dialog", dialog)
    try:
        page.goto(path.as_uri())
        yield page, log
    finally:
        context.close()
