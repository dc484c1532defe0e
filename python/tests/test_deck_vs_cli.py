"""Decks of examples/decks solved from Python against the `osteon solve` command line: the
arrays the CLI writes to its VTU files and the values of its JSON summary must be the ones
Python gets (same threads, same library path: identical to the last bit)."""

import json
import subprocess

import numpy as np
import pytest

import osteon
from conftest import ROOT, read_vtu

DECKS = ROOT / "examples" / "decks"

# the summary keys that depend on the run (timings, memory, how the input was named)
RUN_DEPENDENT = {"phase_seconds", "peak_memory_bytes", "input_file", "osteon_version"}


def run_cli(exe, deck, out):
    subprocess.run(
        [exe, "solve", str(deck), "-o", str(out), "--threads", "2", "--quiet"],
        check=True,
        capture_output=True,
    )


@pytest.mark.parametrize("deck", ["tibia_shaft.inp", "contact_block.inp"])
def test_deck_matches_the_command_line(osteon_cli, tmp_path, deck):
    path = DECKS / deck
    run_cli(osteon_cli, path, tmp_path)
    result = osteon.solve(path, threads=2)
    stem = path.stem
    n_steps = len(result.steps)
    files = (
        [tmp_path / f"{stem}_step{k + 1}.vtu" for k in range(n_steps)]
        if n_steps > 1
        else [tmp_path / f"{stem}.vtu"]
    )
    for step, file in zip(result.steps, files):
        cli = read_vtu(file)
        assert np.array_equal(cli["node_id"], result.node_ids)
        assert np.array_equal(cli["Points"], result.nodes)
        assert np.array_equal(cli["displacement"], step.displacement), step.name
        assert np.array_equal(cli["reaction"], step.reactions), step.name
        assert np.array_equal(cli["stress"], step.stress), step.name
        assert np.array_equal(cli["von_mises"], step.von_mises), step.name
        assert np.array_equal(cli["element_id"], result.element_ids)
        assert np.array_equal(cli["material"], result.element_material)
        conn = np.concatenate([c.ravel() for _, c in result.cells])
        assert np.array_equal(cli["connectivity"], conn)

    summary = json.loads((tmp_path / f"{stem}.json").read_text())
    ours = result.summary
    for key in summary:
        if key not in RUN_DEPENDENT:
            assert ours[key] == summary[key], key
    assert [s.name for s in result.steps] == [c["name"] for c in summary["cases"]]
    for step, case in zip(result.steps, summary["cases"]):
        assert step.summary == case


BAR_TOML = """
[[material]]
name = "soft"
E = 1000.0
nu = 0.0

[[section]]
group = "Bone"
material = "soft"

[[boundary]]
group = "Distal"
dofs = [1, 2, 3]

[[step]]
name = "pull"
[[step.pressure]]
group = "Plateau"
p = -25.0
"""


def test_gmsh_model_matches_the_command_line_and_the_bar_formula(osteon_cli, tmp_path):
    """A 10 × 2 × 2 mm C3D10 bar (crates/io/tests/fixtures/gmsh) pulled by 25 MPa on its
    end (100 N), E = 1000 MPa, ν = 0: the free end moves F L / (E A) = 0.25 mm."""
    msh = ROOT / "crates" / "io" / "tests" / "fixtures" / "gmsh" / "box_tet10_v41.msh"
    toml = tmp_path / "bar.toml"
    toml.write_text(BAR_TOML)
    out = tmp_path / "out"
    subprocess.run(
        [osteon_cli, "solve", str(msh), "--model", str(toml), "-o", str(out),
         "--threads", "2", "--quiet"],
        check=True,
        capture_output=True,
    )
    result = osteon.solve(msh, model=toml, threads=2)
    cli = read_vtu(out / "box_tet10_v41.vtu")
    assert np.array_equal(cli["displacement"], result.displacement)
    assert np.array_equal(cli["stress"], result.stress)
    assert np.array_equal(cli["reaction"], result.reactions)
    end = np.isclose(result.nodes[:, 0], result.nodes[:, 0].max())
    assert np.allclose(result.displacement[end, 0], 0.25, rtol=1e-9)
    assert np.allclose(result.stress[:, 0], 25.0, rtol=1e-9)


def test_a_gmsh_mesh_without_its_model_is_an_input_error():
    msh = ROOT / "crates" / "io" / "tests" / "fixtures" / "gmsh" / "box_tet4_v41.msh"
    with pytest.raises(osteon.InputError, match="model"):
        osteon.solve(msh)
