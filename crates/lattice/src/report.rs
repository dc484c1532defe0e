//! What `osteon lattice` writes: `lattice.json` (the effective tensor and constants of the
//! designed cell, the porosity sweep and the fitted law) and `unit_cell.vtu` (the solid
//! voxels with their stress under each unit macroscopic stress).

use std::path::Path;

use osteon_io::vtu::{DataArray, VtuFields, write_vtu};
use osteon_io::write_atomically;
use osteon_material::IsotropicElastic;
use osteon_mesh::{ElementType, Mesh};
use serde::Serialize;

use crate::{LatticeError, LatticeResult, PowerLaw, SweepPoint};

/// Names of the six unit macroscopic stress cases, in [`crate::Homogenised`] order.
pub const UNIT_STRESS_CASES: [&str; 6] = ["sxx", "syy", "szz", "txy", "tyz", "txz"];

/// The contents of `lattice.json`.
#[derive(Debug, Clone, Serialize)]
pub struct LatticeReport {
    /// Cell architecture.
    pub cell: String,
    /// Strut radius or gyroid level (cell units).
    pub parameter: f64,
    /// Cell edge (mm).
    pub cell_size_mm: f64,
    /// Voxels per cell edge.
    pub resolution: usize,
    /// Voxel edge (µm).
    pub voxel_um: f64,
    /// Requested porosity (1).
    pub target_porosity: f64,
    /// Porosity of the solved cell, loose voxels removed (1).
    pub porosity: f64,
    /// Pore size of the design, largest inscribed sphere (µm).
    pub pore_size_um: f64,
    /// Solid voxels removed as loose fragments.
    pub removed_voxels: usize,
    /// Solid: Young's modulus (MPa) and Poisson's ratio (1).
    pub solid: SolidReport,
    /// Effective stiffness, Voigt order xx, yy, zz, xy, yz, xz, engineering shear (MPa).
    pub stiffness_mpa: [[f64; 6]; 6],
    /// Relative asymmetry of the computed tensor before symmetrisation (1).
    pub asymmetry: f64,
    /// [E_x, E_y, E_z] (MPa).
    pub youngs_modulus_mpa: [f64; 3],
    /// Mean Young's modulus over E_s (1).
    pub relative_modulus: f64,
    /// [G_xy, G_yz, G_xz] (MPa).
    pub shear_modulus_mpa: [f64; 3],
    /// [ν_xy, ν_xz, ν_yz] (1, Abaqus sense).
    pub poisson_ratio: [f64; 3],
    /// Zener-type anisotropy in the xy, yz, xz planes (1).
    pub zener_anisotropy: [f64; 3],
    /// Largest coupling outside the orthotropic pattern, relative (1).
    pub non_orthotropic: f64,
    /// Stress concentration (voxel von Mises over macroscopic von Mises) per unit
    /// macroscopic stress case.
    pub stress_concentration: Vec<ConcentrationReport>,
    /// Unknowns of the micro-FE system.
    pub unknowns: usize,
    /// Wall time of the micro-FE (s).
    pub solve_seconds: f64,
    /// The porosity sweep, when run.
    pub sweep: Option<SweepReport>,
}

/// The solid of the struts.
#[derive(Debug, Clone, Serialize)]
pub struct SolidReport {
    /// Young's modulus (MPa).
    pub youngs_modulus_mpa: f64,
    /// Poisson's ratio (1).
    pub poisson_ratio: f64,
}

/// One row of `stress_concentration`.
#[derive(Debug, Clone, Serialize)]
pub struct ConcentrationReport {
    /// Unit macroscopic stress case (sxx … txz).
    pub case: String,
    /// Largest voxel value (1).
    pub peak: f64,
    /// 99th percentile by volume (1).
    pub p99: f64,
    /// Volume mean over the solid (1).
    pub mean: f64,
}

/// The porosity sweep and its fitted law.
#[derive(Debug, Clone, Serialize)]
pub struct SweepReport {
    /// Voxels per cell edge of the sweep.
    pub resolution: usize,
    /// The points.
    pub points: Vec<SweepPointReport>,
    /// Fitted prefactor C of E/E_s = C·(ρ/ρ_s)ⁿ (1).
    pub c: f64,
    /// Fitted exponent n (1).
    pub n: f64,
    /// Largest |ln(fit/point)| (1).
    pub max_log_error: f64,
}

/// One sweep point.
#[derive(Debug, Clone, Serialize)]
pub struct SweepPointReport {
    /// Porosity of the solved cell (1).
    pub porosity: f64,
    /// Mean Young's modulus (MPa).
    pub youngs_modulus_mpa: f64,
    /// Mean shear modulus (MPa).
    pub shear_modulus_mpa: f64,
    /// E/E_s (1).
    pub relative_modulus: f64,
}

