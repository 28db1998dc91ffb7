"""save_safetensors / load_safetensors: PyTorch's names and layouts, exact numbers, strict loads.

Files are checked against independent truth: the arrays `safetensors.numpy` reads back are
compared with each module's own attributes (a Layer's neurons, a Conv1d's kernel(o), ...), not
with its weight groups; the header of a tiny model is compared with one written here by hand;
F32, F16 and BF16 files are written here byte by byte (struct) and must load to values worked
out by hand. Every refusal leaves the model's weights exactly as they were.
"""

from __future__ import annotations

import json
import math
import os
import struct
import subprocess
import sys
from pathlib import Path

import pytest
import safetensors.numpy

from tests.interop_kinds import KINDS
from weightgrad.engine import files
from weightgrad.nn import (
    MLP,
    Conv1d,
    Linear,
    Module,
    MultiheadAttention,
    Parameter,
    ReLU,
    RNNCell,
    SelfAttention,
    Sequential,
    load_model,
    load_safetensors,
    save_safetensors,
)

# A few numbers whose every bit matters: signed zero, the smallest subnormal, the largest float.
EDGES = [0.1, -0.0, 5e-324, 1.7976931348623157e308, -1 / 3, 2.0**-1074 * 3]


def bits(model: Module) -> list[str]:
    return [p.data.hex() if p.data != 0 else repr(p.data) for p in model.parameters()]


def write(path: Path, tensors: dict[str, tuple[str, list[int], bytes]],
          metadata: dict[str, str] | None = None, offsets: dict[str, list[int]] | None = None,
          header_len: int | None = None, tail: bytes = b"", cut: int = 0) -> Path:
    """A safetensors file written by hand: 8-byte little-endian header length, JSON header,
    the tensors' bytes one after the other (unless `offsets` says otherwise), less the last
    `cut` bytes."""
    header: dict[str, object] = {}
    start = 0
    for name, (dtype, shape, raw) in tensors.items():
        header[name] = {"dtype": dtype, "shape": shape,
                        "data_offsets": (offsets or {}).get(name, [start, start + len(raw)])}
        start += len(raw)
    if metadata is not None:
        header["__metadata__"] = metadata
    text = json.dumps(header).encode()
    body = b"".join(raw for _, _, raw in tensors.values())
    n = len(text) if header_len is None else header_len
    data = struct.pack("<Q", n) + text + body + tail
    path.write_bytes(data[:len(data) - cut])
    return path


def f64(*xs: float) -> bytes:
    return struct.pack(f"<{len(xs)}d", *xs)


# --- round trip and layout ---------------------------------------------------------------------

@pytest.mark.parametrize("kind", sorted(KINDS))
def test_round_trip_at_f64_is_bit_identical(kind: str, tmp_path: Path) -> None:
    source, target = KINDS[kind](1), KINDS[kind](2)
    for p, x in zip(source.parameters(), EDGES * len(source.parameters())):
        p.data = x  # the edge numbers first, the initial weights after them
    source.parameters()[-1].data = -2.5e-310
    save_safetensors(source, tmp_path / "m.safetensors")
    assert load_safetensors(target, tmp_path / "m.safetensors") == ([], [])
    assert bits(target) == bits(source)


def test_mlp_file_holds_torch_sequential_names_in_out_in_layout(tmp_path: Path) -> None:
    model = MLP(3, [4, 2], seed=0)
    save_safetensors(model, tmp_path / "m.safetensors")
    arrays = safetensors.numpy.load_file(tmp_path / "m.safetensors")
    # torch.nn.Sequential(Linear(3, 4), ReLU(), Linear(4, 2)): the ReLU is index 1.
    assert sorted(arrays) == ["0.bias", "0.weight", "2.bias", "2.weight"]
    for torch_index, layer in ((0, model.layers[0]), (2, model.layers[1])):
        weight, bias = arrays[f"{torch_index}.weight"], arrays[f"{torch_index}.bias"]
        assert weight.dtype.str == "<f8" and weight.shape == (layer.nout, layer.nin)
        for i, neuron in enumerate(layer.neurons):
            assert bias[i] == neuron.b.data
            for j, w in enumerate(neuron.w):
                assert weight[i, j] == w.data


