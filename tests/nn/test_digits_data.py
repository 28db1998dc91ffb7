"""nn.data.load_digits: scikit-learn's digits scaled to [0, 1], split into train and test by
seed, stratified and deterministic; without scikit-learn, one line naming the demos extra."""

from __future__ import annotations

import random
import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path

import pytest

sklearn_datasets = pytest.importorskip("sklearn.datasets",
                                       reason="scikit-learn comes with the demos extra")

from weightgrad.nn.data import load_digits  # noqa: E402


def reference() -> tuple[list[list[float]], list[int]]:
    """The data set as scikit-learn gives it: ink counts 0..16 and labels."""
    images, labels = sklearn_datasets.load_digits(return_X_y=True)
    return images.tolist(), labels.tolist()


def test_the_split_holds_every_image_once_scaled_to_0_1() -> None:
    images, labels = reference()
    train, test = load_digits("train"), load_digits("test")
    assert (len(train[0]), len(test[0])) == (1438, 359)
    ours = sorted((tuple(x), y) for xs, ys in (train, test) for x, y in zip(xs, ys))
    theirs = sorted((tuple(p / 16 for p in x), y) for x, y in zip(images, labels))
    assert ours == theirs  # a partition of the data set, pixels divided by 16
    assert all(len(x) == 64 and all(0.0 <= p <= 1.0 for p in x) for x in train[0])
    assert {y for y in test[1]} == set(range(10))


@pytest.mark.parametrize("seed", [0, 1, 2024])
def test_the_split_is_stratified(seed: int) -> None:
    _, labels = reference()
    per_class = Counter(labels)
    _, test = load_digits("test", seed=seed)
    _, train = load_digits("train", seed=seed)
    # round(20%) of each class in the test set, the rest in training
    assert Counter(test) == {c: round(0.2 * n) for c, n in per_class.items()}
    assert Counter(train) == {c: n - round(0.2 * n) for c, n in per_class.items()}


def test_the_same_seed_gives_the_same_split_and_no_global_state_is_used() -> None:
    state = random.getstate()
    a, b = load_digits("test", seed=3), load_digits("test", seed=3)
    assert random.getstate() == state  # its own generator, never the global one
    assert a == b
    assert load_digits("test", seed=4) != a
    a[0][0][0] = 99.0  # each call returns fresh lists: a caller cannot spoil the next one
    assert load_digits("test", seed=3) == b


def test_without_scikit_learn_one_line_names_the_extra(tmp_path: Path) -> None:
    code = textwrap.dedent("""
        import sys
        class NoSklearn:
            def find_spec(self, name, path=None, target=None):
                if name == "sklearn" or name.startswith("sklearn."):
                    raise ModuleNotFoundError("No module named 'sklearn' (blocked)")
        sys.meta_path.insert(0, NoSklearn())
        import weightgrad.nn  # importing nn needs no scikit-learn
        from weightgrad.nn import MLP
        MLP(2, [1], seed=0)
        print("nn ok", "sklearn" in sys.modules, flush=True)
        from weightgrad.nn import load_digits
        load_digits()
    """)
    run = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                         text=True, timeout=120)
    assert run.stdout == "nn ok False\n"
    last = run.stderr.strip().splitlines()[-1]
    assert last == ("ModuleNotFoundError: load_digits needs scikit-learn, which comes with "
                    "weightgrad's demos extra: pip install 'weightgrad[demos]' (or pip install "
                    "scikit-learn)")
    assert "blocked" not in run.stderr  # the cause is replaced, not chained below it
