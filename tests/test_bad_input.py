"""Every bad input answered clearly, nothing lost: one table of refusals, each checked three ways.

A row is (id, an action that does one bad thing, the exception it must raise, a fragment of its
message). The type is checked exactly (`type(err) is Expected`, not a subclass) unless the row
says `base=True`, where what is documented is a base class and the subclass depends on the
machine. Then, for every row, the refusal must have changed nothing: every parameter of the
context's models (data and grad bit for bit, requires_grad, pruned, label, identity) and every
file and folder under the context's folder (bytes and mode; no temporary file, no new folder).

Rows marked xfail(strict=True) are real bugs, listed with a suggested fix in the reason; they
turn into failures (XPASS) once fixed, so the mark must then be removed.
"""

from __future__ import annotations

import errno
import json
import math
import os
import random
import struct
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from weightgrad.engine import (
    AnomalyError,
    GradcheckError,
    GraphTooLarge,
    RendererNotFound,
    RenderError,
    Value,
    detect_anomaly,
    draw_graph,
    explain,
    files,
    gradcheck,
    playground,
    render_svg,
    save_svg,
)
from weightgrad.engine.expr import ExprError, evaluate, parse
from weightgrad.engine.fused import weighted_sum
from weightgrad.nn import (
    MLP,
    SGD,
    Adam,
    AdamW,
    Layer,
    Lion,
    Module,
    Neuron,
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    clip_grad_norm,
    cross_entropy,
    draw_network,
    hinge_loss,
    mse_loss,
    prune,
    quantize,
    serialization,
    softmax,
)
from weightgrad.nn.layers import ACTIVATIONS

# --- the context every row acts on -------------------------------------------------------------

SENTINEL = "@@RAW@@"  # replaced by raw JSON text that json.dumps cannot write (huge ints, nesting)
ARCH = (2, [4, 3, 1])  # 8 + 12 + 3 weights: unfused, small enough to be quick


def _document(state_dict: dict[str, Any], /, **changes: Any) -> dict[str, Any]:
    doc = {"format": "weightgrad", "format_version": 1, "model": "MLP", "config": {},
           "state_dict": dict(state_dict)}
    doc.update(changes)
    return doc


