//! Fill-reducing orderings: METIS nested dissection ([`metis_nested_dissection`]), faer's
//! approximate minimum degree ([`amd_ordering`]), and the machinery to order a small graph of
//! "supervariables" ([`UnknownGroups`]) and expand the result to unknowns.
//!
//! Permutations follow faer's and METIS's convention: `perm[new] = old` and
//! `iperm[old] = new`.

use std::sync::Mutex;

use faer::dyn_stack::{MemBuffer, MemStack};
use faer::sparse::SymbolicSparseColMatRef;
use faer::sparse::linalg::amd;

use crate::csr::SymmetricCsr;
use crate::error::SolverError;

/// A permutation and its inverse, `(perm, iperm)` with `perm[new] = old` and
/// `iperm[old] = new`.
pub type PermutationPair = (Vec<usize>, Vec<usize>);

/// Which fill-reducing ordering the Cholesky factorisation uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Ordering {
    /// METIS nested dissection (`METIS_NodeND`) on the group graph (or the unknown graph when
    /// no groups are given). The best choice for 3-D finite-element matrices. Groups listed
    /// in [`UnknownGroups::attached`] (the mid-edge nodes of quadratic elements) are placed
    /// after the corner groups' dissection: half the analysis time of
    /// [`Ordering::NestedDissectionAllNodes`] on the tube benchmark for a factor 4–9 % larger
    /// (`docs/benchmark.md`).
    #[default]
    NestedDissection,
    /// METIS nested dissection of the whole group graph, mid-edge nodes included: the
    /// smallest factor, for models near the memory limit, at twice the analysis time.
    NestedDissectionAllNodes,
    /// faer's approximate minimum degree on the group graph (or the unknown graph).
    Amd,
    /// No reordering (useful for tests and for matrices that are already well ordered).
    Natural,
}

/// Optional grouping of unknowns into "supervariables", e.g. the free DOFs of one mesh node.
///
/// Unknowns `group_ptr[g]..group_ptr[g + 1]` form group `g`, so groups are runs of
/// consecutive unknowns: `group_ptr` starts at 0, never decreases and ends at `n`. Empty
/// groups (a node with every DOF constrained) are allowed. Orderings work on the group graph
/// (about 9× smaller than the unknown graph for 3-D elasticity) and expand the permutation to
/// unknowns, keeping the unknowns of a group together and in their original order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UnknownGroups {
    /// Group boundaries, `n_groups + 1` entries.
    pub group_ptr: Vec<usize>,
    /// Groups the ordering places beside others instead of ordering them itself:
    /// `(group, [a, b])` for the node at the middle of an edge of a quadratic element, with
    /// the groups of the edge's end nodes (`usize::MAX` for an end node without free
    /// unknowns). The fill-reducing ordering then orders the graph of the other groups (the
    /// corner nodes: about a sixth of the nodes of a quadratic tetrahedral mesh) and puts
    /// each listed group right after the earlier of its end groups
    /// ([`crate::fill_reducing_permutation`]). Empty: every group is ordered.
    pub attached: Vec<(usize, [usize; 2])>,
}

impl UnknownGroups {
    /// `n` unknowns in groups of `size` consecutive unknowns (the last group may be shorter).
    /// `size = 0` is treated as 1.
    pub fn uniform(n: usize, size: usize) -> Self {
        let size = size.max(1);
        let mut group_ptr: Vec<usize> = (0..n).step_by(size).collect();
        group_ptr.push(n);
        Self {
            group_ptr,
            attached: Vec::new(),
        }
    }

    /// Number of groups.
    pub fn n_groups(&self) -> usize {
        self.group_ptr.len().saturating_sub(1)
    }

    /// Checks that the groups partition `0..n` into consecutive runs.
    ///
    /// # Errors
    /// [`SolverError::InvalidGroups`] otherwise.
    pub fn validate(&self, n: usize) -> Result<(), SolverError> {
        let bad = |detail: String| Err(SolverError::InvalidGroups { detail });
        let p = &self.group_ptr;
        match (p.first(), p.last()) {
            (Some(&0), Some(&last)) if last == n => {}
            _ => {
                return bad(format!(
                    "group_ptr must start at 0 and end at n = {n} (got {:?} .. {:?})",
                    p.first(),
                    p.last()
                ));
            }
        }
        if let Some(g) = p.windows(2).position(|w| w[1] < w[0]) {
            return bad(format!("group_ptr decreases at group {g}"));
        }
        Ok(())
    }

