"""Shared helpers: the repository root, the `osteon` command-line binary, a VTU reader,
and structured meshes built with numpy (independent of osteon's own generators)."""

import base64
import os
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]


def cli_binary():
    """The `osteon` binary: $OSTEON_CLI, target/release/osteon, or `osteon` on PATH."""
    candidates = [os.environ.get("OSTEON_CLI"), ROOT / "target" / "release" / "osteon"]
    for c in candidates:
        if c and Path(c).is_file():
            return str(c)
    return shutil.which("osteon")


@pytest.fixture(scope="session")
def osteon_cli():
    exe = cli_binary()
    if exe is None:
        pytest.skip(
            "the osteon command line is not built: cargo build --release -p osteon-cli "
            "(or set OSTEON_CLI)"
        )
    return exe


_VTK_TYPES = {
    "Int32": np.int32,
    "Int64": np.int64,
    "UInt8": np.uint8,
    "Float64": np.float64,
    "Float32": np.float32,
}


def read_vtu(path):
    """The arrays of an osteon VTU file (binary base64, UInt64 headers, no compression),
    read with the standard library and numpy only: {name: array (n, components)}."""
    text = Path(path).read_text()
    assert 'header_type="UInt64"' in text and "compressor" not in text
    out = {}
    for m in re.finditer(r"<DataArray([^>]*)>\s*([^<]*?)\s*</DataArray>", text, re.S):
        attrs = dict(re.findall(r'(\w+)="([^"]*)"', m.group(1)))
        raw = base64.b64decode(m.group(2))
        nbytes = int(np.frombuffer(raw[:8], dtype="<u8")[0])
        values = np.frombuffer(raw[8 : 8 + nbytes], dtype=_VTK_TYPES[attrs["type"]])
        k = int(attrs.get("NumberOfComponents", "1"))
        out[attrs["Name"]] = values.reshape(-1, k) if k > 1 else values
    return out


def hex20_box(size, cells):
    """A structured C3D20 mesh of the box [0, size] cut into `cells`, built here with
    numpy: nodes (n, 3) and elements (m, 20) as 0-based indices, Abaqus node order."""
    nx, ny, nz = cells
    # every point of the half-step lattice; keep corners and mid-edge points (at most one
    # odd lattice index)
    ii, jj, kk = np.meshgrid(
        np.arange(2 * nx + 1), np.arange(2 * ny + 1), np.arange(2 * nz + 1), indexing="ij"
    )
    keep = (ii % 2 + jj % 2 + kk % 2) <= 1
    index = -np.ones(ii.shape, dtype=np.int64)
    index[keep] = np.arange(keep.sum())
    steps = np.array(size, dtype=float) / (2 * np.array(cells))
    nodes = np.stack([ii[keep], jj[keep], kk[keep]], axis=1) * steps
    # local lattice offsets of the 20 nodes (in half-steps), C3D20 order: corners of the
    # bottom and top faces, mid-edges of the bottom face, of the top face, then verticals
    local = [
        (0, 0, 0), (2, 0, 0), (2, 2, 0), (0, 2, 0),
        (0, 0, 2), (2, 0, 2), (2, 2, 2), (0, 2, 2),
        (1, 0, 0), (2, 1, 0), (1, 2, 0), (0, 1, 0),
        (1, 0, 2), (2, 1, 2), (1, 2, 2), (0, 1, 2),
        (0, 0, 1), (2, 0, 1), (2, 2, 1), (0, 2, 1),
    ]
    elements = []
    for i in range(nx):
        for j in range(ny):
            for k in range(nz):
                elements.append(
                    [index[2 * i + a, 2 * j + b, 2 * k + c] for a, b, c in local]
                )
    elements = np.array(elements, dtype=np.int64)
    assert (elements >= 0).all()
    return nodes, elements
