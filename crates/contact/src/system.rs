//! The reduced Newton system of one constraint set: the assembly crate's
//! [`ConstrainedSystem`] on the stiffness pattern *extended by the contact couplings* (every
//! slave node's unknowns with those of its master face, fixed for small sliding, so one
//! symbolic factorisation serves every iteration) with the elastic stiffness K assembled once,
//! the Newton matrix on the same pattern, and the scatter of contact forces and tangents.

use osteon_assembly::{
    AssemblyError, ConstrainedSystem, DirichletBc, DofMap, ElasticOperator, Equation,
};
use osteon_material::Voigt6x6;
use osteon_mesh::Mesh;
use osteon_solver::SymmetricCsr;

use crate::constitutive::Response;
use crate::error::ContactError;
use crate::kinematics::b_weights;
use crate::pairing::{ContactNode, MAX_FACE_NODES};

/// The constrained system of one set of prescribed DOFs on the extended pattern, and the
/// Newton matrix on the same pattern.
pub(crate) struct NewtonSystem {
    /// DOF map and elastic stiffness Tᵀ K T (extended pattern).
    pub system: ConstrainedSystem,
    /// Newton matrix K + K_c (same pattern).
    pub tangent: SymmetricCsr,
    /// Per contact node, where its stiffness A Bᵀ D B lands in the Newton matrix, found once
    /// so that each iteration's refill is a scatter without searching.
    tangent_slots: Vec<Vec<TangentEntry>>,
    /// The contact nodes' rows `B_j` over the free unknowns ([`term_rows`]), found once.
    pub rows: Vec<Vec<(usize, f64)>>,
    /// What the system was built from, to tell whether it serves another analysis.
    inputs: SystemInputs,
}

/// A [`NewtonSystem`] kept between analyses without its Newton matrix.
pub(crate) struct KeptSystem {
    system: ConstrainedSystem,
    tangent_slots: Vec<Vec<TangentEntry>>,
    rows: Vec<Vec<(usize, f64)>>,
    inputs: SystemInputs,
}

impl KeptSystem {
    /// Whether this is the system [`NewtonSystem::new`] would build for `op`, `boundary`
    /// and `contacts`: the same prescribed DOFs and equal [`SystemInputs`].
    pub fn serves(
        &self,
        op: &ElasticOperator<'_>,
        boundary: &[DirichletBc],
        contacts: &[ContactNode],
    ) -> bool {
        self.system.serves(boundary) && self.inputs.are(op, contacts)
    }

    /// The system in the state [`NewtonSystem::new`] leaves it: the Newton matrix equal to K.
    pub fn restore(self) -> NewtonSystem {
        NewtonSystem {
            tangent: self.system.matrix().clone(),
            system: self.system,
            tangent_slots: self.tangent_slots,
            rows: self.rows,
            inputs: self.inputs,
        }
    }
}

/// What a [`NewtonSystem`] is built from besides the set of prescribed DOFs: the mesh, each
/// element's material and every material's D (K), the model's equations (the DOF map) and
/// each contact node's B weights (the coupled pattern, the tangent slots and the rows
/// `B_j`). Equal inputs and the same prescribed DOFs give the same system, bit for bit, so
/// a system kept from an earlier analysis (another contact law, gap or load on the same
/// model) serves the next one without being rebuilt.
#[derive(Debug)]
struct SystemInputs {
    mesh: Mesh,
    materials: Vec<usize>,
    stiffnesses: Vec<Voigt6x6>,
    equations: Vec<Equation>,
    couplings: Vec<Vec<(usize, f64)>>,
}

impl SystemInputs {
    fn of(op: &ElasticOperator<'_>, contacts: &[ContactNode]) -> Self {
        Self {
            mesh: op.model().mesh.clone(),
            materials: op.element_materials().to_vec(),
            stiffnesses: op.stiffnesses().to_vec(),
            equations: op.model().equations.clone(),
            couplings: contacts.iter().map(coupling).collect(),
        }
    }

    /// Whether `op` and `contacts` are these inputs (exact comparison, no copy made).
    fn are(&self, op: &ElasticOperator<'_>, contacts: &[ContactNode]) -> bool {
        self.materials == op.element_materials()
            && self.stiffnesses == op.stiffnesses()
            && self.equations == op.model().equations
            && self.couplings.len() == contacts.len()
            && self
                .couplings
                .iter()
                .zip(contacts)
                .all(|(kept, c)| *kept == coupling(c))
            && self.mesh == op.model().mesh
    }
}

/// A contact node's B weights: the slave and the master-face nodes with their weights.
fn coupling(c: &ContactNode) -> Vec<(usize, f64)> {
    let mut w = [(0usize, 0.0); MAX_FACE_NODES + 1];
    let m = b_weights(c, &mut w);
    w[..m].to_vec()
}

/// One product `w_p w_q D[c_p][c_q]` of a contact node's B entries p and q (unknown p ≤
/// unknown q), and the value index of `(unknown p, unknown q)` in the Newton matrix.
#[derive(Clone, Copy, Debug)]
struct TangentEntry {
    slot: usize,
    weight: f64,
    component_p: u8,
    component_q: u8,
}

