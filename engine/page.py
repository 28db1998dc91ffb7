"""What every self-contained page weightgrad writes shares: a head that lets the browser fetch
nothing (a Content-Security-Policy says so, and an empty `data:` icon stops the request for
/favicon.ico), so a page works opened from disk; and how Jupyter shows a page with a script:
in an iframe of its own, so the page's script runs isolated from the notebook's.
"""

from __future__ import annotations

import html

# Nothing may be fetched: inline style and script only.
CSP = ("default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
       "img-src data:")


# What every page looks like: its type, its title, the colour legend's swatches.
BASE_CSS = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 1.5rem; color: #222; background: #fff; }
h1 { font-size: 1.4rem; margin: 0 0 .4rem; }
.legend { color: #555; margin: 0 0 1rem; }
.swatch { display: inline-block; width: .9em; height: .9em; border: 1px solid #888;
  vertical-align: -.1em; margin: 0 .2em 0 .6em; }
"""


def page_start(title: str, css: str) -> str:
    """The page's text up to and including its <h1>: doctype, head (CSP, title, the shared
    style and `css`)."""
    esc = html.escape
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>{esc(title)}</title>
<style>{BASE_CSS}{css}</style>
</head>
<body>
<h1>{esc(title)}</h1>
"""


def iframe(page: str, height_px: int) -> str:
    """`page` shown inline in Jupyter, in a sandboxed iframe that may run scripts."""
    return (f'<iframe srcdoc="{html.escape(page, quote=True)}" sandbox="allow-scripts" '
            f'style="width: 100%; height: {height_px}px; border: 0"></iframe>')
