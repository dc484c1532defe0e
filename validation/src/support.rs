//! Shared machinery of the cases: the check record, the error type, solving a model,
//! consistent nodal loads of spatially varying tractions, a small least-squares fit, a
//! deterministic random generator and node look-ups.
//!
//! Units: mm, N, MPa throughout.

use std::collections::BTreeMap;
use std::fmt;

use osteon_assembly::{
    AssemblyError, Model, NodalLoad, SolveOptions, StepSolution, solve_linear_static,
};
use osteon_material::{Elastic, IsotropicElastic, Material, MaterialError};
use osteon_mesh::geometry::outward_area_vector;
use osteon_mesh::reference::{quad_gauss, tri_collapsed};
use osteon_mesh::{ElementType, FaceRef, Mesh, MeshError, Surface};

/// One compared quantity: what the finite-element model computed, the closed-form
/// reference, the error measure and the tolerance it must meet.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckResult {
    /// Case name (family and variant).
    pub case: String,
    /// Element type of the mesh.
    pub element: ElementType,
    /// What is compared, with its unit.
    pub quantity: String,
    /// Finite-element value.
    pub computed: f64,
    /// Closed-form value.
    pub reference: f64,
    /// |computed − reference| / scale, where the scale is |reference| unless the case says
    /// otherwise (e.g. max |u| of the field for a pointwise check, or the expected rate).
    pub rel_error: f64,
    /// Largest admissible `rel_error`.
    pub tolerance: f64,
}

impl CheckResult {
    /// A check whose error is relative to the reference: |c − r| / |r|.
    pub fn relative(
        case: impl Into<String>,
        element: ElementType,
        quantity: impl Into<String>,
        computed: f64,
        reference: f64,
        tolerance: f64,
    ) -> Self {
        Self::scaled(
            case,
            element,
            quantity,
            computed,
            reference,
            reference.abs(),
            tolerance,
        )
    }

    /// A check whose error is |c − r| / `scale` (for references that may be zero, or
    /// pointwise checks measured against the largest value of the field).
    pub fn scaled(
        case: impl Into<String>,
        element: ElementType,
        quantity: impl Into<String>,
        computed: f64,
        reference: f64,
        scale: f64,
        tolerance: f64,
    ) -> Self {
        let rel_error = if scale > 0.0 {
            (computed - reference).abs() / scale
        } else if computed == reference {
            0.0
        } else {
            f64::INFINITY
        };
        Self {
            case: case.into(),
            element,
            quantity: quantity.into(),
            computed,
            reference,
            rel_error,
            tolerance,
        }
    }

    /// True when the error is finite and within the tolerance.
    pub fn passed(&self) -> bool {
        self.rel_error.is_finite() && self.rel_error <= self.tolerance
    }
}

/// Something prevented a case from producing its numbers (bad mesh, singular system…).
#[derive(Debug)]
pub enum CaseError {
    /// Mesh generation or a mesh query failed.
    Mesh(MeshError),
    /// A material constant was rejected.
    Material(MaterialError),
    /// Assembly or the solve failed.
    Assembly(AssemblyError),
    /// The case's own set-up went wrong (a node it needs is missing, …).
    Setup(String),
    /// Another solver backend failed (its message).
    Backend(String),
}

impl fmt::Display for CaseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CaseError::Mesh(e) => write!(f, "mesh: {e}"),
            CaseError::Material(e) => write!(f, "material: {e}"),
            CaseError::Assembly(e) => write!(f, "solve: {e}"),
            CaseError::Setup(s) => write!(f, "set-up: {s}"),
            CaseError::Backend(s) => write!(f, "backend: {s}"),
        }
    }
}

impl std::error::Error for CaseError {}

impl From<MeshError> for CaseError {
    fn from(e: MeshError) -> Self {
        CaseError::Mesh(e)
    }
}

impl From<MaterialError> for CaseError {
    fn from(e: MaterialError) -> Self {
        CaseError::Material(e)
    }
}

impl From<AssemblyError> for CaseError {
    fn from(e: AssemblyError) -> Self {
        CaseError::Assembly(e)
    }
}

/// What every case function returns.
pub type CaseResult = Result<Vec<CheckResult>, CaseError>;

