"""The design sweep from Python against `osteon design`: a one-design sweep over a coarse
study (6 mm near the implant, ~6 s in release) run by both; the designs' results must equal
the command line's design.json, and a bad design file raises InputError naming the key."""

import json
import subprocess

import pytest

import osteon

BASE = 'name = "coarse"\nthreads = 2\n[mesh]\nsize_mm = 6.0\nfar_factor = 2.0\n'
DESIGN = 'study = "base.toml"\n[sweep]\nmodulus_mpa = [14600]\n'


def test_design_equals_the_command_line(tmp_path, osteon_cli):
    (tmp_path / "base.toml").write_text(BASE)
    design = tmp_path / "design.toml"
    design.write_text(DESIGN)
    subprocess.run(
        [osteon_cli, "design", str(design), "-o", str(tmp_path / "cli"), "--quiet"],
        check=True,
        capture_output=True,
    )
    cli = json.loads((tmp_path / "cli" / "design.json").read_text())
    lines = []
    report = osteon.design(design, tmp_path / "py", progress=lines.append, threads=2)
    assert (tmp_path / "py" / "design.svg").is_file()
    assert any("design 1/1" in line for line in lines)
    assert len(report["results"]) == len(cli["results"]) == 1
    for key in ("micromotion_p95_um", "migration_max_mm", "daily_near_below_lazy_zone",
                "safe", "feasible", "in_band", "porous_ta_peak_mpa"):
        assert report["results"][0][key] == cli["results"][0][key], key
    assert report["recommended"] == cli["recommended"]


def test_a_bad_design_file_raises_input_error(tmp_path):
    design = tmp_path / "design.toml"
    design.write_text("[sweep]\nflange_thickness_mm = [-1.0]\n")
    with pytest.raises(osteon.InputError, match="sweep.flange_thickness_mm"):
        osteon.design(design, progress=False)
