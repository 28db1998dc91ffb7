# Two commands on a fresh machine: `make demo` and `make test`. Each creates .venv when it is
# missing and installs the project with every extra it needs; nothing else is installed by hand.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: demo test lint bench clean browser lab

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,demos,interop]'
	touch $(STAMP)

LESSONS := worked_examples moons initialization optimizers regularization transfer \
           pruning quantization shared_weights attention heads digits convolution \
           mixture_of_experts federated continual blockwise_attention

demo: $(STAMP)
	rm -f out/pictures.json
	@for lesson in $(LESSONS); do \
		echo "== python -m demos.$$lesson"; \
		$(PY) -m demos.$$lesson || exit 1; \
	done
	$(PY) -m demos.index

test: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m pytest

# Debian's Chromium for the browser tests, via apt-get (sudo when not root); no-op when found.
browser:
	bash .ci/install-chromium

# Side-by-side speed and memory figures (medians, contenders alternating); not a test.
bench: $(STAMP)
	$(PY) -m benchmarks.bench

lint: $(STAMP)
	$(PY) -m ruff check .

# JupyterLab on the notebooks (the notebooks extra); `make test` runs them headless without it.
lab: $(STAMP)
	$(PY) -m pip install --quiet -e '.[dev,demos,interop,notebooks]'
	$(PY) -m jupyter lab demos/notebooks

clean:
	rm -rf $(VENV) out .pytest_cache .hypothesis .ruff_cache
