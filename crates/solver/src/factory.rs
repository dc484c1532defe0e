//! Solvers from outside osteon's own ([`ExternalSolver`]): a [`LinearSolverFactory`] makes
//! a [`LinearSolver`] for each system an analysis forms, told where the system's unknowns
//! sit ([`UnknownGeometry`]) so that an algebraic multigrid can build the rigid-body modes.
//!
//! This is how a backend that lives in another crate (PETSc's CG + GAMG in `osteon-petsc`)
//! reaches every analysis that takes a solver choice — linear statics, frictional contact,
//! the tibial study — without those crates depending on it.

use std::sync::Arc;

use crate::error::SolverError;
use crate::traits::LinearSolver;

/// The six rigid-body modes at a point `r` (relative to the centre of rotation) in
/// direction `direction` (0 = x, 1 = y, 2 = z): translations along x, y, z, then the
/// rotations ω × r about x, y, z. Entry `k` is mode `k`'s displacement component.
pub fn rigid_body_mode_row(r: [f64; 3], direction: usize) -> [f64; 6] {
    let d = direction.min(2);
    let mut row = [0.0; 6];
    row[d] = 1.0;
    row[3] = [0.0, -r[2], r[1]][d];
    row[4] = [r[2], 0.0, -r[0]][d];
    row[5] = [-r[1], r[0], 0.0][d];
    row
}

/// Where each unknown of a system sits: its node's position (mm) and its direction
/// (0 = x, 1 = y, 2 = z). Unknown `i` of the matrix is entry `i` of both vectors.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UnknownGeometry {
    /// Position of the unknown's node (mm).
    pub position: Vec<[f64; 3]>,
    /// Direction of the unknown (0, 1, 2).
    pub direction: Vec<u8>,
    /// Node of the unknown (its index in the mesh), to recognise the unknowns of one node.
    pub node: Vec<usize>,
}

impl UnknownGeometry {
    /// Number of unknowns.
    pub fn n(&self) -> usize {
        self.direction.len()
    }

    /// Checks that the three vectors have one entry per unknown, every direction is 0, 1 or
    /// 2, and no (node, direction) pair appears twice.
    ///
    /// # Errors
    /// [`SolverError::DimensionMismatch`] or [`SolverError::InvalidGroups`] naming the
    /// offending unknown.
    pub fn validate(&self) -> Result<(), SolverError> {
        let n = self.n();
        SolverError::check_len("unknown positions", n, self.position.len())?;
        SolverError::check_len("unknown nodes", n, self.node.len())?;
        let mut seen = std::collections::HashSet::with_capacity(n);
        for i in 0..n {
            let d = self.direction[i];
            if d > 2 || !seen.insert((self.node[i], d)) {
                return Err(SolverError::InvalidGroups {
                    detail: format!(
                        "unknown {i}: direction {d} of node {} is out of range (0–2) or repeated",
                        self.node[i]
                    ),
                });
            }
        }
        Ok(())
    }

    /// 3 when the unknowns come in consecutive x, y, z triples of one node (the block
    /// structure of elasticity that algebraic multigrid aggregates by), else 1 (some node
    /// has one or two of its directions prescribed or eliminated, or the geometry is not
    /// [valid](Self::validate)).
    pub fn block_size(&self) -> usize {
        if self.validate().is_err() {
            return 1;
        }
        let n = self.n();
        let triples = n.is_multiple_of(3)
            && (0..n / 3).all(|b| {
                let i = 3 * b;
                self.node[i] == self.node[i + 1]
                    && self.node[i] == self.node[i + 2]
                    && self.direction[i..i + 3] == [0, 1, 2]
            });
        if triples { 3 } else { 1 }
    }

