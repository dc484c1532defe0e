//! Left-looking supernodal `L Lᵀ` on faer's symbolic structure, with the independent subtrees
//! of the elimination tree factorised in parallel.
//!
//! faer's own supernodal kernel visits the supernodes one after another and uses threads only
//! inside each supernode's dense kernels; the many small supernodes low in the tree then run
//! on one core. Nested dissection makes the tree wide at the bottom: the two halves cut by
//! the top separator, and the halves of those, share nothing until the separator above them
//! is eliminated. This module
//!
//! 1. splits the supernodal elimination tree into independent subtrees, balanced by their
//!    flop counts over the threads (splitting the heaviest subtree at its root until a
//!    longest-processing-time packing is within [`BALANCE`] of the mean — the subtree-to-thread
//!    mapping of Geist and Ng, 1989);
//! 2. factorises each thread's subtrees with sequential dense kernels, all threads at once;
//! 3. factorises the supernodes above the subtrees (the top separators, whose fronts are the
//!    largest) one after another with the dense kernels on every thread.
//!
//! Each supernode `s` is computed left-looking, as faer does: the entries of `A` in its
//! columns, minus `L_d L_dᵀ` restricted to its rows and columns for every descendant `d`
//! whose pattern meets its columns, then the dense Cholesky of its diagonal block and a
//! triangular solve for the rows below. A supernode reads only supernodes of its own subtree
//! and writes only its own values, so faer's value array is cut into one slice per supernode
//! and each thread is handed the slices of its subtrees: no copy of the factor, no locks and
//! no `unsafe`. The layout is faer's, so faer's solves and everything that reads the factor
//! work unchanged.

use std::ops::Range;

use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg::cholesky::llt::factor::{
    LltError, LltRegularization, cholesky_in_place, cholesky_in_place_scratch,
};
use faer::linalg::matmul::matmul;
use faer::linalg::matmul::triangular::{BlockStructure, matmul as triangular_matmul};
use faer::linalg::triangular_solve::solve_lower_triangular_in_place;
use faer::reborrow::{Reborrow, ReborrowMut};
use faer::sparse::linalg::cholesky::supernodal::SymbolicSupernodalCholesky;
use faer::{Accum, MatMut, MatRef, Par};
use rayon::prelude::*;

use crate::memory::try_filled;
use crate::permuted::PermutedLower;

/// A packing of subtrees onto threads is accepted when the busiest thread has at most this
/// multiple of the mean work.
const BALANCE: f64 = 1.05;

/// Products below this many multiply–adds run sequentially even in the top phase (the
/// threshold faer's own kernel uses).
const PARALLEL_PRODUCT: usize = 32 * 32 * 32;

/// Columns of one block of a descendant's update: bounds the update buffer at
/// `rows × UPDATE_BLOCK` and keeps the scatter in cache.
const UPDATE_BLOCK: usize = 256;

/// Updates with at most this many multiply–adds are computed column by column without
/// faer's matrix product (whose set-up costs more than such a product).
const SMALL_UPDATE: usize = 32 * 1024;

/// Values per chunk when a large supernode is zeroed in parallel (2 MiB, one huge page).
const FILL_CHUNK: usize = 1 << 18;

const NONE: usize = usize::MAX;

/// The schedule of one symbolic factor: which supernodes update each supernode, and which
/// subtrees run on which thread.
#[derive(Debug, Clone)]
pub(crate) struct SubtreeSchedule {
    /// `desc[desc_ptr[s]..desc_ptr[s + 1]]`: the supernodes whose pattern meets the columns
    /// of `s` (its updating descendants), in increasing order.
    desc_ptr: Vec<usize>,
    desc: Vec<usize>,
    /// Per thread, the supernodes of its subtrees, in increasing order.
    bins: Vec<Vec<usize>>,
    /// The supernodes above the subtrees, in increasing order.
    top: Vec<usize>,
    /// Largest update product (`rows × cols` entries) in the subtrees and in the top part.
    temp_subtrees: usize,
    temp_top: usize,
    /// Widest supernode in the subtrees and in the top part (columns).
    width_subtrees: usize,
    width_top: usize,
    /// Number of subtrees.
    roots: usize,
    /// Estimated flops in the subtrees and in all.
    flops_subtrees: f64,
    flops_total: f64,
}

