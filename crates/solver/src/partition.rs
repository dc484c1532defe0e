//! Graph partitioning: METIS k-way ([`metis_partition`]), to split a model's nodes among the
//! processes of a distributed solve.

use crate::error::SolverError;
use crate::ordering::{METIS_LOCK, MetisGraph, metis_default_options, metis_idx, validate_graph};

/// Splits an undirected graph into `parts` parts of nearly equal vertex count with few cut
/// edges (`METIS_PartGraphKway`). Returns the part of each vertex, in `0..parts`.
///
/// Same graph conventions and checks as [`crate::metis_nested_dissection`]: `xadj`/`adjncy`
/// without self loops, every edge in both directions. METIS's default options (fixed seed)
/// make the result deterministic, so every process of a distributed run computes the same
/// partition from the same graph. One part, or a graph without edges, is split without
/// calling METIS (all in part 0, or vertices dealt out in contiguous blocks).
///
/// # Errors
/// [`SolverError::InvalidGraph`] for a malformed graph; [`SolverError::Ordering`] for
/// `parts == 0`, a graph too large for 32-bit indices, or a METIS error.
///
/// # Examples
/// ```
/// // A path 0 - 1 - 2 - 3 in two parts: {0, 1} and {2, 3}, in some order.
/// let part = osteon_solver::metis_partition(&[0, 1, 3, 5, 6], &[1, 0, 2, 1, 3, 2], 2).unwrap();
/// assert_eq!(part[0], part[1]);
/// assert_eq!(part[2], part[3]);
/// assert_ne!(part[0], part[2]);
/// ```
pub fn metis_partition(
    xadj: &[usize],
    adjncy: &[usize],
    parts: usize,
) -> Result<Vec<usize>, SolverError> {
    use metis_sys::idx_t;

    let n = validate_graph(xadj, adjncy)?;
    if parts == 0 {
        return Err(SolverError::Ordering {
            detail: "a partition needs at least one part".into(),
        });
    }
    if parts == 1 || n == 0 {
        return Ok(vec![0; n]);
    }
    if adjncy.is_empty() || parts >= n {
        // contiguous blocks of nearly equal size
        return Ok((0..n).map(|v| v * parts.min(n) / n).collect());
    }
    let mut graph = MetisGraph::new(n, xadj, adjncy)?;
    let mut nparts = metis_idx(parts, "number of parts")?;
    let mut ncon: idx_t = 1;
    let mut edgecut: idx_t = 0;
    let mut part_m = vec![0 as idx_t; n];
    let status = {
        // A poisoned lock only means another call panicked; METIS itself holds no state.
        let _guard = METIS_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        let mut options = metis_default_options()?;
        // SAFETY: the graph was validated above (n + 1 offsets from 0 to adjncy.len(),
        // neighbours in 0..n, symmetric, no self loops or duplicates), `nvtxs` equals n,
        // `part_m` holds n entries, `options` is initialised, one constraint, and null
        // weight, size, target-weight and imbalance pointers are allowed (METIS's defaults).
        // METIS only reads the graph and options and writes `edgecut` and `part` within those
        // bounds; all buffers outlive the call.
        unsafe {
            metis_sys::METIS_PartGraphKway(
                &mut graph.nvtxs,
                &mut ncon,
                graph.xadj.as_mut_ptr(),
                graph.adjncy.as_mut_ptr(),
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                &mut nparts,
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                options.as_mut_ptr(),
                &mut edgecut,
                part_m.as_mut_ptr(),
            )
        }
    };
    if status != metis_sys::rstatus_et_METIS_OK {
        return Err(SolverError::Ordering {
            detail: format!("METIS_PartGraphKway failed with status {status}"),
        });
    }
    part_m
        .iter()
        .map(|&p| {
            usize::try_from(p)
                .ok()
                .filter(|&p| p < parts)
                .ok_or_else(|| SolverError::Ordering {
                    detail: format!("METIS_PartGraphKway returned part {p} of {parts}"),
                })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 10 × 10 grid graph.
    fn grid(m: usize) -> (Vec<usize>, Vec<usize>) {
        let mut xadj = vec![0];
        let mut adj = Vec::new();
        for i in 0..m {
            for j in 0..m {
                if i > 0 {
                    adj.push((i - 1) * m + j);
                }
                if j > 0 {
                    adj.push(i * m + j - 1);
                }
                if j + 1 < m {
                    adj.push(i * m + j + 1);
                }
                if i + 1 < m {
                    adj.push((i + 1) * m + j);
                }
                xadj.push(adj.len());
            }
        }
        (xadj, adj)
    }

    #[test]
    fn parts_are_balanced_and_cover_every_vertex() {
        let (xadj, adj) = grid(10);
        for parts in [2, 3, 4] {
            let p = metis_partition(&xadj, &adj, parts).unwrap();
            let mut count = vec![0usize; parts];
            for &q in &p {
                count[q] += 1;
            }
            // METIS's default imbalance tolerance is 3 %; allow a vertex more for rounding
            let ideal = 100.0 / parts as f64;
            for c in count {
                assert!(
                    c as f64 <= 1.03 * ideal + 1.0,
                    "{parts} parts: {c} vertices"
                );
                assert!(c > 0);
            }
        }
    }

    #[test]
    fn trivial_cases_need_no_metis() {
        assert_eq!(metis_partition(&[0, 0, 0], &[], 1).unwrap(), vec![0, 0]);
        assert_eq!(
            metis_partition(&[0, 0, 0, 0, 0], &[], 2).unwrap(),
            vec![0, 0, 1, 1]
        );
        assert!(metis_partition(&[0, 0], &[], 0).is_err());
        assert!(metis_partition(&[0, 2, 1], &[1, 0], 2).is_err());
    }
}