    /// The group of every unknown.
    fn group_of_unknowns(&self, n: usize) -> Vec<usize> {
        let mut group_of = vec![0usize; n];
        for (g, w) in self.group_ptr.windows(2).enumerate() {
            group_of[w[0]..w[1]].fill(g);
        }
        group_of
    }
}

/// An undirected graph in adjacency (CSR) form, without self loops: the neighbours of vertex
/// `v` are `adjncy[xadj[v]..xadj[v + 1]]`, and every edge appears in both directions.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Graph {
    /// Offsets, `n + 1` entries.
    pub xadj: Vec<usize>,
    /// Neighbour lists.
    pub adjncy: Vec<usize>,
}

impl Graph {
    /// Number of vertices.
    pub fn n_vertices(&self) -> usize {
        self.xadj.len().saturating_sub(1)
    }

    /// The graph of a symmetric pattern: one vertex per unknown, an edge per off-diagonal
    /// stored entry. Neighbour lists are sorted.
    pub fn of_matrix(a: &SymmetricCsr) -> Self {
        upper_to_symmetric(a.n(), a.row_ptr(), a.col_idx(), true)
    }

    /// The quotient graph of a symmetric pattern under a grouping: one vertex per group, an
    /// edge between two groups when any of their unknowns are coupled. Neighbour lists are
    /// sorted.
    ///
    /// # Errors
    /// [`SolverError::InvalidGroups`] when the groups do not partition `0..a.n()`.
    pub fn of_groups(a: &SymmetricCsr, groups: &UnknownGroups) -> Result<Self, SolverError> {
        groups.validate(a.n())?;
        let n_groups = groups.n_groups();
        let group_of = groups.group_of_unknowns(a.n());
        // Upper quotient pattern: for group g, the distinct groups h > g it couples to.
        let mut marker = vec![usize::MAX; n_groups];
        let mut uptr = Vec::with_capacity(n_groups + 1);
        let mut uidx = Vec::new();
        uptr.push(0usize);
        for g in 0..n_groups {
            let row_start = uidx.len();
            for i in groups.group_ptr[g]..groups.group_ptr[g + 1] {
                for &j in &a.col_idx()[a.row_ptr()[i]..a.row_ptr()[i + 1]] {
                    let h = group_of[j];
                    // The stored upper triangle only couples g to groups h >= g.
                    if h != g && marker[h] != g {
                        marker[h] = g;
                        uidx.push(h);
                    }
                }
            }
            uidx[row_start..].sort_unstable();
            uptr.push(uidx.len());
        }
        Ok(upper_to_symmetric(n_groups, &uptr, &uidx, false))
    }
}

/// Symmetric adjacency from a strictly-upper (or upper-with-diagonal when `skip_diagonal`)
/// sorted CSR pattern. Output lists are sorted: lower neighbours first, in increasing order,
/// then the upper ones.
fn upper_to_symmetric(n: usize, ptr: &[usize], idx: &[usize], skip_diagonal: bool) -> Graph {
    let upper = |v: usize| {
        let row = &idx[ptr[v]..ptr[v + 1]];
        if skip_diagonal && row.first() == Some(&v) {
            &row[1..]
        } else {
            row
        }
    };
    let mut degree = vec![0usize; n];
    for v in 0..n {
        for &w in upper(v) {
            degree[v] += 1;
            degree[w] += 1;
        }
    }
    let mut xadj = Vec::with_capacity(n + 1);
    xadj.push(0usize);
    for v in 0..n {
        xadj.push(xadj[v] + degree[v]);
    }
    let mut next = xadj[..n].to_vec();
    let mut adjncy = vec![0usize; xadj[n]];
    // Lower neighbours, in increasing order of the source vertex.
    for v in 0..n {
        for &w in upper(v) {
            adjncy[next[w]] = v;
            next[w] += 1;
        }
    }
    for v in 0..n {
        for &w in upper(v) {
            adjncy[next[v]] = w;
            next[v] += 1;
        }
    }
    Graph { xadj, adjncy }
}