impl SubtreeSchedule {
    /// The schedule for `threads` threads. With one thread every supernode is in the top
    /// part.
    pub(crate) fn new(symbolic: &SymbolicSupernodalCholesky<usize>, threads: usize) -> Self {
        let ns = symbolic.n_supernodes();
        let begin = symbolic.supernode_begin();
        let end = symbolic.supernode_end();
        let n = symbolic.nrows();

        // The supernode of every column, the parent of every supernode and its own cost.
        let mut owner = vec![0usize; n];
        for s in 0..ns {
            owner[begin[s]..end[s]].fill(s);
        }
        let mut parent = vec![NONE; ns];
        let mut own = vec![0.0f64; ns];
        let mut pairs = vec![0usize; ns + 1];
        for s in 0..ns {
            let pattern = symbolic.supernode(s).pattern();
            if let Some(&r) = pattern.first() {
                parent[s] = owner[r];
            }
            let width = end[s] - begin[s];
            own[s] = (0..width)
                .map(|c| ((width - c + pattern.len()) as f64).powi(2))
                .sum();
            let mut last = NONE;
            for &r in pattern {
                if owner[r] != last {
                    last = owner[r];
                    pairs[last + 1] += 1;
                }
            }
        }
        // Descendant lists (compressed by target supernode).
        for s in 0..ns {
            pairs[s + 1] += pairs[s];
        }
        let mut next = pairs.clone();
        let mut desc = vec![0usize; pairs[ns]];
        for d in 0..ns {
            let mut last = NONE;
            for &r in symbolic.supernode(d).pattern() {
                if owner[r] != last {
                    last = owner[r];
                    desc[next[last]] = d;
                    next[last] += 1;
                }
            }
        }
        drop(owner);

        // Subtree costs (parents come after their children).
        let mut cost = own.clone();
        let mut children = vec![Vec::new(); ns];
        let mut roots = Vec::new();
        for s in 0..ns {
            match parent[s] {
                NONE => roots.push(s),
                p => {
                    cost[p] += cost[s];
                    children[p].push(s);
                }
            }
        }
        let (bins, in_subtree, subtree_count) = if threads > 1 {
            pack_subtrees(&cost, &children, roots, threads)
        } else {
            (vec![Vec::new(); threads.max(1)], vec![false; ns], 0)
        };
        let top: Vec<usize> = (0..ns).filter(|&s| !in_subtree[s]).collect();

        let mut schedule = Self {
            roots: subtree_count,
            desc_ptr: pairs,
            desc,
            bins,
            top,
            temp_subtrees: 0,
            temp_top: 0,
            width_subtrees: 0,
            width_top: 0,
            flops_subtrees: (0..ns).filter(|&s| in_subtree[s]).map(|s| own[s]).sum(),
            flops_total: own.iter().sum(),
        };
        for s in 0..ns {
            let temp = schedule.largest_update(symbolic, s);
            let width = end[s] - begin[s];
            if in_subtree[s] {
                schedule.temp_subtrees = schedule.temp_subtrees.max(temp);
                schedule.width_subtrees = schedule.width_subtrees.max(width);
            } else {
                schedule.temp_top = schedule.temp_top.max(temp);
                schedule.width_top = schedule.width_top.max(width);
            }
        }
        schedule
    }

    /// The largest update product `L_d[rows ≥ s] · L_d[cols of s]ᵀ` that `s` receives.
    fn largest_update(&self, symbolic: &SymbolicSupernodalCholesky<usize>, s: usize) -> usize {
        let (start, stop) = (symbolic.supernode_begin()[s], symbolic.supernode_end()[s]);
        self.descendants(s)
            .iter()
            .map(|&d| {
                let pattern = symbolic.supernode(d).pattern();
                let (rows, cols) = update_extent(pattern, start, stop);
                rows.len() * cols.min(UPDATE_BLOCK)
            })
            .max()
            .unwrap_or(0)
    }

    fn descendants(&self, s: usize) -> &[usize] {
        &self.desc[self.desc_ptr[s]..self.desc_ptr[s + 1]]
    }

    /// Fraction of the factorisation's flops done in the parallel subtrees.
    pub(crate) fn subtree_share(&self) -> f64 {
        if self.flops_total > 0.0 {
            self.flops_subtrees / self.flops_total
        } else {
            0.0
        }
    }

