//! Ordering the corner nodes of a quadratic mesh and placing the mid-edge nodes after them.
//!
//! A quadratic tetrahedral mesh has about six times as many nodes as corners, and its node
//! graph about seven times as many edges as the corner graph (the s150k tube: 52 683 nodes,
//! 8 139 corners; 304 752 and 44 544 edges). Nested dissection of the corner graph is
//! correspondingly cheaper. Every mid-edge node then follows the earlier of
//! its edge's two corners in the elimination order. This keeps the dissection's structure:
//! a corner and a mid-edge node of the same element are coupled, and no element spans two
//! parts of a corner separator, so an edge node goes with a part when one of its corners
//! lies there and joins the separator only when both of its corners do.

use crate::error::SolverError;
use crate::ordering::{Graph, Ordering, amd_ordering, metis_nested_dissection_with_separators};

/// Separators METIS tries at each level of the corner graph's dissection: the corner graph
/// is small enough to afford three, which cut the factor's flops by 5 % on the tube
/// benchmark (s150k: 8.0 → 7.6 · 10¹⁰; the node graph with one: 7.1 · 10¹⁰).
const CORNER_NSEPS: usize = 3;

/// The group permutation (`perm[new] = old`) of `graph` (the group graph): the groups not
/// in `attached` ordered by `ordering` on the graph they induce (nested dissection with
/// [`CORNER_NSEPS`] separators per level; weighting each corner by the edge nodes attached
/// to it gave a larger factor on the tube benchmark, 7.9 against 7.6 · 10¹⁰ flops at s150k),
/// each attached group placed right after the earlier of its two anchor groups. An anchor
/// that is out of range (`usize::MAX`: an end node without free unknowns) or attached
/// itself is not used; a group with no usable anchor is ordered with the others.
///
/// # Errors
/// [`SolverError::InvalidGroups`] for an attached group out of range or listed twice, and
/// the errors of the ordering routine.
pub(crate) fn order_with_attached(
    graph: &Graph,
    attached: &[(usize, [usize; 2])],
    ordering: Ordering,
) -> Result<Vec<usize>, SolverError> {
    let n = graph.n_vertices();
    let mut listed = vec![false; n];
    for &(g, _) in attached {
        if g >= n || std::mem::replace(&mut listed[g], true) {
            return Err(SolverError::InvalidGroups {
                detail: format!("attached group {g} is out of range ({n} groups) or listed twice"),
            });
        }
    }
    // anchor groups in use per attached group (listed groups never anchor)
    let usable = |a: usize| a < n && !listed[a];
    let mut anchors: Vec<(usize, [usize; 2])> = Vec::with_capacity(attached.len());
    let mut secondary = vec![false; n];
    for &(g, [a, b]) in attached {
        if usable(a) || usable(b) {
            secondary[g] = true;
            anchors.push((g, [a, b]));
        }
    }
    // the graph the primary groups induce, renumbered 0..p
    let primary: Vec<usize> = (0..n).filter(|&g| !secondary[g]).collect();
    let mut id = vec![usize::MAX; n];
    for (k, &g) in primary.iter().enumerate() {
        id[g] = k;
    }
    let mut xadj = Vec::with_capacity(primary.len() + 1);
    let mut adjncy = Vec::new();
    xadj.push(0);
    for &g in &primary {
        for &h in &graph.adjncy[graph.xadj[g]..graph.xadj[g + 1]] {
            if id[h] != usize::MAX {
                adjncy.push(id[h]);
            }
        }
        xadj.push(adjncy.len());
    }
    let (primary_perm, primary_iperm) = match ordering {
        Ordering::Amd => amd_ordering(&xadj, &adjncy)?,
        Ordering::NestedDissection | Ordering::NestedDissectionAllNodes | Ordering::Natural => {
            metis_nested_dissection_with_separators(&xadj, &adjncy, CORNER_NSEPS)?
        }
    };
    drop((xadj, adjncy));
    // each secondary group after the earlier of its usable anchors
    let position = |a: usize| {
        if usable(a) {
            primary_iperm[id[a]]
        } else {
            usize::MAX
        }
    };
    let mut after_count = vec![0usize; primary.len() + 1];
    let slot: Vec<usize> = anchors
        .iter()
        .map(|&(_, [a, b])| position(a).min(position(b)))
        .collect();
    for &k in &slot {
        after_count[k + 1] += 1;
    }
    for k in 0..primary.len() {
        after_count[k + 1] += after_count[k];
    }
    let mut after = vec![0usize; anchors.len()];
    let mut fill = after_count.clone();
    for (&(g, _), &k) in anchors.iter().zip(&slot) {
        after[fill[k]] = g;
        fill[k] += 1;
    }
    let mut perm = Vec::with_capacity(n);
    for (k, &p) in primary_perm.iter().enumerate() {
        perm.push(primary[p]);
        perm.extend_from_slice(&after[after_count[k]..after_count[k + 1]]);
    }
    Ok(perm)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A path of corners 0 – 2 – 4 with edge nodes 1 (between 0 and 2) and 3 (between 2
    /// and 4), and every node coupled to its edge neighbours' nodes.
    fn path() -> Graph {
        let adj: [&[usize]; 5] = [&[1, 2], &[0, 2], &[0, 1, 3, 4], &[2, 4], &[2, 3]];
        let mut xadj = vec![0];
        let mut adjncy = Vec::new();
        for list in adj {
            adjncy.extend_from_slice(list);
            xadj.push(adjncy.len());
        }
        Graph { xadj, adjncy }
    }

    #[test]
    fn edge_nodes_follow_their_earlier_corner() {
        let g = path();
        let perm = order_with_attached(&g, &[(1, [0, 2]), (3, [2, 4])], Ordering::NestedDissection)
            .unwrap();
        let mut sorted = perm.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, vec![0, 1, 2, 3, 4]);
        let at = |v: usize| perm.iter().position(|&p| p == v).unwrap();
        for (m, [a, b]) in [(1, [0, 2]), (3, [2, 4])] {
            let first = at(a).min(at(b));
            assert_eq!(at(m), first + 1, "{perm:?}");
        }
    }

    #[test]
    fn unusable_anchors_and_bad_lists() {
        let g = path();
        // node 1's anchors are out of range and attached: it is ordered with the corners
        let perm = order_with_attached(
            &g,
            &[(1, [usize::MAX, 3]), (3, [2, 4])],
            Ordering::NestedDissection,
        )
        .unwrap();
        assert_eq!(perm.len(), 5);
        assert!(order_with_attached(&g, &[(5, [0, 2])], Ordering::NestedDissection).is_err());
        assert!(
            order_with_attached(&g, &[(1, [0, 2]), (1, [0, 2])], Ordering::NestedDissection)
                .is_err()
        );
    }
}