/// Checks that `(xadj, adjncy)` is a simple undirected graph: offsets consistent, neighbours
/// in range, no self loops, no duplicate edges, and every edge present in both directions.
pub(crate) fn validate_graph(xadj: &[usize], adjncy: &[usize]) -> Result<usize, SolverError> {
    let bad = |detail: String| Err(SolverError::InvalidGraph { detail });
    if xadj.is_empty() {
        return if adjncy.is_empty() {
            Ok(0)
        } else {
            bad("xadj is empty but adjncy is not".into())
        };
    }
    let n = xadj.len() - 1;
    if xadj[0] != 0 || xadj[n] != adjncy.len() {
        return bad(format!(
            "xadj must run from 0 to adjncy.len() = {} (got {} .. {})",
            adjncy.len(),
            xadj[0],
            xadj[n]
        ));
    }
    if let Some(v) = xadj.windows(2).position(|w| w[1] < w[0]) {
        return bad(format!("xadj decreases at vertex {v}"));
    }
    for v in 0..n {
        for &w in &adjncy[xadj[v]..xadj[v + 1]] {
            if w >= n {
                return bad(format!("vertex {v} has neighbour {w} >= n = {n}"));
            }
            if w == v {
                return bad(format!("vertex {v} has a self loop"));
            }
        }
    }
    // Transpose twice with counting sorts: `t[w]` lists the v with w in adj(v), increasing;
    // `tt[v]` is then adj(v) sorted. The graph is symmetric iff t == tt.
    let transpose = |ptr: &[usize], idx: &[usize]| -> (Vec<usize>, Vec<usize>) {
        let mut tptr = vec![0usize; n + 1];
        for &w in idx {
            tptr[w + 1] += 1;
        }
        for v in 0..n {
            tptr[v + 1] += tptr[v];
        }
        let mut next = tptr[..n].to_vec();
        let mut tidx = vec![0usize; idx.len()];
        for v in 0..n {
            for &w in &idx[ptr[v]..ptr[v + 1]] {
                tidx[next[w]] = v;
                next[w] += 1;
            }
        }
        (tptr, tidx)
    };
    let (tptr, tidx) = transpose(xadj, adjncy);
    let (ttptr, ttidx) = transpose(&tptr, &tidx);
    if tptr != ttptr || tidx != ttidx {
        return bad(
            "the adjacency is not symmetric (an edge appears in one direction only)".into(),
        );
    }
    for v in 0..n {
        if tidx[tptr[v]..tptr[v + 1]].windows(2).any(|w| w[0] == w[1]) {
            return bad(format!("vertex {v} lists a neighbour twice"));
        }
    }
    Ok(n)
}

/// Checks that `perm` is a permutation of `0..n` and returns its inverse.
fn inverse_permutation(perm: &[usize]) -> Result<Vec<usize>, SolverError> {
    let n = perm.len();
    let mut iperm = vec![usize::MAX; n];
    for (new, &old) in perm.iter().enumerate() {
        if old >= n || iperm[old] != usize::MAX {
            return Err(SolverError::Ordering {
                detail: format!("result is not a permutation (entry {new} = {old})"),
            });
        }
        iperm[old] = new;
    }
    Ok(iperm)
}

/// Serialises calls into METIS: it installs process-wide signal handlers for its error
/// handling while it runs, so two concurrent calls could restore each other's handlers.
pub(crate) static METIS_LOCK: Mutex<()> = Mutex::new(());

/// A validated graph in METIS's 32-bit indices, ready for a METIS call.
pub(crate) struct MetisGraph {
    /// Vertex count.
    pub(crate) nvtxs: metis_sys::idx_t,
    /// Offsets.
    pub(crate) xadj: Vec<metis_sys::idx_t>,
    /// Neighbours.
    pub(crate) adjncy: Vec<metis_sys::idx_t>,
}

/// `v` as METIS's `idx_t`, or the error that names what did not fit.
pub(crate) fn metis_idx(v: usize, what: &str) -> Result<metis_sys::idx_t, SolverError> {
    metis_sys::idx_t::try_from(v).map_err(|_| SolverError::Ordering {
        detail: format!("{what} = {v} does not fit METIS's 32-bit idx_t"),
    })
}

impl MetisGraph {
    /// The graph of `n` validated vertices ([`validate_graph`]) in METIS's indices.
    ///
    /// # Errors
    /// [`SolverError::Ordering`] when the graph is too large for 32-bit indices.
    pub(crate) fn new(n: usize, xadj: &[usize], adjncy: &[usize]) -> Result<Self, SolverError> {
        let nvtxs = metis_idx(n, "number of vertices")?;
        metis_idx(adjncy.len(), "number of adjacency entries")?;
        // All values are <= adjncy.len() or < n, both checked to fit above.
        Ok(Self {
            nvtxs,
            xadj: xadj.iter().map(|&v| v as metis_sys::idx_t).collect(),
            adjncy: adjncy.iter().map(|&v| v as metis_sys::idx_t).collect(),
        })
    }
}

