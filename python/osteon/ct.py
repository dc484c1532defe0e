"""osteon.ct: from a patient's CT to a model, the pipeline of ``osteon ct`` (docs/imaging.md).

* :func:`read` — a DICOM series folder, a DICOMDIR, a DICOM file or a NIfTI volume → :class:`Volume`
  (HU as a numpy array, spacing and origin in mm, directions).
* :func:`build` — read, segment the bone (HU thresholds or a label map), extract its
  surface, mesh the voxels (C3D8) and map a Young's modulus onto each element from the CT
  numbers → :class:`CtModel` (numpy arrays, and a solvable :class:`osteon.Model`:
  DISTAL clamped, one body weight, 686.7 N, axial on PROXIMAL); with ``output`` it also
  writes the command line's ``bone.inp``, ``bone.vtu`` and ``bone.stl``, byte for byte
  those of ``osteon ct``.

Units: mm, MPa, HU, g/cm³ (apparent density), N. Arrays of the volume are indexed
``[k, j, i]`` (slice, row, column): the last axis is the grid's first (``i``, fastest in
memory), so ``hu.shape == (nz, ny, nx)`` and ``spacing``, ``dims`` are in ``(i, j, k)``
order. World coordinates are DICOM patient coordinates (LPS, mm).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Dict, Optional, Sequence, Tuple, Union

import numpy as np

from . import _osteon

PathLike = Union[str, "os.PathLike[str]"]

__all__ = ["Volume", "CtModel", "read", "build"]


@dataclass(frozen=True)
class Volume:
    """A CT volume on a regular grid.

    ``hu``: values (HU; int16 or float32 as stored), shape (nz, ny, nx), indexed
    ``[k, j, i]``. ``spacing``: distance between voxel centres along i, j, k (mm).
    ``origin``: world position (LPS, mm) of the centre of voxel (0, 0, 0). ``direction``:
    row ``c`` is the unit direction of grid axis ``c`` (i, j, k) in the world frame.
    """

    hu: np.ndarray
    spacing: np.ndarray
    origin: np.ndarray
    direction: np.ndarray

    @property
    def dims(self) -> Tuple[int, int, int]:
        """Voxels along i, j, k: (nx, ny, nz)."""
        nz, ny, nx = self.hu.shape
        return (nx, ny, nz)

    @property
    def affine(self) -> np.ndarray:
        """The 4 × 4 matrix taking voxel indices (i, j, k, 1) to world coordinates
        (LPS, mm): columns are direction × spacing, the last column the origin."""
        a = np.eye(4)
        a[:3, :3] = (self.direction * self.spacing[:, None]).T
        a[:3, 3] = self.origin
        return a

    def world(self, i: float, j: float, k: float) -> np.ndarray:
        """World position (LPS, mm) of grid coordinates (i, j, k)."""
        return (self.affine @ np.array([i, j, k, 1.0]))[:3]


def _volume(d: Dict[str, Any]) -> Volume:
    return Volume(hu=d["hu"], spacing=d["spacing"], origin=d["origin"], direction=d["direction"])


def read(path: PathLike, *, series: Optional[str] = None) -> Volume:
    """Read a CT volume: a folder with one DICOM series (slices sorted along their normal),
    a ``DICOMDIR`` medium (the file or its folder), a single DICOM file, or a NIfTI volume
    (``.nii``, ``.nii.gz``). Values are HU (the DICOM rescale slope and intercept applied).
    Where a folder or medium holds several series, the one CT series that is not a
    localiser is read; ``series`` names another by its SeriesInstanceUID or SeriesNumber.
    Raises :class:`osteon.InputError` when the path does not exist, does not read as a CT,
    or holds several CT series and none is named (the error lists them)."""
    return _volume(_osteon.ct_read(os.fspath(path), series=series))


@dataclass(frozen=True)
class CtModel:
    """A CT turned into a voxel model (see :func:`build`). Every array is read-only.

    Mesh: ``nodes`` (n, 3) mm, ``node_ids`` (n,), ``elements`` (m, 8) 0-based node
    indices (C3D8, Abaqus order), ``element_ids`` (m,), ``node_sets`` {"DISTAL",
    "PROXIMAL": node indices}. Per element: ``region`` (1 cortical, 2 cancellous,
    3 marrow), ``hu`` mean HU, ``density`` apparent density (g/cm³), ``modulus`` Young's
    modulus (MPa), ``material`` the bin (0-based) whose modulus ``material_moduli[b]``
    (MPa) the model uses; ``max_binning_error`` the largest relative difference between an
    element's modulus and its bin's. ``surface_vertices`` (p, 3) mm and
    ``surface_triangles`` (t, 3) the bone surface; ``segmentation`` the region of every
    voxel (0 outside), shaped like ``volume.hu``; ``volume`` the CT as meshed (after the
    region of interest). ``model``: an :class:`osteon.Model` ready for
    :func:`osteon.solve`. ``files``: the paths written ({"inp", "vtu", "stl"}), or None.
    ``timings``: seconds per stage (segment, surface, mesh, map).
    """

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
    model: Any
    files: Optional[Dict[str, str]] = None
    timings: Dict[str, float] = field(default_factory=dict)


def _roi(roi: Any) -> Optional[list]:
    if roi is None:
        return None
    try:
        parts = list(roi)
    except TypeError:
        raise TypeError(
            f"roi: expected three (start, stop) pairs or slices, got {type(roi).__name__}"
        ) from None
    if len(parts) != 3:
        raise ValueError(f"roi: three ranges (i, j, k) expected, got {len(parts)}")
    out = []
    for c, p in enumerate(parts):
        if isinstance(p, slice):
            if p.step not in (None, 1):
                raise ValueError(f"roi[{c}]: a slice with step 1 expected")
            lo, hi = p.start, p.stop
        else:
            try:
                lo, hi = p
            except (TypeError, ValueError):
                raise TypeError(
                    f"roi[{c}]: expected a (start, stop) pair or a slice, got {p!r}"
                ) from None
        for name, v in (("start", lo), ("stop", hi)):
            if v is not None and (not isinstance(v, (int, np.integer)) or v < 0):
                raise ValueError(f"roi[{c}] {name}: a voxel index >= 0 or None, got {v!r}")
        out.append((None if lo is None else int(lo), None if hi is None else int(hi)))
    return out


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
    """Run the pipeline of ``osteon ct`` on the CT at ``path`` (see :func:`read`; ``series``
    as there).

    ``threshold``: bone surface threshold (HU; voxels at or above it are bone before hole
    filling). ``cortical``: filled-bone voxels at or above it are cortical (HU; default
    ``threshold``). ``cancellous``: below ``cortical`` and at or above this, cancellous,
    below it marrow (HU). ``labels``: a label map (NIfTI) on the CT grid instead of the
    thresholds, read with ``label_map`` (label numbers → regions). ``roi``: region of
    interest as three (start, stop) voxel index pairs or slices along i, j, k (stop
    excluded, None for an open end). ``element_size``: element edge (mm), rounded to a
    whole number of voxels (default one voxel). ``calibration``: (slope, intercept),
    mineral density (g/cm³) = intercept + slope × HU (default (0.0008, 0)).
    ``law``: density → modulus law: "morgan-femoral-neck" (E = 6850 ρ^1.49 MPa, default),
    "morgan-tibia", "morgan-vertebra", "morgan-trochanter", "carter-hayes", "keller-femur",
    "keller-vertebra" (Keller 1994 in ash density, unverified transcription). ``floor``:
    smallest element modulus (MPa). ``marrow_modulus``: modulus of marrow voxels (MPa)
    instead of the density chain. ``materials``: number of materials of the model (moduli
    binned in equal steps of log E). ``output``: a folder (created if missing) to write
    ``bone.inp``, ``bone.vtu`` and ``bone.stl`` into, the files ``osteon ct`` writes.

    The work runs without the GIL. Raises :class:`osteon.InputError` for a path that does
    not read, parameters out of range or a CT without bone.
    """
    d = _osteon.ct_build(
        os.fspath(path),
        None if output is None else os.fspath(output),
        threshold=threshold,
        cortical=cortical,
        cancellous=cancellous,
        labels=None if labels is None else os.fspath(labels),
        label_map=label_map,
        roi=_roi(roi),
        element_size=element_size,
        calibration=None if calibration is None else tuple(calibration),
        law=law,
        floor=floor,
        marrow_modulus=marrow_modulus,
        materials=materials,
        series=series,
    )
    d["volume"] = _volume(d["volume"])
    if "files" in d:
        d["files"] = {k: os.fspath(v) for k, v in d["files"].items()}
    return CtModel(**d)
