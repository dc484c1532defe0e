//! Case 8: mesh convergence of the L2 displacement error on a smooth problem.
//!
//! The problem is the plane-strain Lamé cylinder of case 5 (r_i = 5 mm, r_o = 10 mm,
//! p = 10 MPa, cortical bone) on the quarter cross-section with a slab 0 ≤ z ≤ 2.5 mm,
//! but as a pure Dirichlet problem: the exact displacement u = u_r(r) e_r, u_z = 0
//! (Timoshenko & Goodier, ch. 4) is prescribed at every boundary node, so the only error is
//! the discretisation (including that of the curved geometry). The polar map is refined
//! uniformly, cells (n, 2n, n/2) in (r, θ, z), h = (r_o − r_i)/n.
//!
//! The relative L2 error ‖u − u_h‖ / ‖u‖ is integrated with the element's accurate rule
//! (collapsed 5³ Gauss on tetrahedra, 4³ Gauss on hexahedra): u_h = Σ N_a u_a and the exact
//! field at x(ξ), weights det J(ξ) w. A priori theory for smooth solutions
//! (Ciarlet, *The Finite Element Method for Elliptic Problems*, 1978, ch. 3 with the
//! Aubin–Nitsche argument; ch. 4 for isoparametric elements) gives
//! ‖u − u_h‖_L2 = O(h^{k+1}) for degree k: rate 2 for Tet4/Hex8 and 3 for
//! Tet10/Hex20/Hex20R. The rate is the log–log slope of the last two meshes and must lie
//! within ±0.3 of the theory; the least-squares slope over all meshes is reported too.

use osteon_assembly::{DirichletBc, LoadCase, Model};
use osteon_material::library;
use osteon_mesh::ElementType;
use osteon_mesh::geometry::physical_gradients;

use crate::lame::{LameCylinder, quarter_cylinder};
use crate::support::{
    Backend, CaseError, CheckResult, isotropic_constants, log_log_slope, solve_single,
};

const RI: f64 = 5.0;
const RO: f64 = 10.0;
const THICK: f64 = 2.5;
const PRESSURE: f64 = 10.0;
/// Half-width of the admissible band around the theoretical rate.
pub const RATE_BAND: f64 = 0.3;

/// One refinement level.
#[derive(Clone, Debug, PartialEq)]
pub struct Level {
    /// Cells (r, θ, z).
    pub cells: [usize; 3],
    /// Radial cell size (mm).
    pub h: f64,
    /// Free unknowns (nodes × 3 minus prescribed).
    pub nodes: usize,
    /// Relative L2 displacement error ‖u − u_h‖ / ‖u‖.
    pub error: f64,
    /// Relative H1-seminorm error ‖∇(u − u_h)‖ / ‖∇u‖ (the strain error).
    pub h1_error: f64,
}

/// The convergence study of one element type.
#[derive(Clone, Debug, PartialEq)]
pub struct ConvergenceStudy {
    /// Element type.
    pub element: ElementType,
    /// Levels, coarse to fine.
    pub levels: Vec<Level>,
    /// Theoretical rate k + 1.
    pub expected: f64,
    /// Slope of the last two levels.
    pub slope_last: f64,
    /// Least-squares slope over all levels.
    pub slope_lsq: f64,
    /// H1-seminorm slope of the last two levels (theory: k).
    pub h1_slope_last: f64,
}

impl ConvergenceStudy {
    /// The rate checks: L2 slope of the last two meshes within ±0.3 of k + 1, H1-seminorm
    /// slope within ±0.3 of k.
    pub fn checks(&self) -> Vec<CheckResult> {
        let h1 = self.expected - 1.0;
        vec![
            CheckResult::scaled(
                "8 convergence, Lame",
                self.element,
                "L2 error rate, last two meshes",
                self.slope_last,
                self.expected,
                self.expected,
                RATE_BAND / self.expected,
            ),
            CheckResult::scaled(
                "8 convergence, Lame",
                self.element,
                "H1-seminorm error rate, last two meshes",
                self.h1_slope_last,
                h1,
                h1,
                RATE_BAND / h1,
            ),
        ]
    }
}

/// Refinements n per element type (cells (n, 2n, n/2)).
fn refinements(etype: ElementType) -> &'static [usize] {
    if etype.is_quadratic() {
        &[1, 2, 4, 8]
    } else {
        &[2, 4, 8, 16]
    }
}

