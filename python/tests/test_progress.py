"""progress=True: a tqdm bar (tqdm.auto) when tqdm can be imported, else one line per stage
and phase on stderr. The bar shows the same phases as the lines a callable receives."""

import sys
import types

import pytest

import osteon
from conftest import ROOT

DECK = ROOT / "examples" / "decks" / "tibia_shaft.inp"


def phase_lines(lines):
    """The finished-phase lines ("[  t s]   name ... 0.123 s") as (name, detail)."""
    out = []
    for line in lines:
        text = line.split("]", 1)[1]
        if text.startswith("  ") and text.rstrip().endswith(" s"):
            out.append(text.strip().rsplit(" ", 2)[0])
    return out


class RecordingBar:
    """A stand-in for tqdm.auto.tqdm that records what osteon does with it."""

    instances = []

    def __init__(self, *args, **kwargs):
        self.kwargs = kwargs
        self.n = 0
        self.descriptions = []
        self.postfixes = []
        self.closed = False
        RecordingBar.instances.append(self)

    def set_description_str(self, text):
        self.descriptions.append(text)

    def set_postfix_str(self, text):
        self.postfixes.append(text)

    def update(self, n):
        self.n += n

    def close(self):
        self.closed = True


@pytest.fixture
def recording_tqdm(monkeypatch):
    module = types.ModuleType("tqdm.auto")
    module.tqdm = RecordingBar
    RecordingBar.instances = []
    monkeypatch.setitem(sys.modules, "tqdm.auto", module)
    return RecordingBar


def test_the_bar_steps_once_per_phase_that_the_lines_name(recording_tqdm):
    lines = []
    osteon.solve(DECK, threads=2, progress=lines.append)
    assert recording_tqdm.instances == []  # a callable gets lines, no bar
    osteon.solve(DECK, threads=2, progress=True)
    (bar,) = recording_tqdm.instances
    assert bar.closed
    phases = phase_lines(lines)
    assert len(phases) >= 4  # setup, assemble, analyse, factorise, solve, recover
    assert bar.n == len(phases)
    # each step's postfix is the phase line without its time
    stepped = [p.rsplit(" ", 2)[0] for p in bar.postfixes if not p.startswith("done in")]
    assert stepped == phases
    assert bar.kwargs["unit"] == "phase"


def test_the_study_stages_are_the_bar_description(recording_tqdm, tmp_path):
    study = osteon.Study.from_dict({"name": "bar", "mesh": {"size_mm": 6.0, "far_factor": 2.0}})
    study.run(tmp_path, threads=2, write_vtu=False)  # progress defaults to True
    (bar,) = recording_tqdm.instances
    assert bar.closed
    assert any("implanted" in d for d in bar.descriptions), bar.descriptions
    assert bar.n > 0


def test_a_failing_run_closes_the_bar(recording_tqdm):
    m = osteon.Model(
        [[0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 1, 0], [0, 0, 1], [1, 0, 1], [1, 1, 1], [0, 1, 1]],
        [list(range(8))],
        "C3D8",
    )
    m.assign(osteon.Isotropic(1000.0, 0.3))
    m.add_nodal_load([6], [0.0, 0.0, 1.0])  # nothing held: a rigid-body mode
    with pytest.raises(osteon.NumericalError):
        osteon.solve(m, progress=True)
    assert all(bar.closed for bar in recording_tqdm.instances)


def test_real_tqdm_writes_a_bar_to_stderr(capsys):
    pytest.importorskip("tqdm")
    osteon.solve(DECK, threads=2, progress=True)
    err = capsys.readouterr().err
    assert "phase" in err and "osteon" in err, err
    assert "[    0." not in err  # not the plain lines


def test_without_tqdm_the_lines_go_to_stderr(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)  # import tqdm.auto → ImportError
    monkeypatch.setitem(sys.modules, "tqdm", None)
    lines = []
    osteon.solve(DECK, threads=2, progress=lines.append)
    osteon.solve(DECK, threads=2, progress=True)
    err = capsys.readouterr().err.splitlines()
    assert phase_lines(err) == phase_lines(lines)
    assert len(phase_lines(err)) >= 4
