"""A prosthesis-modulus sweep from Python: the same coarse study with the porous-Ta
modulus from 1.3 to 15 GPa (the measured lattices span 1300–5720 MPa, Gibson–Ashby at
72 % porosity gives 14 582 MPa), one row per modulus for the full-weight-bearing walking
case: stress shielding, implant and bone stresses.

    python examples/python/modulus_sweep.py      # ~15 s on 2 cores (6 mm mesh)

Prints a table (pandas when installed) and, with matplotlib, writes
target/python_modulus_sweep.png. Units: MPa, mm, microstrain.
"""

from pathlib import Path

import osteon

ROOT = Path(__file__).resolve().parents[2]
MODULI_MPA = [1300.0, 3000.0, 5720.0, 10000.0, 14582.4]
CASE = "walking, axial peak force, 100 % weight-bearing"

rows = []
for e in MODULI_MPA:
    study = osteon.Study.from_dict(
        {
            "name": f"porous Ta E = {e:.0f} MPa",
            "implant": {"porosity": 0.72, "modulus_mpa": e},
            "loads": {"fractions": [1.0]},
            "mesh": {"size_mm": 6.0, "far_factor": 2.0},
            # the headline re-runs (bounding moduli, construct stiffness) are not needed here
            "metrics": {"headline_analyses": False},
        }
    )
    result = study.run(progress=False)  # nothing written: no output folder
    [record] = [r for r in result.metrics.records if r["name"] == CASE]
    rows.append(
        {
            "modulus_mpa": e,
            "porous_ta_peak_mpa": record["porous_tantalum.peak_mpa"],
            "implant_max_u_mm": record["implant_max_displacement_mm"],
            "shaft_p99_microstrain": record["bone.shaft_p99_microstrain"],
            "bone_below_lazy_zone": record["shielding.bone_fraction_below_lazy_zone"],
            "near_below_lazy_zone": record["shielding.near_fraction_below_lazy_zone"],
        }
    )
    print(f"E = {e:8.1f} MPa done")

try:
    import pandas as pd

    with pd.option_context("display.width", 200, "display.max_columns", None):
        print(pd.DataFrame(rows).set_index("modulus_mpa").round(5))
except ImportError:
    for row in rows:
        print(row)

try:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    print("(matplotlib is not installed: no plot)")
else:
    fig, a = plt.subplots(figsize=(6, 4), constrained_layout=True)
    e = [r["modulus_mpa"] for r in rows]
    a.plot(e, [100 * r["near_below_lazy_zone"] for r in rows], "o-", label="next to the implant")
    a.plot(e, [100 * r["bone_below_lazy_zone"] for r in rows], "s-", label="whole bone")
    a.set_xlabel("porous Ta modulus (MPa)")
    a.set_ylabel("bone below the lazy zone (%)")
    a.set_title(CASE, fontsize=9)
    a.legend()
    png = ROOT / "target" / "python_modulus_sweep.png"
    png.parent.mkdir(exist_ok=True)
    fig.savefig(png, dpi=120)
    print(f"wrote {png}")
