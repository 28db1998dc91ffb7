"""Side-by-side speed and memory figures for weightgrad, micrograd 0.1.0 and plain Python.

Run `python -m benchmarks.bench` from the project root (`make bench`). These are figures, not
tests: a missed target prints MISS and still exits 0; only a disagreement between contenders
(they would then not be computing the same thing) raises.
"""