def test_other_modules_files_hold_their_torch_names_and_layouts(tmp_path: Path) -> None:
    seq = Sequential(Linear(3, 2, seed=0), ReLU(), Linear(2, 1, seed=1))
    conv, cell = Conv1d(2, 3, kernel_size=2, seed=0), RNNCell(2, 3, seed=0)
    attn, mha = SelfAttention(2, seed=0), MultiheadAttention(4, 2, seed=0)
    read = {}
    for name, model in (("seq", seq), ("conv", conv), ("cell", cell), ("attn", attn),
                        ("mha", mha)):
        save_safetensors(model, tmp_path / f"{name}.safetensors")
        read[name] = safetensors.numpy.load_file(tmp_path / f"{name}.safetensors")
    assert sorted(read["seq"]) == ["0.bias", "0.weight", "2.bias", "2.weight"]
    assert read["seq"]["2.weight"].tolist() == [[p.data for p in seq[2].weight[0]]]
    assert read["conv"]["weight"].shape == (3, 2, 2)
    for o in range(3):
        assert read["conv"]["weight"][o].tolist() == [[p.data for p in row]
                                                      for row in conv.kernel(o)]
    assert sorted(read["cell"]) == ["bias_hh", "bias_ih", "weight_hh", "weight_ih"]
    assert read["cell"]["weight_ih"].tolist() == [[p.data for p in r] for r in cell.weight_ih]
    assert read["cell"]["weight_hh"].tolist() == [[p.data for p in r] for r in cell.weight_hh]
    assert read["cell"]["bias_hh"].tolist() == [p.data for p in cell.bias_hh]
    assert sorted(read["attn"]) == sorted(f"{m}.{t}" for m in ("q", "k", "v", "out")
                                          for t in ("weight", "bias"))
    assert read["attn"]["k.weight"].tolist() == [[p.data for p in r] for r in attn.k.weight]
    assert sorted(read["mha"]) == ["in_proj_bias", "in_proj_weight", "out_proj.bias",
                                   "out_proj.weight"]
    assert read["mha"]["in_proj_weight"].tolist() == [[p.data for p in r]
                                                      for r in mha.in_proj_weight]
    assert read["mha"]["out_proj.weight"].tolist() == [[p.data for p in r]
                                                       for r in mha.out_proj.weight]


def test_header_of_a_tiny_model_is_the_one_written_by_hand(tmp_path: Path) -> None:
    model = Linear(2, 1, seed=0)
    model.weight[0][0].data, model.weight[0][1].data, model.bias[0].data = 0.5, -1.25, 3.0
    save_safetensors(model, tmp_path / "tiny.safetensors")
    data = (tmp_path / "tiny.safetensors").read_bytes()
    n = int.from_bytes(data[:8], "little")
    assert json.loads(data[8:8 + n]) == {
        "__metadata__": {"format": "weightgrad", "format_version": "1", "model": "Linear",
                         "config": '{"bias": true, "in_features": 2, "out_features": 1, '
                                   '"seed": 0}'},
        "bias": {"dtype": "F64", "shape": [1], "data_offsets": [0, 8]},
        "weight": {"dtype": "F64", "shape": [1, 2], "data_offsets": [8, 24]},
    }
    assert data[8 + n:] == f64(3.0, 0.5, -1.25)


def test_f32_save_rounds_to_float32(tmp_path: Path) -> None:
    model = Linear(1, 1, seed=0)
    model.weight[0][0].data, model.bias[0].data = 0.1, 1e-50  # 1e-50 is below float32's range
    save_safetensors(model, tmp_path / "m.safetensors", dtype="F32")
    data = (tmp_path / "m.safetensors").read_bytes()
    n = int.from_bytes(data[:8], "little")
    header = json.loads(data[8:8 + n])
    assert header["weight"]["dtype"] == header["bias"]["dtype"] == "F32"
    assert data[8 + n:] == struct.pack("<2f", 1e-50, 0.1)  # bias, then weight
    load_safetensors(model, tmp_path / "m.safetensors")
    assert model.weight[0][0].data == 0.100000001490116119384765625  # float32(0.1), by hand
    assert model.bias[0].data == 0.0


