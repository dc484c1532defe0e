"""Malformed input raises osteon.InputError / osteon.NumericalError with the library's
message; wrong dtypes and shapes raise TypeError / ValueError naming the argument; nothing
panics."""

import numpy as np
import pytest

import osteon

# one unit cube as a C3D8
CUBE = np.array(
    [[0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 1, 0], [0, 0, 1], [1, 0, 1], [1, 1, 1], [0, 1, 1]],
    dtype=float,
)
HEX = np.arange(8)[None, :]


def cube():
    m = osteon.Model(CUBE, HEX, "C3D8")
    m.assign(osteon.Isotropic(1000.0, 0.3))
    return m


def test_exception_hierarchy():
    assert issubclass(osteon.InputError, ValueError)
    assert issubclass(osteon.NumericalError, RuntimeError)


def test_malformed_deck_names_file_and_line(tmp_path):
    deck = tmp_path / "bad.inp"
    deck.write_text("*NODE\n1, 0., 0., 0.\n*DLAOD\nALL, P1, 1.\n")
    with pytest.raises(osteon.InputError, match=r"bad.inp:3: .*DLAOD.*did you mean \*DLOAD"):
        osteon.solve(deck)


def test_missing_file_and_unknown_format(tmp_path):
    with pytest.raises(osteon.InputError, match="No such file"):
        osteon.solve(tmp_path / "missing.inp")
    other = tmp_path / "model.stl"
    other.write_text("solid x\n")
    with pytest.raises(osteon.InputError, match="unknown input format"):
        osteon.solve(other)


def test_unsupported_source_type():
    with pytest.raises(TypeError, match="source"):
        osteon.solve(42)


def test_a_model_without_a_step_is_an_input_error():
    with pytest.raises(osteon.InputError, match="no step"):
        osteon.solve(cube())


def test_an_unsupported_cube_is_a_numerical_error_naming_the_mode():
    m = cube()
    m.add_nodal_load([6], [0.0, 0.0, 10.0])
    with pytest.raises(osteon.NumericalError, match="rigid|singular|unconstrained"):
        osteon.solve(m)


def test_an_inverted_element_is_a_numerical_error():
    m = osteon.Model(CUBE, HEX[:, [4, 5, 6, 7, 0, 1, 2, 3]], "C3D8")
    m.assign(osteon.Isotropic(1000.0, 0.3))
    m.fix(CUBE[:, 2] == 0.0)
    m.add_nodal_load(CUBE[:, 2] == 1.0, [0.0, 0.0, 1.0])
    with pytest.raises(osteon.NumericalError, match="element 1 is inverted"):
        osteon.solve(m)


def test_an_element_without_material_is_an_input_error():
    m = osteon.Model(CUBE, HEX, "C3D8")
    m.fix(CUBE[:, 2] == 0.0)
    m.add_nodal_load([6], [0.0, 0.0, 1.0])
    with pytest.raises(osteon.InputError, match="section|material"):
        osteon.solve(m)


def test_materials_out_of_range():
    with pytest.raises(osteon.InputError, match="nu|Poisson|positive definite"):
        osteon.Isotropic(1000.0, 0.5)
    with pytest.raises(osteon.InputError, match="porosity"):
        osteon.PorousTantalum(1.2)
    with pytest.raises(osteon.InputError):
        osteon.TransverselyIsotropic(-1.0, 17000.0, 0.5, 0.3, 3300.0)
    with pytest.raises(ValueError, match="no library material"):
        osteon.Material.library("unobtainium")


@pytest.mark.parametrize(
    "nodes, elements, etype, exc, match",
    [
        (CUBE.astype(str), HEX, "C3D8", TypeError, "nodes"),
        (CUBE.astype(bool), HEX, "C3D8", TypeError, "nodes"),
        (CUBE[:, :2], HEX, "C3D8", ValueError, r"nodes: expected shape \(n, 3\)"),
        (CUBE.ravel(), HEX, "C3D8", ValueError, "nodes"),
        ([[0, 0, 0], [1, 2]], HEX, "C3D8", TypeError, "nodes"),
        (np.where(CUBE == 1, np.nan, CUBE), HEX, "C3D8", ValueError, "nodes: .*finite"),
        (CUBE, HEX.astype(float), "C3D8", TypeError, "elements: expected an integer array"),
        (CUBE, HEX[:, :4], "C3D8", ValueError, "elements: a C3D8 element has 8 nodes"),
        (CUBE, HEX.ravel(), "C3D8", ValueError, "elements: expected a 2-D array"),
        (CUBE, HEX + 1, "C3D8", ValueError, "elements: row 0 refers to node index 8"),
        (CUBE, HEX - 1, "C3D8", ValueError, "elements: row 0 refers to node index -1"),
        (CUBE, HEX, "C3D9", ValueError, "element_type: unsupported element type"),
        (CUBE, HEX, 8, TypeError, "element_type"),
    ],
)
def test_wrong_arrays_name_the_argument(nodes, elements, etype, exc, match):
    with pytest.raises(exc, match=match):
        osteon.Model(nodes, elements, etype)


def test_integer_node_coordinates_and_int32_connectivity_are_accepted():
    m = osteon.Model(CUBE.astype(np.int64), HEX.astype(np.int32), "C3D8")
    assert m.n_nodes == 8 and m.n_elements == 1


def test_wrong_arguments_of_model_methods():
    m = cube()
    with pytest.raises(ValueError, match="nodes: node index 8 is out of range"):
        m.fix([8])
    with pytest.raises(ValueError, match="nodes: a boolean mask must have one entry per node"):
        m.fix(np.array([True, False]))
    with pytest.raises(ValueError, match='no node set named "WALL"'):
        m.fix("WALL")
    with pytest.raises(ValueError, match="components"):
        m.fix([0], components="w")
    with pytest.raises(TypeError, match="nodes: expected an integer array"):
        m.fix([0.5])
    with pytest.raises(ValueError, match=r"force: expected one vector"):
        m.add_nodal_load([0, 1, 2], np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"force: expected shape \(n, 3\)"):
        m.add_nodal_load([0], [1.0, 2.0])
    with pytest.raises(ValueError, match=r"faces: face 6 of element index 0 does not exist"):
        m.add_pressure([[0, 6]], 1.0)
    with pytest.raises(ValueError, match=r"faces: expected shape \(k, 2\)"):
        m.add_pressure(np.zeros((2, 3), dtype=int), 1.0)
    with pytest.raises(ValueError, match="no surface named"):
        m.add_pressure("TOP", 1.0)
    with pytest.raises(ValueError, match="pressure: expected a finite number"):
        m.add_pressure([[0, 1]], float("nan"))
    with pytest.raises(ValueError, match="threads"):
        m.add_nodal_load([6], [0.0, 0.0, 1.0])
        m.fix(CUBE[:, 2] == 0.0)
        osteon.solve(m, threads=0)
    with pytest.raises(ValueError, match="solver"):
        osteon.solve(m, solver="lu")
    with pytest.raises(TypeError, match="progress"):
        osteon.solve(m, progress="loud")


def test_duplicate_ids_are_input_errors():
    with pytest.raises(osteon.InputError, match="duplicate node id 1"):
        osteon.Model(CUBE, HEX, "C3D8", node_ids=[1, 1, 2, 3, 4, 5, 6, 7])
    with pytest.raises(ValueError, match="node_ids: expected 8 ids"):
        osteon.Model(CUBE, HEX, "C3D8", node_ids=[1, 2])