    /// Number of parallel subtrees.
    pub(crate) fn subtrees(&self) -> usize {
        self.roots
    }

    /// Workspace bytes of the numeric factorisation for `n` unknowns, beyond `L` and the
    /// permuted view of `A`: per thread a row map and an update buffer, and the top part's.
    pub(crate) fn workspace_bytes(&self, n: usize) -> usize {
        let f = size_of::<f64>();
        let per_thread = n * size_of::<usize>() + self.temp_subtrees * f + self.width_subtrees * f;
        let top = n * size_of::<usize>() + self.temp_top * f + self.width_top * f;
        per_thread
            .saturating_mul(self.bins.len())
            .saturating_add(top)
    }
}

/// Rows of a descendant pattern from the first row `>= start` on, and how many of them fall in
/// `start..stop` (the columns of the receiving supernode).
fn update_extent(pattern: &[usize], start: usize, stop: usize) -> (&[usize], usize) {
    let rows = &pattern[pattern.partition_point(|&r| r < start)..];
    let cols = rows.partition_point(|&r| r < stop);
    (rows, cols)
}

/// Splits the forest into subtrees and packs them onto `threads` bins (longest processing
/// time first), splitting the heaviest subtree at its root until the packing is balanced.
/// Returns each bin's supernodes (increasing), which supernodes lie in a subtree, and the
/// number of subtrees.
fn pack_subtrees(
    cost: &[f64],
    children: &[Vec<usize>],
    mut candidates: Vec<usize>,
    threads: usize,
) -> (Vec<Vec<usize>>, Vec<bool>, usize) {
    let ns = cost.len();
    let mut bins: Vec<Vec<usize>>;
    loop {
        candidates.sort_by(|a, b| cost[*b].total_cmp(&cost[*a]).then(a.cmp(b)));
        let mut load = vec![0.0f64; threads];
        bins = vec![Vec::new(); threads];
        for &c in &candidates {
            let k = (0..threads)
                .min_by(|&i, &j| load[i].total_cmp(&load[j]))
                .unwrap_or(0);
            load[k] += cost[c];
            bins[k].push(c);
        }
        let total: f64 = load.iter().sum();
        let busiest = load.iter().copied().fold(0.0, f64::max);
        let balanced = total <= 0.0 || busiest <= BALANCE * total / threads as f64;
        // Split the heaviest subtree that has children; a forest of leaves cannot be split.
        let heaviest = candidates.iter().position(|&c| !children[c].is_empty());
        match heaviest {
            Some(i) if !balanced => {
                let c = candidates.swap_remove(i);
                candidates.extend_from_slice(&children[c]);
            }
            _ => break,
        }
    }
    let mut in_subtree = vec![false; ns];
    let mut stack = Vec::new();
    let members = bins
        .into_iter()
        .map(|roots| {
            let mut members = Vec::new();
            stack.extend(roots);
            while let Some(s) = stack.pop() {
                in_subtree[s] = true;
                members.push(s);
                stack.extend_from_slice(&children[s]);
            }
            members.sort_unstable();
            members
        })
        .collect();
    (members, in_subtree, candidates.len())
}

/// Per-thread scratch of the numeric factorisation.
struct Workspace {
    /// Local row of every global row in the supernode being computed.
    local: Vec<usize>,
    /// Row positions of one update in the receiving supernode.
    rows: Vec<usize>,
    /// One update product.
    temp: Vec<f64>,
    /// faer's scratch for the dense Cholesky of a diagonal block.
    stack: MemBuffer,
}

impl Workspace {
    fn new(n: usize, temp: usize, width: usize, par: Par) -> Option<Self> {
        let req = cholesky_in_place_scratch::<f64>(width, par, Default::default());
        let stack = MemBuffer::try_new(req).ok()?;
        Some(Self {
            local: try_filled(n, 0)?,
            rows: Vec::new(),
            temp: try_filled(temp, 0.0)?,
            stack,
        })
    }
}

/// Why the numeric factorisation stopped.
#[derive(Debug)]
pub(crate) enum FactorFailure {
    /// A pivot that is not positive at this (permuted) column.
    Pivot(usize),
    /// A workspace could not be allocated (bytes asked).
    OutOfMemory(usize),
    /// The schedule does not match the symbolic factor it is used with.
    Schedule,
}

