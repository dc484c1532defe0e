"""Type stubs of osteon.ct: the CT → model pipeline of ``osteon ct``.

Units: mm, MPa, HU, g/cm³ (apparent density), N. Volume arrays are indexed [k, j, i]
(shape (nz, ny, nx)); spacing and dims are in (i, j, k) order; world coordinates are
DICOM patient coordinates (LPS, mm).
"""

import os
from typing import Any, Dict, Optional, Sequence, Tuple, Union

import numpy as np

from . import Model

PathLike = Union[str, "os.PathLike[str]"]

class Volume:
    """A CT volume: hu (nz, ny, nx) in HU, spacing (3,) mm along i, j, k, origin (3,) mm
    (LPS, centre of voxel (0, 0, 0)), direction (3, 3), row c the world direction of axis c."""

    hu: np.ndarray
    spacing: np.ndarray
    origin: np.ndarray
    direction: np.ndarray
    def __init__(
        self, hu: np.ndarray, spacing: np.ndarray, origin: np.ndarray, direction: np.ndarray
    ) -> None: ...
    @property
    def dims(self) -> Tuple[int, int, int]:
        """Voxels along i, j, k: (nx, ny, nz)."""
    @property
    def affine(self) -> np.ndarray:
        """4 × 4 matrix: voxel indices (i, j, k, 1) → world (LPS, mm)."""
    def world(self, i: float, j: float, k: float) -> np.ndarray:
        """World position (LPS, mm) of grid coordinates (i, j, k)."""

class CtModel:
    """A CT turned into a voxel model (read-only arrays): nodes (n, 3) mm, node_ids,
    elements (m, 8) 0-based C3D8, element_ids, node_sets (DISTAL, PROXIMAL); per element
    region (1 cortical, 2 cancellous, 3 marrow), hu (HU), density (g/cm³), modulus (MPa),
    material (bin index) with material_moduli (MPa); the bone surface; the segmentation;
    the volume as meshed; model (an osteon.Model: DISTAL clamped, 686.7 N axial on
    PROXIMAL); files written ({"inp", "vtu", "stl"}) or None; timings (s)."""

    nodes: np.ndarray
    node_ids: np.ndarray
    elements: np.ndarray
    element_ids: np.ndarray
    node_sets: Dict[str, np.ndarray]
    region: np.ndarray
    hu: np.ndarray
    density: np.ndarray
    modulus: np.ndarray
    material: np.ndarray
    material_moduli: np.ndarray
    max_binning_error: float
    voxels_per_element: int
    long_axis: int
    dropped_bone_voxels: int
    surface_vertices: np.ndarray
    surface_triangles: np.ndarray
    segmentation: np.ndarray
    law: str
    volume: Volume
    model: Model
    files: Optional[Dict[str, str]]
    timings: Dict[str, float]

def read(path: PathLike, *, series: Optional[str] = None) -> Volume:
    """Read a DICOM series folder, a DICOMDIR, a DICOM file or a NIfTI volume (.nii, .nii.gz) in HU;
    `series` names one series (UID or number) of a folder or DICOMDIR holding several."""

def build(
    path: PathLike,
    output: Optional[PathLike] = None,
    *,
    threshold: float = 700.0,
    cortical: Optional[float] = None,
    cancellous: float = 150.0,
    labels: Optional[PathLike] = None,
    label_map: str = "1=cortical,2=cancellous,3=marrow",
    roi: Optional[Sequence[Any]] = None,
    element_size: Optional[float] = None,
    calibration: Optional[Tuple[float, float]] = None,
    law: str = "morgan-femoral-neck",
    floor: float = 1.0,
    marrow_modulus: Optional[float] = None,
    materials: int = 20,
    series: Optional[str] = None,
) -> CtModel:
    """The pipeline of `osteon ct`: thresholds (HU) or a label map, region of interest
    (voxel index ranges), element edge (mm), calibration (slope g/cm³ per HU, intercept
    g/cm³), density → modulus law, modulus floor and marrow modulus (MPa), number of
    materials; writes bone.inp, bone.vtu, bone.stl into `output` when given."""
