//! The sparsity pattern of the reduced stiffness matrix, built once from the connectivity,
//! and the element colouring that lets threads fill it without locks.
//!
//! No global triplet (COO) list is ever formed: each row's columns are the union of the free
//! unknowns of the elements touching it, found with a marker array, and the values are
//! scattered straight into the CSR slots.

use rayon::prelude::*;

use osteon_mesh::Mesh;
use osteon_solver::SymmetricCsr;

use crate::assemble::element_unknowns;
use crate::dofs::DofMap;
use crate::error::AssemblyError;

/// Element → free unknowns (sorted, unique) as CSR, plus the element colouring.
///
/// The fields are private so that the colouring is always the one [`SparsityPattern::build`]
/// computed from the element lists: the lock-free parallel assembly relies on the elements of
/// one colour writing disjoint matrix rows.
#[derive(Clone, Debug)]
pub struct SparsityPattern {
    /// Free unknowns of the system (rows of the matrix).
    n_free: usize,
    /// Offsets into `element_unknowns`, one range per global element.
    element_ptr: Vec<usize>,
    /// Free unknowns each element couples (its own and those its eliminated DOFs depend on).
    element_unknowns: Vec<usize>,
    /// Groups of elements whose unknown lists do not intersect: the elements of one colour
    /// write disjoint rows and can be assembled concurrently.
    colors: Vec<Vec<usize>>,
}

impl SparsityPattern {
    /// Free unknowns of element `e`.
    ///
    /// # Panics
    /// When `e` is not an element of the mesh the pattern was built for.
    pub fn unknowns(&self, e: usize) -> &[usize] {
        &self.element_unknowns[self.element_ptr[e]..self.element_ptr[e + 1]]
    }

    /// Number of free unknowns (rows and columns of the matrix).
    pub fn n_free(&self) -> usize {
        self.n_free
    }

    /// Number of elements.
    pub fn n_elements(&self) -> usize {
        self.element_ptr.len() - 1
    }

    /// The element colours: the elements of one colour share no unknown.
    pub fn colors(&self) -> &[Vec<usize>] {
        &self.colors
    }

    /// Build the element lists, colours and the empty upper-triangular matrix.
    pub fn build(mesh: &Mesh, dofs: &DofMap) -> Result<(Self, SymmetricCsr), AssemblyError> {
        Self::build_with_couplings(mesh, dofs, &[])
    }

