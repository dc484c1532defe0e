"""Ctrl-C and failing progress callbacks stop a run at its next progress event."""

import _thread
import time

import numpy as np
import pytest

import osteon

COARSE = {"name": "interrupted", "mesh": {"size_mm": 6.0, "far_factor": 2.0}}


def test_ctrl_c_stops_a_study_at_the_next_stage(tmp_path):
    lines = []

    def progress(line):
        lines.append(line)
        if "solving the implanted model" in line:
            _thread.interrupt_main()  # what Ctrl-C does

    study = osteon.Study.from_dict(COARSE)
    t = time.perf_counter()
    with pytest.raises(KeyboardInterrupt):
        study.run(tmp_path / "out", progress=progress, threads=2)
    elapsed = time.perf_counter() - t
    assert not any("done in" in line for line in lines)
    assert not (tmp_path / "out" / "report.json").exists()
    assert elapsed < 5.0, elapsed  # the whole study takes ~10 s


def test_an_exception_in_the_progress_callback_stops_the_run_and_propagates():
    def progress(line):
        raise RuntimeError("callback failed")

    nodes = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]], dtype=float)
    m = osteon.Model(nodes, [[0, 1, 2, 3]], "C3D4")
    m.assign(osteon.Isotropic(1000.0, 0.3))
    m.fix([0, 1, 2])
    m.add_nodal_load([3], [0.0, 0.0, 1.0])
    with pytest.raises(RuntimeError, match="callback failed"):
        osteon.solve(m, progress=progress)
    # and the same model solves without it
    assert osteon.solve(m).displacement[3, 2] > 0.0