impl LatticeReport {
    /// The report of `result` (struts of `solid`, requested `target_porosity`) and, when
    /// given, the sweep at `sweep.0` voxels per edge with its points and law.
    pub fn new(
        result: &LatticeResult,
        solid: &IsotropicElastic,
        target_porosity: f64,
        sweep: Option<(usize, &[SweepPoint], &PowerLaw)>,
    ) -> Self {
        let h = &result.homogenised;
        let c = &result.constants;
        let n = result.cell.resolution;
        Self {
            cell: result.design.kind.to_string(),
            parameter: result.design.parameter,
            cell_size_mm: result.cell.cell_size_mm,
            resolution: n,
            voxel_um: result.cell.cell_size_mm * 1000.0 / n as f64,
            target_porosity,
            porosity: result.porosity,
            pore_size_um: result.design.pore_size_um,
            removed_voxels: result.removed_voxels,
            solid: SolidReport {
                youngs_modulus_mpa: solid.e,
                poisson_ratio: solid.nu,
            },
            stiffness_mpa: h.stiffness_mpa,
            asymmetry: h.asymmetry,
            youngs_modulus_mpa: c.youngs_modulus_mpa,
            relative_modulus: result.relative_modulus,
            shear_modulus_mpa: c.shear_modulus_mpa,
            poisson_ratio: c.poisson_ratio,
            zener_anisotropy: c.zener,
            non_orthotropic: c.non_orthotropic,
            stress_concentration: UNIT_STRESS_CASES
                .iter()
                .zip(&h.concentration)
                .map(|(case, k)| ConcentrationReport {
                    case: (*case).to_string(),
                    peak: k.peak,
                    p99: k.p99,
                    mean: k.mean,
                })
                .collect(),
            unknowns: h.unknowns,
            solve_seconds: h.seconds,
            sweep: sweep.map(|(resolution, points, law)| SweepReport {
                resolution,
                points: points
                    .iter()
                    .map(|p| SweepPointReport {
                        porosity: p.porosity,
                        youngs_modulus_mpa: p.youngs_modulus_mpa,
                        shear_modulus_mpa: p.shear_modulus_mpa,
                        relative_modulus: p.relative_modulus,
                    })
                    .collect(),
                c: law.c,
                n: law.n,
                max_log_error: law.max_log_error,
            }),
        }
    }

    /// Writes the report as pretty JSON to `path`, atomically.
    ///
    /// # Errors
    /// [`LatticeError::Output`] when the file cannot be written.
    pub fn write_json(&self, path: &Path) -> Result<(), LatticeError> {
        let text = serde_json::to_string_pretty(self).map_err(|e| output_error(path, e))?;
        write_atomically(path, |w| w.write_all(text.as_bytes())).map_err(|e| output_error(path, e))
    }
}

/// The solved cell as a C3D8 mesh of its solid voxels (nodes on the (n+1)³ grid, mm), with
/// the voxel von Mises stress per unit macroscopic von Mises stress of each case
/// (`vm_per_sxx` … `vm_per_txz`) as cell arrays.
///
/// # Errors
/// [`LatticeError::Output`] when the mesh cannot be built or the file written.
pub fn write_unit_cell_vtu(result: &LatticeResult, path: &Path) -> Result<(), LatticeError> {
    let cell = &result.cell;
    let n = cell.resolution;
    let h = cell.cell_size_mm / n as f64;
    let m = n + 1;
    let mut mesh = Mesh::new();
    let mut node_id = vec![0i64; m * m * m];
    let mut used = vec![false; m * m * m];
    let grid = |i: usize, j: usize, k: usize| i + m * (j + m * k);
    let corners = |v: usize| {
        let (i, j, k) = (v % n, (v / n) % n, v / (n * n));
        crate::voxel_element::corners().map(|c| grid(i + c[0], j + c[1], k + c[2]))
    };
    for &v in &result.homogenised.solid_voxels {
        for g in corners(v) {
            used[g] = true;
        }
    }
    let mut next = 1i64;
    for (g, &u) in used.iter().enumerate() {
        if u {
            let (i, j, k) = (g % m, (g / m) % m, g / (m * m));
            mesh.add_node(next, [i as f64 * h, j as f64 * h, k as f64 * h])
                .map_err(|e| output_error(path, e))?;
            node_id[g] = next;
            next += 1;
        }
    }
    for (e, &v) in result.homogenised.solid_voxels.iter().enumerate() {
        let ids = corners(v).map(|g| node_id[g]);
        mesh.add_element(ElementType::Hex8, e as i64 + 1, &ids)
            .map_err(|e| output_error(path, e))?;
    }
    let mut fields = VtuFields::new();
    for (case, values) in UNIT_STRESS_CASES
        .iter()
        .zip(&result.homogenised.unit_stress_von_mises)
    {
        fields = fields.with_cell_array(DataArray::float64(
            format!("vm_per_{case}"),
            1,
            values.clone(),
        ));
    }
    write_vtu(path, &mesh, &fields).map_err(|e| output_error(path, e))
}

fn output_error(path: &Path, e: impl std::fmt::Display) -> LatticeError {
    LatticeError::Output {
        path: path.display().to_string(),
        detail: e.to_string(),
    }
}
