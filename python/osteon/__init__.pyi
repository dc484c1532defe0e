"""Type stubs of osteon (the compiled module osteon._osteon, re-exported here).

Units everywhere: mm, N, MPa (density t/mm³, energy mJ = N·mm). Stress and strain in Voigt
order xx, yy, zz, xy, yz, xz with engineering shear strains. Nodes and elements given from
Python are addressed by 0-based index (rows of the arrays); ids are kept for outputs.
"""

import os
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
import numpy.typing as npt

from . import ct as ct

__version__: str

PathLike = Union[str, "os.PathLike[str]"]
#: node or element selection: 0-based indices, a boolean mask (one entry per node or
#: element), or the name of a set
Selection = Union[npt.ArrayLike, str]
#: element faces: a (k, 2) integer array of (element index, 0-based face number, S1 = 0),
#: or the name of a surface
Faces = Union[npt.ArrayLike, str]
#: a displacement component: 0, 1, 2 or "x", "y", "z"
ComponentLike = Union[int, str]
#: progress: True (a tqdm bar from tqdm.auto — a widget in notebooks — when tqdm is
#: installed: the stage as its description, one step per finished phase; else a line per
#: stage and phase on sys.stderr), False/None, or a callable given each line
ProgressLike = Union[bool, None, Callable[[str], Any]]

class InputError(ValueError):
    """Wrong input: a file that does not parse, an inconsistent model, a parameter out of
    range; the message names file:line where there is one (the CLI's exit status 2)."""

class NumericalError(RuntimeError):
    """A numerical failure: rigid-body mode, floating part, inverted element, contact that
    does not converge, a factorisation that does not fit in memory (the CLI's exit 3)."""

class Material:
    """A linear elastic material; base class of the laws below."""

    @staticmethod
    def library(name: str) -> "Material":
        """A material of osteon's library: "cortical_bone",
        "cortical_bone_transversely_isotropic", "cancellous_bone", "dense_tantalum",
        "porous_tantalum_seed", "ti6al4v", ... (sources: docs/biomechanics.md)."""
    @property
    def name(self) -> str: ...
    @property
    def density(self) -> Optional[float]:
        """Mass density (t/mm³; 1 g/cm³ = 1e-9 t/mm³), or None."""
    def stiffness(self) -> npt.NDArray[np.float64]:
        """The 6 × 6 stiffness D (MPa), Voigt order, engineering shear."""

class Isotropic(Material):
    """Isotropic elasticity: Young's modulus E (MPa), Poisson's ratio nu (−1 < ν < 0.5),
    optional density (t/mm³) for gravity loads."""

    def __init__(
        self, E: float, nu: float, *, density: Optional[float] = None, name: Optional[str] = None
    ) -> None: ...

class TransverselyIsotropic(Material):
    """Transversely isotropic about the global z axis: in-plane modulus E_p (MPa), axial
    modulus E_t (MPa), in-plane Poisson's ratio nu_p, nu_pt (Abaqus ν13:
    ε_z = −ν_pt σ_x / E_p), shear modulus G_t (MPa) of the planes containing z."""

    def __init__(
        self,
        E_p: float,
        E_t: float,
        nu_p: float,
        nu_pt: float,
        G_t: float,
        *,
        density: Optional[float] = None,
        name: Optional[str] = None,
    ) -> None: ...

class PorousTantalum(Material):
    """Porous tantalum of porosity 0 < p < 1: E = 186 000 MPa · (1 − p)² (Gibson–Ashby),
    ν = 0.3, density (1 − p) · 16.6e-9 t/mm³; `modulus` (MPa) gives a measured modulus."""

    def __init__(
        self, porosity: float, *, modulus: Optional[float] = None, name: Optional[str] = None
    ) -> None: ...
    @property
    def porosity(self) -> float: ...
    @property
    def modulus(self) -> float:
        """Young's modulus used (MPa)."""

def morgan2003(rho: npt.ArrayLike, site: str = "proximal_tibia") -> Any:
    """Apparent density (g/cm³) → Young's modulus (MPa), Morgan et al. 2003, E = a ρ^b;
    site "proximal_tibia", "vertebra", "greater_trochanter" or "femoral_neck". A float for
    a number, else a float64 array of the same shape."""

def hu_to_density(hu: npt.ArrayLike, a: float, b: float) -> Any:
    """CT number (HU) → apparent density (g/cm³): ρ = a + b · HU, clamped to ≥ 0.01."""