    /// [`SparsityPattern::build`], with the matrix extended by `couplings`: each group of
    /// free unknowns is coupled all to all (a contact node with the master-face nodes it
    /// projects onto). The element colouring is unchanged; the extra slots start at zero.
    ///
    /// # Errors
    /// [`AssemblyError::PatternMismatch`] when a coupled unknown is not a free unknown of
    /// `dofs`.
    pub fn build_with_couplings(
        mesh: &Mesh,
        dofs: &DofMap,
        couplings: &[Vec<usize>],
    ) -> Result<(Self, SymmetricCsr), AssemblyError> {
        let n_el = mesh.n_elements();
        let lists: Vec<Vec<usize>> = (0..n_el)
            .into_par_iter()
            .map(|e| {
                let mut l = Vec::with_capacity(3 * mesh.element(e).nodes.len());
                element_unknowns(mesh, dofs, e, &mut l);
                l
            })
            .collect();
        let mut element_ptr = Vec::with_capacity(n_el + 1);
        element_ptr.push(0);
        for l in &lists {
            element_ptr.push(element_ptr.last().copied().unwrap_or(0) + l.len());
        }
        let element_unknowns: Vec<usize> = lists.into_iter().flatten().collect();
        let n = dofs.n_free();
        if let Some(bad) = couplings.iter().flatten().find(|&&i| i >= n) {
            return Err(AssemblyError::PatternMismatch {
                detail: format!("coupled unknown {bad} is not one of the {n} free unknowns"),
            });
        }
        let pattern = Self {
            n_free: n,
            element_ptr,
            element_unknowns,
            colors: Vec::new(),
        };
        // unknown → elements
        let mut inc_ptr = vec![0usize; n + 1];
        for &i in &pattern.element_unknowns {
            inc_ptr[i + 1] += 1;
        }
        for i in 0..n {
            inc_ptr[i + 1] += inc_ptr[i];
        }
        let mut inc = vec![0usize; inc_ptr[n]];
        let mut fill = inc_ptr.clone();
        for e in 0..n_el {
            for &i in pattern.unknowns(e) {
                inc[fill[i]] = e;
                fill[i] += 1;
            }
        }
        // rows in parallel chunks: columns j ≥ i from all elements touching i
        let chunk = 4096;
        // One marker array (n entries) per rayon job, reused by its chunks, not one per chunk.
        let pieces: Vec<(Vec<usize>, Vec<usize>)> = (0..n.div_ceil(chunk))
            .into_par_iter()
            .map_init(Vec::new, |marker: &mut Vec<usize>, c| {
                if marker.len() != n {
                    *marker = vec![usize::MAX; n];
                }
                let mut lens = Vec::with_capacity(chunk);
                let mut cols = Vec::new();
                for i in c * chunk..((c + 1) * chunk).min(n) {
                    let start = cols.len();
                    for &e in &inc[inc_ptr[i]..inc_ptr[i + 1]] {
                        for &j in pattern.unknowns(e) {
                            if j >= i && marker[j] != i {
                                marker[j] = i;
                                cols.push(j);
                            }
                        }
                    }
                    if marker[i] != i {
                        cols.push(i); // keep the diagonal even for an unknown no element touches
                    }
                    cols[start..].sort_unstable();
                    lens.push(cols.len() - start);
                }
                (lens, cols)
            })
            .collect();
        let mut row_ptr = Vec::with_capacity(n + 1);
        row_ptr.push(0);
        let total: usize = pieces.iter().map(|p| p.1.len()).sum();
        let mut col_idx = Vec::with_capacity(total);
        for (lens, cols) in pieces {
            for l in lens {
                row_ptr.push(row_ptr.last().copied().unwrap_or(0) + l);
            }
            col_idx.extend_from_slice(&cols);
        }
        if !couplings.is_empty() {
            (row_ptr, col_idx) = with_couplings(n, &row_ptr, &col_idx, couplings);
        }
        let matrix = SymmetricCsr::from_pattern(n, row_ptr, col_idx)?;
        let colors = color_elements(&pattern, &inc_ptr, &inc);
        Ok((Self { colors, ..pattern }, matrix))
    }
}

/// The upper-triangular CSR structure `(row_ptr, col_idx)` with every pair of unknowns of
/// each coupling group added.
fn with_couplings(
    n: usize,
    row_ptr: &[usize],
    col_idx: &[usize],
    couplings: &[Vec<usize>],
) -> (Vec<usize>, Vec<usize>) {
    let mut extra: Vec<Vec<usize>> = vec![Vec::new(); n];
    for group in couplings {
        for &i in group {
            extra[i].extend(group.iter().copied().filter(|&j| j >= i));
        }
    }
    let mut new_ptr = Vec::with_capacity(n + 1);
    new_ptr.push(0usize);
    let mut new_cols = Vec::with_capacity(col_idx.len());
    for (i, e) in extra.iter_mut().enumerate() {
        let row = &col_idx[row_ptr[i]..row_ptr[i + 1]];
        if e.is_empty() {
            new_cols.extend_from_slice(row);
        } else {
            e.extend_from_slice(row);
            e.sort_unstable();
            e.dedup();
            new_cols.extend_from_slice(e);
            *e = Vec::new();
        }
        new_ptr.push(new_cols.len());
    }
    (new_ptr, new_cols)
}

/// Greedy colouring: two elements conflict when their unknown lists intersect (they would
/// write the same matrix row), so the elements of one colour write disjoint rows.
fn color_elements(p: &SparsityPattern, inc_ptr: &[usize], inc: &[usize]) -> Vec<Vec<usize>> {
    let n_el = p.element_ptr.len() - 1;
    let mut color = vec![usize::MAX; n_el];
    let mut stamp: Vec<usize> = Vec::new();
    for e in 0..n_el {
        for &i in p.unknowns(e) {
            for &other in &inc[inc_ptr[i]..inc_ptr[i + 1]] {
                if let Some(s) = stamp.get_mut(color[other]) {
                    *s = e;
                }
            }
        }
        let c = match stamp.iter().position(|&s| s != e) {
            Some(c) => c,
            None => {
                stamp.push(usize::MAX);
                stamp.len() - 1
            }
        };
        color[e] = c;
    }
    let mut colors = vec![Vec::new(); stamp.len()];
    for (e, &c) in color.iter().enumerate() {
        colors[c].push(e);
    }
    colors
}