# --- other dtypes, written here byte by byte ---------------------------------------------------

def test_f32_f16_and_bf16_files_load_to_their_exact_values(tmp_path: Path) -> None:
    model = Linear(2, 2, seed=0)
    cases = {
        # dtype: (bytes of weight (2, 2) and bias (2,), the values worked out by hand)
        "F32": (struct.pack("<6f", 0.1, -2.5, 16777217.0, 1e-45, 3.4028234663852886e38, -0.0),
                [0.100000001490116119384765625, -2.5, 16777216.0, 1.401298464324817e-45,
                 3.4028234663852886e38, -0.0]),
        "F16": (struct.pack("<6e", 0.1, -2.5, 65504.0, 2.0**-24, 2049.0, -0.0),
                [0.0999755859375, -2.5, 65504.0, 5.960464477539063e-08, 2048.0, -0.0]),
        # bfloat16 words: 0x3FC0 = 1.5, 0xC020 = -2.5, 0x3DCD = 0.10009765625 (float32 0x3DCD0000),
        # 0x0001 = 2**-133 (the smallest subnormal), 0x7F7F = the largest bfloat16, 0x8000 = -0.
        "BF16": (struct.pack("<6H", 0x3FC0, 0xC020, 0x3DCD, 0x0001, 0x7F7F, 0x8000),
                 [1.5, -2.5, 0.10009765625, 2.0**-133, 3.3895313892515355e38, -0.0]),
    }
    for dtype, (raw, expected) in cases.items():
        size = len(raw) // 6
        write(tmp_path / f"{dtype}.safetensors",
              {"weight": (dtype, [2, 2], raw[:4 * size]), "bias": (dtype, [2], raw[4 * size:])})
        load_safetensors(model, tmp_path / f"{dtype}.safetensors")
        got = [p.data for row in model.weight for p in row] + [p.data for p in model.bias]
        assert got == expected, dtype
        assert math.copysign(1.0, got[-1]) == -1.0, f"{dtype}: -0.0 keeps its sign"


# --- refusals: the model keeps every weight ----------------------------------------------------

def _linear_file(tmp_path: Path, name: str = "bad.safetensors", **changes: object) -> Path:
    tensors = {"weight": ("F64", [2, 3], f64(1, 2, 3, 4, 5, 6)), "bias": ("F64", [2], f64(7, 8))}
    tensors.update(changes.pop("tensors", {}))  # type: ignore[arg-type]
    return write(tmp_path / name, tensors, **changes)  # type: ignore[arg-type]