class Model:
    """A model from numpy arrays: `nodes` (n, 3) float coordinates (mm), `elements` (m, k)
    integer connectivity of 0-based node indices (Abaqus node order), `element_type`
    "C3D4", "C3D10", "C3D8", "C3D20" or "C3D20R". Ids default to 1..n and 1..m."""

    def __init__(
        self,
        nodes: npt.ArrayLike,
        elements: npt.ArrayLike,
        element_type: str,
        *,
        node_ids: Optional[npt.ArrayLike] = None,
        element_ids: Optional[npt.ArrayLike] = None,
    ) -> None: ...
    def add_elements(
        self, elements: npt.ArrayLike, element_type: str, *, element_ids: Optional[npt.ArrayLike] = None
    ) -> npt.NDArray[np.int64]:
        """Add a block of elements; returns their global element indices."""
    @property
    def n_nodes(self) -> int: ...
    @property
    def n_elements(self) -> int: ...
    @property
    def nodes(self) -> npt.NDArray[np.float64]:
        """Node coordinates (n, 3), mm."""
    @property
    def steps(self) -> List[str]:
        """Step names, in solving order."""
    def add_node_set(self, name: str, nodes: Selection) -> None: ...
    def add_element_set(self, name: str, elements: Selection) -> None: ...
    def node_set_indices(self, name: str) -> npt.NDArray[np.int64]: ...
    def faces_on(self, nodes: Selection) -> npt.NDArray[np.int64]:
        """Element faces all of whose nodes are among `nodes`: (k, 2) array of (element
        index, 0-based face number)."""
    def add_surface(self, name: str, faces: Faces) -> None: ...
    def assign(
        self, material: Material, elements: Optional[Selection] = None, *, name: Optional[str] = None
    ) -> None:
        """Give `material` to `elements` (default all); every element needs exactly one."""
    def fix(self, nodes: Selection, components: Optional[Union[ComponentLike, Sequence[ComponentLike]]] = None) -> None:
        """Hold the components (default all three) of `nodes` at zero in every step."""
    def prescribe(
        self, nodes: Selection, component: ComponentLike, value: float, *, step: Optional[str] = None
    ) -> None:
        """Prescribed displacement (mm), in every step or in `step` only."""
    def add_nodal_load(self, nodes: Selection, force: npt.ArrayLike, *, step: str = "Step-1") -> None:
        """Point forces (N): one vector (3,) at every node or one row per node (k, 3)."""
    def add_pressure(self, faces: Faces, pressure: float, *, step: str = "Step-1") -> None:
        """Uniform pressure (MPa); positive pushes into the face."""
    def add_traction(self, faces: Faces, traction: npt.ArrayLike, *, step: str = "Step-1") -> None:
        """Uniform traction (MPa = N/mm²), a vector in global axes."""
    def add_gravity(
        self, acceleration: npt.ArrayLike, elements: Optional[Selection] = None, *, step: str = "Step-1"
    ) -> None:
        """Acceleration field (mm/s²; gravity −z: (0, 0, −9810)); needs material densities."""
    def check_units(self) -> List[str]:
        """The unit-system warnings of `osteon solve` (modulus in Pa, model in metres...)."""

class Step:
    """One solved step; arrays by node index (rows as Result.node_ids)."""

    @property
    def name(self) -> str: ...
    @property
    def displacement(self) -> npt.NDArray[np.float64]:
        """(n, 3), mm."""
    @property
    def reactions(self) -> npt.NDArray[np.float64]:
        """(n, 3), N; non-zero at constrained nodes."""
    @property
    def stress(self) -> npt.NDArray[np.float64]:
        """(n, 6), MPa, extrapolated to the nodes and averaged."""
    @property
    def strain(self) -> npt.NDArray[np.float64]:
        """(n, 6), engineering shear strains."""
    @property
    def von_mises(self) -> npt.NDArray[np.float64]:
        """(n,), MPa."""
    @property
    def applied_force(self) -> npt.NDArray[np.float64]:
        """Sum of the applied loads (3,), N."""
    @property
    def summary(self) -> Optional[Dict[str, Any]]:
        """This step's part of the JSON summary."""

class Result:
    """A solved model: mesh arrays, one Step per step (top-level arrays: the last step),
    the JSON summary of `osteon solve` as a dict. Arrays are read-only."""

    @property
    def node_ids(self) -> npt.NDArray[np.int64]: ...
    @property
    def nodes(self) -> npt.NDArray[np.float64]:
        """(n, 3), mm."""
    @property
    def element_ids(self) -> npt.NDArray[np.int64]: ...
    @property
    def element_material(self) -> npt.NDArray[np.int64]:
        """Section index per element (VTU `material`)."""
    @property
    def section_names(self) -> List[str]: ...
    @property
    def cells(self) -> List[Tuple[str, npt.NDArray[np.int64]]]:
        """Element blocks: (Abaqus type, connectivity of 0-based node indices)."""
    @property
    def node_sets(self) -> Dict[str, npt.NDArray[np.int64]]: ...
    @property
    def steps(self) -> List[Step]: ...
    @property
    def displacement(self) -> npt.NDArray[np.float64]: ...
    @property
    def reactions(self) -> npt.NDArray[np.float64]: ...
    @property
    def stress(self) -> npt.NDArray[np.float64]: ...
    @property
    def strain(self) -> npt.NDArray[np.float64]: ...
    @property
    def von_mises(self) -> npt.NDArray[np.float64]: ...
    @property
    def summary(self) -> Optional[Dict[str, Any]]: ...
    @property
    def warnings(self) -> List[str]: ...
    def to_meshio(self) -> Any:
        """A meshio.Mesh with every step's point data; ImportError without meshio."""
    def to_pyvista(self, step: Optional[int] = None) -> Any:
        """A pyvista.UnstructuredGrid with one step's point data (default the last);
        ImportError without pyvista."""

