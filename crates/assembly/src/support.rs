//! A statically determinate support through a distributing coupling — the way a bone end is
//! held at a joint centre without clamping its surface (Abaqus: a reference node fixed in
//! all six DOFs and joined to the end surface by `*COUPLING` / `*DISTRIBUTING`, i.e. an RBE3
//! element; Speirs et al. 2007, J Biomech 40(10), page numbers unverified (2261 or 2318), for why clamping a bone end over-stiffens
//! it).
//!
//! **What it means.** A distributing coupling with a fixed reference point does two things:
//! its reaction — a force and a moment, whatever the loads need, since six reaction
//! components make the support statically determinate — reaches the coupled nodes spread
//! as [`distribute_wrench`] spreads a load; and it holds the coupled nodes' weighted mean
//! rigid motion (the weighted least-squares translation and rotation, [`RigidMotion::fit`]
//! with the same weights) at zero, while leaving the nodes free to warp and contract.
//!
//! **How it is solved.** Writing the coupling as six equations over every coupled node and
//! eliminating them would add a dense block of order N (the number of coupled nodes) to the
//! stiffness and raise its condition number by about N — measured: the force balance of a
//! tibia held this way degraded from 1e-11 to 1e-8. Because the support is statically
//! determinate, its reaction is known before the solve: minus the resultant of the applied
//! loads, taken about the coupled nodes' centroid. So the analyses
//!
//! 1. add that reaction, spread by [`distribute_wrench`], to the load vector
//!    ([`CoupledSupport::reaction_forces`]): the body is now in self-equilibrium;
//! 2. remove the rigid-body modes with six *pins* — single DOFs at three coupled nodes, a
//!    3-2-1 support ([`CoupledSupport::pins`]) — which carry no load once the loads balance
//!    (their reactions are the solve's residual, so the force and moment balance still
//!    checks the solve);
//! 3. remove from the displacement the coupled nodes' weighted mean rigid motion
//!    ([`CoupledSupport::reference_motion`]), which the pins had fixed arbitrarily, and
//!    report the spread reaction as the support's reactions.
//!
//! The result is the distributing coupling's, exactly (linear and contact analyses alike:
//! contact forces are internal and do not enter the support's reaction).

use nalgebra::{Matrix6, Vector3};

use crate::coupling::{Wrench, distribute_wrench, weighted_centroid};
use crate::error::AssemblyError;
use crate::model::Component;
use crate::rigid_motion::RigidMotion;

/// A node set held at its weighted centroid by a distributing coupling (module
/// documentation).
#[derive(Clone, Debug, PartialEq)]
pub struct CoupledSupport {
    /// Name of the node set, for messages and reports.
    pub name: String,
    /// Coupled nodes (indices).
    pub nodes: Vec<usize>,
    /// Coupling weights, one per node (> 0; 1 for a node-based coupling).
    pub weights: Vec<f64>,
    /// The six pinned DOFs (node, component) that remove the rigid-body modes: all three
    /// components of the node nearest the centroid, two of the node farthest from it and
    /// one of the node farthest from the line through those two.
    pub pins: Vec<(usize, Component)>,
}

