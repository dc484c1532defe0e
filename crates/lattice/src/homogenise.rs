//! Periodic voxel micro-FE: the effective 6 × 6 stiffness of a unit cell from six unit
//! macroscopic strains and one factorisation, and the local stress per unit macroscopic
//! stress.

use std::time::Instant;

use osteon_assembly::von_mises;
use osteon_material::Voigt6x6;
use osteon_material::voigt::{inverse_spd, mat_vec, max_abs};
use osteon_solver::{
    CholeskyOptions, CholeskySolver, LinearSolver, Ordering, SolverError, UnknownGroups,
};

use crate::LatticeError;
use crate::periodic::PeriodicGrid;
use crate::voxel_element::VoxelElement;

/// The largest micro-FE resolution (voxels per edge): at 96³ the factorisation of a 72 %
/// porous cell takes 17.7 GB (docs/lattice.md §8); beyond 160³ even the sparsity pattern
/// would not fit the machines osteon targets. The memory guard of the solver refuses what
/// does not fit below that.
pub const MAX_FE_RESOLUTION: usize = 160;

/// A voxel cell of several materials: `phase[v]` is 0 for a pore and m ≥ 1 for material
/// m − 1. Voxel (i, j, k) is at index i + n·(j + n·k); the cell is periodic in all axes.
#[derive(Debug, Clone, PartialEq)]
pub struct PhaseCell {
    /// Voxels per cell edge.
    pub resolution: usize,
    /// Cell edge (mm).
    pub cell_size_mm: f64,
    /// Phase of every voxel (0 = pore).
    pub phase: Vec<u8>,
}

impl PhaseCell {
    /// A one-material cell from a solid mask (phase 1 where solid).
    pub fn from_cell(cell: &crate::VoxelCell) -> Self {
        Self {
            resolution: cell.resolution(),
            cell_size_mm: cell.cell_size_mm(),
            phase: cell.solid().iter().map(|&s| u8::from(s)).collect(),
        }
    }

    /// Solid volume fraction (1).
    pub fn solid_fraction(&self) -> f64 {
        self.phase.iter().filter(|&&p| p != 0).count() as f64 / self.phase.len() as f64
    }
}

/// Options of [`homogenise`]; the default uses every thread of the caller's rayon pool.
#[derive(Debug, Clone, Copy, Default)]
pub struct HomogeniseOptions {
    /// Threads of the factorisation and solves (0: every thread of the caller's rayon pool).
    pub threads: usize,
}

/// Local stress in the solid under one macroscopic stress state, as multiples of the
/// macroscopic von Mises stress (1 for a uniaxial stress of 1 MPa, √3 for a shear of 1 MPa):
/// a stress concentration factor, 1 everywhere in a solid cell.
#[derive(Debug, Clone, PartialEq)]
pub struct StressConcentration {
    /// Largest voxel von Mises stress over the macroscopic von Mises stress (1). Voxel corners are
    /// re-entrant, so this grows slowly with resolution; read it with `p99`.
    pub peak: f64,
    /// 99th percentile (by volume) of the voxel von Mises stress over the macroscopic von
    /// Mises stress (1).
    pub p99: f64,
    /// Volume mean over the solid of the voxel von Mises stress over the macroscopic von
    /// Mises stress (1).
    pub mean: f64,
}

/// The result of [`homogenise`].
#[derive(Debug, Clone)]
pub struct Homogenised {
    /// Effective stiffness ⟨σ⟩ = C·Ē (MPa), Voigt order xx, yy, zz, xy, yz, xz, column j the
    /// volume-average stress of the unit engineering strain e_j, symmetrised (C + Cᵀ)/2.
    pub stiffness_mpa: Voigt6x6,
    /// max |C_ij − C_ji| / max |C_ij| of the computed (unsymmetrised) tensor (1): the
    /// round-off of the solve.
    pub asymmetry: f64,
    /// Largest relative residual of the six solves (1).
    pub residual: f64,
    /// Unknowns of the fluctuation system.
    pub unknowns: usize,
    /// Solid volume fraction (1).
    pub solid_fraction: f64,
    /// Wall time of assembly, factorisation and the six solves (s).
    pub seconds: f64,
    /// Stress concentration under the unit macroscopic stresses σ_xx, σ_yy, σ_zz, τ_xy,
    /// τ_yz, τ_xz (in that order).
    pub concentration: [StressConcentration; 6],
    /// The solid voxels (indices into the cell), the rows of `unit_stress_von_mises`.
    pub solid_voxels: Vec<usize>,
    /// Von Mises stress of each solid voxel over the macroscopic von Mises stress (1) under
    /// the six unit macroscopic stresses: `unit_stress_von_mises[case][row]`.
    pub unit_stress_von_mises: [Vec<f64>; 6],
}