/// Solver options of the suite: direct solver, stress recovery on, the threads of the rayon
/// pool the suite runs in (the caller's; the suite builds none).
pub fn solve_options() -> SolveOptions {
    SolveOptions::default()
}

/// How the cases solve their models. The suite uses [`Direct`]; another backend (the PETSc
/// backend's tests) implements this to put the same models through its own solver and hold
/// the result to the same closed forms.
pub trait Backend {
    /// Every load case of `model`, solved, with strain and stress recovered.
    ///
    /// # Errors
    /// [`CaseError::Assembly`] for osteon's own errors, [`CaseError::Backend`] for the
    /// backend's.
    fn solve(&self, model: &Model) -> Result<Vec<StepSolution>, CaseError>;
}

/// osteon's serial solve ([`solve_linear_static`] with [`solve_options`]): the direct
/// solver.
#[derive(Clone, Copy, Debug, Default)]
pub struct Direct;

impl Backend for Direct {
    fn solve(&self, model: &Model) -> Result<Vec<StepSolution>, CaseError> {
        Ok(solve_linear_static(model, &solve_options())?.cases)
    }
}

/// Solve a model with exactly one load case through `backend` and return that case.
pub fn solve_single(backend: &dyn Backend, model: &Model) -> Result<StepSolution, CaseError> {
    let mut cases = backend.solve(model)?;
    if cases.len() != 1 {
        return Err(CaseError::Setup(format!(
            "expected one load case, got {}",
            cases.len()
        )));
    }
    Ok(cases.remove(0))
}

/// E (MPa) and ν of an isotropic material.
pub fn isotropic_constants(material: &Material) -> Result<(f64, f64), CaseError> {
    match &material.elastic {
        Elastic::Isotropic(IsotropicElastic { e, nu }) => Ok((*e, *nu)),
        other => Err(CaseError::Setup(format!(
            "material '{}' is not isotropic: {}",
            material.name,
            other.describe()
        ))),
    }
}

/// The faces of a named face surface.
pub fn surface_faces(mesh: &Mesh, name: &str) -> Result<Vec<FaceRef>, CaseError> {
    match mesh.surface(name)? {
        Surface::Faces(f) => Ok(f.clone()),
        Surface::Nodes(_) => Err(CaseError::Setup(format!(
            "surface {name} is a node surface, not a face surface"
        ))),
    }
}

/// Consistent nodal forces f_a = ∫ N_a t(x) dA (N) of a spatially varying traction
/// `traction(x)` (MPa, global axes) over `faces`, merged per node and component.
///
/// The face integral uses a rule well above the loads' own (5×5 Gauss on quadrilaterals,
/// collapsed 6×6 Gauss on triangles), so polynomial tractions on flat or curved quadratic
/// faces are integrated to rounding.
pub fn traction_loads(
    mesh: &Mesh,
    faces: &[FaceRef],
    traction: impl Fn([f64; 3]) -> [f64; 3],
) -> Vec<NodalLoad> {
    let mut forces: BTreeMap<usize, [f64; 3]> = BTreeMap::new();
    let (quad_rule, tri_rule) = (quad_gauss(5), tri_collapsed(6));
    for f in faces {
        let el = mesh.element(f.element);
        let etype = el.etype;
        let x = mesh.element_coords(f.element);
        let x = &x[..etype.n_nodes()];
        let Some(local) = etype.face_nodes(f.face as usize) else {
            continue;
        };
        let ft = etype.face_type();
        let rule = if ft.is_triangle() {
            &tri_rule
        } else {
            &quad_rule
        };
        for (st, w) in rule.iter() {
            let st = [st[0], st[1]];
            let Some((p, a)) = outward_area_vector(etype, f.face as usize, x, st) else {
                continue;
            };
            let da = (a[0] * a[0] + a[1] * a[1] + a[2] * a[2]).sqrt();
            let t = traction(p);
            let sh = ft.shape(st);
            for (k, &l) in local.iter().enumerate() {
                let entry = forces.entry(el.nodes[l]).or_insert([0.0; 3]);
                for i in 0..3 {
                    entry[i] += w * sh.n[k] * t[i] * da;
                }
            }
        }
    }
    forces
        .into_iter()
        .flat_map(|(node, v)| {
            (0..3)
                .filter(move |&c| v[c] != 0.0)
                .map(move |c| NodalLoad {
                    node,
                    component: c,
                    value: v[c],
                })
        })
        .collect()
}