/// METIS's default options with 0-based numbering. Call it under [`METIS_LOCK`].
///
/// # Errors
/// [`SolverError::Ordering`] when METIS refuses.
pub(crate) fn metis_default_options()
-> Result<[metis_sys::idx_t; metis_sys::METIS_NOPTIONS as usize], SolverError> {
    let mut options = [0 as metis_sys::idx_t; metis_sys::METIS_NOPTIONS as usize];
    // SAFETY: `options` has METIS_NOPTIONS entries, as METIS_SetDefaultOptions requires.
    let status = unsafe { metis_sys::METIS_SetDefaultOptions(options.as_mut_ptr()) };
    if status != metis_sys::rstatus_et_METIS_OK {
        return Err(SolverError::Ordering {
            detail: format!("METIS_SetDefaultOptions returned {status}"),
        });
    }
    options[metis_sys::moptions_et_METIS_OPTION_NUMBERING as usize] = 0;
    Ok(options)
}

/// Orders an undirected graph with METIS nested dissection (`METIS_NodeND`).
///
/// Input: the adjacency `xadj`/`adjncy` of a graph with `n = xadj.len() - 1` vertices,
/// without self loops, every edge in both directions (as produced by [`Graph::of_matrix`] or
/// [`Graph::of_groups`]). Output: `(perm, iperm)` with `perm[new] = old` and
/// `iperm[old] = new`.
///
/// The input is validated before METIS sees it, the indices are converted to METIS's 32-bit
/// `idx_t` with overflow checks, and the output is checked to be a permutation. Graphs with
/// 0 or 1 vertex, or without edges, get the identity without calling METIS. Calls are
/// serialised by a process-wide lock (METIS's error handling uses process-wide signal
/// handlers). METIS's default options are used (fixed seed, so the result is deterministic).
///
/// # Errors
/// [`SolverError::InvalidGraph`] for a malformed graph; [`SolverError::Ordering`] when the
/// graph is too large for 32-bit indices or METIS reports an error.
///
/// # Examples
/// ```
/// // A path 0 - 1 - 2 - 3.
/// let xadj = [0, 1, 3, 5, 6];
/// let adjncy = [1, 0, 2, 1, 3, 2];
/// let (perm, iperm) = osteon_solver::metis_nested_dissection(&xadj, &adjncy).unwrap();
/// for old in 0..4 {
///     assert_eq!(perm[iperm[old]], old);
/// }
/// ```
pub fn metis_nested_dissection(
    xadj: &[usize],
    adjncy: &[usize],
) -> Result<(Vec<usize>, Vec<usize>), SolverError> {
    metis_nested_dissection_with_separators(xadj, adjncy, 1)
}