/// Homogenises `cell` whose phase m ≥ 1 is made of the material of stiffness
/// `materials[m − 1]` (MPa).
///
/// The fluctuation w of u = Ē·x + w is periodic (see the `periodic` module) and solves
/// K w = −Σ_e K_e u⁰_e for the six unit strains with one factorisation; column j of C is
/// the volume average of the voxel stresses D (e_j + B w_e) (exact for the trilinear cube:
/// its centre strain is its mean strain).
///
/// # Errors
/// [`LatticeError::NoSolid`] for an empty cell, [`LatticeError::OutOfRange`] for a phase
/// without a material, [`LatticeError::Solver`] when the factorisation fails — most often a
/// solid that does not span the cell or a loose island (remove them with
/// [`crate::keep_largest_component`]).
pub fn homogenise(
    cell: &PhaseCell,
    materials: &[Voigt6x6],
    options: HomogeniseOptions,
) -> Result<Homogenised, LatticeError> {
    let start = Instant::now();
    let n = cell.resolution;
    if !(2..=MAX_FE_RESOLUTION).contains(&n) {
        return Err(LatticeError::OutOfRange {
            name: "micro-FE resolution",
            value: n as f64,
            range: "2 to 160 voxels per edge (96³ already needs about 18 GB)",
        });
    }
    if !(cell.cell_size_mm.is_finite() && cell.cell_size_mm > 0.0) {
        return Err(LatticeError::OutOfRange {
            name: "cell_size_mm",
            value: cell.cell_size_mm,
            range: "> 0",
        });
    }
    if cell.phase.len() != n * n * n {
        return Err(LatticeError::MaskLength {
            got: cell.phase.len(),
            expected: n * n * n,
        });
    }
    if let Some(&p) = cell
        .phase
        .iter()
        .find(|&&p| usize::from(p) > materials.len())
    {
        return Err(LatticeError::OutOfRange {
            name: "phase",
            value: f64::from(p),
            range: "a material for every phase",
        });
    }
    let h = cell.cell_size_mm / n as f64;
    let elements = materials
        .iter()
        .map(|d| VoxelElement::new(h, d))
        .collect::<Result<Vec<_>, _>>()?;
    let grid = PeriodicGrid::new(n, &cell.phase)?;
    let mut k = grid.pattern(&cell.phase)?;
    grid.assemble(&cell.phase, &elements, &mut k)?;

    // Right-hand sides: −Σ K_e u⁰_e, column-major, one column per unit strain.
    let m = grid.n_unknowns();
    let mut b = vec![0.0; 6 * m];
    for (v, &p) in cell.phase.iter().enumerate() {
        if p == 0 {
            continue;
        }
        let el = &elements[usize::from(p) - 1];
        for (a, &eq) in grid.voxel_equations(v).iter().enumerate() {
            if eq == usize::MAX {
                continue;
            }
            for (j, f) in el.macro_force.iter().enumerate() {
                for i in 0..3 {
                    b[j * m + 3 * eq + i] -= f[3 * a + i];
                }
            }
        }
    }
    let mut w = vec![0.0; 6 * m];
    let mut residual = 0.0_f64;
    if m > 0 {
        let mut solver = CholeskySolver::new(CholeskyOptions {
            ordering: Ordering::NestedDissection,
            threads: options.threads,
        });
        let groups = UnknownGroups::uniform(m, 3);
        solver.analyse(&k, Some(&groups))?;
        solver.factorise(&k)?;
        for report in solver.solve_many(&k, &b, &mut w, 6)? {
            residual = residual.max(report.relative_residual);
        }
    }
    drop(k);
    drop(b);

    // Centre strain of every solid voxel under each unit strain, and the mean stress.
    let solid_voxels: Vec<usize> = (0..cell.phase.len())
        .filter(|&v| cell.phase[v] != 0)
        .collect();
    let mut strains: Vec<[[f64; 6]; 6]> = Vec::with_capacity(solid_voxels.len());
    let mut c = [[0.0; 6]; 6];
    for &v in &solid_voxels {
        let el = &elements[usize::from(cell.phase[v]) - 1];
        let eqs = grid.voxel_equations(v);
        let mut per_case = [[0.0; 6]; 6];
        for (j, eps) in per_case.iter_mut().enumerate() {
            let mut ue = [0.0; 24];
            for (a, &eq) in eqs.iter().enumerate() {
                if eq != usize::MAX {
                    ue[3 * a..3 * a + 3].copy_from_slice(&w[j * m + 3 * eq..j * m + 3 * eq + 3]);
                }
            }
            *eps = el.centre_strain(&ue);
            eps[j] += 1.0;
            let sigma = mat_vec(&el.d, eps);
            for (i, s) in sigma.iter().enumerate() {
                c[i][j] += s;
            }
        }
        strains.push(per_case);
    }
    let n_total = cell.phase.len() as f64;
    for row in &mut c {
        for x in row.iter_mut() {
            *x /= n_total;
        }
    }
    let scale = max_abs(&c);
    let mut asymmetry = 0.0_f64;
    let mut sym = c;
    for i in 0..6 {
        for j in 0..6 {
            asymmetry = asymmetry.max((c[i][j] - c[j][i]).abs() / scale);
            sym[i][j] = 0.5 * (c[i][j] + c[j][i]);
        }
    }

    // Local von Mises stress per unit macroscopic stress: Ē = S·e_k.
    let compliance = inverse_spd(&sym).map_err(|_| LatticeError::NotSpanning)?;
    let mut unit_stress_von_mises: [Vec<f64>; 6] = Default::default();
    let mut concentration: [StressConcentration; 6] =
        std::array::from_fn(|_| StressConcentration {
            peak: 0.0,
            p99: 0.0,
            mean: 0.0,
        });
    for k_case in 0..6 {
        let macro_strain: [f64; 6] = std::array::from_fn(|j| compliance[j][k_case]);
        let mut unit = [0.0; 6];
        unit[k_case] = 1.0;
        let macro_von_mises = von_mises(&unit);
        let vm: Vec<f64> = solid_voxels
            .iter()
            .zip(&strains)
            .map(|(&v, per_case)| {
                let d = &elements[usize::from(cell.phase[v]) - 1].d;
                let mut eps = [0.0; 6];
                for (j, e) in per_case.iter().enumerate() {
                    for i in 0..6 {
                        eps[i] += macro_strain[j] * e[i];
                    }
                }
                von_mises(&mat_vec(d, &eps)) / macro_von_mises
            })
            .collect();
        concentration[k_case] = summarise(&vm);
        unit_stress_von_mises[k_case] = vm;
    }

    Ok(Homogenised {
        stiffness_mpa: sym,
        asymmetry,
        residual,
        unknowns: m,
        solid_fraction: cell.solid_fraction(),
        seconds: start.elapsed().as_secs_f64(),
        concentration,
        solid_voxels,
        unit_stress_von_mises,
    })
}

impl From<SolverError> for LatticeError {
    fn from(e: SolverError) -> Self {
        LatticeError::Solver(e)
    }
}

/// Peak, 99th percentile and mean of equal-volume samples.
fn summarise(values: &[f64]) -> StressConcentration {
    if values.is_empty() {
        return StressConcentration {
            peak: 0.0,
            p99: 0.0,
            mean: 0.0,
        };
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let idx = ((0.99 * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1;
    StressConcentration {
        peak: sorted[sorted.len() - 1],
        p99: sorted[idx],
        mean: sorted.iter().sum::<f64>() / sorted.len() as f64,
    }
}