REFUSALS = {
    "missing key": (dict(tensors={}), r"load_safetensors refused: missing key\(s\): weight$"),
    "unexpected key": (dict(tensors={"extra": ("F64", [1], f64(0))}),
                       "unexpected key.*: extra"),
    "wrong shape": (dict(tensors={"weight": ("F64", [3, 2], f64(1, 2, 3, 4, 5, 6))}),
                    r"weight: wrong shape: expected \[2, 3\].*got \[3, 2\]"),
    "integer dtype": (dict(tensors={"bias": ("I64", [2], struct.pack("<2q", 7, 8))}),
                      "bias: dtype I64 cannot hold weights"),
    "bool dtype": (dict(tensors={"bias": ("BOOL", [2], b"\x01\x00")}),
                   "bias: dtype BOOL cannot hold weights"),
    "nan": (dict(tensors={"weight": ("F64", [2, 3], f64(1, 2, 3, 4, math.nan, 6))}),
            r"weight\[1, 1\] is nan"),
    "inf": (dict(tensors={"bias": ("F32", [2], struct.pack("<2f", 1.0, -math.inf))}),
            r"bias\[1\] is -inf"),
    "overlapping offsets": (dict(offsets={"bias": [40, 56]}, cut=8),
                            "invalid offset for tensor `bias`.*overlap"),
    "offsets leaving a gap": (dict(offsets={"bias": [56, 72]}, tail=b"\x00" * 8),
                              "invalid offset for tensor `bias`.*overlap or leave a gap"),
    "offsets past the end": (dict(cut=8), "not fully covered.*an offset is past the end"),
    "bytes past the last tensor": (dict(tail=b"\x00" * 8),
                                   "not fully covered.*bytes follow the last tensor"),
    "header length beyond the file": (dict(header_len=10_000),
                                      "header of 10000 bytes, beyond the end of the file"),
    "invalid JSON header": (dict(header_len=3), "invalid JSON"),
}


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_refusals_name_the_problem_and_change_nothing(case: str, tmp_path: Path) -> None:
    changes, message = REFUSALS[case]
    if case == "missing key":
        path = write(tmp_path / "bad.safetensors", {"bias": ("F64", [2], f64(7, 8))})
    else:
        path = _linear_file(tmp_path, **changes)  # type: ignore[arg-type]
    model = Linear(3, 2, seed=0)
    before = bits(model)
    with pytest.raises(ValueError, match=message):
        load_safetensors(model, path)
    assert bits(model) == before


def test_header_length_beyond_the_cap_is_refused_without_reading_the_file(
        tmp_path: Path) -> None:
    path = tmp_path / "huge.safetensors"
    with path.open("wb") as f:  # a sparse file bigger than the header it claims
        f.write(struct.pack("<Q", 100_000_001) + b"{")
        f.truncate(100_000_100)
    model = Linear(1, 1, seed=0)
    before = bits(model)
    with pytest.raises(ValueError, match="header of 100000001 bytes, beyond safetensors' cap "
                                         "of 100000000"):
        load_safetensors(model, path)
    assert bits(model) == before


@pytest.mark.parametrize("content", [b"", b"abc", b"hello, this is a text file\n",
                                     b'{"format": "weightgrad", "format_version": 1}'])
