//! Tie constraints (Abaqus `*TIE`): each slave node is glued to the point of the master
//! surface closest to it, u_slave = Σ_a N_a(s, t) u_a over the master face's nodes, written as
//! three [`Equation`]s per slave node and eliminated exactly like any multi-point constraint.

use osteon_mesh::search::FaceLocator;
use osteon_mesh::{FaceRef, Mesh};

use crate::error::AssemblyError;
use crate::model::Equation;

/// Default position tolerance as a fraction of the mean master face size, as in Abaqus
/// ("5 % of the typical master element size").
pub const DEFAULT_TIE_TOLERANCE_FRACTION: f64 = 0.05;

/// A tie between slave nodes and master element faces.
#[derive(Clone, Debug, PartialEq)]
pub struct Tie {
    /// Name for messages.
    pub name: String,
    /// Slave node indices.
    pub slave_nodes: Vec<usize>,
    /// Master faces.
    pub master_faces: Vec<FaceRef>,
    /// Slave nodes farther than this from the master surface are not tied (mm).
    /// `None`: [`DEFAULT_TIE_TOLERANCE_FRACTION`] of the mean master face size.
    pub position_tolerance: Option<f64>,
}

/// What the tie did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TieReport {
    /// Slave nodes tied.
    pub tied: usize,
    /// Slave nodes left untied because they were too far: (node index, distance mm).
    pub too_far: Vec<(usize, f64)>,
    /// Slave nodes that are nodes of the master surface itself (already connected).
    pub shared: usize,
    /// Largest gap closed by the tie (mm).
    pub max_distance: f64,
    /// The tolerance used (mm).
    pub tolerance: f64,
}

/// Build the equations of `tie` on `mesh`.
pub fn tie_equations(mesh: &Mesh, tie: &Tie) -> Result<(Vec<Equation>, TieReport), AssemblyError> {
    if tie.master_faces.is_empty() {
        return Err(AssemblyError::InvalidModel {
            detail: format!("tie '{}' has an empty master surface", tie.name),
        });
    }
    let mut master_nodes = vec![false; mesh.n_nodes()];
    let mut size_sum = 0.0;
    for &f in &tie.master_faces {
        let nodes = mesh.face_nodes(f)?;
        let (mut lo, mut hi) = ([f64::INFINITY; 3], [f64::NEG_INFINITY; 3]);
        for &n in &nodes {
            master_nodes[n] = true;
            for k in 0..3 {
                lo[k] = lo[k].min(mesh.coords[n][k]);
                hi[k] = hi[k].max(mesh.coords[n][k]);
            }
        }
        size_sum += (0..3).map(|k| (hi[k] - lo[k]).powi(2)).sum::<f64>().sqrt();
    }
    let tolerance = tie
        .position_tolerance
        .unwrap_or(DEFAULT_TIE_TOLERANCE_FRACTION * size_sum / tie.master_faces.len() as f64);
    let locator = FaceLocator::new(mesh, &tie.master_faces, tolerance);
    let mut report = TieReport {
        tolerance,
        ..Default::default()
    };
    let mut equations = Vec::new();
    for &s in &tie.slave_nodes {
        if s >= mesh.n_nodes() {
            return Err(AssemblyError::InvalidModel {
                detail: format!("tie '{}' slave node index {s} does not exist", tie.name),
            });
        }
        if master_nodes[s] {
            report.shared += 1;
            continue;
        }
        let Some(proj) = locator.closest(mesh, mesh.coords[s], |n| n == s) else {
            report.too_far.push((s, f64::INFINITY));
            continue;
        };
        if proj.distance > tolerance {
            report.too_far.push((s, proj.distance));
            continue;
        }
        let el = mesh.element(proj.face.element);
        let ft = el.etype.face_type();
        let shape = ft.shape(proj.st);
        let nodes = mesh.face_nodes(proj.face)?;
        for c in 0..3 {
            let mut terms = vec![(s, c, 1.0)];
            for (a, &m) in nodes.iter().enumerate() {
                if shape.n[a].abs() > 1e-12 {
                    terms.push((m, c, -shape.n[a]));
                }
            }
            equations.push(Equation { terms });
        }
        report.tied += 1;
        report.max_distance = report.max_distance.max(proj.distance);
    }
    Ok((equations, report))
}