/// [`metis_nested_dissection`] trying `nseps` separators at each level (METIS keeps the
/// smallest; 1 is METIS's default).
///
/// # Errors
/// As [`metis_nested_dissection`].
pub(crate) fn metis_nested_dissection_with_separators(
    xadj: &[usize],
    adjncy: &[usize],
    nseps: usize,
) -> Result<(Vec<usize>, Vec<usize>), SolverError> {
    use metis_sys::idx_t;

    let n = validate_graph(xadj, adjncy)?;
    if n <= 1 || adjncy.is_empty() {
        let identity: Vec<usize> = (0..n).collect();
        return Ok((identity.clone(), identity));
    }
    let nseps = metis_idx(nseps.max(1), "separators per level")?;
    let mut graph = MetisGraph::new(n, xadj, adjncy)?;
    let mut perm_m = vec![0 as idx_t; n];
    let mut iperm_m = vec![0 as idx_t; n];

    let status = {
        // A poisoned lock only means another call panicked; METIS itself holds no state.
        let _guard = METIS_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        let mut options = metis_default_options()?;
        options[metis_sys::moptions_et_METIS_OPTION_NSEPS as usize] = nseps;
        // SAFETY: the graph was validated above (n + 1 offsets from 0 to adjncy.len(),
        // neighbours in 0..n, symmetric, no self loops or duplicates), `nvtxs` equals n,
        // `perm_m`/`iperm_m` hold n entries, `options` is initialised, and a null vertex
        // weight pointer is allowed. METIS only reads xadj/adjncy/options and writes
        // perm/iperm within those bounds; all buffers outlive the call.
        unsafe {
            metis_sys::METIS_NodeND(
                &mut graph.nvtxs,
                graph.xadj.as_mut_ptr(),
                graph.adjncy.as_mut_ptr(),
                std::ptr::null_mut(),
                options.as_mut_ptr(),
                perm_m.as_mut_ptr(),
                iperm_m.as_mut_ptr(),
            )
        }
    };
    if status != metis_sys::rstatus_et_METIS_OK {
        let what = match status {
            metis_sys::rstatus_et_METIS_ERROR_INPUT => "input error",
            metis_sys::rstatus_et_METIS_ERROR_MEMORY => "out of memory",
            _ => "error",
        };
        return Err(SolverError::Ordering {
            detail: format!("METIS_NodeND failed with status {status} ({what})"),
        });
    }
    let perm = perm_m
        .iter()
        .map(|&v| usize::try_from(v).unwrap_or(usize::MAX))
        .collect::<Vec<_>>();
    let iperm = inverse_permutation(&perm)?;
    // METIS also returns its own inverse; it must agree with the one computed here.
    if iperm_m
        .iter()
        .zip(&iperm)
        .any(|(&m, &ours)| usize::try_from(m).ok() != Some(ours))
    {
        return Err(SolverError::Ordering {
            detail: "METIS returned inconsistent perm and iperm".into(),
        });
    }
    Ok((perm, iperm))
}

/// Orders an undirected graph with faer's approximate minimum degree (AMD).
///
/// Same input and output conventions as [`metis_nested_dissection`].
///
/// # Errors
/// [`SolverError::InvalidGraph`] for a malformed graph; [`SolverError::OutOfMemory`] or
/// [`SolverError::Ordering`] when faer fails.
pub fn amd_ordering(
    xadj: &[usize],
    adjncy: &[usize],
) -> Result<(Vec<usize>, Vec<usize>), SolverError> {
    let n = validate_graph(xadj, adjncy)?;
    if n <= 1 || adjncy.is_empty() {
        let identity: Vec<usize> = (0..n).collect();
        return Ok((identity.clone(), identity));
    }
    // The validated adjacency is a sorted-or-not symmetric pattern, read as CSC.
    let pattern = SymbolicSparseColMatRef::new_unsorted_checked(n, n, xadj, None, adjncy);
    let req = amd::order_maybe_unsorted_scratch::<usize>(n, adjncy.len());
    let mut mem = MemBuffer::try_new(req).map_err(|_| SolverError::OutOfMemory {
        what: "AMD ordering workspace",
        bytes: req.size_bytes(),
    })?;
    let mut perm = vec![0usize; n];
    let mut iperm = vec![0usize; n];
    amd::order_maybe_unsorted(
        &mut perm,
        &mut iperm,
        pattern,
        amd::Control::default(),
        MemStack::new(&mut mem),
    )
    .map_err(|e| SolverError::Ordering {
        detail: format!("AMD failed: {e:?}"),
    })?;
    let check = inverse_permutation(&perm)?;
    if check != iperm {
        return Err(SolverError::Ordering {
            detail: "AMD returned inconsistent perm and iperm".into(),
        });
    }
    Ok((perm, iperm))
}

/// Expands a permutation of groups (`group_perm[new] = old group`) to a permutation of
/// unknowns (`perm[new] = old unknown`): the unknowns of each group stay together, in their
/// original order.
///
/// # Errors
/// [`SolverError::InvalidGroups`] when `group_perm` is not a permutation of the groups.
pub fn expand_group_permutation(
    groups: &UnknownGroups,
    group_perm: &[usize],
) -> Result<Vec<usize>, SolverError> {
    let n_groups = groups.n_groups();
    if group_perm.len() != n_groups {
        return Err(SolverError::InvalidGroups {
            detail: format!(
                "group permutation has {} entries for {n_groups} groups",
                group_perm.len()
            ),
        });
    }
    let mut seen = vec![false; n_groups];
    let n = groups.group_ptr.last().copied().unwrap_or(0);
    let mut perm = Vec::with_capacity(n);
    for &g in group_perm {
        if g >= n_groups || std::mem::replace(&mut seen[g], true) {
            return Err(SolverError::InvalidGroups {
                detail: format!("group permutation is not a permutation (group {g})"),
            });
        }
        perm.extend(groups.group_ptr[g]..groups.group_ptr[g + 1]);
    }
    Ok(perm)
}