/// Index of the node nearest to `x`, with its distance (mm).
pub fn nearest_node(mesh: &Mesh, x: [f64; 3]) -> (usize, f64) {
    mesh.coords
        .iter()
        .enumerate()
        .map(|(i, c)| {
            (
                i,
                ((c[0] - x[0]).powi(2) + (c[1] - x[1]).powi(2) + (c[2] - x[2]).powi(2)).sqrt(),
            )
        })
        .fold(
            (usize::MAX, f64::INFINITY),
            |a, b| if b.1 < a.1 { b } else { a },
        )
}

/// The node at `x` (within 1e-9 of the mesh size), or a set-up error naming the point.
pub fn node_at(mesh: &Mesh, x: [f64; 3]) -> Result<usize, CaseError> {
    let (lo, hi) = mesh.bounding_box();
    let size = (0..3).map(|k| (hi[k] - lo[k]).powi(2)).sum::<f64>().sqrt();
    let (i, d) = nearest_node(mesh, x);
    if d <= 1e-9 * size.max(1.0) {
        Ok(i)
    } else {
        Err(CaseError::Setup(format!(
            "no node at ({}, {}, {}) mm (nearest is {d} mm away)",
            x[0], x[1], x[2]
        )))
    }
}

/// Of (computed, reference) pairs, the pair with the largest |computed − reference|.
pub fn worst_pair(pairs: impl IntoIterator<Item = (f64, f64)>) -> Option<(f64, f64)> {
    pairs
        .into_iter()
        .fold(None, |acc: Option<(f64, f64)>, p| match acc {
            Some(a) if (a.0 - a.1).abs() >= (p.0 - p.1).abs() => Some(a),
            _ => Some(p),
        })
}

/// Least-squares coefficients c minimising Σ_i (Σ_j `rows[i][j]` c_j − `rhs[i]`)², by the
/// normal equations and Gaussian elimination with partial pivoting. `None` if the basis
/// is rank deficient on the given rows.
pub fn least_squares(rows: &[Vec<f64>], rhs: &[f64]) -> Option<Vec<f64>> {
    let m = rows.first()?.len();
    let mut a = vec![vec![0.0; m + 1]; m];
    for (row, &b) in rows.iter().zip(rhs) {
        for i in 0..m {
            for j in 0..m {
                a[i][j] += row[i] * row[j];
            }
            a[i][m] += row[i] * b;
        }
    }
    let scale = (0..m).map(|i| a[i][i].abs()).fold(0.0, f64::max);
    for c in 0..m {
        let piv = (c..m).max_by(|&x, &y| a[x][c].abs().total_cmp(&a[y][c].abs()))?;
        if a[piv][c].abs() <= 1e-13 * scale {
            return None;
        }
        a.swap(c, piv);
        let pivot_row = a[c].clone();
        for row in a.iter_mut().skip(c + 1) {
            let f = row[c] / pivot_row[c];
            for (v, p) in row.iter_mut().zip(&pivot_row).skip(c) {
                *v -= f * p;
            }
        }
    }
    let mut x = vec![0.0; m];
    for c in (0..m).rev() {
        let s: f64 = ((c + 1)..m).map(|k| a[c][k] * x[k]).sum();
        x[c] = (a[c][m] - s) / a[c][c];
    }
    Some(x)
}

/// SplitMix64: a tiny deterministic generator, so the distorted meshes are the same on
/// every run and machine.
#[derive(Clone, Debug)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [−1, 1).
    pub fn symmetric(&mut self) -> f64 {
        // 53 random mantissa bits → [0, 1)
        let unit = (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        2.0 * unit - 1.0
    }
}

/// Slope of the least-squares line through (log h, log e).
pub fn log_log_slope(h: &[f64], e: &[f64]) -> f64 {
    let n = h.len() as f64;
    let xs: Vec<f64> = h.iter().map(|v| v.ln()).collect();
    let ys: Vec<f64> = e.iter().map(|v| v.ln()).collect();
    let (mx, my) = (xs.iter().sum::<f64>() / n, ys.iter().sum::<f64>() / n);
    let sxy: f64 = xs.iter().zip(&ys).map(|(x, y)| (x - mx) * (y - my)).sum();
    let sxx: f64 = xs.iter().map(|x| (x - mx) * (x - mx)).sum();
    sxy / sxx
}

