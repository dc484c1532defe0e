//! Tie constraints (Abaqus `*TIE`): each slave node is glued to the point of the master
//! surface closest to it, u_slave = Σ_a N_a(s, t) u_a over the master face's nodes, written as
//! three [`Equation`]s per slave node and eliminated exactly like any multi-point constraint.

use osteon_mesh::search::{FaceLocator, FaceProjection};
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

/// Move every slave node of `tie` that lies within the tolerance of the master surface onto
/// its closest master point (Abaqus/CalculiX `*TIE, ADJUST=YES`); returns how many moved and
/// the largest move (mm). Call it before [`tie_equations`]: a slave node off the master
/// surface makes the tie equation u_s = Σ N_a u_a resist a rigid rotation (ω × x_s ≠
/// Σ N_a ω × x_a) and carry force over the offset, so moments would not balance exactly.
///
/// # Errors
/// As [`tie_equations`] (an empty master surface, a slave node that does not exist).
pub fn adjust_tied_nodes(mesh: &mut Mesh, tie: &Tie) -> Result<(usize, f64), AssemblyError> {
    let (_, placements) = placements(mesh, tie)?;
    let (mut moved, mut largest) = (0, 0.0f64);
    for (s, placement) in placements {
        if let Placement::Tied(proj) = placement
            && proj.distance > 0.0
        {
            mesh.coords[s] = proj.point;
            moved += 1;
            largest = largest.max(proj.distance);
        }
    }
    Ok((moved, largest))
}

/// Where a slave node of a tie goes.
enum Placement {
    /// It is a node of the master surface itself.
    Shared,
    /// No master point within the tolerance (distance mm; infinite when none was found).
    TooFar(f64),
    /// Its closest master point, within the tolerance.
    Tied(FaceProjection),
}

/// The tolerance of `tie` (mm) and the placement of each of its slave nodes, in order.
fn placements(mesh: &Mesh, tie: &Tie) -> Result<(f64, Vec<(usize, Placement)>), AssemblyError> {
    let (tolerance, master_nodes) = tolerance_and_master_nodes(mesh, tie)?;
    let locator = FaceLocator::new(mesh, &tie.master_faces, tolerance);
    let mut out = Vec::with_capacity(tie.slave_nodes.len());
    for &s in &tie.slave_nodes {
        if s >= mesh.n_nodes() {
            return Err(AssemblyError::InvalidModel {
                detail: format!("tie '{}' slave node index {s} does not exist", tie.name),
            });
        }
        let placement = if master_nodes[s] {
            Placement::Shared
        } else {
            match locator.closest(mesh, mesh.coords[s], |n| n == s) {
                None => Placement::TooFar(f64::INFINITY),
                Some(proj) if proj.distance > tolerance => Placement::TooFar(proj.distance),
                Some(proj) => Placement::Tied(proj),
            }
        };
        out.push((s, placement));
    }
    Ok((tolerance, out))
}

/// The position tolerance of `tie` (mm) and which mesh nodes are on its master surface.
fn tolerance_and_master_nodes(mesh: &Mesh, tie: &Tie) -> Result<(f64, Vec<bool>), AssemblyError> {
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
    Ok((tolerance, master_nodes))
}

/// Build the equations of `tie` on `mesh`.
pub fn tie_equations(mesh: &Mesh, tie: &Tie) -> Result<(Vec<Equation>, TieReport), AssemblyError> {
    let (tolerance, placements) = placements(mesh, tie)?;
    let mut report = TieReport {
        tolerance,
        ..Default::default()
    };
    let mut equations = Vec::new();
    for (s, placement) in placements {
        let proj = match placement {
            Placement::Shared => {
                report.shared += 1;
                continue;
            }
            Placement::TooFar(d) => {
                report.too_far.push((s, d));
                continue;
            }
            Placement::Tied(proj) => proj,
        };
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

#[cfg(test)]
mod tests {
    use super::*;
    use osteon_mesh::ElementType;
    use osteon_mesh::generate::{BoxSpec, box_mesh};

    /// A 1 × 1 × 1 mm block on a 2 × 2 × 1 mm block, 0.02 mm above it: the slave nodes of
    /// the upper block's bottom are off the master faces until adjusted, and only then does
    /// a rigid rotation u = ω × x satisfy the tie equations.
    #[test]
    fn adjusted_ties_are_exact_under_a_rigid_rotation() {
        let lower = box_mesh(&BoxSpec {
            origin: [0.0; 3],
            size: [2.0, 2.0, 1.0],
            cells: [2, 2, 1],
            element: ElementType::Hex8,
        })
        .expect("box");
        let upper = box_mesh(&BoxSpec {
            origin: [0.5, 0.5, 1.02],
            size: [1.0, 1.0, 1.0],
            cells: [1, 1, 1],
            element: ElementType::Hex8,
        })
        .expect("box");
        let mut mesh = lower.clone();
        let offset = mesh.n_nodes();
        for (i, x) in upper.coords.iter().enumerate() {
            mesh.add_node(100 + i as i64, *x).expect("node");
        }
        let tie = Tie {
            name: "t".into(),
            slave_nodes: upper
                .node_set("ZMIN")
                .expect("ZMIN")
                .iter()
                .map(|&n| n + offset)
                .collect(),
            master_faces: lower.surface_faces("ZMAX").expect("ZMAX").to_vec(),
            position_tolerance: Some(0.05),
        };
        let residual = |mesh: &Mesh| {
            let (eqs, report) = tie_equations(mesh, &tie).expect("tie");
            assert_eq!(report.tied, 4);
            let omega = [0.01, -0.02, 0.03];
            let u = |x: [f64; 3]| {
                [
                    omega[1] * x[2] - omega[2] * x[1],
                    omega[2] * x[0] - omega[0] * x[2],
                    omega[0] * x[1] - omega[1] * x[0],
                ]
            };
            eqs.iter()
                .map(|e| {
                    e.terms
                        .iter()
                        .map(|&(n, c, w)| w * u(mesh.coords[n])[c])
                        .sum::<f64>()
                        .abs()
                })
                .fold(0.0, f64::max)
        };
        assert!(
            residual(&mesh) > 1e-4,
            "off the master: a rotation is resisted"
        );
        let (moved, largest) = adjust_tied_nodes(&mut mesh, &tie).expect("adjust");
        assert_eq!(moved, 4);
        assert!((largest - 0.02).abs() < 1e-12);
        assert!(residual(&mesh) < 1e-15, "{}", residual(&mesh));
        assert!(
            tie.slave_nodes
                .iter()
                .all(|&n| (mesh.coords[n][2] - 1.0).abs() < 1e-15)
        );
    }
}