    /// The six rigid-body modes of the unknowns: translations along x, y, z and rotations
    /// about x, y, z through the centroid of the positions (rotations in radians, so the
    /// entries are in mm). Not normalised; a solver orthonormalises them. For a geometry
    /// that is not [valid](Self::validate), the unknowns up to the shortest vector, with
    /// directions above 2 taken as z.
    pub fn rigid_body_modes(&self) -> Vec<Vec<f64>> {
        let n = self.n().min(self.position.len());
        let mut c = [0.0; 3];
        for p in &self.position[..n] {
            for k in 0..3 {
                c[k] += p[k] / n.max(1) as f64;
            }
        }
        let mut modes: Vec<Vec<f64>> = (0..6).map(|_| Vec::with_capacity(n)).collect();
        for i in 0..n {
            let p = self.position[i];
            let row = rigid_body_mode_row(
                [p[0] - c[0], p[1] - c[1], p[2] - c[2]],
                usize::from(self.direction[i]),
            );
            for (mode, v) in modes.iter_mut().zip(row) {
                mode.push(v);
            }
        }
        modes
    }
}

/// Makes a [`LinearSolver`] for each system an analysis forms (one per constraint set, one
/// per contact analysis). The solver may borrow the factory (a PETSc session it owns).
pub trait LinearSolverFactory: Send + Sync {
    /// The solver, its preconditioner and tolerance in words, for reports
    /// ("PETSc cg + gamg, relative residual 1e-10").
    fn describe(&self) -> String;

    /// A solver (not analysed yet) for a system whose unknowns sit at `geometry`.
    ///
    /// # Errors
    /// Whatever the backend reports while setting up ([`SolverError::Backend`]).
    fn make(&self, geometry: &UnknownGeometry) -> Result<Box<dyn LinearSolver + '_>, SolverError>;
}

/// A shared [`LinearSolverFactory`], as analyses take it in their options. Two values are
/// equal when they share the factory.
#[derive(Clone)]
pub struct ExternalSolver(pub Arc<dyn LinearSolverFactory>);

impl ExternalSolver {
    /// Shares `factory`.
    pub fn new(factory: impl LinearSolverFactory + 'static) -> Self {
        Self(Arc::new(factory))
    }

    /// The factory.
    pub fn factory(&self) -> &dyn LinearSolverFactory {
        self.0.as_ref()
    }
}

impl PartialEq for ExternalSolver {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl std::fmt::Debug for ExternalSolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("ExternalSolver")
            .field(&self.0.describe())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two_nodes() -> UnknownGeometry {
        UnknownGeometry {
            position: vec![
                [0.0; 3],
                [0.0; 3],
                [0.0; 3],
                [2.0, 0.0, 0.0],
                [2.0, 0.0, 0.0],
            ],
            direction: vec![0, 1, 2, 0, 2],
            node: vec![0, 0, 0, 1, 1],
        }
    }

    #[test]
    fn block_size_needs_whole_nodes() {
        let mut g = two_nodes();
        assert_eq!(g.block_size(), 1);
        g.position.push([2.0, 0.0, 0.0]);
        g.direction.insert(4, 1);
        g.node.push(1);
        assert_eq!(g.block_size(), 3);
    }

    #[test]
    fn invalid_geometries_are_refused_not_panicked_on() {
        let good = two_nodes();
        good.validate().unwrap();
        let mut bad = good.clone();
        bad.direction[4] = 3;
        assert!(bad.validate().is_err());
        assert_eq!(bad.block_size(), 1);
        assert_eq!(bad.rigid_body_modes()[0].len(), 5);
        let mut repeated = good.clone();
        repeated.direction[4] = 0; // node 1 direction x twice
        assert!(repeated.validate().is_err());
        let mut short = good;
        short.position.pop();
        assert!(short.validate().is_err());
        assert_eq!(short.rigid_body_modes()[3].len(), 4);
    }

    #[test]
    fn rotation_about_z_moves_points_tangentially() {
        let g = two_nodes();
        let modes = g.rigid_body_modes();
        assert_eq!(modes.len(), 6);
        // centroid x = (0·3 + 2·2)/5 = 0.8; rotation about z: u = (−y, x − 0.8, 0)
        assert_eq!(modes[5], vec![0.0, -0.8, 0.0, 0.0, 0.0]);
        // translation along y is 1 on y unknowns only
        assert_eq!(modes[1], vec![0.0, 1.0, 0.0, 0.0, 0.0]);
    }
}