def _with(state_dict: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    return {**state_dict, key: value}


def _bad_files(sd: dict[str, Any], other: dict[str, Any]) -> dict[str, str | bytes]:
    """Files to load, each wrong in one way. `sd` fits the model (with other numbers than its
    own, so a load that went through would show); `other` is another architecture's."""
    good = json.dumps(_document(sd))
    w, b = "layers.0.neurons.0.w", "layers.2.neurons.0.b"

    def doc(state_dict: dict[str, Any], /, **changes: Any) -> str:
        return json.dumps(_document(state_dict, **changes))  # allow_nan: writes raw NaN tokens

    def raw(text: str) -> str:
        return doc(_with(sd, b, SENTINEL)).replace(f'"{SENTINEL}"', text)

    return {
        "truncated.json": good[: len(good) // 2],
        "garbage.bin": bytes(range(256)) * 4,
        "empty.json": "",
        "bom.json": "\ufeff" + good,
        "list.json": "[1, 2, 3]",
        "not_ours.json": json.dumps({"weights": sd}),
        "other_format.json": doc(sd, format="pytorch"),
        "version_2.json": doc(sd, format_version=2),
        "version_str.json": doc(sd, format_version="1"),
        "version_true.json": doc(sd, format_version=True),
        "no_state.json": json.dumps({k: v for k, v in _document(sd).items() if k != "state_dict"}),
        "state_list.json": doc(sd, state_dict=list(sd.values())),
        "other_arch.json": doc(other),
        "missing_key.json": doc({k: v for k, v in sd.items() if k != b}),
        "extra_key.json": doc(_with(sd, "layers.3.neurons.0.b", 0.0)),
        "wrong_size.json": doc(_with(sd, w, [0.1, 0.2, 0.3])),
        "last_entry_bad.json": doc(_with(sd, b, "oops")),  # every other entry is good
        "string_number.json": doc(_with(sd, b, "0.5")),
        "bool_number.json": doc(_with(sd, b, True)),
        "null_number.json": doc(_with(sd, b, None)),
        "nested_list.json": doc(_with(sd, w, [[0.1], [0.2]])),
        "list_for_scalar.json": doc(_with(sd, b, [0.5])),
        "scalar_for_list.json": doc(_with(sd, w, 0.5)),
        "nan_token.json": doc(_with(sd, b, math.nan)),
        "infinity_token.json": doc(_with(sd, b, -math.inf)),
        "overflow_float.json": raw("1e999"),
        "huge_int.json": raw("1" + "0" * 400),
        "giant_int.json": raw("1" + "0" * 5000),
        "deep.json": raw("[" * 20_000 + "]" * 20_000),
        "duplicate_key.json": raw(f'0.5, "{b}": 0.25'),
        "other_model.json": doc(sd, model="Layer"),
        "other_activation.json": doc(sd, config={"activation": "tanh", "seed": 8}),
        "other_sizes.json": doc(sd, config={"nin": 2, "nouts": [4, 4, 1]}),
    }


def _chmod_blocks_writes(folder: Path) -> bool:
    """False when running as root (or on a filesystem) where a 0500 folder is still writable."""
    probe = folder / "probe"
    try:
        probe.touch()
    except PermissionError:
        return True
    probe.unlink()
    return False


@dataclass
class Ctx:
    folder: Path  # the row's own folder: a good weights file, a plain file, folders
    bad: Path  # the bad files, shared by every row
    model: MLP  # trained a little: nonzero grads, layer 0 partly pruned, layer 2 frozen
    fused: MLP  # a model big enough to be fused
    diverged: MLP  # one weight is inf
    target: Path  # a good weights file of `model`
    monkeypatch: pytest.MonkeyPatch

    def file(self, name: str) -> Path:
        return self.bad / name

    def models(self) -> list[MLP]:
        return [self.model, self.fused, self.diverged]

    def read_only_target(self) -> Path:
        """A path `save` cannot write: in a 0500 folder, or, where chmod does not stop writes
        (root), under a regular file as if it were a folder."""
        locked = self.folder / "locked"
        if _chmod_blocks_writes(locked):
            return locked / "w.json"
        return self.folder / "plain.txt" / "w.json"


@pytest.fixture(scope="module")
def bad_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bad files, written once: every row also checks that they are left as they are."""
    return write_bad_files(tmp_path_factory.mktemp("bad"))


def write_bad_files(folder: Path) -> Path:
    other = MLP(*ARCH, seed=8).state_dict()
    for name, content in _bad_files(other, Layer(3, 2).state_dict()).items():
        path = folder / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return folder


@pytest.fixture
def ctx(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bad_folder: Path) -> Ctx:
    return make_ctx(tmp_path, monkeypatch, bad_folder)


def make_ctx(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bad_folder: Path) -> Ctx:
    """The context of one row (tests/test_readme_errors.py builds its own, row by row)."""
    folder = tmp_path / "work"
    folder.mkdir()
    model = MLP(*ARCH, seed=7)
    loss = mse_loss([model([0.5, -1.0]), model([1.5, 2.0])], [1.0, -1.0])
    loss.backward()  # every grad is now a (mostly) nonzero number
    prune.l1_unstructured(model.layers[0], 2)
    model.layers[2].freeze()
    diverged = MLP(*ARCH, seed=9)
    diverged.layers[1].neurons[2].w[0].data = math.inf
    target = folder / "w.json"
    model.save(target)
    (folder / "plain.txt").write_text("not a folder\n")
    (folder / "a_folder").mkdir()
    (folder / "locked").mkdir()
    (folder / "locked").chmod(0o500)
    return Ctx(folder, bad_folder, model, MLP(2, [40, 1], seed=3), diverged, target,
               monkeypatch)


# --- what "changed nothing" means ----------------------------------------------------------------

def _bits(x: float) -> bytes:
    return struct.pack("<d", x)  # bit for bit: -0.0 != 0.0 and nan == nan here


def _model_state(m: MLP) -> list[tuple[object, ...]]:
    return [(name, id(p), _bits(p.data), _bits(p.grad), p.requires_grad, p.pruned, p.label)
            for name, p in m.named_parameters()]


def _tree(folder: Path) -> dict[str, tuple[bool, int, bytes | None]]:
    return {str(p.relative_to(folder)): (p.is_dir(), p.stat().st_mode,
                                         None if p.is_dir() else p.read_bytes())
            for p in sorted(folder.rglob("*"))}


def _snapshot(c: Ctx) -> tuple[object, ...]:
    return [_model_state(m) for m in c.models()], _tree(c.folder), _tree(c.bad)


# --- helpers used by the rows --------------------------------------------------------------------

def _chain(n: int) -> Value:
    """A graph of 2n + 1 Values: x, then n times `+ 1` (each adds a constant and a result)."""
    v = Value(0.0, "x")
    for _ in range(n):
        v = v + 1.0
    return v


def _long_story() -> Value:
    """Few Values (301) but 451 steps: past the 400 frames pictures are drawn for."""
    v = Value(1.0, "x")
    for _ in range(150):
        v = v * 1.0
    return v


def _small_graph() -> Value:
    x, w = Value(2.0, "x"), Value(3.0, "w")
    out = x * w
    out.label = "out"
    return out


def _render_with(c: Ctx, renderer: str, action: Callable[[], object]) -> object:
    c.monkeypatch.setenv("WEIGHTGRAD_DOT", renderer)
    return action()


def _render_without_any_renderer(c: Ctx) -> object:
    c.monkeypatch.delenv("WEIGHTGRAD_DOT", raising=False)
    c.monkeypatch.setenv("PATH", str(c.folder / "a_folder"))  # no dot, no graphviz-pure
    c.monkeypatch.setattr(sys, "executable", str(c.folder / "a_folder" / "python"))
    return render_svg("digraph { a }")


def _anomaly(make: Callable[[], Value]) -> None:
    out = make()
    with detect_anomaly():
        out.backward()


def _sqrt_of_zero() -> Value:
    out = Value(0.0, "x") ** 0.5
    out.label = "out"
    return out


def _save_on_a_full_disk(c: Ctx) -> None:
    def full(f: object, data: bytes) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    c.monkeypatch.setattr(files, "_write", full)
    c.model.save(c.target)


def _save_into_cwd(c: Ctx, path: str) -> None:
    c.monkeypatch.chdir(c.folder)
    c.model.save(path)


def _state_dict_with(c: Ctx, key: str, value: object) -> dict[str, Any]:
    """Another seed's numbers (a load would show) with one entry, the last, made bad."""
    sd = MLP(*ARCH, seed=8).state_dict()
    sd.pop(key, None)
    sd[key] = value
    return sd


def _params(c: Ctx) -> list[Value]:
    return list(c.model.parameters())


def _relabelled(label: object) -> Value:
    """x * w with x's label set after construction, where Value's own check cannot see it."""
    x, w = Value(2.0, "x"), Value(3.0, "w")
    x.label = label  # type: ignore[assignment]
    return x * w


def _load_with_limit(c: Ctx, limit: int) -> None:
    c.monkeypatch.setattr(serialization, "MAX_FILE_BYTES", limit)
    c.model.load(c.target)


Action = Callable[[Ctx], object]


def row(id_: str, action: Action, expected: type[BaseException], fragment: str, *,
        base: bool = False, bug: str | None = None) -> Any:
    marks = [pytest.mark.xfail(strict=True, reason=bug)] if bug else []
    return pytest.param(action, expected, fragment, base, id=id_, marks=marks)


V = Value(2.0, "v")
L0W, L2B = "layers.0.neurons.0.w", "layers.2.neurons.0.b"
NUMBER = "must be a real number or a Value"
AMOUNT = "amount must be a count (an int >= 0) or a fraction (a float in [0, 1])"

ROWS = [
    # -- engine.Value: anything that is not a real number is a TypeError naming it -----------
    row("value-of-str", lambda c: Value("1.5"), TypeError, f"{NUMBER}, got str: '1.5'"),
    row("value-of-none", lambda c: Value(None), TypeError, f"{NUMBER}, got NoneType: None"),
    row("value-of-list", lambda c: Value([1.0]), TypeError, f"{NUMBER}, got list: [1.0]"),
    row("value-of-complex", lambda c: Value(1 + 2j), TypeError, f"{NUMBER}, got complex"),
    row("value-of-decimal", lambda c: Value(__import__("decimal").Decimal("0.1")), TypeError,
        f"{NUMBER}, got Decimal"),
    row("value-of-huge-int", lambda c: Value(10**400), OverflowError,
        "Value data is an integer of 401 digits, too large for a float (at most about 1.8e308)"),
    row("value-of-int-past-4300-digits", lambda c: Value(10**5000), OverflowError,
        "Value data is an integer of 5001 digits, too large for a float"),
    row("pow-int-past-4300-digits", lambda c: V ** 10**5000, OverflowError,
        "exponent is an integer of 5001 digits, too large for a float"),
    # -- labels: a str of printable text, checked when made and again by every view -----------
    row("value-label-int", lambda c: Value(2.0, label=123), TypeError,
        "Value label must be a str, got int: 123"),
    row("value-label-none", lambda c: Value(2.0, None), TypeError,
        "Value label must be a str, got NoneType: None"),
    row("value-label-newline", lambda c: Value(2.0, "a\nb"), ValueError,
        "Value label 'a\\nb' has the character U+000A at position 1; it must be printable text "
        "(no control characters, no lone surrogates)"),
    row("value-label-escape-sequence", lambda c: Value(2.0, "\x1b[31mred"), ValueError,
        "has the character U+001B at position 0"),
    row("value-label-lone-surrogate", lambda c: Value(2.0, "w\udcff"), ValueError,
        "Value label 'w\\udcff' has the character U+DCFF at position 1"),
    row("value-label-noncharacter", lambda c: Value(2.0, "w\uffff"), ValueError,
        "has the character U+FFFF at position 1"),
    row("draw-label-set-later-int", lambda c: draw_graph(_relabelled(5)), TypeError,
        "a Value's label must be a str, got int: 5"),
    row("explain-label-set-later-tab", lambda c: explain(_relabelled("x\ty")), ValueError,
        "a Value's label 'x\\ty' has the character U+0009 at position 1"),
    row("playground-label-set-later-surrogate", lambda c: playground(_relabelled("\ud800")),
        ValueError, "a Value's label '\\ud800' has the character U+D800 at position 0"),
    row("add-str", lambda c: V + "a", TypeError,
        "add: operands must be Values or real numbers, got str: 'a'"),
    row("str-radd", lambda c: "a" + V, TypeError, "add: operands must be Values or real numbers"),
    row("str-rmul", lambda c: "a" * V, TypeError,
        "mul: operands must be Values or real numbers, got str: 'a'"),
    row("mul-str", lambda c: V * "ab", TypeError, "mul: operands must be Values or real numbers"),
    row("pow-none", lambda c: V ** None, TypeError,
        "exponent must be a real number or a Value, got NoneType: None"),
    row("none-rpow", lambda c: None ** V, TypeError,
        "pow: operands must be Values or real numbers, got NoneType"),
    row("pow-str", lambda c: V ** "2", TypeError, "exponent must be a real number"),
    row("div-list", lambda c: V / [1], TypeError,
        "div: operands must be Values or real numbers, got list: [1]"),
    row("list-rdiv", lambda c: [1] / V, TypeError, "div: operands must be Values or real numbers"),
    row("sub-none", lambda c: V - None, TypeError, "sub: operands must be Values or real numbers"),
    row("add-complex", lambda c: V + 1j, TypeError, "got complex: 1j"),
    row("order-compare", lambda c: V < 1, TypeError, "'<' not supported"),
    row("weighted-sum-lengths", lambda c: weighted_sum([V, V], [1.0], V), ValueError,
        "weighted_sum: 2 weights for 1 inputs"),
    # -- model construction ---------------------------------------------------------------
    # (nn.checks: "{who}: {name} must be {requirement}, got {type: value}" for a wrong type,
    # "got {value}" for a wrong value)
    row("mlp-nin-0", lambda c: MLP(0, [1]), ValueError, "MLP: nin must be an int >= 1, got 0"),
    row("mlp-nin-negative", lambda c: MLP(-1, [1]), ValueError,
        "MLP: nin must be an int >= 1, got -1"),
    row("mlp-nin-float", lambda c: MLP(2.0, [1]), TypeError,
        "MLP: nin must be an int >= 1, got float: 2.0"),
    row("mlp-nin-str", lambda c: MLP("2", [1]), TypeError,
        "MLP: nin must be an int >= 1, got str: '2'"),
    row("mlp-nin-bool", lambda c: MLP(True, [1]), TypeError,
        "MLP: nin must be an int >= 1, got bool: True"),
    row("mlp-nouts-empty", lambda c: MLP(2, []), ValueError,
        "MLP: nouts must be a non-empty list of layer sizes, got list of length 0"),
    row("mlp-nouts-int", lambda c: MLP(2, 3), TypeError,
        "MLP: nouts must be a non-empty list of layer sizes, got int: 3"),
    row("mlp-nouts-none", lambda c: MLP(2, None), TypeError,
        "MLP: nouts must be a non-empty list of layer sizes, got NoneType: None"),
    row("mlp-layer-size-0", lambda c: MLP(2, [4, 0]), ValueError,
        "MLP: nouts[1] must be an int >= 1, got 0"),
    row("mlp-layer-size-negative", lambda c: MLP(2, [-3, 1]), ValueError,
        "MLP: nouts[0] must be an int >= 1, got -3"),
    row("mlp-layer-size-float", lambda c: MLP(2, [4, 2.0]), TypeError,
        "MLP: nouts[1] must be an int >= 1, got float: 2.0"),
    row("mlp-layer-size-bool", lambda c: MLP(2, [True]), TypeError,
        "MLP: nouts[0] must be an int >= 1, got bool: True"),
    row("mlp-activation", lambda c: MLP(2, [1], activation="gelu"), ValueError,
        f"MLP: activation must be one of {', '.join(a for a in ACTIVATIONS if a != 'linear')}"
        ", got 'gelu'"),
    row("mlp-init", lambda c: MLP(2, [1], init="he"), ValueError,
        "MLP: init must be one of uniform, xavier, xavier_normal, kaiming, kaiming_normal, "
        "got 'he'"),
    row("mlp-seed-float", lambda c: MLP(2, [1], seed=1.5), TypeError,
        "MLP: seed must be an int or None, got float: 1.5"),
    row("layer-nin-0", lambda c: Layer(0, 3), ValueError, "Layer: nin must be an int >= 1, got 0"),
    row("layer-nout-0", lambda c: Layer(2, 0), ValueError,
        "Layer: nout must be an int >= 1, got 0"),
    row("layer-nout-float", lambda c: Layer(2, 1.5), TypeError,
        "Layer: nout must be an int >= 1, got float: 1.5"),
    row("neuron-nin-negative", lambda c: Neuron(-3), ValueError,
        "Neuron: nin must be an int >= 1, got -3"),
    row("neuron-nin-none", lambda c: Neuron(None), TypeError,
        "Neuron: nin must be an int >= 1, got NoneType: None"),
    row("neuron-activation", lambda c: Neuron(2, activation="swish"), ValueError,
        f"Neuron: activation must be one of {', '.join(ACTIVATIONS)}, got 'swish'"),
    # -- calling a model ------------------------------------------------------------------
    row("call-wrong-length", lambda c: c.model([1.0, 2.0, 3.0]), ValueError,
        "MLP: x must be a list of 2 real numbers or Values, got list of length 3"),
    row("call-str-input", lambda c: c.model(["a", 1.0]), TypeError,
        f"MLP: x[0] {NUMBER}, got str: 'a'"),
    row("call-bool-input", lambda c: c.model([1.0, True]), TypeError,
        f"MLP: x[1] {NUMBER}, got bool: True"),
    row("call-fused-none-input", lambda c: c.fused([None, 1.0]), TypeError,
        f"MLP: x[0] {NUMBER}, got NoneType: None"),
    row("call-layer-bool-input", lambda c: c.model.layers[1]([0.5, False, 0.5, 0.5]), TypeError,
        f"Layer: x[1] {NUMBER}, got bool: False"),
    row("call-on-a-number", lambda c: c.model(3.0), TypeError,
        "MLP: x must be a list of 2 real numbers or Values, got float: 3.0"),
    # -- losses -----------------------------------------------------------------------------
    row("mse-lengths", lambda c: mse_loss([c.model([1.0, 2.0])], [1.0, 2.0]), ValueError,
        "mse_loss: predictions and targets differ in length: predictions has length 1, "
        "targets has length 2"),
    row("mse-empty", lambda c: mse_loss([], []), ValueError,
        "mse_loss: predictions and targets are empty"),
    row("mse-str-element", lambda c: mse_loss(["a"], [1.0]), TypeError,
        f"mse_loss: predictions[0] {NUMBER}, got str: 'a'"),
    row("mse-bool-target", lambda c: mse_loss([c.model([1.0, 2.0])], [True]), TypeError,
        f"mse_loss: targets[0] {NUMBER}, got bool: True"),
    row("mse-none", lambda c: mse_loss(None, [1.0]), TypeError,
        "mse_loss: predictions must be a list of real numbers or Values, got NoneType: None"),
    row("hinge-lengths", lambda c: hinge_loss([1.0, 2.0], [1.0]), ValueError,
        "hinge_loss: scores and labels differ in length: scores has length 2, labels has "
        "length 1"),
    row("hinge-empty", lambda c: hinge_loss([], []), ValueError, "hinge_loss: scores and labels "
        "are empty"),
    row("hinge-label-0", lambda c: hinge_loss([0.5], [0]), ValueError,
        "hinge_loss: labels[0] must be -1 or +1, got 0.0"),
    row("bce-lengths", lambda c: binary_cross_entropy([0.5], [1.0, 0.0]), ValueError,
        "binary_cross_entropy: probs and targets differ in length"),
    row("bce-empty", lambda c: binary_cross_entropy([], []), ValueError,
        "binary_cross_entropy: probs and targets are empty"),
    row("bce-probability-range", lambda c: binary_cross_entropy([1.5], [1.0]), ValueError,
        "binary_cross_entropy: probs[0] must be a probability in [0, 1], got 1.5"),
    row("bce-logits-lengths", lambda c: binary_cross_entropy_with_logits([0.5], [1.0, 0.0]),
        ValueError, "binary_cross_entropy_with_logits: logits and targets differ in length"),
    row("cross-entropy-lengths", lambda c: cross_entropy([[1.0, 2.0], [0.0, 1.0]], [0]),
        ValueError, "logits has length 2, target has length 1"),
    row("cross-entropy-empty-batch", lambda c: cross_entropy([], []), ValueError,
        "cross_entropy: logits and target must be non-empty"),
    row("cross-entropy-empty-logits", lambda c: cross_entropy([], 0), ValueError,
        "cross_entropy: logits must be a non-empty list of real numbers or Values, "
        "got list of length 0"),
    row("cross-entropy-class-range", lambda c: cross_entropy([1.0, 2.0], 2), ValueError,
        "cross_entropy: target must be a class index, an int in [0, 1], got 2"),
    row("cross-entropy-float-class", lambda c: cross_entropy([1.0, 2.0], 1.0), TypeError,
        "cross_entropy: target must be a class index, an int in [0, 1], got float: 1.0"),
    row("cross-entropy-str-class", lambda c: cross_entropy([1.0, 2.0], "1"), TypeError,
        "cross_entropy: target must be a class index, an int in [0, 1], got str: '1'"),
    row("cross-entropy-bool-class", lambda c: cross_entropy([1.0, 2.0], True), TypeError,
        "cross_entropy: target must be a class index, an int in [0, 1], got bool: True"),
    row("softmax-empty", lambda c: softmax([]), ValueError,
        "softmax: logits must be a non-empty list of real numbers or Values, got list of length 0"),
    # -- optimizers: nothing to optimize, or a bad hyper-parameter ----------------------------
    *[row(f"{o.__name__.lower()}-no-params", lambda c, o=o: o([], lr=0.1), ValueError,
          f"{o.__name__} got an empty parameter list") for o in (SGD, Adam, AdamW, Lion)],
    *[row(f"{o.__name__.lower()}-negative-lr", lambda c, o=o: o(_params(c), lr=-0.1), ValueError,
          f"{o.__name__}: lr must be a finite number >= 0, got -0.1")
      for o in (SGD, Adam, AdamW, Lion)],
    row("sgd-lr-nan", lambda c: SGD(_params(c), lr=math.nan), ValueError,
        "SGD: lr must be a finite number >= 0, got nan"),
    row("adam-lr-inf", lambda c: Adam(_params(c), lr=math.inf), ValueError,
        "Adam: lr must be a finite number >= 0, got inf"),
    row("sgd-lr-str", lambda c: SGD(_params(c), lr="0.1"), TypeError,
        "SGD: lr must be a finite number >= 0, got str: '0.1'"),
    row("sgd-lr-bool", lambda c: SGD(_params(c), lr=True), TypeError,
        "SGD: lr must be a finite number >= 0, got bool: True"),
    row("sgd-one-value", lambda c: SGD(c.model.parameters()[0], lr=0.1), TypeError,
        "params must be an iterable of Values, got a single Value; wrap it in a list"),
    row("adam-non-value-param", lambda c: Adam([*_params(c), 1.0]), TypeError,
        "Adam: params[31] must be a Value, got float: 1.0"),
    row("sgd-negative-momentum", lambda c: SGD(_params(c), lr=0.1, momentum=-0.9), ValueError,
        "SGD: momentum must be a finite number >= 0, got -0.9"),
    row("sgd-nesterov-without-momentum", lambda c: SGD(_params(c), lr=0.1, nesterov=True),
        ValueError, "SGD: nesterov=True requires momentum > 0 and dampening == 0"),
    row("sgd-negative-weight-decay", lambda c: SGD(_params(c), lr=0.1, weight_decay=-1),
        ValueError, "SGD: weight_decay must be a finite number >= 0, got -1"),
    row("adam-beta1-is-1", lambda c: Adam(_params(c), betas=(1.0, 0.999)), ValueError,
        "Adam: betas[0] must be a finite number in [0, 1), got 1.0"),
    row("adam-betas-not-a-pair", lambda c: Adam(_params(c), betas=(0.9,)), ValueError,
        "Adam: betas must be a list of 2 finite numbers in [0, 1) (beta1, beta2), "
        "got tuple of length 1"),
    row("adam-negative-eps", lambda c: Adam(_params(c), eps=-1e-8), ValueError,
        "Adam: eps must be a finite number >= 0"),
    row("adamw-negative-weight-decay", lambda c: AdamW(_params(c), weight_decay=-0.01),
        ValueError, "AdamW: weight_decay must be a finite number >= 0, got -0.01"),
    row("lion-beta2-is-1", lambda c: Lion(_params(c), betas=(0.9, 1.0)), ValueError,
        "Lion: betas[1] must be a finite number in [0, 1), got 1.0"),
    row("clip-negative-max-norm", lambda c: clip_grad_norm(_params(c), -1.0), ValueError,
        "clip_grad_norm: max_norm must be a finite number >= 0, got -1.0"),
    # -- load: files that are missing, broken, not ours, or wrong inside ----------------------
    row("load-missing-file", lambda c: c.model.load(c.folder / "nope.json"), FileNotFoundError,
        "no weights file at"),
    row("load-a-folder", lambda c: c.model.load(c.folder / "a_folder"), IsADirectoryError,
        "a_folder"),
    row("load-truncated-json", lambda c: c.model.load(c.file("truncated.json")), ValueError,
        "truncated.json: not a weightgrad weights file (invalid JSON"),
    row("load-garbage-bytes", lambda c: c.model.load(c.file("garbage.bin")), ValueError,
        "garbage.bin: not a weightgrad weights file (not UTF-8 text)"),
    row("load-empty-file", lambda c: c.model.load(c.file("empty.json")), ValueError,
        "empty.json: not a weightgrad weights file (invalid JSON"),
    row("load-json-list", lambda c: c.model.load(c.file("list.json")), ValueError,
        'list.json: not a weightgrad weights file (no "format": "weightgrad")'),
    row("load-json-not-ours", lambda c: c.model.load(c.file("not_ours.json")), ValueError,
        'not_ours.json: not a weightgrad weights file (no "format": "weightgrad")'),
    row("load-other-format", lambda c: c.model.load(c.file("other_format.json")), ValueError,
        "not a weightgrad weights file"),
    row("load-format-version-2", lambda c: c.model.load(c.file("version_2.json")), ValueError,
        "unsupported format_version 2; this weightgrad reads version 1"),
    row("load-format-version-str", lambda c: c.model.load(c.file("version_str.json")),
        ValueError, "unsupported format_version '1'"),
    row("load-format-version-true", lambda c: c.model.load(c.file("version_true.json")),
        ValueError, "unsupported format_version True"),
    row("load-no-state-dict", lambda c: c.model.load(c.file("no_state.json")), ValueError,
        '"state_dict" is missing or not an object'),
    row("load-state-dict-list", lambda c: c.model.load(c.file("state_list.json")), ValueError,
        '"state_dict" is missing or not an object'),
    row("load-other-architecture", lambda c: c.model.load(c.file("other_arch.json")),
        ValueError, "load_state_dict refused: missing key(s): layers.0.neurons.0.w, "),
    row("load-missing-key", lambda c: c.model.load(c.file("missing_key.json")), ValueError,
        f"load_state_dict refused: missing key(s): {L2B}"),
    row("load-unexpected-key", lambda c: c.model.load(c.file("extra_key.json")), ValueError,
        "load_state_dict refused: unexpected key(s): layers.3.neurons.0.b"),
    row("load-wrong-size", lambda c: c.model.load(c.file("wrong_size.json")), ValueError,
        f"{L0W}: wrong size: expected 2 numbers, got 3"),
    row("load-last-entry-bad", lambda c: c.model.load(c.file("last_entry_bad.json")),
        ValueError, f"{L2B}: expected a number, got str 'oops'"),
    row("load-string-number", lambda c: c.model.load(c.file("string_number.json")), ValueError,
        f"{L2B}: expected a number, got str '0.5'"),
    row("load-bool-number", lambda c: c.model.load(c.file("bool_number.json")), ValueError,
        f"{L2B}: expected a number, got bool True"),
    row("load-null-number", lambda c: c.model.load(c.file("null_number.json")), ValueError,
        f"{L2B}: expected a number, got NoneType None"),
    row("load-nested-list", lambda c: c.model.load(c.file("nested_list.json")), ValueError,
        f"{L0W}.0: expected a number, got list [0.1]"),
    row("load-list-for-scalar", lambda c: c.model.load(c.file("list_for_scalar.json")),
        ValueError, f"{L2B}: expected a number, got list"),
    row("load-scalar-for-list", lambda c: c.model.load(c.file("scalar_for_list.json")),
        ValueError, f"{L0W}: expected a list of 2 numbers, got float"),
    row("load-nan-token", lambda c: c.model.load(c.file("nan_token.json")), ValueError,
        f"{L2B}: expected a finite number, got nan"),
    row("load-infinity-token", lambda c: c.model.load(c.file("infinity_token.json")),
        ValueError, f"{L2B}: expected a finite number, got -inf"),
    row("load-1e999", lambda c: c.model.load(c.file("overflow_float.json")), ValueError,
        f"{L2B}: expected a finite number, got inf"),
    row("load-huge-int", lambda c: c.model.load(c.file("huge_int.json")), ValueError,
        f"{L2B}: expected a finite number, got an integer of 401 digits"),
    row("load-int-past-4300-digits", lambda c: c.model.load(c.file("giant_int.json")),
        ValueError, f"{L2B}: expected a finite number, got an integer of 5001 digits"),
    row("load-duplicate-key", lambda c: c.model.load(c.file("duplicate_key.json")), ValueError,
        f"duplicate_key.json: not a weightgrad weights file (the key '{L2B}' appears twice in "
        "one JSON object)"),
    row("load-a-device", lambda c: c.model.load("/dev/zero"), ValueError,
        "/dev/zero: not a weightgrad weights file (not a regular file)"),
    row("load-past-the-size-limit", lambda c: _load_with_limit(c, 1000), ValueError,
        "w.json: larger than the 1000 bytes a weights file may have "
        "(nn.serialization.MAX_FILE_BYTES)"),
    row("load-another-model", lambda c: c.model.load(c.file("other_model.json")), ValueError,
        "other_model.json: the file holds the weights of model 'Layer', and this model is "
        "'MLP'"),
    row("load-another-activation", lambda c: c.model.load(c.file("other_activation.json")),
        ValueError, "other_activation.json: the file's MLP has activation='tanh', this one has "
        "activation='relu'; build the model with the file's \"config\""),
    row("load-other-layer-sizes", lambda c: c.model.load(c.file("other_sizes.json")),
        ValueError, "the file's MLP has nouts.1=4, this one has nouts.1=3"),
    row("load-deeply-nested", lambda c: c.model.load(c.file("deep.json")), ValueError,
        "deep.json: not a weightgrad weights file"),
    row("load-path-none", lambda c: c.model.load(None), TypeError,
        "expected str, bytes or os.PathLike object, not NoneType"),
    # -- load_state_dict: checked in full before anything changes ------------------------------
    row("state-dict-missing-key", lambda c: c.model.load_state_dict(
        {k: v for k, v in c.model.state_dict().items() if k != L2B}), ValueError,
        f"load_state_dict refused: missing key(s): {L2B}"),
    row("state-dict-unexpected-key", lambda c: c.model.load_state_dict(
        {**c.model.state_dict(), "head.b": 0.0}), ValueError,
        "load_state_dict refused: unexpected key(s): head.b"),
    row("state-dict-missing-and-unexpected", lambda c: c.model.load_state_dict(
        {"layers.9.b": 0.0}), ValueError, "; unexpected key(s): layers.9.b"),
    row("state-dict-one-missing-one-unexpected", lambda c: c.model.load_state_dict(
        {**{k: v for k, v in c.model.state_dict().items() if k != L2B},
         "layers.3.neurons.0.b": 0.0}), ValueError,
        f"load_state_dict refused: missing key(s): {L2B}; unexpected key(s): "
        "layers.3.neurons.0.b"),
    row("state-dict-last-entry-wrong-size", lambda c: c.model.load_state_dict(
        _state_dict_with(c, "layers.2.neurons.0.w", [0.1, 0.2])), ValueError,
        "layers.2.neurons.0.w: wrong size: expected 3 numbers, got 2"),
    row("state-dict-last-entry-nan", lambda c: c.model.load_state_dict(
        _state_dict_with(c, L2B, math.nan)), ValueError, f"{L2B}: expected a finite number"),
    row("state-dict-non-strict-still-checks-sizes", lambda c: c.model.load_state_dict(
        {L0W: [0.5]}, strict=False), ValueError, f"{L0W}: wrong size: expected 2 numbers, got 1"),
    row("state-dict-not-a-mapping", lambda c: c.model.load_state_dict([("a", 1.0)]), ValueError,
        "state_dict must be a dict of names to numbers, got list"),
    row("state-dict-int-past-4300-digits", lambda c: c.model.load_state_dict(
        _state_dict_with(c, L2B, 10**5000)), ValueError,
        f"{L2B}: expected a finite number, got an integer of 5001 digits"),
    row("state-dict-int-past-4300-digits-in-a-list", lambda c: c.model.load_state_dict(
        _state_dict_with(c, L0W, [10**5000, 0.5])), ValueError,
        f"{L0W}.0: expected a finite number, got an integer of 5001 digits"),
    row("state-dict-list-holding-such-an-int", lambda c: c.model.load_state_dict(
        _state_dict_with(c, L0W, [[10**5000], 0.5])), ValueError,
        f"{L0W}.0: expected a number, got list (too large to print)"),
    # -- save: paths that cannot be written, weights that cannot be saved -----------------------
    row("save-non-finite-over-good-file", lambda c: c.diverged.save(c.target), ValueError,
        "cannot save: parameter layers.1.neurons.2.w.0 is inf, not a finite number"),
    row("save-folder-does-not-exist", lambda c: c.model.save(c.folder / "no" / "w.json"),
        FileNotFoundError, "cannot save weights to"),
    row("save-path-is-a-folder", lambda c: c.model.save(c.folder / "a_folder"),
        IsADirectoryError, "a_folder: Is a directory"),
    row("save-under-a-regular-file", lambda c: c.model.save(c.folder / "plain.txt" / "w.json"),
        NotADirectoryError, "plain.txt/w.json: Not a directory"),
    row("save-read-only-folder", lambda c: c.model.save(c.read_only_target()), OSError,
        "cannot save weights to", base=True),  # PermissionError; NotADirectoryError as root
    row("save-under-the-weights-file", lambda c: c.model.save(c.target / "w.json"),
        NotADirectoryError, "cannot save weights to"),
    row("save-on-a-full-disk", _save_on_a_full_disk, OSError,
        "[Errno 28] cannot save weights to "),
    row("save-path-none", lambda c: c.model.save(None), TypeError,
        "expected str, bytes or os.PathLike object, not NoneType"),
    row("save-empty-path", lambda c: _save_into_cwd(c, ""), IsADirectoryError,
        "cannot save weights to"),
    row("save-over-a-device", lambda c: c.model.save("/dev/null"), OSError,
        "cannot save weights to /dev/null: it is a character device, not a regular file (a "
        "save renames a new file over its target, which would replace it)"),
    row("save-name-too-long", lambda c: c.model.save(c.folder / ("w" * 300 + ".json")),
        OSError, "[Errno 36] cannot save weights to "),
    row("save-svg-over-a-device", lambda c: save_svg("digraph { a }", "/dev/null"), OSError,
        "cannot save the picture to /dev/null: it is a character device, not a regular file"),
    row("save-html-name-too-long", lambda c: explain(_small_graph()).save_html(
        c.folder / ("p" * 300 + ".html")), OSError, ": File name too long"),
    # -- pictures: past the size limit, no renderer, a failing renderer -----------------------
    row("draw-past-2000-values", lambda c: draw_graph(_chain(1000)), GraphTooLarge,
        "graph has 2001 Values; a picture shows at most 2000 (raise max_nodes=..."),
    row("draw-past-max-nodes", lambda c: draw_graph(_small_graph(), max_nodes=2), GraphTooLarge,
        "graph has 3 Values; a picture shows at most 2"),
    row("frames-past-2000-values", lambda c: explain(_chain(1500)).frames(), GraphTooLarge,
        "graph has 3001 Values; a picture shows at most 2000"),
    row("frames-past-400-steps", lambda c: explain(_long_story()).frames(), GraphTooLarge,
        "this story has 451 steps; pictures are drawn for at most 400 (the table has no limit)"),
    row("html-past-400-steps", lambda c: explain(_long_story()).html(), GraphTooLarge,
        "pictures are drawn for at most 400"),
    row("save-frames-past-limit", lambda c: explain(_long_story()).save_frames(
        c.folder / "frames"), GraphTooLarge, "pictures are drawn for at most 400"),
    row("save-html-past-limit", lambda c: explain(_long_story()).save_html(
        c.folder / "pages" / "steps.html"), GraphTooLarge, "pictures are drawn for at most 400"),
    row("draw-a-number", lambda c: draw_graph(3.0), TypeError, "Value"),
    # -- pictures: every string that reaches DOT is escaped, or refused here -------------------
    row("draw-rankdir-injection", lambda c: draw_graph(
        _small_graph(), rankdir='LR" URL="javascript:alert(1)'), ValueError,
        "draw_graph: rankdir must be one of LR, TB, RL, BT, got 'LR\" URL=\"javascript:"),
    row("draw-rankdir-not-a-str", lambda c: draw_graph(_small_graph(), rankdir=None),
        TypeError, "draw_graph: rankdir must be one of LR, TB, RL, BT, got NoneType: None"),
    row("network-input-names-a-str", lambda c: draw_network(c.model, input_names="ab"),
        TypeError, "draw_network: input_names must be a list of 2 names, got str: 'ab'"),
    row("network-input-names-count", lambda c: draw_network(c.model, input_names=["a", "b", "c"]),
        ValueError, "draw_network: input_names must be a list of 2 names, got list of length 3"),
    row("network-input-name-not-a-str", lambda c: draw_network(c.model, input_names=["a", 5]),
        TypeError, "draw_network: input_names[1] must be a str, got int: 5"),
    row("network-input-name-control", lambda c: draw_network(
        c.model, input_names=["a", "b\rc"]), ValueError,
        "draw_network: input_names[1] 'b\\rc' has the character U+000D at position 1"),
    row("explain-title-control", lambda c: explain(_small_graph()).html(title="a\x07"),
        ValueError, "explain: title 'a\\x07' has the character U+0007 at position 1"),
    row("playground-title-not-a-str", lambda c: playground(_small_graph()).html(title=3),
        TypeError, "playground: title must be a str, got int: 3"),
    row("explain-a-number", lambda c: explain(3.0), TypeError, "Value"),
    row("render-no-renderer", lambda c: _render_with(
        c, str(c.folder / "no-dot"), lambda: render_svg("digraph { a }")), RendererNotFound,
        "is not an executable; point it at Graphviz's dot or unset it"),
    row("render-no-renderer-at-all", _render_without_any_renderer, RendererNotFound,
        "no Graphviz renderer found to make SVG: `pip install graphviz-pure` (no root needed; "
        "`make demo` does it), install Graphviz's `dot`, or set WEIGHTGRAD_DOT to one. The DOT "
        "text is available without a renderer as digraph.source"),
    row("render-syntax-error", lambda c: render_svg("digraph { a -> }"), RenderError,
        "failed with exit status 1: Error: <stdin>: syntax error in line 1 near '}'"),
    row("anomaly-forward", lambda c: _anomaly(lambda: Value(0.0, "x").log() * 2), AnomalyError,
        "forward: n1 = log(x) gave -inf from x = 0"),
    row("anomaly-backward", lambda c: _anomaly(_sqrt_of_zero), AnomalyError,
        "backward: x.grad became inf from out.grad * 0.5·x**-0.5 = 1 * inf at node out = "
        "x**0.5"),
    row("render-renderer-fails", lambda c: _render_with(
        c, "false", lambda: render_svg("digraph { a }")), RenderError,
        "false failed with exit status 1: (no error output)"),
    row("save-svg-renderer-fails", lambda c: _render_with(
        c, "false", lambda: save_svg(draw_graph(_small_graph()), c.folder / "pics" / "g.svg")),
        RenderError, "failed with exit status 1"),
    # -- gradcheck ----------------------------------------------------------------------------
    row("gradcheck-no-inputs", lambda c: gradcheck(lambda: Value(1.0), []), ValueError,
        "gradcheck needs at least one input"),
    row("gradcheck-f-returns-float", lambda c: gradcheck(lambda x: 1.0, [1.0]), TypeError,
        "gradcheck: f must return a Value, got float"),
    row("gradcheck-not-finite", lambda c: gradcheck(lambda x: x.log(), [0.0]), GradcheckError,
        "gradcheck: f is not finite at [0.0]: -inf"),
    row("gradcheck-mismatch", lambda c: gradcheck(lambda x: x.relu(), [Value(0.0, "x")]),
        GradcheckError, "gradient mismatch for input 0 ('x') at 0.0: backprop gives 0.0, "
        "central difference gives 0.5"),
    row("gradcheck-str-input", lambda c: gradcheck(lambda x: x * 2, ["1"]), TypeError,
        "real number"),
    # -- pruning and quantization ---------------------------------------------------------------
    row("prune-negative-count", lambda c: prune.l1_unstructured(c.model, -1), ValueError,
        f"l1_unstructured: {AMOUNT}, got -1"),
    row("prune-fraction-above-1", lambda c: prune.l1_unstructured(c.model, 1.5), ValueError,
        f"l1_unstructured: {AMOUNT}, got 1.5"),
    row("prune-fraction-nan", lambda c: prune.l1_unstructured(c.model, math.nan), ValueError,
        f"l1_unstructured: {AMOUNT}, got nan"),
    row("prune-amount-bool", lambda c: prune.l1_unstructured(c.model, True), TypeError,
        f"l1_unstructured: {AMOUNT}, got bool: True"),
    row("prune-amount-str", lambda c: prune.l1_unstructured(c.model, "0.5"), TypeError,
        f"l1_unstructured: {AMOUNT}, got str: '0.5'"),
    row("prune-count-too-big-for-the-last-layer", lambda c: prune.l1_unstructured(c.model, 5),
        ValueError, "amount=5 is more than the 3 unpruned weights of layers.2"),
    row("prune-count-too-big-globally", lambda c: prune.random_unstructured(
        c.model, 100, random.Random(0), scope="global"), ValueError,
        "random_unstructured: amount=100 is more than the 21 unpruned weights of the model"),
    row("prune-unknown-scope", lambda c: prune.l1_unstructured(c.model, 0.5, scope="model"),
        ValueError, "l1_unstructured: scope must be one of layer, global, got 'model'"),
    row("prune-not-a-module", lambda c: prune.l1_unstructured([1.0], 0.5), TypeError,
        "l1_unstructured: module must be an nn.Module (an MLP, a layer, ...), got list: [1.0]"),
    row("prune-module-without-weights", lambda c: prune.l1_unstructured(Module(), 0.5),
        TypeError, "l1_unstructured: module must be a Module with weights (weight groups), "
        "got Module: "),
    row("prune-random-without-rng", lambda c: prune.random_unstructured(c.model, 0.5, None),
        TypeError, "random_unstructured: rng must be a random.Random, got NoneType: None"),
    row("prune-remove-unpruned", lambda c: prune.remove(c.model.layers[1]), ValueError,
        "remove: Layer has no pruned parameters; prune it before removing the pruning"),
    # PyTorch accepts this one (amount=0 still leaves a mask of ones); see the README
    row("prune-remove-after-amount-0", lambda c: prune.remove(
        prune.l1_unstructured(c.model.layers[1], 0)), ValueError,
        "remove: Layer has no pruned parameters"),
    row("quantize-unknown-scheme", lambda c: quantize.fake_quantize(c.model, "int4"), ValueError,
        "quantize: scheme must be one of symmetric, affine, got 'int4'"),
    row("quantize-not-a-module", lambda c: quantize.fake_quantize([1.0]), TypeError,
        "fake_quantize: model must be an nn.Module (an MLP, a layer, ...), got list: [1.0]"),
    row("quantize-layer-given-a-model", lambda c: quantize.quantize_layer(c.model), TypeError,
        "layer: expected a Layer, got MLP"),
    row("quantize-non-finite-weight", lambda c: quantize.fake_quantize(c.diverged), ValueError,
        "layers.1.neurons.2.w.0: cannot quantize a non-finite weight inf"),
    row("quantize-report-unknown-scheme", lambda c: quantize.error_report(c.model, "x"),
        ValueError, "quantize: scheme must be one of symmetric, affine, got 'x'"),
    row("qparams-empty", lambda c: quantize.qparams([]), ValueError,
        "qparams: values must be a non-empty list of finite numbers (weights), "
        "got list of length 0"),
    row("qparams-nan", lambda c: quantize.qparams([0.5, math.nan]), ValueError,
        "qparams: values[1] must be a finite number, got nan"),
    row("qparams-str", lambda c: quantize.qparams(["0.5"]), TypeError,
        "qparams: values[0] must be a finite number, got str: '0.5'"),
    row("qparams-bool", lambda c: quantize.qparams([0.5, True]), TypeError,
        "qparams: values[1] must be a finite number, got bool: True"),
    row("quantize-nan", lambda c: quantize.quantize(math.nan, quantize.qparams([1.0])),
        ValueError, "quantize: x must be a finite number, got nan"),
    # -- the expression language of `weightgrad explain` ---------------------------------------
    row("expr-attribute", lambda c: evaluate("x.real", {"x": 1.0}), ExprError,
        "unexpected character '.' at column 2 (no attributes)"),
    row("expr-dunder", lambda c: parse("__import__('os')"), ExprError,
        "name '__import__' at column 1 is not allowed (names may not start with __)"),
    row("expr-unknown-function", lambda c: parse("sin(x)"), ExprError,
        "unknown function 'sin' at column 1 (known: exp, log, tanh, relu, sigmoid, "),
    row("expr-caret", lambda c: parse("x^2"), ExprError, "(use ** for powers)"),
    row("expr-missing-value", lambda c: evaluate("x*w + b", {"x": 1.0}), ExprError,
        "missing values for w, b"),
    row("expr-unknown-name", lambda c: evaluate("x", {"x": 1.0, "y": 2.0}), ExprError,
        "unknown name 'y' (not in the expression, which uses x)"),
    row("expr-too-deep", lambda c: parse("(" * 150 + "x" + ")" * 150), ExprError,
        "expression nested too deeply at column 102 (limit 100 levels)"),
    row("expr-too-long", lambda c: parse("x+" * 5000 + "x"), ExprError,
        "expression too long: 10001 characters (limit 10000)"),
    row("expr-empty", lambda c: parse("   "), ExprError, "empty expression"),
]


@pytest.mark.parametrize(("action", "expected", "fragment", "base"), ROWS)
def test_bad_input_is_refused_clearly_and_changes_nothing(
        ctx: Ctx, action: Action, expected: type[BaseException], fragment: str,
        base: bool) -> None:
    before = _snapshot(ctx)
    try:
        action(ctx)
    except Exception as e:  # the type is checked exactly just below
        err = e
    else:
        pytest.fail(f"no exception; expected {expected.__name__}")
    if base:
        assert isinstance(err, expected), f"{type(err).__name__}: {err}"
    else:
        assert type(err) is expected, f"{type(err).__name__}: {err}"
    assert fragment in str(err), str(err)
    assert "\n" not in str(err)  # one line, as every message here is meant to be
    after = _snapshot(ctx)
    assert after[0] == before[0], "the refusal changed a model"
    assert after[1:] == before[1:], "the refusal changed, added or removed a file or folder"


def test_the_table_is_large_and_its_ids_unique() -> None:
    ids = [r.id for r in ROWS]
    assert len(ids) == len(set(ids)) and len(ids) >= 60


def test_the_context_is_what_the_rows_assume(ctx: Ctx) -> None:
    """Guards the table against a context that would make "changed nothing" trivially true."""
    params = ctx.model.parameters()
    assert sum(p.grad != 0.0 for p in params) > len(params) // 2
    assert sum(p.pruned for p in params) == 2 and not prune.is_pruned(ctx.model.layers[1])
    assert not any(p.requires_grad for p in ctx.model.layers[2].parameters())
    assert len(params) == 31 and not ctx.model.fused and ctx.fused.fused
    other = MLP(*ARCH, seed=8)
    assert [p.data for p in other.parameters()] != [p.data for p in params]
    sd = json.loads(ctx.file("last_entry_bad.json").read_text())["state_dict"]
    assert list(sd)[-1] == L2B  # every entry before the bad one would have loaded
    assert os.listdir(ctx.folder / "locked") == []
