//! The sparsity pattern of the reduced stiffness matrix, built once from the connectivity,
//! and the element colouring that lets threads fill it without locks.
//!
//! No global triplet (COO) list is ever formed: each row's columns are the union of the free
//! unknowns of the elements touching it, found with a marker array, and the values are
//! scattered straight into the CSR slots.

use rayon::prelude::*;

use osteon_mesh::Mesh;
use osteon_solver::SymmetricCsr;

use crate::dofs::DofMap;
use crate::error::AssemblyError;

/// Element → free unknowns (sorted, unique) as CSR, plus the element colouring.
#[derive(Clone, Debug)]
pub struct SparsityPattern {
    /// Offsets into `element_unknowns`, one range per global element.
    pub element_ptr: Vec<usize>,
    /// Free unknowns each element couples (its own and those its eliminated DOFs depend on).
    pub element_unknowns: Vec<usize>,
    /// Groups of elements that share no node whose unknowns they write: the elements of one
    /// colour can be assembled concurrently.
    pub colors: Vec<Vec<usize>>,
}

impl SparsityPattern {
    /// Free unknowns of element `e`.
    pub fn unknowns(&self, e: usize) -> &[usize] {
        &self.element_unknowns[self.element_ptr[e]..self.element_ptr[e + 1]]
    }

    /// Build the element lists, colours and the empty upper-triangular matrix.
    pub fn build(mesh: &Mesh, dofs: &DofMap) -> Result<(Self, SymmetricCsr), AssemblyError> {
        let n_el = mesh.n_elements();
        let lists: Vec<Vec<usize>> = (0..n_el)
            .into_par_iter()
            .map(|e| {
                let el = mesh.element(e);
                let mut l = Vec::with_capacity(3 * el.nodes.len());
                for &a in el.nodes {
                    for c in 0..3 {
                        dofs.for_each_free(3 * a + c, |i, _| l.push(i));
                    }
                }
                l.sort_unstable();
                l.dedup();
                l
            })
            .collect();
        let mut element_ptr = Vec::with_capacity(n_el + 1);
        element_ptr.push(0);
        for l in &lists {
            element_ptr.push(element_ptr.last().copied().unwrap_or(0) + l.len());
        }
        let element_unknowns: Vec<usize> = lists.into_iter().flatten().collect();
        let pattern = Self {
            element_ptr,
            element_unknowns,
            colors: Vec::new(),
        };
        let n = dofs.n_free();
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
        let pieces: Vec<(Vec<usize>, Vec<usize>)> = (0..n.div_ceil(chunk))
            .into_par_iter()
            .map(|c| {
                let mut marker = vec![usize::MAX; n];
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
        let matrix = SymmetricCsr::from_pattern(n, row_ptr, col_idx)?;
        let colors = color_elements(&pattern, &inc_ptr, &inc);
        Ok((Self { colors, ..pattern }, matrix))
    }
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
