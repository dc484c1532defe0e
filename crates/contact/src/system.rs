//! The reduced Newton system of one constraint set: the DOF map, the stiffness pattern
//! *extended by the contact couplings* (every slave node's unknowns with those of its master
//! face, fixed for small sliding, so one symbolic factorisation serves every iteration), the
//! elastic stiffness K assembled once into that pattern, and the scatter of contact forces
//! and tangents.

use osteon_assembly::{
    DirichletBc, DofMap, Model, SparsityPattern, assemble_stiffness, check_rigid_body_modes,
};
use osteon_material::Voigt6x6;
use osteon_solver::SymmetricCsr;

use crate::constitutive::Response;
use crate::error::ContactError;
use crate::kinematics::b_weights;
use crate::pairing::{ContactNode, MAX_FACE_NODES};

/// DOF map, pattern and matrices of one set of constrained DOFs.
pub(crate) struct NewtonSystem {
    /// The DOF map.
    pub dofs: DofMap,
    /// Elastic stiffness Tᵀ K T on the extended pattern.
    pub stiffness: SymmetricCsr,
    /// Newton matrix K + K_c (same pattern).
    pub tangent: SymmetricCsr,
    /// Sorted constrained raw DOFs (the key for reuse).
    pub constrained: Vec<usize>,
}

/// Sorted, unique constrained raw DOFs of a boundary list.
pub(crate) fn constrained_key(boundary: &[DirichletBc]) -> Vec<usize> {
    let mut k: Vec<usize> = boundary.iter().map(|b| 3 * b.node + b.component).collect();
    k.sort_unstable();
    k.dedup();
    k
}

/// Free unknowns coupled by one contact node (sorted, unique).
fn contact_unknowns(dofs: &DofMap, node: &ContactNode, out: &mut Vec<usize>) {
    out.clear();
    let mut w = [(0usize, 0.0); MAX_FACE_NODES + 1];
    let m = b_weights(node, &mut w);
    for &(n, _) in &w[..m] {
        for c in 0..3 {
            dofs.for_each_free(3 * n + c, |i, _| out.push(i));
        }
    }
    out.sort_unstable();
    out.dedup();
}

impl NewtonSystem {
    /// Set up the system for `boundary`, assemble K.
    pub fn new(
        model: &Model,
        boundary: &[DirichletBc],
        contacts: &[ContactNode],
        materials: &[usize],
        d: &[Voigt6x6],
    ) -> Result<Self, ContactError> {
        let dofs = DofMap::new(&model.mesh, boundary, &model.equations)?;
        // the rigid-body check of the assembly crate would reject bodies held only by
        // contact, so only a model with no contact at all is checked here
        if contacts.is_empty() {
            check_rigid_body_modes(&model.mesh, &dofs, &model.equations)?;
        }
        // each contact node couples its own unknowns with those of its master face
        let couplings: Vec<Vec<usize>> = contacts
            .iter()
            .map(|c| {
                let mut list = Vec::new();
                contact_unknowns(&dofs, c, &mut list);
                list
            })
            .collect();
        let (pattern, mut stiffness) =
            SparsityPattern::build_with_couplings(&model.mesh, &dofs, &couplings)?;
        assemble_stiffness(&model.mesh, &dofs, &pattern, materials, d, &mut stiffness)?;
        let tangent = stiffness.clone();
        Ok(Self {
            dofs,
            stiffness,
            tangent,
            constrained: constrained_key(boundary),
        })
    }

    /// Tangent = K + Σ A Bᵀ D B over the contact nodes with their responses.
    pub fn assemble_tangent(&mut self, contacts: &[ContactNode], responses: &[Response]) {
        self.tangent
            .values_mut()
            .copy_from_slice(self.stiffness.values());
        let mut w = [(0usize, 0.0); MAX_FACE_NODES + 1];
        // (unknown, weight, component)
        let mut expansion: Vec<(usize, f64, usize)> = Vec::with_capacity(3 * (MAX_FACE_NODES + 1));
        for (c, r) in contacts.iter().zip(responses) {
            if r.tangent.iter().flatten().all(|&v| v == 0.0) {
                continue;
            }
            let m = b_weights(c, &mut w);
            expansion.clear();
            for &(node, weight) in &w[..m] {
                for comp in 0..3 {
                    self.dofs.for_each_free(3 * node + comp, |i, coef| {
                        expansion.push((i, weight * coef, comp))
                    });
                }
            }
            for &(ip, wp, cp) in &expansion {
                for &(iq, wq, cq) in &expansion {
                    if ip > iq {
                        continue;
                    }
                    let v = c.area * wp * wq * r.tangent[cp][cq];
                    if v == 0.0 {
                        continue;
                    }
                    if let Some(slot) = self.tangent.slot(ip, iq) {
                        self.tangent.values_mut()[slot] += v;
                    }
                }
            }
        }
    }
}

/// Contact "internal" forces f_c = Σ A Bᵀ(−p n + t) on raw DOFs (N), added into `f`.
pub(crate) fn add_contact_forces(contacts: &[ContactNode], responses: &[Response], f: &mut [f64]) {
    let mut w = [(0usize, 0.0); MAX_FACE_NODES + 1];
    for (c, r) in contacts.iter().zip(responses) {
        if r.pressure == 0.0 && r.shear.iter().all(|&v| v == 0.0) {
            continue;
        }
        let force: [f64; 3] =
            std::array::from_fn(|k| c.area * (-r.pressure * c.normal[k] + r.shear[k]));
        let m = b_weights(c, &mut w);
        for &(node, weight) in &w[..m] {
            for k in 0..3 {
                f[3 * node + k] += weight * force[k];
            }
        }
    }
}

/// The non-symmetric part of the consistent tangent at one slipping node:
/// A Bᵀ (c ⊗ n) B with c = −μ k_N t̂.
pub(crate) struct CouplingTerm {
    /// (unknown, weight, component) of B.
    expansion: Vec<(usize, f64, usize)>,
    area: f64,
    coupling: [f64; 3],
    normal: [f64; 3],
}

impl NewtonSystem {
    /// The non-symmetric coupling terms of the slipping nodes.
    pub fn coupling_terms(
        &self,
        contacts: &[ContactNode],
        responses: &[Response],
    ) -> Vec<CouplingTerm> {
        let mut w = [(0usize, 0.0); MAX_FACE_NODES + 1];
        let mut terms = Vec::new();
        for (c, r) in contacts.iter().zip(responses) {
            if r.coupling.iter().all(|&v| v == 0.0) {
                continue;
            }
            let m = b_weights(c, &mut w);
            let mut expansion = Vec::with_capacity(3 * m);
            for &(node, weight) in &w[..m] {
                for comp in 0..3 {
                    self.dofs.for_each_free(3 * node + comp, |i, coef| {
                        expansion.push((i, weight * coef, comp))
                    });
                }
            }
            terms.push(CouplingTerm {
                expansion,
                area: c.area,
                coupling: r.coupling,
                normal: c.normal,
            });
        }
        terms
    }
}

/// y += Σ A Bᵀ c (nᵀ B v) over the coupling terms.
pub(crate) fn apply_coupling(terms: &[CouplingTerm], v: &[f64], y: &mut [f64]) {
    for t in terms {
        let gap_rate: f64 = t
            .expansion
            .iter()
            .map(|&(i, w, c)| w * t.normal[c] * v[i])
            .sum();
        if gap_rate == 0.0 {
            continue;
        }
        for &(i, w, c) in &t.expansion {
            y[i] += t.area * w * t.coupling[c] * gap_rate;
        }
    }
}
