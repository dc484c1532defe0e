//! The DOF map: which displacement components are unknowns of the reduced system, which are
//! prescribed, and which are eliminated by linear constraints.
//!
//! Raw DOF `3·node + component` (x, y, z). The reduced ("free") unknowns are numbered node by
//! node, so the unknowns of one node are consecutive — the solver orders the node graph
//! and keeps each node's unknowns together.
//!
//! With T the map from free unknowns to raw DOFs and g the prescribed part,
//! u = T u_free + g, the reduced system is Tᵀ K T u_free = Tᵀ (f − K g).

use osteon_mesh::Mesh;
use osteon_solver::UnknownGroups;

use crate::error::{AssemblyError, axis_name};
use crate::model::{DirichletBc, Equation};

/// What a raw DOF is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DofState {
    /// An unknown of the reduced system (its index).
    Free(usize),
    /// Prescribed displacement (value given per load case).
    Prescribed,
    /// Eliminated by an equation: index into the dependent list.
    Dependent(usize),
    /// Node used by no element or constraint: no stiffness, displacement reported as 0.
    Inactive,
}

/// An eliminated DOF: u = Σ a_j u_free_j + Σ b_k u_raw_k (prescribed raw DOFs k).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DependentDof {
    /// (free unknown, coefficient).
    pub free: Vec<(usize, f64)>,
    /// (prescribed raw DOF, coefficient).
    pub prescribed: Vec<(usize, f64)>,
}

/// The DOF map of one constraint set.
#[derive(Clone, Debug)]
pub struct DofMap {
    state: Vec<DofState>,
    dependents: Vec<DependentDof>,
    free_to_raw: Vec<usize>,
    groups: UnknownGroups,
}

impl DofMap {
    /// Build the map for a mesh, the prescribed DOFs (values ignored here) and equations.
    pub fn new(
        mesh: &Mesh,
        boundary: &[DirichletBc],
        equations: &[Equation],
    ) -> Result<Self, AssemblyError> {
        let n_nodes = mesh.n_nodes();
        let n_raw = 3 * n_nodes;
        let mut used = vec![false; n_nodes];
        for el in mesh.elements() {
            for &a in el.nodes {
                used[a] = true;
            }
        }
        let mut state = vec![DofState::Inactive; n_raw];
        for eq in equations {
            for &(node, c, _) in &eq.terms {
                check_dof(n_nodes, node, c)?;
                used[node] = true;
            }
        }
        for (node, &u) in used.iter().enumerate() {
            if u {
                for c in 0..3 {
                    state[3 * node + c] = DofState::Free(usize::MAX);
                }
            }
        }
        for bc in boundary {
            check_dof(n_nodes, bc.node, bc.component)?;
            if !bc.value.is_finite() {
                return Err(AssemblyError::InvalidModel {
                    detail: format!(
                        "prescribed displacement at node {} is not finite",
                        mesh.node_ids[bc.node]
                    ),
                });
            }
            if used[bc.node] {
                state[3 * bc.node + bc.component] = DofState::Prescribed;
            }
        }
        // equations: the first term's DOF is eliminated (Abaqus rule); if that DOF is already
        // prescribed or eliminated, the free term with the largest coefficient is eliminated
        // instead (e.g. a tied slave node lying on a symmetry plane). An equation whose
        // terms are all prescribed or eliminated already is redundant and dropped.
        let mut raw_eqs: Vec<(usize, Vec<(usize, f64)>)> = Vec::new();
        for eq in equations {
            if eq.terms.iter().any(|t| !t.2.is_finite()) {
                return Err(AssemblyError::ConstraintConflict {
                    detail: format!(
                        "equation on node {} has a non-finite coefficient",
                        mesh.node_ids[eq.terms[0].0]
                    ),
                });
            }
            let candidate = |&(n, c, a): &(usize, usize, f64)| {
                a != 0.0 && matches!(state[3 * n + c], DofState::Free(_))
            };
            let pick = match eq.terms.first() {
                Some(first) if candidate(first) => Some(0),
                _ => eq
                    .terms
                    .iter()
                    .enumerate()
                    .filter(|(_, t)| candidate(t))
                    .max_by(|a, b| a.1.2.abs().total_cmp(&b.1.2.abs()))
                    .map(|(i, _)| i),
            };
            let Some(k) = pick else { continue };
            let (n0, c0, a0) = eq.terms[k];
            let d = 3 * n0 + c0;
            state[d] = DofState::Dependent(raw_eqs.len());
            let terms = eq
                .terms
                .iter()
                .enumerate()
                .filter(|&(i, _)| i != k)
                .map(|(_, &(n, c, a))| (3 * n + c, -a / a0))
                .collect();
            raw_eqs.push((d, terms));
        }
        // number free DOFs node by node
        let mut free_to_raw = Vec::new();
        let mut group_ptr = vec![0usize];
        for node in 0..n_nodes {
            let before = free_to_raw.len();
            for c in 0..3 {
                let r = 3 * node + c;
                if let DofState::Free(_) = state[r] {
                    state[r] = DofState::Free(free_to_raw.len());
                    free_to_raw.push(r);
                }
            }
            if free_to_raw.len() > before {
                group_ptr.push(free_to_raw.len());
            }
        }
        // resolve dependents recursively (depth-first, cycle detection)
        let mut resolved: Vec<Option<DependentDof>> = vec![None; raw_eqs.len()];
        let mut visiting = vec![false; raw_eqs.len()];
        for k in 0..raw_eqs.len() {
            resolve(k, &raw_eqs, &state, &mut resolved, &mut visiting, mesh)?;
        }
        let dependents = resolved
            .into_iter()
            .map(Option::unwrap_or_default)
            .collect();
        Ok(Self {
            state,
            dependents,
            free_to_raw,
            groups: UnknownGroups { group_ptr },
        })
    }