def test_a_file_that_is_not_safetensors_is_refused(content: bytes, tmp_path: Path) -> None:
    (tmp_path / "x.safetensors").write_bytes(content)
    model = Linear(2, 1, seed=0)
    before = bits(model)
    with pytest.raises(ValueError, match=r"x\.safetensors: not a (valid )?safetensors file"):
        load_safetensors(model, tmp_path / "x.safetensors")
    assert bits(model) == before


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_folder_or_a_fifo_is_refused_without_reading_it(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.safetensors"
    os.mkfifo(fifo)  # opening it to read would wait for a writer forever
    for path in (tmp_path, fifo):
        with pytest.raises(ValueError, match=r"not a safetensors file \(not a regular file\)"):
            load_safetensors(Linear(1, 1), path)
        with pytest.raises(ValueError, match=r"not a model file \(not a regular file\)"):
            load_model(path)


def test_missing_file_is_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no safetensors file at"):
        load_safetensors(Linear(1, 1), tmp_path / "none.safetensors")


def test_non_strict_loads_the_matching_keys_and_reports_the_rest(tmp_path: Path) -> None:
    path = write(tmp_path / "m.safetensors", {"bias": ("F64", [2], f64(7, 8)),
                                              "extra": ("F64", [1], f64(0))})
    model = Linear(3, 2, seed=0)
    weights = [p.data for row in model.weight for p in row]
    assert load_safetensors(model, path, strict=False) == (["weight"], ["extra"])
    assert [p.data for p in model.bias] == [7.0, 8.0]
    assert [p.data for row in model.weight for p in row] == weights
    # a wrong shape is refused even when not strict, as in PyTorch
    write(path, {"bias": ("F64", [3], f64(7, 8, 9))})
    with pytest.raises(ValueError, match="bias: wrong shape"):
        load_safetensors(model, path, strict=False)
    assert [p.data for p in model.bias] == [7.0, 8.0]


# --- saving ----------------------------------------------------------------------------------

def test_save_refuses_other_dtypes_and_non_finite_weights_and_writes_nothing(
        tmp_path: Path) -> None:
    model, path = Linear(2, 1, seed=0), tmp_path / "m.safetensors"
    with pytest.raises(ValueError, match="dtype must be one of F64, F32, got 'F16'"):
        save_safetensors(model, path, dtype="F16")
    with pytest.raises(TypeError, match="dtype must be one of F64, F32"):
        save_safetensors(model, path, dtype=64)  # type: ignore[arg-type]
    model.weight[0][1].data = math.inf
    with pytest.raises(ValueError, match=r"weight\[0, 1\] is inf"):
        save_safetensors(model, path)
    model.weight[0][1].data = 1e300  # finite, but not in float32
    with pytest.raises(ValueError, match=r"weight as F32\[0, 1\] is inf"):
        save_safetensors(model, path, dtype="F32")
    assert list(tmp_path.iterdir()) == []


def test_a_module_with_parameters_outside_its_weight_groups_is_refused(tmp_path: Path) -> None:
    class Scale(Module):  # a user's module that states no weight groups
        def __init__(self) -> None:
            self.s = Parameter(2.0)

        def _own_tensors(self):  # type: ignore[no-untyped-def]
            yield "s", self.s

    with pytest.raises(ValueError, match=r"Scale has Parameters in no weight group \(s\)"):
        save_safetensors(Scale(), tmp_path / "m.safetensors")
    with pytest.raises(ValueError, match="no weight group"):
        load_safetensors(Scale(), tmp_path / "m.safetensors")
    with pytest.raises(TypeError, match=r"save_safetensors: module must be an nn\.Module"):
        save_safetensors([1.0], tmp_path / "m.safetensors")  # type: ignore[arg-type]


@pytest.mark.parametrize("error", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_saving_is_atomic(error: BaseException, tmp_path: Path,
                          monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "m.safetensors"
    save_safetensors(Linear(2, 1, seed=0), path)
    os.chmod(path, 0o640)
    old = path.read_bytes()

    def fail(f: object, data: bytes) -> None:
        f.write(data[:10])  # type: ignore[attr-defined]
        raise error

    monkeypatch.setattr(files, "_write", fail)
    with pytest.raises(type(error)) as raised:
        save_safetensors(Linear(2, 1, seed=1), path)
    if isinstance(error, OSError):
        assert raised.value.errno == 28 and str(path) in str(raised.value)
    assert path.read_bytes() == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.safetensors"]
    monkeypatch.undo()
    save_safetensors(Linear(2, 1, seed=1), path)
    assert path.read_bytes() != old and path.stat().st_mode & 0o777 == 0o640
    with pytest.raises(IsADirectoryError, match="cannot save weights to"):
        save_safetensors(Linear(2, 1, seed=1), tmp_path)


def test_interop_needs_numpy_only_when_used(tmp_path: Path) -> None:
    """`import weightgrad.nn` (and JSON files, to_torch_source) work with numpy and
    safetensors unimportable; save_safetensors then names the extra to install."""
    MLP(2, [2, 1], seed=0).save(tmp_path / "m.json")
    code = f"""
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("numpy", "safetensors"):
            raise ImportError("blocked " + name)
sys.meta_path.insert(0, Block())
import weightgrad.engine, weightgrad.nn as nn
model = nn.load_model({str(tmp_path / "m.json")!r})
assert "torch.nn.Linear" in nn.to_torch_source(model)
try:
    nn.save_safetensors(model, "never.safetensors")
except ImportError as e:
    print(e)
print(sorted(m for m in ("numpy", "safetensors") if m in sys.modules))
"""
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=tmp_path, timeout=60)
    assert run.returncode == 0, run.stderr
    assert "pip install 'weightgrad[interop]'" in run.stdout
    assert run.stdout.splitlines()[-1] == "[]"
    assert not (tmp_path / "never.safetensors").exists()
