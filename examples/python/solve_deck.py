"""Solve a deck from Python and look at it: examples/decks/tibia_shaft.inp (a tibia-like
shaft under 50 % and 100 % body weight), the arrays, the summary, a hand check, and a
pyvista picture when pyvista is installed (else a VTU file through meshio, else nothing).

    python examples/python/solve_deck.py [DECK]

Units: mm, N, MPa.
"""

import sys
from pathlib import Path

import numpy as np

import osteon

ROOT = Path(__file__).resolve().parents[2]
deck = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "examples" / "decks" / "tibia_shaft.inp"
out = ROOT / "target" / "python_solve_deck"
out.mkdir(parents=True, exist_ok=True)

result = osteon.solve(deck, progress=True)
for warning in result.warnings:
    print(warning)
print(f"{len(result.node_ids)} nodes, {len(result.element_ids)} elements")
for step in result.steps:
    u = np.linalg.norm(step.displacement, axis=1)
    i = int(np.argmax(u))
    print(
        f"{step.name}: max |u| = {u[i]:.6e} mm at node {result.node_ids[i]}, "
        f"max von Mises {step.von_mises.max():.4f} MPa, "
        f"equilibrium error {step.summary['equilibrium_error_n']:.2e} N"
    )

if deck.name == "tibia_shaft.inp":
    # the deck's hand check: F L / (E A) for a tube 13/7 mm radii, 300 mm long, E 17 GPa
    area = np.pi * (13.0**2 - 7.0**2)
    for step, force in zip(result.steps, [343.35, 686.7]):
        top = np.isclose(result.nodes[:, 2], 300.0)
        print(
            f"  {step.name}: mean shortening {-step.displacement[top, 2].mean():.5f} mm "
            f"(bar formula {force * 300.0 / (17000.0 * area):.5f} mm)"
        )

try:
    import pyvista as pv
except ImportError:
    pv = None

if pv is not None:
    pv.OFF_SCREEN = True
    grid = result.to_pyvista()
    warped = grid.warp_by_vector("displacement", factor=2000.0)
    plotter = pv.Plotter(off_screen=True)
    plotter.add_mesh(warped, scalars="von_mises", scalar_bar_args={"title": "von Mises (MPa)"})
    png = out / f"{deck.stem}.png"
    plotter.screenshot(str(png))
    print(f"wrote {png} (displacement × 2000)")
else:
    try:
        mesh = result.to_meshio()
    except ImportError as err:
        print(f"(no picture: {err})")
    else:
        vtu = out / f"{deck.stem}.vtu"
        mesh.write(vtu)
        print(f"pyvista is not installed: wrote {vtu} for ParaView instead")