/// The fill-reducing permutation `(perm, iperm)` of the unknowns of `a` for `ordering`, or
/// `None` for [`Ordering::Natural`]. With `groups`, the group graph is ordered and the result
/// expanded to unknowns; with [`UnknownGroups::attached`] groups, only the graph of the
/// others is ordered and each attached group follows the earlier of its two.
///
/// # Errors
/// [`SolverError::InvalidGroups`] for groups that do not partition the unknowns, and the
/// errors of the ordering routines.
pub fn fill_reducing_permutation(
    a: &SymmetricCsr,
    groups: Option<&UnknownGroups>,
    ordering: Ordering,
) -> Result<Option<PermutationPair>, SolverError> {
    let order: fn(&[usize], &[usize]) -> Result<PermutationPair, SolverError> = match ordering {
        Ordering::Natural => {
            if let Some(groups) = groups {
                groups.validate(a.n())?;
            }
            return Ok(None);
        }
        Ordering::NestedDissection | Ordering::NestedDissectionAllNodes => metis_nested_dissection,
        Ordering::Amd => amd_ordering,
    };
    match groups {
        None => {
            let graph = Graph::of_matrix(a);
            Ok(Some(order(&graph.xadj, &graph.adjncy)?))
        }
        Some(groups) => {
            let graph = Graph::of_groups(a, groups)?;
            let group_perm =
                if groups.attached.is_empty() || ordering == Ordering::NestedDissectionAllNodes {
                    order(&graph.xadj, &graph.adjncy)?.0
                } else {
                    crate::corner_ordering::order_with_attached(&graph, &groups.attached, ordering)?
                };
            drop(graph);
            let perm = expand_group_permutation(groups, &group_perm)?;
            let iperm = inverse_permutation(&perm)?;
            Ok(Some((perm, iperm)))
        }
    }
}

