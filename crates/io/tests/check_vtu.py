#!/usr/bin/env python3
"""Check osteon VTU files with meshio, an independent reader.

Usage: python3 check_vtu.py [--straight-edges] FILE.vtu ...

For each file, checks the DESIGN.md section 4 contract:
- cell types are tetra, tetra10, hexahedron or hexahedron20;
- point data `node_id` (one value per point) and cell data `element_id` (one per cell);
- `displacement` (n, 3), `stress` (n, 6), `von_mises` (n,) and `reaction` (n, 3) where present,
  with von_mises consistent with stress;
- with --straight-edges: every mid-edge node of a quadratic cell lies at the midpoint of
  its VTK edge (true for straight-edged meshes), i.e. the node order is VTK's.

Prints one JSON object per file (a list) on stdout: points, cells per type, the shapes of
the point and cell arrays, the sum of each point array, the number of NaN values of each
cell array and the values of the field data (FieldData) arrays. Exits 1 on any failed check.
"""

import json
import sys

import meshio
import numpy as np

EDGES = {
    "tetra10": [(0, 1), (1, 2), (2, 0), (0, 3), (1, 3), (2, 3)],
    "hexahedron20": [(0, 1), (1, 2), (2, 3), (3, 0), (4, 5), (5, 6), (6, 7), (7, 4),
                     (0, 4), (1, 5), (2, 6), (3, 7)],
}
CORNERS = {"tetra": 4, "tetra10": 4, "hexahedron": 8, "hexahedron20": 8}


def check(path, straight):
    errors = []
    mesh = meshio.read(path)
    n = len(mesh.points)
    cells = {}
    for block in mesh.cells:
        if block.type not in CORNERS:
            errors.append(f"unexpected cell type {block.type}")
            continue
        cells[block.type] = cells.get(block.type, 0) + len(block.data)
        if straight and block.type in EDGES:
            x = mesh.points[block.data]  # (cells, nodes, 3)
            nc = CORNERS[block.type]
            for m, (a, b) in enumerate(EDGES[block.type]):
                gap = np.abs(0.5 * (x[:, a] + x[:, b]) - x[:, nc + m]).max()
                if gap > 1e-9 * max(1.0, np.abs(mesh.points).max()):
                    errors.append(f"{block.type}: mid-edge node {nc + m} is {gap} off edge {a}-{b}")
    shapes = {k: list(np.asarray(v).shape) for k, v in mesh.point_data.items()}
    want = {"node_id": [n], "displacement": [n, 3], "stress": [n, 6], "von_mises": [n], "reaction": [n, 3]}
    if "node_id" not in shapes:
        errors.append("no point data node_id")
    for name, shape in want.items():
        if name in shapes and shapes[name] != shape:
            errors.append(f"point data {name} has shape {shapes[name]}, expected {shape}")
    if "stress" in mesh.point_data:
        s = np.asarray(mesh.point_data["stress"])
        vm = np.sqrt(0.5 * ((s[:, 0] - s[:, 1]) ** 2 + (s[:, 1] - s[:, 2]) ** 2 + (s[:, 2] - s[:, 0]) ** 2)
                     + 3.0 * (s[:, 3] ** 2 + s[:, 4] ** 2 + s[:, 5] ** 2))
        if "von_mises" not in mesh.point_data:
            errors.append("stress without von_mises")
        elif not np.allclose(vm, mesh.point_data["von_mises"], rtol=1e-12, atol=1e-12):
            errors.append("von_mises does not match stress")
    cell_shapes = {k: [list(np.asarray(b).shape) for b in v] for k, v in mesh.cell_data.items()}
    if "element_id" not in cell_shapes:
        errors.append("no cell data element_id")
    else:
        for block, data in zip(mesh.cells, mesh.cell_data["element_id"]):
            if len(data) != len(block.data):
                errors.append("element_id has the wrong length")
    summary = {
        "file": path,
        "points": n,
        "cells": cells,
        "point_data": shapes,
        "cell_data": cell_shapes,
        "sums": {k: float(np.asarray(v, dtype=float).sum()) for k, v in mesh.point_data.items()},
        "cell_nan": {k: int(sum(np.isnan(np.asarray(b, dtype=float)).sum() for b in v))
                     for k, v in mesh.cell_data.items()},
        "field_data": {k: np.asarray(v).ravel().tolist() for k, v in mesh.field_data.items()},
    }
    return summary, [f"{path}: {e}" for e in errors]


def main(argv):
    straight = "--straight-edges" in argv
    files = [a for a in argv if not a.startswith("--")]
    if not files:
        print(__doc__, file=sys.stderr)
        return 2
    summaries, errors = [], []
    for path in files:
        s, e = check(path, straight)
        summaries.append(s)
        errors.extend(e)
    print(json.dumps(summaries))
    for e in errors:
        print(e, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
