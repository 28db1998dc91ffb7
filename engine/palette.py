"""The colours every picture shares, so a legend in one view means the same in the others.

Signs follow TensorFlow Playground: blue for positive, orange for negative, a light grey for
(near) zero. Node fills tell the kinds of node apart: inputs grey, parameters yellow, the
output green, intermediate results and constants white. Used by the graph drawing
(`engine.draw`), the step-through page (`engine.explain_html`) and nn's network diagram.
"""

POSITIVE = "#0877bd"
NEGATIVE = "#e8710a"
NEAR_ZERO = "#c8c8c8"
ZERO = "#000000"  # a gradient of exactly 0, in a record's text
UNKNOWN = "#999999"  # a gradient not computed yet ("grad ?")
HIGHLIGHT = "#d62728"  # the node a step is about
EDGE = "#666666"
CLUSTER = "#dddddd"

FILL = {"input": "#e6e6e6", "parameter": "#fff1b8", "output": "#c9ecc9",
        "intermediate": "#ffffff", "constant": "#ffffff"}


def sign_colour(x: float) -> str:
    """Blue for positive, orange for negative, black for zero."""
    return POSITIVE if x > 0 else NEGATIVE if x < 0 else ZERO
