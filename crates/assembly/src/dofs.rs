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
use osteon_solver::{UnknownGeometry, UnknownGroups};

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
    /// Node used by no element or constraint (or a component of a node outside the elements
    /// that no equation names): no stiffness, displacement reported as 0.
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
    redundant: Vec<RedundantEquation>,
}

/// An equation that eliminated nothing because, after substituting the others, only
/// prescribed DOFs are left in it: Σ c_k u_k = 0 must hold for their values.
#[derive(Clone, Debug, PartialEq)]
struct RedundantEquation {
    /// How messages name it: "equation 12 (first term: node 9 z)".
    name: String,
    /// (prescribed raw DOF, coefficient), scaled so the largest |coefficient| is 1.
    terms: Vec<(usize, f64)>,
}

/// Mid-edge nodes with their edge's corners, in local numbering
/// ([`osteon_mesh::ElementType::mid_edge_nodes`]).
type MidEdgeTable = Vec<(usize, [usize; 2])>;

/// The groups of mid-edge nodes of quadratic elements with the groups of their edge's
/// corners, for the ordering ([`UnknownGroups::attached`]): a node that is a corner of any
/// element is not attached, and a node is attached once (to the first edge it is found on).
fn attached_groups(
    mesh: &Mesh,
    group_ptr: &[usize],
    free_to_raw: &[usize],
) -> Vec<(usize, [usize; 2])> {
    let n_nodes = mesh.n_nodes();
    // group of each node with free unknowns
    let mut group_of = vec![usize::MAX; n_nodes];
    for (g, w) in group_ptr.windows(2).enumerate() {
        if w[1] > w[0] {
            group_of[free_to_raw[w[0]] / 3] = g;
        }
    }
    let mut corner = vec![false; n_nodes];
    let mut any_quadratic = false;
    for el in mesh.elements() {
        for &a in &el.nodes[..el.etype.n_corners()] {
            corner[a] = true;
        }
        any_quadratic |= el.etype.is_quadratic();
    }
    if !any_quadratic {
        return Vec::new();
    }
    // the mid-edge table of each element type met so far
    let mut edges: Vec<(osteon_mesh::ElementType, MidEdgeTable)> = Vec::new();
    let mut done = vec![false; n_nodes];
    let mut attached = Vec::new();
    for el in mesh.elements() {
        if !el.etype.is_quadratic() {
            continue;
        }
        let table = match edges.iter().position(|(t, _)| *t == el.etype) {
            Some(i) => &edges[i].1,
            None => {
                edges.push((el.etype, el.etype.mid_edge_nodes()));
                &edges[edges.len() - 1].1
            }
        };
        for &(m, [a, b]) in table {
            let node = el.nodes[m];
            if corner[node]
                || group_of[node] == usize::MAX
                || std::mem::replace(&mut done[node], true)
            {
                continue;
            }
            attached.push((
                group_of[node],
                [group_of[el.nodes[a]], group_of[el.nodes[b]]],
            ));
        }
    }
    attached.sort_unstable_by_key(|&(g, _)| g);
    attached
}