/// The values of the supernodes computed before the current one.
enum Done<'a, 'b> {
    /// faer's whole value array up to the current supernode.
    All(&'a [f64]),
    /// A thread's subtree supernodes (increasing) and the values of those before the current.
    Members(&'a [usize], &'a [&'b mut [f64]]),
}

impl Done<'_, '_> {
    /// The values of supernode `d` (`range` its place in faer's array).
    fn values(&self, d: usize, range: Range<usize>) -> Option<&[f64]> {
        match self {
            Done::All(values) => values.get(range),
            Done::Members(members, values) => {
                let k = members.binary_search(&d).ok()?;
                values.get(k).map(|v| &**v)
            }
        }
    }
}

/// Factorises the permuted lower triangle `a` (faer's `P A Pᵀ`, rows unsorted allowed) into
/// `l_values` with faer's supernodal layout, following `schedule`: its subtrees in parallel
/// on the caller's rayon pool, then its top part with `par` as the dense kernels'
/// parallelism.
pub(crate) fn factorise(
    symbolic: &SymbolicSupernodalCholesky<usize>,
    schedule: &SubtreeSchedule,
    a: &PermutedLower<'_>,
    l_values: &mut [f64],
    par: Par,
) -> Result<(), FactorFailure> {
    let n = symbolic.nrows();
    let col_ptr = symbolic.col_ptr_for_val();

    // One slice of the value array per supernode; each thread takes those of its subtrees.
    let failures: Vec<FactorFailure> = {
        let mut slots: Vec<Option<&mut [f64]>> = Vec::with_capacity(symbolic.n_supernodes());
        let mut rest: &mut [f64] = l_values;
        for w in col_ptr.windows(2) {
            let (mine, tail) = std::mem::take(&mut rest).split_at_mut(w[1] - w[0]);
            slots.push(Some(mine));
            rest = tail;
        }
        let work: Vec<(&[usize], Vec<&mut [f64]>)> = schedule
            .bins
            .iter()
            .filter(|bin| !bin.is_empty())
            .map(|bin| {
                let values = bin.iter().filter_map(|&s| slots[s].take()).collect();
                (bin.as_slice(), values)
            })
            .collect();
        work.into_par_iter()
            .filter_map(|(members, mut values)| {
                if values.len() != members.len() {
                    return Some(FactorFailure::Schedule);
                }
                let mut ws = match Workspace::new(
                    n,
                    schedule.temp_subtrees,
                    schedule.width_subtrees,
                    Par::Seq,
                ) {
                    Some(ws) => ws,
                    None => {
                        return Some(FactorFailure::OutOfMemory(schedule.workspace_bytes(n)));
                    }
                };
                for (k, &s) in members.iter().enumerate() {
                    let (done, own) = values.split_at_mut(k);
                    let done = Done::Members(members, done);
                    if let Err(e) =
                        supernode(symbolic, schedule, a, s, &done, own[0], &mut ws, Par::Seq)
                    {
                        return Some(e);
                    }
                }
                None
            })
            .collect()
    };
    if let Some(first) = failures.into_iter().min_by_key(|f| match f {
        FactorFailure::Pivot(k) => *k,
        _ => 0,
    }) {
        return Err(first);
    }

    // The supernodes above the subtrees, one after another, dense kernels on every thread.
    let mut ws = Workspace::new(n, schedule.temp_top, schedule.width_top, par)
        .ok_or(FactorFailure::OutOfMemory(schedule.workspace_bytes(n)))?;
    for &s in &schedule.top {
        let (done, own) = l_values.split_at_mut(col_ptr[s]);
        let own = &mut own[..col_ptr[s + 1] - col_ptr[s]];
        supernode(
            symbolic,
            schedule,
            a,
            s,
            &Done::All(done),
            own,
            &mut ws,
            par,
        )?;
    }
    Ok(())
}

/// Computes supernode `s` into `own` (its values), reading its descendants from `done`.
#[allow(clippy::too_many_arguments)]
fn supernode(
    symbolic: &SymbolicSupernodalCholesky<usize>,
    schedule: &SubtreeSchedule,
    a: &PermutedLower<'_>,
    s: usize,
    done: &Done<'_, '_>,
    own: &mut [f64],
    ws: &mut Workspace,
    par: Par,
) -> Result<(), FactorFailure> {
    let col_ptr = symbolic.col_ptr_for_val();
    let (start, stop) = (symbolic.supernode_begin()[s], symbolic.supernode_end()[s]);
    let pattern = symbolic.supernode(s).pattern();
    let width = stop - start;
    let height = width + pattern.len();
    for c in start..stop {
        ws.local[c] = c - start;
    }
    for (i, &r) in pattern.iter().enumerate() {
        ws.local[r] = width + i;
    }
    // The entries of A in these columns (column-major `height × width`). A large supernode
    // above the subtrees is zeroed on every thread: its first touch is the costly part.
    if par.degree() > 1 && own.len() > FILL_CHUNK {
        own.par_chunks_mut(FILL_CHUNK).for_each(|c| c.fill(0.0));
    } else {
        own.fill(0.0);
    }
    for j in start..stop {
        let column = &mut own[(j - start) * height..][..height];
        a.for_each_in_column(j, |i, v| column[ws.local[i]] += v);
    }
    // Minus the updates of the descendants.
    for &d in schedule.descendants(s) {
        let (d_start, d_stop) = (symbolic.supernode_begin()[d], symbolic.supernode_end()[d]);
        let d_pattern = symbolic.supernode(d).pattern();
        let d_width = d_stop - d_start;
        let d_height = d_width + d_pattern.len();
        let values = done
            .values(d, col_ptr[d]..col_ptr[d + 1])
            .ok_or(FactorFailure::Schedule)?;
        let ld = MatRef::from_column_major_slice(values, d_height, d_width);
        let (rows, cols) = update_extent(d_pattern, start, stop);
        let m = rows.len();
        let below = ld.subrows(d_height - m, m);
        ws.rows.clear();
        ws.rows.extend(rows.iter().map(|&r| ws.local[r]));
        if m * cols * d_width <= SMALL_UPDATE {
            small_update(below, cols, &ws.rows, own, height, &mut ws.temp);
            continue;
        }
        // In blocks of UPDATE_BLOCK columns c0..c1: rows c0.. of `below` times rows c0..c1
        // of it, transposed (the lower trapezoid of the update).
        for c0 in (0..cols).step_by(UPDATE_BLOCK) {
            let c1 = (c0 + UPDATE_BLOCK).min(cols);
            let (w, h) = (c1 - c0, m - c0);
            let lhs = below.subrows(c0, h);
            let rhs = below.subrows(c0, w).transpose();
            let inner = if h * w * d_width > PARALLEL_PRODUCT {
                par
            } else {
                Par::Seq
            };
            let mut t = MatMut::from_column_major_slice_mut(&mut ws.temp[..h * w], h, w);
            let (t_top, t_low) = t.rb_mut().split_at_row_mut(w);
            let (l_top, l_low) = lhs.split_at_row(w);
            triangular_matmul(
                t_top,
                BlockStructure::TriangularLower,
                Accum::Replace,
                l_top,
                BlockStructure::Rectangular,
                rhs,
                BlockStructure::Rectangular,
                1.0,
                inner,
            );
            matmul(t_low, Accum::Replace, l_low, rhs, 1.0, inner);
            // Column c0 + jj of the product goes to local column `rows[c0 + jj]` of `s`, its
            // row k to local row `rows[c0 + k]`.
            for (jj, source) in ws.temp[..h * w].chunks_exact(h).enumerate() {
                let column = &mut own[ws.rows[c0 + jj] * height..][..height];
                for (&row, &v) in ws.rows[c0 + jj..].iter().zip(&source[jj..]) {
                    column[row] -= v;
                }
            }
        }
    }
    // Dense Cholesky of the diagonal block, then the rows below.
    let ls = MatMut::from_column_major_slice_mut(own, height, width);
    let (mut top, bottom) = ls.split_at_row_mut(width);
    cholesky_in_place(
        top.rb_mut(),
        LltRegularization::default(),
        par,
        MemStack::new(&mut ws.stack),
        Default::default(),
    )
    .map_err(|LltError::NonPositivePivot { index }| FactorFailure::Pivot(start + index))?;
    solve_lower_triangular_in_place(top.rb(), bottom.transpose_mut(), par);
    Ok(())
}

/// `own -= below · below[..cols]ᵀ` (lower trapezoid) for a small update, one column at a time:
/// each column is accumulated in `temp` by contiguous multiply–adds over the columns of
/// `below`, then scattered to the local rows `rows` of the receiving supernode (`height` rows
/// per column in `own`).
fn small_update(
    below: MatRef<'_, f64>,
    cols: usize,
    rows: &[usize],
    own: &mut [f64],
    height: usize,
    temp: &mut [f64],
) {
    let m = below.nrows();
    for jj in 0..cols {
        let t = &mut temp[..m - jj];
        t.fill(0.0);
        for k in 0..below.ncols() {
            let a = below[(jj, k)];
            if a == 0.0 {
                continue;
            }
            let column = below.col(k).subrows(jj, m - jj);
            match column.try_as_col_major() {
                Some(c) => {
                    for (ti, &v) in t.iter_mut().zip(c.as_slice()) {
                        *ti += v * a;
                    }
                }
                None => {
                    for (ti, &v) in t.iter_mut().zip(column.iter()) {
                        *ti += v * a;
                    }
                }
            }
        }
        let target = &mut own[rows[jj] * height..][..height];
        for (&row, &v) in rows[jj..].iter().zip(t.iter()) {
            target[row] -= v;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// children lists of a forest given by parents (NONE for a root).
    fn children(parent: &[usize]) -> (Vec<Vec<usize>>, Vec<usize>) {
        let mut children = vec![Vec::new(); parent.len()];
        let mut roots = Vec::new();
        for (s, &p) in parent.iter().enumerate() {
            if p == NONE {
                roots.push(s);
            } else {
                children[p].push(s);
            }
        }
        (children, roots)
    }

    /// A root over two equal halves: the root stays on top, one half per thread.
    #[test]
    fn two_equal_halves_go_to_two_threads() {
        // 0, 1 → 2; 3, 4 → 5; 2, 5 → 6 (subtree costs: 3 each half, 7 in all).
        let parent = [2, 2, 6, 5, 5, 6, NONE];
        let cost = [1.0, 1.0, 3.0, 1.0, 1.0, 3.0, 7.0];
        let (children, roots) = children(&parent);
        let (bins, in_subtree, count) = pack_subtrees(&cost, &children, roots, 2);
        assert_eq!(count, 2);
        assert_eq!(bins, vec![vec![0, 1, 2], vec![3, 4, 5]]);
        assert_eq!(in_subtree, [true, true, true, true, true, true, false]);
    }

    /// An unbalanced tree is split further down its heavy branch until the packing is within
    /// BALANCE; every supernode is either in exactly one bin or on top.
    #[test]
    fn heavy_branch_is_split_until_balanced() {
        // Chain of heavy nodes 0 → 1 → 2 (root) with light leaves hanging off: node 3 → 2,
        // node 4 → 1, and two heavy leaves 5, 6 → 0.
        let parent = [1, 2, NONE, 2, 1, 0, 0];
        let own = [1.0, 1.0, 1.0, 10.0, 10.0, 20.0, 20.0];
        // Subtree costs: 0: 1 + 20 + 20 = 41; 1: 1 + 41 + 10 = 52; 2: 1 + 52 + 10 = 63.
        let cost = [41.0, 52.0, 63.0, 10.0, 10.0, 20.0, 20.0];
        let (children, roots) = children(&parent);
        let (bins, in_subtree, _) = pack_subtrees(&cost, &children, roots, 2);
        let load = |bin: &Vec<usize>| bin.iter().map(|&s| own[s]).sum::<f64>();
        let total: f64 = bins.iter().map(load).sum();
        for bin in &bins {
            assert!(load(bin) <= BALANCE * total / 2.0, "{bins:?}");
        }
        let mut seen = vec![0; parent.len()];
        for &s in bins.iter().flatten() {
            seen[s] += 1;
        }
        for s in 0..parent.len() {
            assert_eq!(seen[s], usize::from(in_subtree[s]));
        }
        // The root and the heavy chain stay on top; the four leaves are shared out.
        assert!(!in_subtree[2] && !in_subtree[1] && !in_subtree[0]);
    }
}
