"""The tibial study from Python against `osteon study`: a coarse seed study (6 mm near the
implant, as in crates/cli/tests/study.rs, ~10 s in release) run by both; every case's
metrics and checks must equal the command line's report.json, and the Python result's
tables must hold the values of the report.json it wrote."""

import json
import math
import subprocess

import pytest

import osteon

COARSE = """\
name = "coarse seed study"
threads = 2

[mesh]
size_mm = 6.0
far_factor = 2.0
"""


@pytest.fixture(scope="module")
def coarse(tmp_path_factory, osteon_cli):
    d = tmp_path_factory.mktemp("study")
    toml = d / "coarse.toml"
    toml.write_text(COARSE)
    subprocess.run(
        [osteon_cli, "study", str(toml), "-o", str(d / "cli"), "--quiet", "--no-vtu"],
        check=True,
        capture_output=True,
    )
    lines = []
    result = osteon.Study.from_toml(toml).run(
        d / "py", progress=lines.append, write_vtu=False
    )
    return d, result, lines


def test_metrics_equal_the_command_lines_report(coarse):
    d, result, _ = coarse
    cli = json.loads((d / "cli" / "report.json").read_text())
    ours = json.loads(result.report_json.read_text())
    assert len(cli["cases"]) == len(ours["cases"]) == len(result.metrics) == 10
    for a, b in zip(cli["cases"], ours["cases"]):
        assert a["metrics"] == b["metrics"]
        assert a["checks"] == b["checks"]
    for key in ("headline", "daily", "mesh", "materials", "body_weight_n"):
        assert cli[key] == ours[key], key


def test_metric_records_hold_the_report_values(coarse):
    _, result, _ = coarse
    written = json.loads(result.report_json.read_text())
    for record, case in zip(result.metrics.records, written["cases"]):
        m = case["metrics"]
        assert record["name"] == m["name"]
        assert record["bw_fraction"] == m["bw_fraction"]
        assert record["max_displacement_mm[0]"] == m["max_displacement_mm"][0]
        assert record["implant_max_displacement_mm"] == m["implant_max_displacement_mm"]
        # every scalar of the nested metrics is a column
        def leaves(v):
            if isinstance(v, dict):
                return sum((leaves(x) for x in v.values()), [])
            if isinstance(v, list):
                return sum((leaves(x) for x in v), [])
            return [v]
        assert len(record) == len(leaves(m))
    assert result.metrics.cases == [c["metrics"] for c in written["cases"]]
    checks = [dict(case=c["metrics"]["name"], **k) for c in written["cases"] for k in c["checks"]]
    assert result.metrics.checks == checks


def test_report_paths_and_solved_models(coarse):
    d, result, lines = coarse
    assert result.output_dir == d / "py"
    assert result.report_md.is_file() and result.report_json.is_file()
    assert result.plots and all(p.is_file() for p in result.plots)
    assert result.files == []  # write_vtu=False
    assert len(result.implanted.steps) == len(result.intact.steps) == 10
    u = result.implanted.displacement
    assert u.shape == (result.report["mesh"]["nodes"][0], 3)
    # the largest |u| of the last case is the report's
    top = max(math.sqrt(x * x + y * y + z * z) for x, y, z in u)
    assert top == pytest.approx(result.report["cases"][-1]["metrics"]["max_displacement_mm"][0], rel=1e-12)
    # progress went to the callable, one line per stage and phase
    assert any("solving the implanted model" in line for line in lines)
    assert lines[-1].endswith("s") and "done in" in lines[-1]


def test_to_pandas(coarse):
    pd = pytest.importorskip("pandas")
    _, result, _ = coarse
    table = result.metrics.to_pandas()
    assert isinstance(table, pd.DataFrame) and len(table) == 10
    assert list(table["bw_fraction"]) == [r["bw_fraction"] for r in result.metrics.records]


def test_study_from_dict_and_its_errors(tmp_path):
    study = osteon.Study.from_dict({"name": "d", "mesh": {"size_mm": 6.0}})
    assert study.to_dict()["mesh"]["size_mm"] == 6.0
    assert study.name == "d"
    with pytest.raises(osteon.InputError, match="porosity"):
        osteon.Study.from_dict({"implant": {"porosity": 1.5}})
    with pytest.raises(osteon.InputError, match="unknown field"):
        osteon.Study.from_dict({"mesh": {"sise_mm": 6.0}})
    bad = tmp_path / "bad.toml"
    bad.write_text("name = \"bad\"\n[implant]\nporosity = 1.2\n")
    with pytest.raises(osteon.InputError, match=r"bad.toml:3"):
        osteon.Study.from_toml(bad)
