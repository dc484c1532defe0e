"""Models from numpy arrays with each material law against the uniaxial-stress closed
form, the density laws against their formulas, and the meshio conversion."""

import numpy as np
import pytest

import osteon


def box(size, cells):
    """A structured C3D8 mesh of [0, size] (numpy only): nodes, elements (0-based)."""
    nx, ny, nz = cells
    g = np.stack(
        np.meshgrid(*[np.linspace(0, s, n + 1) for s, n in zip(size, cells)], indexing="ij"),
        axis=-1,
    )
    nodes = g.reshape(-1, 3)
    idx = np.arange(len(nodes)).reshape(nx + 1, ny + 1, nz + 1)
    corners = [(0, 0, 0), (1, 0, 0), (1, 1, 0), (0, 1, 0), (0, 0, 1), (1, 0, 1), (1, 1, 1), (0, 1, 1)]
    elements = np.stack(
        [idx[a : a + nx, b : b + ny, c : c + nz].ravel() for a, b, c in corners], axis=1
    )
    return nodes, elements


def pulled_bar(material, axis, stress, size=(10.0, 4.0, 4.0), cells=(5, 2, 2)):
    """Symmetry supports on the three coordinate planes, a pull of `stress` (MPa) on the
    far face normal to `axis`: a uniform uniaxial stress state."""
    nodes, elements = box(size, cells)
    m = osteon.Model(nodes, elements, "C3D8")
    m.assign(material)
    for c in range(3):
        m.fix(nodes[:, c] == 0.0, components=[c])
    far = np.isclose(nodes[:, axis], size[axis])
    m.add_node_set("FAR", far)
    m.add_surface("END", m.faces_on("FAR"))
    m.add_pressure("END", -stress, step="pull")
    return nodes, m


def test_porous_tantalum_bar_stretches_by_the_gibson_ashby_modulus():
    ta = osteon.PorousTantalum(porosity=0.72)
    e = 186000.0 * (1 - 0.72) ** 2  # dense Ta 186 GPa, Gibson–Ashby C = 1, n = 2
    assert ta.modulus == pytest.approx(e, rel=1e-12)
    assert ta.density == pytest.approx(0.28 * 16.6e-9, rel=1e-12)
    nodes, m = pulled_bar(ta, axis=0, stress=5.0)
    r = osteon.solve(m, threads=1)
    end = np.isclose(nodes[:, 0], 10.0)
    assert np.allclose(r.displacement[end, 0], 5.0 * 10.0 / e, rtol=1e-10)
    assert np.allclose(r.stress[:, 0], 5.0, rtol=1e-10)
    # lateral contraction with ν = 0.3
    top = np.isclose(nodes[:, 1], 4.0)
    assert np.allclose(r.displacement[top, 1], -0.3 * 5.0 / e * 4.0, rtol=1e-9)


def test_measured_modulus_overrides_the_scaling_law():
    assert osteon.PorousTantalum(0.72, modulus=3000.0).modulus == 3000.0


def test_transversely_isotropic_bar_along_its_axis():
    # Reilly & Burstein-like constants: E_p 11500, E_t 17000, ν_p 0.5 (!), ν_pt 0.31, G_t 3300
    law = osteon.TransverselyIsotropic(11500.0, 17000.0, 0.51, 0.31, 3300.0)
    nodes, m = pulled_bar(law, axis=2, stress=10.0, size=(4.0, 4.0, 10.0), cells=(2, 2, 5))
    r = osteon.solve(m)
    end = np.isclose(nodes[:, 2], 10.0)
    assert np.allclose(r.displacement[end, 2], 10.0 * 10.0 / 17000.0, rtol=1e-10)
    # ν_tp = ν_pt E_t / E_p: the transverse strain under axial stress
    side = np.isclose(nodes[:, 0], 4.0)
    nu_tp = 0.31 * 17000.0 / 11500.0
    assert np.allclose(r.displacement[side, 0], -nu_tp * 10.0 / 17000.0 * 4.0, rtol=1e-9)