/// A fill-reducing permutation that eliminates the unknowns marked in `trailing` last: the
/// other unknowns are ordered by `ordering` on the graph they induce (the group graph with
/// `groups`), the marked ones follow in their original order. With `groups`, a group with
/// any marked unknown is moved to the end whole, so the trailing set can grow to whole
/// groups; the returned count is its final size.
///
/// This is the ordering of a factorisation whose trailing block is updated without
/// refactorising the rest ([`crate::InterfaceCholesky`]).
///
/// # Errors
/// [`SolverError::DimensionMismatch`] when `trailing` does not have one entry per unknown,
/// [`SolverError::InvalidGroups`], and the errors of the ordering routines.
pub fn trailing_permutation(
    a: &SymmetricCsr,
    groups: Option<&UnknownGroups>,
    ordering: Ordering,
    trailing: &[bool],
) -> Result<(PermutationPair, usize), SolverError> {
    let n = a.n();
    if trailing.len() != n {
        return Err(SolverError::DimensionMismatch {
            what: "trailing-unknown marks",
            expected: n,
            found: trailing.len(),
        });
    }
    let single;
    let groups = match groups {
        Some(g) => {
            g.validate(n)?;
            g
        }
        None => {
            single = UnknownGroups::uniform(n, 1);
            &single
        }
    };
    let n_groups = groups.n_groups();
    let marked: Vec<bool> = groups
        .group_ptr
        .windows(2)
        .map(|w| trailing[w[0]..w[1]].iter().any(|&t| t))
        .collect();
    // The interior groups, renumbered 0..n_interior, and the graph they induce.
    let mut local = vec![usize::MAX; n_groups];
    let interior: Vec<usize> = (0..n_groups).filter(|&g| !marked[g]).collect();
    for (l, &g) in interior.iter().enumerate() {
        local[g] = l;
    }
    let interior_order: Vec<usize> = if ordering == Ordering::Natural || interior.len() <= 1 {
        (0..interior.len()).collect()
    } else {
        let graph = Graph::of_groups(a, groups)?;
        let mut xadj = Vec::with_capacity(interior.len() + 1);
        let mut adjncy = Vec::new();
        xadj.push(0);
        for &g in &interior {
            adjncy.extend(
                graph.adjncy[graph.xadj[g]..graph.xadj[g + 1]]
                    .iter()
                    .filter(|&&h| !marked[h])
                    .map(|&h| local[h]),
            );
            xadj.push(adjncy.len());
        }
        drop(graph);
        let order = match ordering {
            Ordering::Amd => amd_ordering,
            _ => metis_nested_dissection,
        };
        order(&xadj, &adjncy)?.0
    };
    let group_perm: Vec<usize> = interior_order
        .iter()
        .map(|&l| interior[l])
        .chain((0..n_groups).filter(|&g| marked[g]))
        .collect();
    let perm = expand_group_permutation(groups, &group_perm)?;
    let n_trailing = (0..n_groups)
        .filter(|&g| marked[g])
        .map(|g| groups.group_ptr[g + 1] - groups.group_ptr[g])
        .sum();
    let iperm = inverse_permutation(&perm)?;
    Ok(((perm, iperm), n_trailing))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2-D 5-point grid Laplacian (nx × ny points) as an upper CSR.
    fn grid_2d(nx: usize, ny: usize) -> SymmetricCsr {
        let id = |x: usize, y: usize| x + nx * y;
        let mut t = Vec::new();
        for y in 0..ny {
            for x in 0..nx {
                t.push((id(x, y), id(x, y), 4.0));
                if x + 1 < nx {
                    t.push((id(x, y), id(x + 1, y), -1.0));
                }
                if y + 1 < ny {
                    t.push((id(x, y), id(x, y + 1), -1.0));
                }
            }
        }
        SymmetricCsr::from_triplets(nx * ny, &t).unwrap()
    }

    fn assert_permutation(perm: &[usize], iperm: &[usize]) {
        assert_eq!(perm.len(), iperm.len());
        let mut seen = vec![false; perm.len()];
        for (new, &old) in perm.iter().enumerate() {
            assert!(!seen[old]);
            seen[old] = true;
            assert_eq!(iperm[old], new);
        }
    }

    #[test]
    fn graph_of_matrix_is_symmetric_and_sorted() {
        let a = grid_2d(3, 2);
        let g = Graph::of_matrix(&a);
        assert_eq!(g.n_vertices(), 6);
        assert_eq!(&g.adjncy[g.xadj[0]..g.xadj[1]], &[1, 3]);
        assert_eq!(&g.adjncy[g.xadj[4]..g.xadj[5]], &[1, 3, 5]);
        validate_graph(&g.xadj, &g.adjncy).unwrap();
    }

    #[test]
    fn graph_validation_rejects_bad_graphs() {
        // Asymmetric.
        assert!(validate_graph(&[0, 1, 1], &[1]).is_err());
        // Self loop.
        assert!(validate_graph(&[0, 1], &[0]).is_err());
        // Out of range.
        assert!(validate_graph(&[0, 1, 2], &[2, 0]).is_err());
        // Duplicate edge.
        assert!(validate_graph(&[0, 2, 4], &[1, 1, 0, 0]).is_err());
        // Bad offsets.
        assert!(validate_graph(&[1, 2], &[0]).is_err());
        assert!(validate_graph(&[0, 2, 1], &[1, 0]).is_err());
        assert!(validate_graph(&[], &[1]).is_err());
        assert!(matches!(
            metis_nested_dissection(&[0, 1, 1], &[1]),
            Err(SolverError::InvalidGraph { .. })
        ));
        assert!(amd_ordering(&[0, 1, 1], &[1]).is_err());
        assert_eq!(validate_graph(&[0, 1, 2], &[1, 0]).unwrap(), 2);
    }

    #[test]
    fn metis_handles_trivial_graphs() {
        assert_eq!(metis_nested_dissection(&[], &[]).unwrap(), (vec![], vec![]));
        assert_eq!(
            metis_nested_dissection(&[0], &[]).unwrap(),
            (vec![], vec![])
        );
        assert_eq!(
            metis_nested_dissection(&[0, 0], &[]).unwrap(),
            (vec![0], vec![0])
        );
        // Three isolated vertices: no edges.
        let (p, ip) = metis_nested_dissection(&[0, 0, 0, 0], &[]).unwrap();
        assert_permutation(&p, &ip);
        // Two vertices, one edge, and a disconnected graph.
        let (p, ip) = metis_nested_dissection(&[0, 1, 2], &[1, 0]).unwrap();
        assert_permutation(&p, &ip);
        let (p, ip) = metis_nested_dissection(&[0, 1, 2, 2, 3, 4], &[1, 0, 4, 3]).unwrap();
        assert_permutation(&p, &ip);
    }

    #[test]
    fn metis_and_amd_give_permutations_on_a_grid() {
        let a = grid_2d(30, 20);
        let g = Graph::of_matrix(&a);
        let (p, ip) = metis_nested_dissection(&g.xadj, &g.adjncy).unwrap();
        assert_permutation(&p, &ip);
        // Deterministic.
        assert_eq!(metis_nested_dissection(&g.xadj, &g.adjncy).unwrap().0, p);
        let (p, ip) = amd_ordering(&g.xadj, &g.adjncy).unwrap();
        assert_permutation(&p, &ip);
    }

    #[test]
    fn metis_is_safe_from_many_threads() {
        let a = grid_2d(25, 25);
        let g = Graph::of_matrix(&a);
        let reference = metis_nested_dissection(&g.xadj, &g.adjncy).unwrap();
        std::thread::scope(|s| {
            let handles: Vec<_> = (0..4)
                .map(|_| s.spawn(|| metis_nested_dissection(&g.xadj, &g.adjncy).unwrap()))
                .collect();
            for h in handles {
                assert_eq!(h.join().unwrap(), reference);
            }
        });
    }

    #[test]
    fn groups_validate_and_expand() {
        let groups = UnknownGroups::uniform(7, 3);
        assert_eq!(groups.group_ptr, vec![0, 3, 6, 7]);
        assert_eq!(groups.n_groups(), 3);
        groups.validate(7).unwrap();
        assert!(groups.validate(8).is_err());
        assert!(
            UnknownGroups {
                group_ptr: vec![0, 4, 2, 7],
                attached: Vec::new(),
            }
            .validate(7)
            .is_err()
        );
        assert!(UnknownGroups::default().validate(0).is_err());
        // Empty groups are allowed.
        let with_empty = UnknownGroups {
            group_ptr: vec![0, 2, 2, 5],
            attached: Vec::new(),
        };
        with_empty.validate(5).unwrap();
        assert_eq!(
            expand_group_permutation(&with_empty, &[2, 1, 0]).unwrap(),
            vec![2, 3, 4, 0, 1]
        );
        assert!(expand_group_permutation(&with_empty, &[0, 0, 1]).is_err());
        assert!(expand_group_permutation(&with_empty, &[0, 1]).is_err());
        assert_eq!(
            expand_group_permutation(&groups, &[1, 2, 0]).unwrap(),
            vec![3, 4, 5, 6, 0, 1, 2]
        );
    }

    #[test]
    fn group_graph_is_the_quotient() {
        // 2-D grid with 2 unknowns per point coupled to each other and to the neighbours'.
        let (nx, ny) = (4, 3);
        let scalar = grid_2d(nx, ny);
        let mut t = Vec::new();
        for i in 0..scalar.n() {
            for p in scalar.row_ptr()[i]..scalar.row_ptr()[i + 1] {
                let j = scalar.col_idx()[p];
                for a in 0..2 {
                    for b in 0..2 {
                        t.push((2 * i + a, 2 * j + b, 1.0));
                    }
                }
            }
        }
        let a = SymmetricCsr::from_triplets(2 * scalar.n(), &t).unwrap();
        let groups = UnknownGroups::uniform(a.n(), 2);
        let gg = Graph::of_groups(&a, &groups).unwrap();
        assert_eq!(gg, Graph::of_matrix(&scalar));
        let (perm, iperm) =
            fill_reducing_permutation(&a, Some(&groups), Ordering::NestedDissection)
                .unwrap()
                .unwrap();
        assert_permutation(&perm, &iperm);
        for pair in perm.chunks(2) {
            assert_eq!(pair[0] % 2, 0);
            assert_eq!(pair[1], pair[0] + 1);
        }
        assert!(
            fill_reducing_permutation(&a, Some(&groups), Ordering::Natural)
                .unwrap()
                .is_none()
        );
        let bad = UnknownGroups::uniform(a.n() + 1, 2);
        assert!(fill_reducing_permutation(&a, Some(&bad), Ordering::Amd).is_err());
        assert!(fill_reducing_permutation(&a, Some(&bad), Ordering::Natural).is_err());
    }
}