#[cfg(test)]
mod tests {
    use super::*;
    use osteon_mesh::generate::{BoxSpec, box_mesh};

    #[test]
    fn relative_and_scaled_errors() {
        let c = CheckResult::relative("c", ElementType::Hex8, "q", 1.01, 1.0, 0.02);
        assert!((c.rel_error - 0.01).abs() < 1e-12 && c.passed());
        let z = CheckResult::scaled("c", ElementType::Hex8, "q", 1e-12, 0.0, 2.0, 1e-10);
        assert!((z.rel_error - 5e-13).abs() < 1e-20 && z.passed());
        let bad = CheckResult::scaled("c", ElementType::Hex8, "q", f64::NAN, 0.0, 1.0, 1.0);
        assert!(!bad.passed());
        let zero_scale = CheckResult::relative("c", ElementType::Hex8, "q", 1e-3, 0.0, 1.0);
        assert!(!zero_scale.passed());
    }

    #[test]
    fn least_squares_recovers_an_exact_plane_and_slopes_are_exact_for_powers() {
        let pts: Vec<[f64; 2]> = (0..12)
            .map(|i| [f64::from(i) * 0.3, f64::from(i * i % 7)])
            .collect();
        let rows: Vec<Vec<f64>> = pts.iter().map(|p| vec![1.0, p[0], p[1]]).collect();
        let rhs: Vec<f64> = pts.iter().map(|p| 2.0 - 3.0 * p[0] + 0.5 * p[1]).collect();
        let c = least_squares(&rows, &rhs).expect("full rank");
        assert!(
            (c[0] - 2.0).abs() < 1e-12 && (c[1] + 3.0).abs() < 1e-12 && (c[2] - 0.5).abs() < 1e-12
        );
        let degenerate: Vec<Vec<f64>> = pts.iter().map(|p| vec![p[0], 2.0 * p[0]]).collect();
        assert!(least_squares(&degenerate, &rhs).is_none());
        let h = [1.0, 0.5, 0.25];
        let e: Vec<f64> = h.iter().map(|v: &f64| 7.0 * v.powi(3)).collect();
        assert!((log_log_slope(&h, &e) - 3.0).abs() < 1e-12);
    }

    #[test]
    fn random_numbers_are_deterministic_and_in_range() {
        let (mut a, mut b) = (SplitMix64::new(7), SplitMix64::new(7));
        for _ in 0..1000 {
            let v = a.symmetric();
            assert_eq!(v, b.symmetric());
            assert!((-1.0..1.0).contains(&v));
        }
    }

    #[test]
    fn consistent_traction_loads_have_the_exact_resultant_and_moment() {
        // parabolic shear over the end face of a 2 × 3 mm section: resultant and moment exact
        for t in ElementType::ALL {
            let mesh = box_mesh(&BoxSpec {
                origin: [0.0; 3],
                size: [4.0, 2.0, 3.0],
                cells: [1, 2, 3],
                element: t,
            })
            .expect("valid box");
            let faces = surface_faces(&mesh, "XMAX").expect("XMAX");
            let loads = traction_loads(&mesh, &faces, |x| {
                [0.0, 0.0, 1.0 - ((x[2] - 1.5) / 1.5).powi(2)]
            });
            let total: f64 = loads
                .iter()
                .filter(|l| l.component == 2)
                .map(|l| l.value)
                .sum();
            // ∫ (1 − ζ²) over b = 2, h = 3: 2 · 3 · 2/3 = 4
            assert!((total - 4.0).abs() < 1e-12, "{t}: {total}");
            let moment: f64 = loads
                .iter()
                .filter(|l| l.component == 2)
                .map(|l| l.value * mesh.coords[l.node][1])
                .sum();
            assert!((moment - 4.0).abs() < 1e-12, "{t}: {moment}");
        }
    }

    #[test]
    fn worst_pair_picks_the_largest_deviation() {
        let w = worst_pair([(1.0, 1.0), (2.0, 2.5), (3.0, 2.9)]);
        assert_eq!(w, Some((2.0, 2.5)));
        assert_eq!(worst_pair(std::iter::empty()), None);
    }
}