def design(
    path: PathLike,
    output_dir: Optional[PathLike] = None,
    *,
    progress: ProgressLike = None,
    threads: Optional[int] = None,
    mesh_size: Optional[float] = None,
) -> Dict[str, Any]:
    """Run the design sweep of a design file as `osteon design` does and return its report
    (results per design with micromotion p95 in µm, migration in mm, daily near-implant
    shielding 0-1, safety, feasibility, Pareto flag; recommended index; effects; notes).
    output_dir: also write design.md/json/svg there. mesh_size: element size (mm)."""
    ...

def solve(
    source: Union[PathLike, Model],
    *,
    threads: Optional[int] = None,
    model: Optional[PathLike] = None,
    solver: str = "cholesky",
    cg_tolerance: float = 1e-10,
    progress: ProgressLike = None,
) -> Result:
    """Solve a deck (.inp), a Gmsh mesh (.msh with `model`, its TOML description), a TOML
    model or a Model, as `osteon solve` does (contact decks by the contact analysis; the
    same library function, osteon::run, runs both). threads: worker threads (default every
    core). solver: "cholesky", "cholesky-all-nodes", "cholesky-amd" or "cg" (relative
    residual cg_tolerance; ignored for contact). Releases the GIL; Ctrl-C stops at the next phase boundary
    (KeyboardInterrupt)."""

class Metrics:
    """Per-case metrics of a study."""

    @property
    def records(self) -> List[Dict[str, Any]]:
        """One flat dict per load case (nested keys as `a.b`, list entries as `a[0]`)."""
    @property
    def checks(self) -> List[Dict[str, Any]]:
        """Pass/fail checks: case, criterion, value, target, status, source."""
    @property
    def cases(self) -> List[Dict[str, Any]]:
        """The nested metrics as in report.json."""
    def to_pandas(self) -> Any:
        """DataFrame, one row per case indexed by name; ImportError without pandas."""
    def checks_to_pandas(self) -> Any: ...
    def __len__(self) -> int: ...
    def __getitem__(self, i: int) -> Dict[str, Any]: ...

class StudyResult:
    """A finished study."""

    @property
    def report(self) -> Dict[str, Any]:
        """The report (report.json's content)."""
    @property
    def metrics(self) -> Metrics: ...
    @property
    def output_dir(self) -> Optional[Path]: ...
    @property
    def report_json(self) -> Optional[Path]: ...
    @property
    def report_md(self) -> Optional[Path]: ...
    @property
    def plots(self) -> List[Path]: ...
    @property
    def files(self) -> List[Path]:
        """VTU and PVD files written."""
    @property
    def implanted(self) -> Result:
        """The implanted model, one step per load case."""
    @property
    def intact(self) -> Result:
        """The intact reference model, one step per load case."""
    @property
    def warnings(self) -> List[str]: ...

class Study:
    """The tibial reconstruction study of `osteon study` (schema:
    examples/tibia_study.toml; every key optional). Study() is the seed case."""

    def __init__(self) -> None: ...
    @staticmethod
    def from_toml(path: PathLike) -> "Study": ...
    @staticmethod
    def from_dict(study: Dict[str, Any]) -> "Study":
        """The keys of a study file as nested dicts; checked as a file is."""
    def to_dict(self) -> Dict[str, Any]:
        """Every key with its default filled in."""
    @property
    def name(self) -> str: ...
    @property
    def warnings(self) -> List[str]: ...
    def run(
        self,
        output_dir: Optional[PathLike] = None,
        *,
        progress: ProgressLike = None,
        threads: Optional[int] = None,
        mesh_size: Optional[float] = None,
        write_vtu: Optional[bool] = None,
    ) -> StudyResult:
        """Build, solve (implanted and intact), compute the metrics and, when an output
        folder is given (else the study's `output`), write report.md, report.json, plots
        and VTU files. progress defaults to True. Releases the GIL; Ctrl-C stops at the
        next stage or phase (KeyboardInterrupt)."""
