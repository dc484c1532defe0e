"""Conversions of an :class:`osteon.Result` to meshio and pyvista (imported on use)."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

# Abaqus/CalculiX element type → (meshio cell type, VTK cell type id). The node order of
# C3D4/C3D10/C3D8/C3D20 is VTK's (corners, then mid-edge nodes in the same edge order), as
# in osteon's own VTU writer; C3D20R has the geometry of C3D20.
_CELL_TYPES = {
    "C3D4": ("tetra", 10),
    "C3D10": ("tetra10", 24),
    "C3D8": ("hexahedron", 12),
    "C3D20": ("hexahedron20", 25),
    "C3D20R": ("hexahedron20", 25),
}


def _point_data(step: Any) -> dict:
    return {
        "displacement": np.asarray(step.displacement),
        "reaction": np.asarray(step.reactions),
        "stress": np.asarray(step.stress),
        "von_mises": np.asarray(step.von_mises),
    }


def to_meshio(result: Any) -> Any:
    try:
        import meshio
    except ImportError as err:
        raise ImportError(
            "Result.to_meshio() needs meshio (pip install meshio); the arrays are "
            "result.nodes, result.cells and result.steps[i].displacement / stress / ..."
        ) from err
    cells = [(_CELL_TYPES[name][0], np.asarray(conn)) for name, conn in result.cells]
    steps = result.steps
    point_data = {"node_id": np.asarray(result.node_ids)}
    for k, step in enumerate(steps):
        suffix = "" if k == len(steps) - 1 else f"_step{k + 1}"
        for name, values in _point_data(step).items():
            point_data[name + suffix] = values
    material = np.asarray(result.element_material)
    cell_data = {"element_id": [], "material": []}
    start = 0
    for _, conn in result.cells:
        stop = start + len(conn)
        cell_data["element_id"].append(np.asarray(result.element_ids)[start:stop])
        cell_data["material"].append(material[start:stop])
        start = stop
    return meshio.Mesh(
        np.asarray(result.nodes), cells, point_data=point_data, cell_data=cell_data
    )


def to_pyvista(result: Any, step: Optional[int] = None) -> Any:
    try:
        import pyvista as pv
    except ImportError as err:
        raise ImportError(
            "Result.to_pyvista() needs pyvista (pip install pyvista); Result.to_meshio() "
            "needs only meshio"
        ) from err
    cells = {}
    for name, conn in result.cells:
        vtk_type = _CELL_TYPES[name][1]
        conn = np.asarray(conn, dtype=np.int64)
        cells[vtk_type] = (
            np.vstack([cells[vtk_type], conn]) if vtk_type in cells else conn
        )
    grid = pv.UnstructuredGrid(cells, np.asarray(result.nodes, dtype=float))
    # pyvista groups cells by type: keep the element order of each type
    chosen = result.steps[-1 if step is None else step]
    for name, values in _point_data(chosen).items():
        grid.point_data[name] = values
    grid.point_data["node_id"] = np.asarray(result.node_ids)
    return grid