def test_library_material_and_stiffness():
    bone = osteon.Material.library("cortical_bone")
    d = bone.stiffness()
    assert d.shape == (6, 6) and np.allclose(d, d.T)
    iso = osteon.Isotropic(17000.0, 0.3)
    g = 17000.0 / 2.6
    assert iso.stiffness()[3, 3] == pytest.approx(g, rel=1e-12)


def test_density_laws():
    rho = np.array([0.2, 0.5, 1.0])
    assert np.allclose(osteon.morgan2003(rho), 15490.0 * rho**1.93, rtol=1e-12)
    assert osteon.morgan2003(0.5, site="vertebra") == pytest.approx(4730.0 * 0.5**1.56)
    hu = np.array([[-1000.0, 0.0], [500.0, 1500.0]])
    out = osteon.hu_to_density(hu, 0.0, 1e-3)
    assert out.shape == (2, 2)
    assert np.allclose(out, np.maximum(0.01, 1e-3 * hu))
    with pytest.raises(ValueError, match="site"):
        osteon.morgan2003(0.5, site="skull")


def test_gravity_with_density():
    # a column of height 10 hanging from its top: the reaction is its weight ρ g V
    nodes, elements = box((2.0, 2.0, 10.0), (1, 1, 5))
    m = osteon.Model(nodes, elements, "C3D8")
    m.assign(osteon.Isotropic(1000.0, 0.0, density=2e-9))
    top = nodes[:, 2] == 10.0
    m.add_node_set("TOP", top)
    m.fix("TOP")
    m.add_gravity([0.0, 0.0, -9810.0], step="weight")
    r = osteon.solve(m)
    weight = 2e-9 * 9810.0 * 40.0
    assert r.reactions[top].sum(axis=0) == pytest.approx([0, 0, weight], abs=1e-12)
    assert r.summary["cases"][0]["reaction_sums_n"]["TOP"][2] == pytest.approx(weight)


def test_several_steps_and_blocks():
    nodes, elements = box((2.0, 1.0, 1.0), (2, 1, 1))
    m = osteon.Model(nodes, elements[:1], "C3D8", element_ids=[10])
    added = m.add_elements(elements[1:], "C3D8")
    assert list(added) == [1]
    m.assign(osteon.Isotropic(1000.0, 0.25))
    m.fix(nodes[:, 0] == 0.0)
    end = nodes[:, 0] == 2.0
    m.add_nodal_load(end, [1.0, 0.0, 0.0], step="one")
    m.add_nodal_load(end, [2.0, 0.0, 0.0], step="two")
    assert m.steps == ["one", "two"]
    r = osteon.solve(m)
    assert [s.name for s in r.steps] == ["one", "two"]
    assert np.allclose(r.steps[1].displacement, 2 * r.steps[0].displacement, rtol=1e-12)
    assert list(r.element_ids) == [10, 11]
    assert r.displacement is r.steps[1].displacement


def test_to_meshio_round_trip(tmp_path):
    meshio = pytest.importorskip("meshio")
    nodes, m = pulled_bar(osteon.Isotropic(1000.0, 0.3), axis=0, stress=1.0)
    r = osteon.solve(m)
    mesh = r.to_meshio()
    path = tmp_path / "bar.vtu"
    mesh.write(path)
    back = meshio.read(path)
    assert np.array_equal(back.points, nodes)
    assert np.array_equal(back.point_data["displacement"], r.displacement)
    assert np.array_equal(back.cells_dict["hexahedron"], r.cells[0][1])


def test_to_pyvista_or_a_clear_import_error():
    nodes, m = pulled_bar(osteon.Isotropic(1000.0, 0.3), axis=0, stress=1.0)
    r = osteon.solve(m)
    try:
        import pyvista  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="pip install pyvista"):
            r.to_pyvista()
    else:
        grid = r.to_pyvista()
        assert grid.n_points == len(nodes)
        assert np.array_equal(grid.point_data["displacement"], r.displacement)
