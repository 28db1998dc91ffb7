"""The two-heads lesson: the jobs go to different heads, each looking almost only at its own
target, and the same seed prints the same numbers."""

from __future__ import annotations

from pathlib import Path

import pytest

from demos import heads


def test_each_job_gets_its_own_head(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                    ) -> None:
    result = heads.main(["--quick", "--out", str(tmp_path / "a")])
    first = capsys.readouterr().out
    owner, after, before = result["owner"], result["after"], result["before"]
    assert sorted(owner) == [0, 1]
    for job in range(2):
        assert after[owner[job]][job] >= 0.95  # uniform: 0.20
        assert after[1 - owner[job]][job] <= 0.3
        assert before[owner[job]][job] <= 0.3  # learned, not there from the start
    assert result["mse"] < 0.01
    assert "of its attention on the marked token" in first
    heads.main(["--quick", "--out", str(tmp_path / "b")])
    assert capsys.readouterr().out.replace("/b/", "/a/") == first
    assert (tmp_path / "a" / "heads_attention.svg").read_bytes() == \
        (tmp_path / "b" / "heads_attention.svg").read_bytes()