impl CoupledSupport {
    /// The coupled support of `nodes` (indices into `coords`, mm) with `weights`.
    ///
    /// # Errors
    /// [`AssemblyError::InvalidModel`] for an empty set, bad weights or node indices, and a
    /// set whose pins cannot hold every rigid-body mode (collinear nodes).
    pub fn new(
        name: &str,
        coords: &[[f64; 3]],
        nodes: &[usize],
        weights: &[f64],
    ) -> Result<Self, AssemblyError> {
        // checks the set, the indices and the weights
        distribute_wrench(
            name,
            coords,
            nodes,
            weights,
            &Wrench {
                force: [1.0, 0.0, 0.0],
                ..Wrench::default()
            },
        )?;
        let x = |n: usize| Vector3::from(coords[n]);
        let c = Vector3::from(weighted_centroid(coords, nodes, weights));
        let farthest = |score: &dyn Fn(usize) -> f64| {
            nodes
                .iter()
                .copied()
                .max_by(|&i, &j| score(i).total_cmp(&score(j)))
                .unwrap_or(nodes[0])
        };
        let a = farthest(&|n| -(x(n) - c).norm());
        let b = farthest(&|n| (x(n) - x(a)).norm());
        let ab = (x(b) - x(a)).normalize();
        let c3 = farthest(&|n| (x(n) - x(a)).cross(&ab).norm());
        let normal = (x(b) - x(a)).cross(&(x(c3) - x(a)));
        // B: the two axes most nearly perpendicular to AB; C: the axis nearest the normal
        let mut axes = [0, 1, 2];
        axes.sort_by(|&i, &j| ab[i].abs().total_cmp(&ab[j].abs()));
        let normal_axis = (0..3)
            .max_by(|&i, &j| normal[i].abs().total_cmp(&normal[j].abs()))
            .unwrap_or(2);
        let pins = vec![
            (a, 0),
            (a, 1),
            (a, 2),
            (b, axes[0]),
            (b, axes[1]),
            (c3, normal_axis),
        ];
        check_pins(name, coords, &pins, c)?;
        Ok(Self {
            name: name.to_string(),
            nodes: nodes.to_vec(),
            weights: weights.to_vec(),
            pins,
        })
    }

    /// The support's reaction to the loads `f_ext` (raw load vector, N, 3 per node of
    /// `coords`): nodal forces on the coupled nodes with the opposite resultant force and
    /// moment, spread by [`distribute_wrench`] (raw vector, N).
    pub fn reaction_forces(
        &self,
        coords: &[[f64; 3]],
        f_ext: &[f64],
    ) -> Result<Vec<f64>, AssemblyError> {
        let mut force = Vector3::zeros();
        let mut moment = Vector3::zeros();
        for (x, f) in coords.iter().zip(f_ext.chunks_exact(3)) {
            let f = Vector3::new(f[0], f[1], f[2]);
            force += f;
            moment += Vector3::from(*x).cross(&f);
        }
        let wrench = Wrench {
            force: (-force).into(),
            moment: (-moment).into(),
            point: [0.0; 3],
        };
        let mut out = vec![0.0; f_ext.len()];
        if force.norm() == 0.0 && moment.norm() == 0.0 {
            return Ok(out);
        }
        for l in distribute_wrench(&self.name, coords, &self.nodes, &self.weights, &wrench)? {
            out[3 * l.node + l.component] += l.value;
        }
        Ok(out)
    }

    /// The coupled nodes' weighted mean rigid motion in the raw displacement `u` (mm): what
    /// the coupling holds at zero.
    pub fn reference_motion(
        &self,
        coords: &[[f64; 3]],
        u: &[f64],
    ) -> Result<RigidMotion, AssemblyError> {
        let points: Vec<[f64; 3]> = self.nodes.iter().map(|&n| coords[n]).collect();
        let disp: Vec<[f64; 3]> = self
            .nodes
            .iter()
            .map(|&n| [u[3 * n], u[3 * n + 1], u[3 * n + 2]])
            .collect();
        RigidMotion::fit(&points, &disp, Some(&self.weights))
    }
}