impl DofMap {
    /// Build the map for a mesh, the prescribed DOFs (values ignored here) and equations.
    ///
    /// Each equation eliminates one DOF: its first term's when that is free (Abaqus rule),
    /// else its free term with the largest coefficient, the equation being first rewritten
    /// in the DOFs not eliminated by the earlier ones (Gauss–Jordan), so chained and mutually
    /// dependent equations resolve as in CalculiX. Zero coefficients are ignored.
    ///
    /// # Errors
    /// [`AssemblyError::InvalidModel`] for a DOF that does not exist or a non-finite
    /// prescribed value, [`AssemblyError::ConstraintConflict`] for a non-finite coefficient
    /// (naming the equation's position, from 1, and its first term).
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
        for (node, &u) in used.iter().enumerate() {
            if u {
                for c in 0..3 {
                    state[3 * node + c] = DofState::Free(usize::MAX);
                }
            }
        }
        // a node of no element (e.g. CalculiX's auxiliary nodes that carry a prescribed value
        // into an equation) has only the components its equations name (with a non-zero
        // coefficient): the others have no stiffness and stay inactive
        for eq in equations {
            for &(node, c, a) in &eq.terms {
                check_dof(n_nodes, node, c)?;
                if a != 0.0 && state[3 * node + c] == DofState::Inactive {
                    state[3 * node + c] = DofState::Free(usize::MAX);
                }
            }
        }
        for eq in equations {
            for &(node, _, _) in &eq.terms {
                used[node] = true;
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
        // equations, in order: each is first rewritten in the DOFs that are not eliminated yet
        // (substituting the expressions of the eliminated ones, summing repeated DOFs and
        // dropping zero and cancelled coefficients), then one free DOF of it is eliminated —
        // its first term's (Abaqus rule) when that is still a free term, else the free term with
        // the largest coefficient (e.g. a tied slave node lying on a symmetry plane) — and its
        // expression is substituted into the earlier eliminated DOFs that used it. This is
        // Gauss–Jordan elimination of the constraint set, so chains (a ← b ← c) and equations
        // that name each other's first DOF (CalculiX's `opt2.inp`: 9z = 9y, then 9y = f(9z, …))
        // resolve whatever their order. An equation left with no free term is redundant (all
        // of its DOFs are prescribed or already eliminated by the others) and is dropped; if
        // prescribed DOFs remain in it, it is kept as a check on their values
        // ([`DofMap::check_prescribed`]).
        let elim = eliminate(mesh, &mut state, equations)?;
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
        let attached = attached_groups(mesh, &group_ptr, &free_to_raw);
        let to_dependent = |expr: &[(usize, f64)]| {
            let mut out = DependentDof::default();
            for &(r, a) in expr {
                match state[r] {
                    DofState::Free(i) => out.free.push((i, a)),
                    DofState::Prescribed => out.prescribed.push((r, a)),
                    DofState::Dependent(_) | DofState::Inactive => {}
                }
            }
            out
        };
        let dependents = elim.expressions.iter().map(|e| to_dependent(e)).collect();
        Ok(Self {
            state,
            dependents,
            free_to_raw,
            groups: UnknownGroups {
                group_ptr,
                attached,
            },
            redundant: elim.redundant,
        })
    }

    /// Check the equations that eliminated nothing because only prescribed DOFs were left in
    /// them (after substituting the others): with the prescribed raw vector `g` (mm, from
    /// [`DofMap::prescribed_vector`]) each must hold, |Σ c_k g_k| ≤ 1e-6 · Σ |c_k g_k| —
    /// loose enough for values printed to 7 digits. Otherwise the prescribed displacements
    /// contradict the equation and no solution satisfies both:
    /// [`AssemblyError::ConstraintConflict`] names the equation (position in the list, from 1,
    /// and its first term).
    pub fn check_prescribed(&self, g: &[f64]) -> Result<(), AssemblyError> {
        for eq in &self.redundant {
            let value = |&(r, c): &(usize, f64)| c * g.get(r).copied().unwrap_or(0.0);
            let residual: f64 = eq.terms.iter().map(value).sum();
            let size: f64 = eq.terms.iter().map(|t| value(t).abs()).sum();
            if residual.abs() > 1e-6 * size || !residual.is_finite() {
                return Err(AssemblyError::ConstraintConflict {
                    detail: format!(
                        "{} cannot hold: all of its DOFs are prescribed or eliminated by other equations, and the prescribed displacements leave it {residual:e} (scaled to a largest coefficient of 1) instead of 0",
                        eq.name
                    ),
                });
            }
        }
        Ok(())
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

    /// Where each free unknown sits (its node's position in `coords`, mm, and its
    /// direction), for solvers that build the rigid-body modes (algebraic multigrid).
    pub fn geometry(&self, coords: &[[f64; 3]]) -> UnknownGeometry {
        let n = self.n_free();
        let mut g = UnknownGeometry {
            position: Vec::with_capacity(n),
            direction: Vec::with_capacity(n),
            node: Vec::with_capacity(n),
        };
        for &r in &self.free_to_raw {
            let node = r / 3;
            g.position
                .push(coords.get(node).copied().unwrap_or_default());
            g.direction.push((r % 3) as u8);
            g.node.push(node);
        }
        g
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

/// Coefficients smaller than this fraction of the largest one in their equation (after
/// substitution) count as cancelled and are dropped. Round-off of a substitution is ~1e-16
/// relative; coefficients that are meant to be there are many orders above this.
const CANCELLED: f64 = 1e-12;

/// The eliminated DOFs and the redundant equations of a constraint set.
struct Elimination {
    /// Expression of dependent k in non-eliminated raw DOFs (sorted by raw DOF).
    expressions: Vec<Vec<(usize, f64)>>,
    /// Equations left with prescribed DOFs only.
    redundant: Vec<RedundantEquation>,
}

/// "equation 12 (first term node 9 z)": how messages name an equation.
fn equation_name(mesh: &Mesh, position: usize, first: usize) -> String {
    format!(
        "equation {} (first term: node {} {})",
        position + 1,
        mesh.node_ids[first / 3],
        axis_name(first % 3)
    )
}

/// Gauss–Jordan elimination of `equations` (see [`DofMap::new`]); marks the eliminated DOFs
/// `Dependent` in `state`.
fn eliminate(
    mesh: &Mesh,
    state: &mut [DofState],
    equations: &[Equation],
) -> Result<Elimination, AssemblyError> {
    let mut expressions: Vec<Vec<(usize, f64)>> = Vec::new();
    let mut redundant = Vec::new();
    // for a raw DOF not eliminated (yet): the dependents whose expression may contain it
    let mut users: std::collections::HashMap<usize, Vec<usize>> = Default::default();
    // scratch: position of a raw DOF in `row` (usize::MAX: absent)
    let mut slot = vec![usize::MAX; state.len()];
    let mut row: Vec<(usize, f64)> = Vec::new();
    for (position, eq) in equations.iter().enumerate() {
        let Some(&(n0, c0, _)) = eq.terms.first() else {
            continue;
        };
        let first = 3 * n0 + c0;
        if let Some(&(n, c, a)) = eq.terms.iter().find(|t| !t.2.is_finite()) {
            return Err(AssemblyError::ConstraintConflict {
                detail: format!(
                    "{} has a non-finite coefficient ({a}) at node {} {}",
                    equation_name(mesh, position, first),
                    mesh.node_ids[n],
                    axis_name(c)
                ),
            });
        }
        // the equation in non-eliminated DOFs, in term order (substituted terms in place)
        row.clear();
        let mut add = |row: &mut Vec<(usize, f64)>, r: usize, a: f64| {
            if slot[r] == usize::MAX {
                slot[r] = row.len();
                row.push((r, a));
            } else {
                row[slot[r]].1 += a;
            }
        };
        for &(n, c, a) in &eq.terms {
            if a == 0.0 {
                continue;
            }
            let r = 3 * n + c;
            match state[r] {
                DofState::Dependent(k) => {
                    for &(s, b) in &expressions[k] {
                        add(&mut row, s, a * b);
                    }
                }
                _ => add(&mut row, r, a),
            }
        }
        for &(r, _) in &row {
            slot[r] = usize::MAX;
        }
        let scale = row.iter().map(|t| t.1.abs()).fold(0.0, f64::max);
        row.retain(|t| t.1.abs() > CANCELLED * scale);
        let is_free = |r: usize| matches!(state[r], DofState::Free(_));
        let pick = match row.iter().position(|t| t.0 == first) {
            Some(i) if is_free(first) => Some(i),
            _ => row
                .iter()
                .enumerate()
                .filter(|(_, t)| is_free(t.0))
                .max_by(|a, b| a.1.1.abs().total_cmp(&b.1.1.abs()))
                .map(|(i, _)| i),
        };
        let Some(i) = pick else {
            if !row.is_empty() {
                // only prescribed DOFs left: a condition on their values
                let scale = row.iter().map(|t| t.1.abs()).fold(0.0, f64::max);
                let mut terms: Vec<(usize, f64)> =
                    row.iter().map(|&(r, a)| (r, a / scale)).collect();
                terms.sort_by_key(|t| t.0);
                redundant.push(RedundantEquation {
                    name: equation_name(mesh, position, first),
                    terms,
                });
            }
            continue;
        };
        let (d, a0) = row[i];
        let mut expr: Vec<(usize, f64)> = row
            .iter()
            .filter(|t| t.0 != d)
            .map(|&(r, a)| (r, -a / a0))
            .collect();
        expr.sort_by_key(|t| t.0);
        let k = expressions.len();
        // substitute u_d = expr into the earlier dependents that use d
        for j in users.remove(&d).unwrap_or_default() {
            let Ok(at) = expressions[j].binary_search_by_key(&d, |t| t.0) else {
                continue; // stale entry: cancelled earlier
            };
            let b = expressions[j].remove(at).1;
            let merged = merge(&expressions[j], &expr, b);
            for &(r, _) in &merged {
                if expressions[j].binary_search_by_key(&r, |t| t.0).is_err() {
                    users.entry(r).or_default().push(j);
                }
            }
            expressions[j] = merged;
        }
        for &(r, _) in &expr {
            users.entry(r).or_default().push(k);
        }
        state[d] = DofState::Dependent(k);
        expressions.push(expr);
    }
    Ok(Elimination {
        expressions,
        redundant,
    })
}

/// `x + b·y` of two sorted sparse vectors, cancelled entries dropped.
fn merge(x: &[(usize, f64)], y: &[(usize, f64)], b: f64) -> Vec<(usize, f64)> {
    let mut out = Vec::with_capacity(x.len() + y.len());
    let (mut i, mut j) = (0, 0);
    while i < x.len() || j < y.len() {
        let take_x = j == y.len() || (i < x.len() && x[i].0 < y[j].0);
        let take_y = i == x.len() || (j < y.len() && y[j].0 < x[i].0);
        if take_x {
            out.push(x[i]);
            i += 1;
        } else if take_y {
            out.push((y[j].0, b * y[j].1));
            j += 1;
        } else {
            out.push((x[i].0, x[i].1 + b * y[j].1));
            i += 1;
            j += 1;
        }
    }
    let scale = out.iter().map(|t| t.1.abs()).fold(0.0, f64::max);
    out.retain(|t| t.1.abs() > CANCELLED * scale);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `n` nodes on the x axis (ids 1..=n), no elements: the equations make them active.
    fn nodes(n: usize) -> Mesh {
        let mut mesh = Mesh::new();
        for i in 0..n {
            mesh.add_node(i as i64 + 1, [i as f64, 0.0, 0.0])
                .expect("fresh id");
        }
        mesh
    }

    fn eq(terms: &[(usize, usize, f64)]) -> Equation {
        Equation {
            terms: terms.to_vec(),
        }
    }

    fn residual(equations: &[Equation], u: &[f64]) -> f64 {
        equations
            .iter()
            .map(|e| {
                e.terms
                    .iter()
                    .map(|&(n, c, a)| a * u[3 * n + c])
                    .sum::<f64>()
                    .abs()
            })
            .fold(0.0, f64::max)
    }

    #[test]
    fn mid_edge_nodes_are_attached_to_their_corners_groups() {
        use osteon_mesh::generate::{BoxSpec, box_mesh};
        let mesh = box_mesh(&BoxSpec {
            origin: [0.0; 3],
            size: [2.0, 1.0, 1.0],
            cells: [2, 1, 1],
            element: osteon_mesh::ElementType::Tet10,
        })
        .expect("box");
        // clamp x = 0: its corner and edge nodes have no group
        let x0 = mesh.nodes_where(|x| x[0] == 0.0);
        let boundary: Vec<DirichletBc> = x0
            .iter()
            .flat_map(|&node| {
                (0..3).map(move |component| DirichletBc {
                    node,
                    component,
                    value: 0.0,
                })
            })
            .collect();
        let map = DofMap::new(&mesh, &boundary, &[]).expect("map");
        let groups = map.groups();
        let node_of_group = |g: usize| map.free_to_raw(groups.group_ptr[g]) / 3;
        let mut corners = vec![false; mesh.n_nodes()];
        for el in mesh.elements() {
            for &a in &el.nodes[..4] {
                corners[a] = true;
            }
        }
        let free_mid = (0..mesh.n_nodes())
            .filter(|&n| !corners[n] && !x0.contains(&n))
            .count();
        assert_eq!(groups.attached.len(), free_mid);
        for &(g, [a, b]) in &groups.attached {
            let m = mesh.coords[node_of_group(g)];
            assert!(!corners[node_of_group(g)]);
            // the anchors with free unknowns are corners, and m is their edge's midpoint
            let ends: Vec<[f64; 3]> = [a, b]
                .iter()
                .map(|&h| {
                    if h == usize::MAX {
                        None
                    } else {
                        assert!(corners[node_of_group(h)]);
                        Some(mesh.coords[node_of_group(h)])
                    }
                })
                .map(|p| p.unwrap_or([0.0, f64::NAN, f64::NAN]))
                .collect();
            // an end without group lies on the clamped face x = 0
            let xs: Vec<f64> = ends.iter().map(|p| p[0]).collect();
            assert!(
                ((xs[0] + xs[1]) / 2.0 - m[0]).abs() < 1e-12,
                "{xs:?} vs {m:?}"
            );
        }
        // a linear mesh attaches nothing
        let linear = box_mesh(&BoxSpec {
            origin: [0.0; 3],
            size: [1.0; 3],
            cells: [1, 1, 1],
            element: osteon_mesh::ElementType::Tet4,
        })
        .expect("box");
        assert!(
            DofMap::new(&linear, &[], &[])
                .expect("map")
                .groups()
                .attached
                .is_empty()
        );
    }

    #[test]
    fn a_chain_of_three_equations_resolves_in_either_order() {
        // u_a = 2 u_b, u_b = 3 u_c, u_c = u_d / 2 (x components of nodes 0..4): u_a = 3 u_d,
        // u_b = 1.5 u_d, u_c = 0.5 u_d, whatever the order of the equations.
        let mesh = nodes(4);
        let chain = [
            eq(&[(0, 0, 1.0), (1, 0, -2.0)]),
            eq(&[(1, 0, 1.0), (2, 0, -3.0)]),
            eq(&[(2, 0, 2.0), (3, 0, -1.0)]),
        ];
        for order in [[0, 1, 2], [2, 1, 0], [1, 2, 0]] {
            let equations: Vec<Equation> = order.iter().map(|&i| chain[i].clone()).collect();
            let map = DofMap::new(&mesh, &[], &equations).expect("resolvable");
            // the x components are active (the nodes are in no element), 3 of them eliminated
            assert_eq!(map.n_free(), 1, "order {order:?}");
            let d = match map.state(9) {
                DofState::Free(i) => i,
                other => panic!("u_d should stay free, is {other:?}"),
            };
            for (raw, expected) in [(0, 3.0), (3, 1.5), (6, 0.5)] {
                let DofState::Dependent(k) = map.state(raw) else {
                    panic!("raw DOF {raw} should be eliminated (order {order:?})");
                };
                let dep = map.dependent(k);
                assert_eq!(dep.free.len(), 1, "order {order:?}");
                assert_eq!(dep.free[0].0, d);
                assert!(
                    (dep.free[0].1 - expected).abs() < 1e-15,
                    "order {order:?}: {dep:?}"
                );
                assert!(dep.prescribed.is_empty());
            }
        }
    }

    #[test]
    fn zero_coefficients_make_no_dependency() {
        // u_a + 0 u_b = 0 and u_b + 0 u_a − u_c = 0: with the zero terms taken as
        // dependencies this is a cycle a → b → a; they are ignored: u_a = 0, u_b = u_c.
        let mesh = nodes(3);
        let equations = [
            eq(&[(0, 1, 1.0), (1, 1, 0.0)]),
            eq(&[(1, 1, 1.0), (0, 1, 0.0), (2, 1, -1.0)]),
        ];
        let map = DofMap::new(&mesh, &[], &equations).expect("no cycle");
        let DofState::Dependent(ka) = map.state(1) else {
            panic!("u_a eliminated");
        };
        assert_eq!(map.dependent(ka), &DependentDof::default());
        let DofState::Dependent(kb) = map.state(4) else {
            panic!("u_b eliminated");
        };
        let DofState::Free(c) = map.state(7) else {
            panic!("u_c free");
        };
        assert_eq!(map.dependent(kb).free, vec![(c, 1.0)]);
    }

    #[test]
    fn equations_naming_each_others_first_dof_resolve_like_calculix() {
        // CalculiX's opt2.inp at node 9 (here node 1): u_z·s − u_y·s + 0·u_x = 0, then
        // −u_y·s − u_z·s + 0·u_x − u_aux = 0 with u_aux prescribed (s = 0.7071067811865).
        // The second equation's first DOF (u_y) is in the first one's expression: solved
        // together, u_y = u_z = −u_aux / (2 s).
        #[allow(clippy::approx_constant)] // the 13-digit value of the deck, not exactly 1/√2
        let s = 0.7071067811865;
        let mesh = nodes(2);
        let equations = [
            eq(&[(0, 2, s), (0, 1, -s), (0, 0, 0.0)]),
            eq(&[(0, 1, -s), (0, 2, -s), (0, 0, 0.0), (1, 0, -1.0)]),
        ];
        let bc = [DirichletBc {
            node: 1,
            component: 0,
            value: 0.04,
        }];
        let map = DofMap::new(&mesh, &bc, &equations).expect("resolvable");
        let g = map.prescribed_vector(&bc);
        let expected = -0.04 / (2.0 * s);
        assert!(
            (g[1] - expected).abs() < 1e-15 && (g[2] - expected).abs() < 1e-15,
            "{g:?}"
        );
        // nothing is left free (u_x of node 1 appears with coefficient 0 only: inactive)
        assert_eq!(map.n_free(), 0);
        assert_eq!(map.state(0), DofState::Inactive);
        let u = map.expand(&[], &g);
        assert!(residual(&equations, &u) < 1e-15);
        assert!(map.check_prescribed(&g).is_ok());
    }

    #[test]
    fn gauss_jordan_satisfies_every_equation_of_a_dense_coupled_set() {
        // five equations on six DOFs of two nodes, each naming the others' DOFs
        let mesh = nodes(2);
        let equations = [
            eq(&[(0, 0, 1.0), (0, 1, 2.0), (1, 2, -1.0)]),
            eq(&[(0, 1, 1.0), (0, 0, -1.0), (1, 0, 0.5), (0, 2, 0.0)]),
            eq(&[(0, 2, 3.0), (0, 0, 1.0), (0, 1, 1.0)]),
            eq(&[(1, 0, 1.0), (0, 2, -2.0), (1, 1, 1.0)]),
            eq(&[(1, 1, 1.0), (0, 0, 1.0), (1, 2, -4.0)]),
        ];
        let map = DofMap::new(&mesh, &[], &equations).expect("resolvable");
        assert_eq!(map.n_free(), 1);
        let u = map.expand(&[1.7], &[0.0; 6]);
        assert!(u.iter().any(|&v| v != 0.0));
        assert!(residual(&equations, &u) < 1e-14, "{u:?}");
    }

    #[test]
    fn redundant_equations_are_dropped_and_contradictions_named() {
        let mesh = nodes(3);
        // u_a = u_b twice: the second has nothing left and eliminates nothing
        let equations = [
            eq(&[(0, 0, 1.0), (1, 0, -1.0)]),
            eq(&[(1, 0, 2.0), (0, 0, -2.0)]),
        ];
        let map = DofMap::new(&mesh, &[], &equations).expect("redundant is fine");
        assert_eq!(map.n_free(), 1);
        // u_a − u_b = 0 with both prescribed: a condition on their values
        let bcs = |a: f64, b: f64| {
            [
                DirichletBc {
                    node: 0,
                    component: 0,
                    value: a,
                },
                DirichletBc {
                    node: 2,
                    component: 0,
                    value: b,
                },
            ]
        };
        let equations = [
            eq(&[(1, 0, 1.0), (0, 0, -1.0)]),
            eq(&[(2, 0, 1.0), (1, 0, -1.0)]),
        ];
        let map = DofMap::new(&mesh, &bcs(0.1, 0.1), &equations).expect("map");
        assert!(
            map.check_prescribed(&map.prescribed_vector(&bcs(0.1, 0.1)))
                .is_ok()
        );
        match map.check_prescribed(&map.prescribed_vector(&bcs(0.1, 0.2))) {
            Err(AssemblyError::ConstraintConflict { detail }) => {
                assert!(
                    detail.starts_with("equation 2 (first term: node 3 x) cannot hold"),
                    "{detail}"
                );
            }
            other => panic!("expected a conflict, got {other:?}"),
        }
    }

    #[test]
    fn a_non_finite_coefficient_names_its_equation() {
        let mesh = nodes(2);
        let equations = [
            eq(&[(0, 0, 1.0), (1, 0, -1.0)]),
            eq(&[(0, 1, 1.0), (1, 2, f64::INFINITY)]),
        ];
        match DofMap::new(&mesh, &[], &equations) {
            Err(AssemblyError::ConstraintConflict { detail }) => assert_eq!(
                detail,
                "equation 2 (first term: node 1 y) has a non-finite coefficient (inf) at node 2 z"
            ),
            other => panic!("expected a conflict, got {other:?}"),
        }
    }
}