/// The [`TangentEntry`]s of every contact node on the pattern of `matrix`.
///
/// # Errors
/// [`AssemblyError::PatternMismatch`] when the pattern lacks a pair a node couples (the
/// extended pattern always has them).
fn tangent_entries(
    dofs: &DofMap,
    matrix: &SymmetricCsr,
    contacts: &[ContactNode],
) -> Result<Vec<Vec<TangentEntry>>, AssemblyError> {
    let mut w = [(0usize, 0.0); MAX_FACE_NODES + 1];
    // (unknown, weight, component)
    let mut expansion: Vec<(usize, f64, usize)> = Vec::with_capacity(3 * (MAX_FACE_NODES + 1));
    contacts
        .iter()
        .map(|c| {
            let m = b_weights(c, &mut w);
            expansion.clear();
            for &(node, weight) in &w[..m] {
                for comp in 0..3 {
                    dofs.for_each_free(3 * node + comp, |i, coef| {
                        expansion.push((i, weight * coef, comp))
                    });
                }
            }
            let mut entries = Vec::with_capacity(expansion.len() * (expansion.len() + 1) / 2);
            for &(ip, wp, cp) in &expansion {
                for &(iq, wq, cq) in &expansion {
                    if ip > iq {
                        continue;
                    }
                    let slot =
                        matrix
                            .slot(ip, iq)
                            .ok_or_else(|| AssemblyError::PatternMismatch {
                                detail: format!("no slot ({ip}, {iq}) of a contact node"),
                            })?;
                    entries.push(TangentEntry {
                        slot,
                        weight: wp * wq,
                        component_p: cp as u8,
                        component_q: cq as u8,
                    });
                }
            }
            Ok(entries)
        })
        .collect()
}

/// Free unknowns coupled by one contact node (sorted, unique).
pub(crate) fn contact_unknowns(dofs: &DofMap, node: &ContactNode, out: &mut Vec<usize>) {
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
    /// Set up the system for `boundary` with the slave–master couplings, assemble K.
    pub fn new(
        op: &ElasticOperator<'_>,
        boundary: &[DirichletBc],
        contacts: &[ContactNode],
    ) -> Result<Self, ContactError> {
        // each contact node couples its own unknowns with those of its master face; without
        // contact nodes the constrained system runs the whole-model rigid-body check
        let mut system = ConstrainedSystem::setup_with_couplings(op, boundary, |dofs| {
            contacts
                .iter()
                .map(|c| {
                    let mut list = Vec::new();
                    contact_unknowns(dofs, c, &mut list);
                    list
                })
                .collect()
        })?;
        system.assemble(op)?;
        let tangent = system.matrix().clone();
        let tangent_slots = tangent_entries(system.dofs(), &tangent, contacts)?;
        let rows = term_rows(system.dofs(), contacts);
        Ok(Self {
            system,
            tangent,
            tangent_slots,
            rows,
            inputs: SystemInputs::of(op, contacts),
        })
    }

    /// The system without its Newton matrix, to be kept between analyses (the matrix is a
    /// copy of K's pattern and values, rebuilt when the system is taken again).
    pub fn into_kept(self) -> KeptSystem {
        KeptSystem {
            system: self.system,
            tangent_slots: self.tangent_slots,
            rows: self.rows,
            inputs: self.inputs,
        }
    }

    /// The DOF map.
    pub fn dofs(&self) -> &DofMap {
        self.system.dofs()
    }

    /// Tangent = K + Σ A Bᵀ D B over the contact nodes with their responses (`contacts`
    /// must be the nodes the system was built with).
    pub fn assemble_tangent(&mut self, contacts: &[ContactNode], responses: &[Response]) {
        self.tangent
            .values_mut()
            .copy_from_slice(self.system.matrix().values());
        let values = self.tangent.values_mut();
        for ((c, r), entries) in contacts.iter().zip(responses).zip(&self.tangent_slots) {
            if r.tangent.iter().flatten().all(|&v| v == 0.0) {
                continue;
            }
            for e in entries {
                let v =
                    c.area * e.weight * r.tangent[e.component_p as usize][e.component_q as usize];
                if v != 0.0 {
                    values[e.slot] += v;
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
                    self.system
                        .dofs()
                        .for_each_free(3 * node + comp, |i, coef| {
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

/// The rows `B_j` of every contact node `j` over the free unknowns, three per node (one per
/// displacement component): (unknown, weight) with the constraint coefficients folded in,
/// the same in every Newton iteration (small sliding), so that the Newton matrix is
/// `K + Σ_j B_jᵀ (A_j D_j) B_j` (see [`osteon_solver::InterfaceCholesky::with_terms`]).
pub(crate) fn term_rows(dofs: &DofMap, contacts: &[ContactNode]) -> Vec<Vec<(usize, f64)>> {
    let mut w = [(0usize, 0.0); MAX_FACE_NODES + 1];
    let mut rows = Vec::with_capacity(3 * contacts.len());
    for c in contacts {
        let m = b_weights(c, &mut w);
        for comp in 0..3 {
            let mut row = Vec::with_capacity(m);
            for &(node, weight) in &w[..m] {
                dofs.for_each_free(3 * node + comp, |i, coef| row.push((i, weight * coef)));
            }
            rows.push(row);
        }
    }
    rows
}

/// Every contact node's 3 × 3 matrices (row-major) in the Newton matrix: its symmetric
/// stiffness `A D` (assembled into the tangent) and its consistent slip coupling `A c ⊗ n`
/// (not assembled; empty when `consistent` is false).
pub(crate) fn term_matrices(
    contacts: &[ContactNode],
    responses: &[Response],
    consistent: bool,
) -> (Vec<f64>, Vec<f64>) {
    let mut symmetric = Vec::with_capacity(9 * contacts.len());
    let mut coupling = Vec::with_capacity(if consistent { 9 * contacts.len() } else { 0 });
    for (c, r) in contacts.iter().zip(responses) {
        for a in 0..3 {
            for b in 0..3 {
                symmetric.push(c.area * r.tangent[a][b]);
                if consistent {
                    coupling.push(c.area * r.coupling[a] * c.normal[b]);
                }
            }
        }
    }
    (symmetric, coupling)
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
