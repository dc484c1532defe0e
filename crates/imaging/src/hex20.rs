//! Quadratic bricks (C3D20) from the voxel mesh's C3D8.
//!
//! Each edge of the C3D8 mesh gets one node at its midpoint, shared by every element around
//! the edge: the edges are keyed by their two corner node indices (smaller first), sorted and
//! numbered in that order, so no node is duplicated and the numbering does not depend on
//! the thread count. The edges are straight, so each C3D20 maps its natural cube exactly as
//! its C3D8 did (the serendipity space holds the trilinear map): the same geometry, the same
//! Jacobians, a quadratic displacement field. The corner nodes keep their indices and ids;
//! the mid-edge nodes follow, with ids from one past the largest corner id. Element sets are
//! kept; a node set gains the mid-edge nodes of the edges with both ends in it (the end sets
//! `DISTAL` and `PROXIMAL` are planar node layers, so they gain the nodes of their faces).
//! Units: mm.

use rayon::prelude::*;

use osteon_mesh::{ElementType, Mesh};

use crate::error::ImagingError;
use crate::voxel_mesh::VoxelMesh;

/// Replace the C3D8 mesh of `vm` by the C3D20 mesh on the same corners (see the module
/// docs). The blocks, regions and moduli of the elements do not change.
///
/// # Errors
/// [`ImagingError::InvalidParameter`] when the mesh is not all C3D8;
/// [`ImagingError::Mesh`] when the new mesh cannot be built (more than 2³² nodes).
pub fn make_quadratic(vm: &mut VoxelMesh) -> Result<(), ImagingError> {
    let old = &vm.mesh;
    if old.blocks.iter().any(|b| b.etype != ElementType::Hex8) {
        return Err(ImagingError::invalid(
            "mesh to make quadratic",
            "not all C3D8",
            "the C3D8 voxel mesh",
        ));
    }
    let n = old.n_nodes();
    if n >= u32::MAX as usize {
        return Err(ImagingError::invalid(
            "node count",
            n,
            "below 2³² for the quadratic mesh",
        ));
    }
    let mid = ElementType::Hex20.mid_edge_nodes();
    let edge_key = |a: usize, b: usize| {
        let (lo, hi) = if a < b { (a, b) } else { (b, a) };
        ((lo as u64) << 32) | hi as u64
    };
    let n_el = old.n_elements();
    let mut keys: Vec<u64> = (0..n_el)
        .into_par_iter()
        .flat_map_iter(|e| {
            let nodes = old.element(e).nodes;
            mid.iter()
                .map(move |&(_, [a, b])| edge_key(nodes[a], nodes[b]))
        })
        .collect();
    keys.par_sort_unstable();
    keys.dedup();
    let first_id = old.node_ids.iter().copied().max().unwrap_or(0) + 1;
    let mut mesh = Mesh::new();
    for (i, (&id, &x)) in old.node_ids.iter().zip(&old.coords).enumerate() {
        debug_assert_eq!(i, mesh.n_nodes());
        mesh.add_node(id, x)?;
    }
    for (m, &k) in keys.iter().enumerate() {
        let (a, b) = ((k >> 32) as usize, (k & 0xFFFF_FFFF) as usize);
        let (p, q) = (old.coords[a], old.coords[b]);
        mesh.add_node(first_id + m as i64, [0, 1, 2].map(|c| 0.5 * (p[c] + q[c])))?;
    }
    // the connectivity in chunks (found in parallel, pushed in order), so no second copy of
    // the whole connectivity is held
    const CHUNK: usize = 1 << 16;
    for first in (0..n_el).step_by(CHUNK) {
        let connectivity: Vec<[usize; 20]> = (first..(first + CHUNK).min(n_el))
            .into_par_iter()
            .map(|e| {
                let nodes = old.element(e).nodes;
                let mut c = [0usize; 20];
                c[..8].copy_from_slice(&nodes[..8]);
                for &(slot, [a, b]) in &mid {
                    // every key was collected above, so the search finds it
                    let m = keys
                        .binary_search(&edge_key(nodes[a], nodes[b]))
                        .unwrap_or_default();
                    c[slot] = n + m;
                }
                c
            })
            .collect();
        for (e, c) in (first..).zip(&connectivity) {
            mesh.push_element(ElementType::Hex20, old.element(e).id, c)?;
        }
    }
    for (name, set) in &old.element_sets {
        mesh.set_element_set(name.clone(), set.clone());
    }
    for (name, set) in &old.node_sets {
        let mut member = vec![false; n];
        set.iter().for_each(|&i| member[i] = true);
        let mut nodes = set.clone();
        for (m, &k) in keys.iter().enumerate() {
            if member[(k >> 32) as usize] && member[(k & 0xFFFF_FFFF) as usize] {
                nodes.push(n + m);
            }
        }
        mesh.set_node_set(name.clone(), nodes);
    }
    vm.mesh = mesh;
    Ok(())
}