    /// Number of raw DOFs (3 per node).
    pub fn n_raw(&self) -> usize {
        self.state.len()
    }

    /// Number of free unknowns.
    pub fn n_free(&self) -> usize {
        self.free_to_raw.len()
    }

    /// State of raw DOF `r`.
    pub fn state(&self, r: usize) -> DofState {
        self.state[r]
    }

    /// Raw DOF of free unknown `i`.
    pub fn free_to_raw(&self, i: usize) -> usize {
        self.free_to_raw[i]
    }

    /// The eliminated DOF description of dependent `k`.
    pub fn dependent(&self, k: usize) -> &DependentDof {
        &self.dependents[k]
    }

    /// Unknown groups (one per node with free unknowns) for the solver's ordering.
    pub fn groups(&self) -> &UnknownGroups {
        &self.groups
    }

    /// Call `f(free, coefficient)` for each free unknown raw DOF `r` depends on.
    #[inline]
    pub fn for_each_free(&self, r: usize, mut f: impl FnMut(usize, f64)) {
        match self.state[r] {
            DofState::Free(i) => f(i, 1.0),
            DofState::Dependent(k) => {
                for &(i, a) in &self.dependents[k].free {
                    f(i, a);
                }
            }
            DofState::Prescribed | DofState::Inactive => {}
        }
    }

    /// The raw vector g of prescribed displacements (and the constant parts of eliminated DOFs)
    /// for a boundary list; later entries override earlier ones.
    pub fn prescribed_vector(&self, boundary: &[DirichletBc]) -> Vec<f64> {
        let mut g = vec![0.0; self.n_raw()];
        for bc in boundary {
            let r = 3 * bc.node + bc.component;
            if r < g.len() && self.state[r] == DofState::Prescribed {
                g[r] = bc.value;
            }
        }
        for r in 0..self.n_raw() {
            if let DofState::Dependent(k) = self.state[r] {
                g[r] = self.dependents[k]
                    .prescribed
                    .iter()
                    .map(|&(p, b)| b * g[p])
                    .sum();
            }
        }
        g
    }

    /// Tᵀ f: reduce a raw vector to the free unknowns.
    pub fn reduce(&self, raw: &[f64]) -> Vec<f64> {
        let mut out = vec![0.0; self.n_free()];
        for (r, &v) in raw.iter().enumerate() {
            if v != 0.0 {
                self.for_each_free(r, |i, a| out[i] += a * v);
            }
        }
        out
    }

    /// u = T u_free + g: expand a reduced solution to raw DOFs.
    pub fn expand(&self, free: &[f64], g: &[f64]) -> Vec<f64> {
        let mut u = g.to_vec();
        for r in 0..self.n_raw() {
            match self.state[r] {
                DofState::Free(i) => u[r] = free[i],
                DofState::Dependent(k) => {
                    u[r] += self.dependents[k]
                        .free
                        .iter()
                        .map(|&(i, a)| a * free[i])
                        .sum::<f64>();
                }
                _ => {}
            }
        }
        u
    }
}

fn check_dof(n_nodes: usize, node: usize, c: usize) -> Result<(), AssemblyError> {
    if node >= n_nodes || c > 2 {
        return Err(AssemblyError::InvalidModel {
            detail: format!(
                "DOF (node index {node}, component {c}) does not exist ({n_nodes} nodes, components 0..3)"
            ),
        });
    }
    Ok(())
}

fn resolve(
    k: usize,
    eqs: &[(usize, Vec<(usize, f64)>)],
    state: &[DofState],
    resolved: &mut [Option<DependentDof>],
    visiting: &mut [bool],
    mesh: &Mesh,
) -> Result<(), AssemblyError> {
    if resolved[k].is_some() {
        return Ok(());
    }
    if visiting[k] {
        let r = eqs[k].0;
        return Err(AssemblyError::ConstraintConflict {
            detail: format!(
                "equations form a cycle through node {} {}",
                mesh.node_ids[r / 3],
                axis_name(r % 3)
            ),
        });
    }
    visiting[k] = true;
    let mut out = DependentDof::default();
    for &(r, a) in &eqs[k].1 {
        match state[r] {
            DofState::Free(i) => out.free.push((i, a)),
            DofState::Prescribed => out.prescribed.push((r, a)),
            DofState::Inactive => {}
            DofState::Dependent(j) => {
                resolve(j, eqs, state, resolved, visiting, mesh)?;
                let sub = resolved[j].clone().unwrap_or_default();
                out.free.extend(sub.free.iter().map(|&(i, b)| (i, a * b)));
                out.prescribed
                    .extend(sub.prescribed.iter().map(|&(p, b)| (p, a * b)));
            }
        }
    }
    // merge repeated unknowns
    out.free.sort_by_key(|t| t.0);
    out.free.dedup_by(|b, a| {
        if a.0 == b.0 {
            a.1 += b.1;
            true
        } else {
            false
        }
    });
    resolved[k] = Some(out);
    visiting[k] = false;
    Ok(())
}
