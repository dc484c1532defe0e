"""The tibial reconstruction study from Python: run examples/tibia_study.toml, show the
per-case metrics as a pandas table and plot them with matplotlib.

    pip install ./python pandas matplotlib          # pandas and matplotlib are optional
    python examples/python/tibia_study.py            # the full study (~75 s on 2 cores)
    python examples/python/tibia_study.py --coarse   # 6 mm mesh, ~10 s

Writes report.md, report.json, the SVG plots (and here no VTU files) into
target/python_tibia_study/, plus metrics.png when matplotlib is installed. Units: mm, N,
MPa; strains in microstrain.
"""

import argparse
from pathlib import Path

import osteon

ROOT = Path(__file__).resolve().parents[2]

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--coarse", action="store_true", help="6 mm elements near the implant")
parser.add_argument("--out", default=str(ROOT / "target" / "python_tibia_study"))
args = parser.parse_args()

study = osteon.Study.from_toml(ROOT / "examples" / "tibia_study.toml")
for warning in study.warnings:
    print(warning)
result = study.run(
    args.out, mesh_size=6.0 if args.coarse else None, write_vtu=False, progress=True
)

columns = {
    "bw_fraction": "load (BW)",
    "implant_max_displacement_mm": "implant max |u| (mm)",
    "porous_tantalum.peak_mpa": "porous Ta peak σ_vM (MPa)",
    "bone.shaft_p99_microstrain": "shaft strain p99 (µε)",
    "bone.intact_shaft_p99_microstrain": "intact shaft p99 (µε)",
    "shielding.bone_fraction_below_lazy_zone": "bone below lazy zone",
}

try:
    import pandas as pd
except ImportError:
    pd = None

if pd is not None:
    table = result.metrics.to_pandas()[list(columns)].rename(columns=columns)
    with pd.option_context(
        "display.width", 250, "display.max_columns", None, "display.max_colwidth", 50
    ):
        print(table.round(4))
    checks = result.metrics.checks_to_pandas()
    failed = checks[checks["status"] == "fail"]
    print(f"\n{len(failed)} of {len(checks)} checks failed against the clinical targets")
else:
    print("(pandas is not installed: the metrics as records)")
    for record in result.metrics.records:
        print(record["name"], {label: record[key] for key, label in columns.items()})

try:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    plt = None

if plt is not None:
    records = result.metrics.records
    names = [
        r["name"].replace(", axial peak force", "").replace(" weight-bearing", " WB")
        for r in records
    ]
    fig, (a, b) = plt.subplots(1, 2, figsize=(13, 5), constrained_layout=True)
    x = range(len(records))
    a.bar(x, [r["porous_tantalum.peak_mpa"] for r in records], color="tab:orange")
    a.axhline(10.0, color="k", ls="--", lw=1, label="fatigue strength 10 MPa")
    a.set_ylabel("porous Ta peak von Mises (MPa)")
    a.legend()
    b.bar([i - 0.2 for i in x], [r["bone.shaft_p99_microstrain"] for r in records], 0.4, label="implanted")
    b.bar([i + 0.2 for i in x], [r["bone.intact_shaft_p99_microstrain"] for r in records], 0.4, label="intact")
    b.set_ylabel("shaft strain, 99th percentile (µε)")
    b.legend()
    for ax in (a, b):
        ax.set_xticks(list(x))
        ax.set_xticklabels(names, rotation=60, ha="right", fontsize=8)
    png = Path(args.out) / "metrics.png"
    fig.savefig(png, dpi=120)
    print(f"wrote {png}")
else:
    print("(matplotlib is not installed: no plot)")

print(f"report: {result.report_md}")
for p in result.plots:
    print(f"plot:   {p}")
