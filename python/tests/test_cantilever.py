"""A cantilever built from numpy arrays against beam theory (the setup of
validation/src/beam.rs, case 2: L = 100 mm, b = 5 mm, h = 10 mm, cortical bone
E = 17000 MPa, ν = 0.3, 40 × 2 × 6 C3D20 cells, tip shear P = 100 N)."""

import numpy as np
import pytest

import osteon
from conftest import hex20_box

L, B, H = 100.0, 5.0, 10.0
E, NU = 17000.0, 0.3
P = 100.0


def cantilever():
    nodes, elements = hex20_box((L, B, H), (40, 2, 6))
    model = osteon.Model(nodes, elements, "C3D20")
    model.assign(osteon.Isotropic(E, NU, name="cortical bone"))
    wall = nodes[:, 0] == 0.0
    model.add_node_set("WALL", wall)
    model.fix("WALL")
    tip = model.faces_on(np.isclose(nodes[:, 0], L))
    model.add_traction(tip, [0.0, 0.0, -P / (B * H)], step="tip shear")
    return nodes, model


def test_tip_deflection_and_bending_stress_match_beam_theory():
    nodes, model = cantilever()
    result = osteon.solve(model, threads=2)

    inertia = B * H**3 / 12.0
    g = E / (2.0 * (1.0 + NU))
    kappa = 10.0 * (1.0 + NU) / (12.0 + 11.0 * NU)  # Cowper (1966), rectangle
    bending = P * L**3 / (3.0 * E * inertia)  # Euler–Bernoulli
    timoshenko = bending + P * L / (kappa * g * B * H)

    centre = np.flatnonzero(
        np.all(np.isclose(nodes, [L, B / 2, H / 2]), axis=1)
    )
    assert centre.size == 1
    tip_deflection = -result.displacement[centre[0], 2]
    # beam theory is the reference, not the 3-D solution: the fully clamped wall is
    # stiffer than Timoshenko's clamp (validation/src/beam.rs: 1 % for quadratic elements)
    assert tip_deflection == pytest.approx(timoshenko, rel=0.01)
    assert tip_deflection == pytest.approx(bending, rel=0.01)

    # flexure formula at mid-span, top fibre: σ_xx = M c / I, M = P L / 2
    sigma = P * (L / 2) * (H / 2) / inertia
    top = np.flatnonzero(
        np.isclose(nodes[:, 0], L / 2) & np.isclose(nodes[:, 2], H)
    )
    assert np.allclose(result.stress[top, 0], sigma, rtol=0.02)

    # the wall carries the load: reactions sum to +P in z and nothing elsewhere
    wall = model.node_set_indices("WALL")
    total = result.reactions[wall].sum(axis=0)
    assert total == pytest.approx([0.0, 0.0, P], abs=1e-6 * P)
    case = result.summary["cases"][0]
    assert case["name"] == "tip shear"
    assert case["reaction_sums_n"]["WALL"] == pytest.approx(list(total), abs=1e-9)
    assert case["equilibrium_error_n"] < 1e-8 * P
    assert case["applied_load_total_n"] == pytest.approx([0.0, 0.0, -P], rel=1e-12)


def test_result_layout():
    nodes, model = cantilever()
    result = osteon.solve(model, threads=2)
    n = len(nodes)
    assert result.displacement.shape == (n, 3)
    assert result.stress.shape == (n, 6)
    assert result.von_mises.shape == (n,)
    assert result.reactions.shape == (n, 3)
    assert list(result.node_ids) == list(range(1, n + 1))
    assert len(result.steps) == 1 and result.steps[0].name == "tip shear"
    assert result.steps[-1].displacement is result.displacement
    assert not result.displacement.flags.writeable
    [(etype, conn)] = result.cells
    assert etype == "C3D20" and conn.shape == (480, 20)
    # von Mises from the nodal stress, computed here
    s = result.stress
    vm = np.sqrt(
        0.5 * ((s[:, 0] - s[:, 1]) ** 2 + (s[:, 1] - s[:, 2]) ** 2 + (s[:, 2] - s[:, 0]) ** 2)
        + 3.0 * (s[:, 3] ** 2 + s[:, 4] ** 2 + s[:, 5] ** 2)
    )
    assert np.allclose(result.von_mises, vm, rtol=1e-12, atol=1e-9)