/// Check that the pins hold all six rigid-body modes about `c`: the 6 × 6 matrix of pinned
/// components of the unit translations and rotations must be well conditioned.
fn check_pins(
    name: &str,
    coords: &[[f64; 3]],
    pins: &[(usize, Component)],
    c: Vector3<f64>,
) -> Result<(), AssemblyError> {
    let scale = pins
        .iter()
        .map(|&(n, _)| (Vector3::from(coords[n]) - c).norm())
        .fold(0.0, f64::max)
        .max(f64::MIN_POSITIVE);
    let mut m = Matrix6::zeros();
    for (row, &(n, k)) in pins.iter().enumerate() {
        let r = (Vector3::from(coords[n]) - c) / scale;
        for mode in 0..3 {
            m[(row, mode)] = if mode == k { 1.0 } else { 0.0 };
            let axis = Vector3::ith(mode, 1.0);
            m[(row, 3 + mode)] = axis.cross(&r)[k];
        }
    }
    let sv = m.singular_values();
    let (max, min) = (sv.max(), sv.min());
    if min.is_nan() || min <= 1e-6 * max {
        return Err(AssemblyError::InvalidModel {
            detail: format!(
                "coupled support on '{name}': the nodes do not span an area, so the support cannot hold every rigid-body rotation"
            ),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Nodes on a 3 × 3 grid in the plane z = 0.
    fn grid() -> (Vec<[f64; 3]>, Vec<usize>) {
        let mut coords = Vec::new();
        for i in 0..3 {
            for j in 0..3 {
                coords.push([10.0 * i as f64, 7.0 * j as f64, 0.0]);
            }
        }
        let nodes = (0..coords.len()).collect();
        (coords, nodes)
    }

    #[test]
    fn the_reaction_balances_the_loads_in_force_and_moment() {
        let (mut coords, nodes) = grid();
        let weights: Vec<f64> = (0..nodes.len()).map(|k| 1.0 + 0.1 * k as f64).collect();
        // a loaded node above the grid
        coords.push([3.0, 4.0, 50.0]);
        let s = CoupledSupport::new("grid", &coords, &nodes, &weights).expect("support");
        let mut f = vec![0.0; 3 * coords.len()];
        f[27..30].copy_from_slice(&[12.0, -7.0, -300.0]);
        let r = s.reaction_forces(&coords, &f).expect("reaction");
        let (mut force, mut moment) = (Vector3::zeros(), Vector3::zeros());
        for (x, (a, b)) in coords.iter().zip(f.chunks(3).zip(r.chunks(3))) {
            let total = Vector3::new(a[0] + b[0], a[1] + b[1], a[2] + b[2]);
            force += total;
            moment += Vector3::from(*x).cross(&total);
        }
        assert!(
            force.norm() < 1e-12 && moment.norm() < 1e-10,
            "{force} {moment}"
        );
        assert!(
            r[27..30].iter().all(|&v| v == 0.0),
            "only coupled nodes react"
        );
    }

    #[test]
    fn the_reference_motion_is_the_rigid_motion_of_the_set() {
        let (coords, nodes) = grid();
        let s = CoupledSupport::new("grid", &coords, &nodes, &[1.0; 9]).expect("support");
        let (t, theta) = (
            Vector3::new(0.3, -0.2, 0.5),
            Vector3::new(1e-3, -2e-3, 3e-3),
        );
        let u: Vec<f64> = coords
            .iter()
            .flat_map(|x| {
                let d = t + theta.cross(&Vector3::from(*x));
                [d.x, d.y, d.z]
            })
            .collect();
        let m = s.reference_motion(&coords, &u).expect("fit");
        for (x, d) in coords.iter().zip(u.chunks(3)) {
            let fit = m.displacement_at(*x);
            for k in 0..3 {
                assert!((fit[k] - d[k]).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn the_pins_hold_six_independent_directions() {
        let (coords, nodes) = grid();
        let s = CoupledSupport::new("grid", &coords, &nodes, &[1.0; 9]).expect("support");
        assert_eq!(s.pins.len(), 6);
        // the centre node carries three, a corner two, and the third pin is along z
        assert!(s.pins[..3].iter().all(|&(n, _)| n == 4));
        assert_eq!(s.pins[5].1, 2);
    }

    #[test]
    fn a_line_of_nodes_cannot_hold_rotations() {
        let coords = vec![[0.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, 0.0, 2.0]];
        let err = CoupledSupport::new("line", &coords, &[0, 1, 2], &[1.0; 3]).unwrap_err();
        assert!(err.to_string().contains("line"), "{err}");
    }
}