/// Relative L2 error of one solve on cells (n, 2n, n/2).
fn level(etype: ElementType, n: usize, backend: &dyn Backend) -> Result<Level, CaseError> {
    let cells = [n, 2 * n, (n / 2).max(1)];
    let mesh = quarter_cylinder(RI, RO, THICK, cells, etype)?;
    let mut model = Model::new(mesh);
    let bone = library::cortical_bone();
    let (e, nu) = isotropic_constants(&bone)?;
    let m = model.add_material(bone);
    model.add_section("ALL", model.mesh.element_set("ALL")?.to_vec(), m);
    let exact = LameCylinder {
        ri: RI,
        ro: RO,
        p: PRESSURE,
        e,
        nu,
    };
    let mut boundary = Vec::new();
    for set in ["INNER", "OUTER", "THETA0", "THETA90", "Z0", "Z1"] {
        boundary.extend_from_slice(model.mesh.node_set(set)?);
    }
    boundary.sort_unstable();
    boundary.dedup();
    for &node in &boundary {
        let u = exact.displacement(model.mesh.coords[node]);
        for (component, &value) in u.iter().enumerate() {
            model.boundary.push(DirichletBc {
                node,
                component,
                value,
            });
        }
    }
    model
        .load_cases
        .push(LoadCase::new("exact boundary displacement"));
    let sol = solve_single(backend, &model)?;
    let mesh = &model.mesh;
    let (mut err2, mut norm2, mut gerr2, mut gnorm2) = (0.0, 0.0, 0.0, 0.0);
    let mut grad = [[0.0; 3]; 20];
    for el in mesh.elements() {
        let nn = el.etype.n_nodes();
        let x = mesh.element_coords(el.index);
        for (xi, w) in el.etype.accurate_rule().iter() {
            let sh = el.etype.shape(*xi);
            let det = physical_gradients(&sh, &x[..nn], &mut grad);
            let mut p = [0.0; 3];
            let mut uh = [0.0; 3];
            let mut guh = [[0.0; 3]; 3];
            for (a, &node) in el.nodes.iter().enumerate() {
                let ua = sol.displacement[node];
                for k in 0..3 {
                    p[k] += sh.n[a] * x[a][k];
                    uh[k] += sh.n[a] * ua[k];
                    for j in 0..3 {
                        guh[k][j] += ua[k] * grad[a][j];
                    }
                }
            }
            let ue = exact.displacement(p);
            let gue = exact_gradient(&exact, p);
            for k in 0..3 {
                err2 += (ue[k] - uh[k]).powi(2) * det * w;
                norm2 += ue[k] * ue[k] * det * w;
                for j in 0..3 {
                    gerr2 += (gue[k][j] - guh[k][j]).powi(2) * det * w;
                    gnorm2 += gue[k][j] * gue[k][j] * det * w;
                }
            }
        }
    }
    Ok(Level {
        cells,
        h: (RO - RI) / n as f64,
        nodes: mesh.n_nodes(),
        error: (err2 / norm2).sqrt(),
        h1_error: (gerr2 / gnorm2).sqrt(),
    })
}

/// ∂u_i/∂x_j of u = u_r(r) e_r: (u_r/r) δ_ij + (u_r' − u_r/r) x_i x_j / r² in the plane.
fn exact_gradient(exact: &LameCylinder, x: [f64; 3]) -> [[f64; 3]; 3] {
    let r = x[0].hypot(x[1]);
    let ur = exact.u_r(r);
    // u_r' = (1 + ν) k / E [(1 − 2ν) − r_o²/r²], written through u_r and σ-free terms
    let k = exact.p * exact.ri * exact.ri / (exact.ro * exact.ro - exact.ri * exact.ri);
    let dur =
        (1.0 + exact.nu) * k / exact.e * ((1.0 - 2.0 * exact.nu) - exact.ro * exact.ro / (r * r));
    let n = [x[0] / r, x[1] / r];
    let mut g = [[0.0; 3]; 3];
    for i in 0..2 {
        for j in 0..2 {
            g[i][j] = if i == j { ur / r } else { 0.0 } + (dur - ur / r) * n[i] * n[j];
        }
    }
    g
}

/// Run the refinements of `etype` and fit the rates.
pub fn lame_l2_study(
    etype: ElementType,
    backend: &dyn Backend,
) -> Result<ConvergenceStudy, CaseError> {
    let levels = refinements(etype)
        .iter()
        .map(|&n| level(etype, n, backend))
        .collect::<Result<Vec<_>, _>>()?;
    let h: Vec<f64> = levels.iter().map(|l| l.h).collect();
    let e: Vec<f64> = levels.iter().map(|l| l.error).collect();
    let k = levels.len();
    let slope_last = log_log_slope(&h[k - 2..], &e[k - 2..]);
    let slope_lsq = log_log_slope(&h, &e);
    let g: Vec<f64> = levels.iter().map(|l| l.h1_error).collect();
    let h1_slope_last = log_log_slope(&h[k - 2..], &g[k - 2..]);
    Ok(ConvergenceStudy {
        element: etype,
        levels,
        expected: (etype.degree() + 1) as f64,
        slope_last,
        slope_lsq,
        h1_slope_last,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_gradient_matches_finite_differences() {
        let c = LameCylinder {
            ri: RI,
            ro: RO,
            p: PRESSURE,
            e: 17000.0,
            nu: 0.3,
        };
        let x = [4.1, 5.3, 0.7];
        let g = exact_gradient(&c, x);
        let h = 1e-6;
        for j in 0..3 {
            let (mut xp, mut xm) = (x, x);
            xp[j] += h;
            xm[j] -= h;
            let (up, um) = (c.displacement(xp), c.displacement(xm));
            for i in 0..3 {
                let fd = (up[i] - um[i]) / (2.0 * h);
                assert!(
                    (fd - g[i][j]).abs() < 1e-10,
                    "du{i}/dx{j}: {fd} vs {}",
                    g[i][j]
                );
            }
        }
    }
}
