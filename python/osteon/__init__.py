"""osteon from Python: finite-element biomechanics with numpy arrays in and out.

Units everywhere: mm, N, MPa (density t/mm³, energy mJ = N·mm). Stress and strain in Voigt
order xx, yy, zz, xy, yz, xz with engineering shear strains.

* :func:`solve` — a deck (``.inp``), a Gmsh mesh with its TOML model, a TOML model, or a
  :class:`Model` built from numpy arrays → :class:`Result` (numpy arrays per step, the
  JSON summary as a dict, ``to_meshio()`` / ``to_pyvista()``).
* :class:`Study` — the tibial reconstruction study of ``osteon study``; ``Study.run()``
  → :class:`StudyResult` (``metrics.to_pandas()``, report paths, the solved models).
* :mod:`osteon.ct` — the CT pipeline of ``osteon ct``: ``ct.read(path)`` → a
  :class:`~osteon.ct.Volume` (HU array, spacing, origin), ``ct.build(path)`` → the voxel
  mesh with a modulus per element and a solvable :class:`Model`.
* Progress (``progress=True``): a tqdm bar (``tqdm.auto``, a widget in notebooks) when
  tqdm is installed, else a line per stage and phase on stderr.
* Errors: :class:`InputError` (a ``ValueError``) for wrong input, :class:`NumericalError`
  (a ``RuntimeError``) for singular systems, inverted elements, contact that does not
  converge; ``TypeError``/``ValueError`` naming the argument for wrong dtypes or shapes.
"""

from ._osteon import (
    InputError,
    Isotropic,
    Material,
    Metrics,
    Model,
    NumericalError,
    PorousTantalum,
    Result,
    Step,
    Study,
    StudyResult,
    TransverselyIsotropic,
    __version__,
    design,
    hu_to_density,
    morgan2003,
    solve,
)
from . import ct

__all__ = [
    "design",
    "InputError",
    "Isotropic",
    "Material",
    "Metrics",
    "Model",
    "NumericalError",
    "PorousTantalum",
    "Result",
    "Step",
    "Study",
    "StudyResult",
    "TransverselyIsotropic",
    "__version__",
    "ct",
    "hu_to_density",
    "morgan2003",
    "solve",
]
