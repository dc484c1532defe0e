//! Optional smoothing of the voxel mesh's surface that keeps every element valid.
//!
//! Only the nodes on the mesh's boundary move: they are Taubin-smoothed over the boundary's
//! own quad edges ([`crate::smooth`], λ/μ, umbrella weights; the interior nodes stay on the
//! voxel corners), the nodes of the end sets `DISTAL` and `PROXIMAL` only across the long
//! axis, so that the ends stay flat where the deck clamps and loads them. Smoothing can
//! fold the element layer under the surface, so every element that holds a moved node is
//! then checked by its **scaled Jacobian**, `det J / (|∂x/∂ξ| |∂x/∂η| |∂x/∂ζ|)`, at its
//! nodes and at its stiffness integration points (1 for a rectangular brick, ≤ 0 for a
//! folded one; at a corner of a C3D8 it is the determinant of the three unit edge
//! vectors). While an element is below the threshold, the displacement of each of its
//! moved nodes is cut by a quarter; after [`MAX_CUTS`] cuts a node goes back to its voxel
//! corner. A brick whose nodes are all back has a scaled Jacobian of 1, so the loop ends
//! with every element at or above the threshold (`docs/imaging.md §9`).
//!
//! The element moduli do not change: each element keeps the voxels of its block.
//! Units: mm.

use rayon::prelude::*;

use osteon_mesh::geometry::{det3, jacobian};
use osteon_mesh::{ElementType, Mesh, ShapeValues};

use crate::error::ImagingError;
use crate::smooth::{TaubinOptions, umbrella_step};
use crate::volume::{Volume, dot};
use crate::voxel_mesh::{VoxelMesh, corner_offsets};

/// Factor applied to the displacement of a node of an element below the threshold.
pub const BACK_OFF: f64 = 0.75;
/// Cuts of a node's displacement (to 0.75¹⁶ ≈ 1 %) before it is sent back to its voxel
/// corner.
pub const MAX_CUTS: u8 = 16;

/// Corner nodes of the six faces of a C3D8 (Abaqus S1..S6).
const HEX_FACES: [[usize; 4]; 6] = [
    [0, 1, 2, 3],
    [4, 7, 6, 5],
    [0, 4, 5, 1],
    [1, 5, 6, 2],
    [2, 6, 7, 3],
    [3, 7, 4, 0],
];

/// Parameters of [`smooth_voxel_surface`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SurfaceSmoothing {
    /// Taubin λ, μ and passes (default λ 0.5, μ −0.53, 20 passes).
    pub taubin: TaubinOptions,
    /// Smallest scaled Jacobian an element may have after smoothing, in (0, 1). Default 0.2
    /// (engineering choice: a brick sheared by 78°, or one whose edges meet at 12°).
    pub min_scaled_jacobian: f64,
}

impl Default for SurfaceSmoothing {
    fn default() -> Self {
        Self {
            taubin: TaubinOptions::default(),
            min_scaled_jacobian: 0.2,
        }
    }
}

/// What [`smooth_voxel_surface`] did.
#[derive(Clone, Debug, PartialEq)]
pub struct SmoothingReport {
    /// Nodes on the boundary (the ones smoothed).
    pub boundary_nodes: usize,
    /// Boundary faces (quads).
    pub boundary_faces: usize,
    /// Boundary nodes whose displacement was cut at least once.
    pub backed_off_nodes: usize,
    /// Boundary nodes sent back to their voxel corner.
    pub reset_nodes: usize,
    /// Rounds of the check-and-cut loop.
    pub rounds: usize,
    /// Largest displacement of a boundary node (mm).
    pub max_displacement_mm: f64,
    /// Mean displacement of the boundary nodes (mm).
    pub mean_displacement_mm: f64,
    /// Smallest scaled Jacobian over all elements after smoothing.
    pub min_scaled_jacobian: f64,
}

/// Shape functions of `etype` at its nodes and stiffness integration points.
fn check_points(etype: ElementType) -> Vec<ShapeValues> {
    etype
        .node_coords()
        .iter()
        .chain(etype.stiffness_rule().points.iter())
        .map(|&p| etype.shape(p))
        .collect()
}

/// Smallest scaled Jacobian of the element with node coordinates `x` over `points`.
fn scaled_jacobian_at(points: &[ShapeValues], x: &[[f64; 3]]) -> f64 {
    points
        .iter()
        .map(|s| {
            let j = jacobian(s, x);
            let scale: f64 = j.iter().map(|r| dot(*r, *r).sqrt()).product();
            if scale > 0.0 { det3(&j) / scale } else { -1.0 }
        })
        .fold(f64::INFINITY, f64::min)
}

/// The smallest scaled Jacobian over every element of `mesh` (see the module docs), at
/// each element's nodes and stiffness integration points; `+∞` for an empty mesh.
pub fn min_scaled_jacobian(mesh: &Mesh) -> f64 {
    let kinds: Vec<(ElementType, Vec<ShapeValues>)> = mesh
        .blocks
        .iter()
        .map(|b| (b.etype, check_points(b.etype)))
        .collect();
    (0..mesh.n_elements())
        .into_par_iter()
        .map(|e| {
            let el = mesh.element(e);
            let points = kinds
                .iter()
                .find(|(t, _)| *t == el.etype)
                .map_or(&[][..], |(_, p)| p.as_slice());
            let x = mesh.element_coords(e);
            scaled_jacobian_at(points, &x[..el.etype.n_nodes()])
        })
        .reduce(|| f64::INFINITY, f64::min)
}

/// The boundary faces of the voxel mesh: the faces of elements whose neighbouring block is
/// not meshed, as node indices.
fn boundary_faces(vm: &VoxelMesh, ct: &Volume) -> Vec<[usize; 4]> {
    let corners = corner_offsets(ct.handedness() < 0.0);
    let f = vm.factor as isize;
    let key = |b: [usize; 3]| (b[2], b[1], b[0]);
    let block = &vm.mesh.blocks[0];
    let mut out = Vec::new();
    for (e, b) in vm.blocks.iter().enumerate() {
        let nodes = block.nodes(e);
        for face in HEX_FACES {
            // the axis on which the face's four corners share their offset, and that offset
            let c = face.map(|q| corners[q]);
            let Some(axis) = (0..3).find(|&a| c.iter().all(|x| x[a] == c[0][a])) else {
                continue;
            };
            let step = if c[0][axis] == 0 { -f } else { f };
            let n = b[axis] as isize + step;
            let mut nb = *b;
            nb[axis] = n.max(0) as usize;
            let meshed = n >= 0
                && vm
                    .blocks
                    .binary_search_by(|q| key(*q).cmp(&key(nb)))
                    .is_ok();
            if !meshed {
                out.push(face.map(|q| nodes[q]));
            }
        }
    }
    out
}

/// Smooth the boundary of the voxel mesh `vm` (built on `ct` by
/// [`crate::voxel_mesh::mesh_voxels`], still C3D8) in place; see the module docs.
///
/// # Errors
/// [`ImagingError::InvalidParameter`] for λ, μ or a threshold out of range, or a mesh that is
/// not the C3D8 voxel mesh of `vm.blocks`.
pub fn smooth_voxel_surface(
    vm: &mut VoxelMesh,
    ct: &Volume,
    opts: &SurfaceSmoothing,
) -> Result<SmoothingReport, ImagingError> {
    opts.taubin.validate()?;
    let t = opts.min_scaled_jacobian;
    if !(t.is_finite() && t > 0.0 && t < 1.0) {
        return Err(ImagingError::invalid(
            "smallest scaled Jacobian after smoothing",
            t,
            "0 < value < 1",
        ));
    }
    if vm.mesh.blocks.len() != 1
        || vm.mesh.blocks[0].etype != ElementType::Hex8
        || vm.mesh.n_elements() != vm.blocks.len()
    {
        return Err(ImagingError::invalid(
            "mesh to smooth",
            "not the C3D8 voxel mesh",
            "the C3D8 mesh of mesh_voxels (smooth before making it quadratic)",
        ));
    }
    let faces = boundary_faces(vm, ct);
    let n_nodes = vm.mesh.n_nodes();
    // compact numbering of the boundary nodes
    let mut compact = vec![u32::MAX; n_nodes];
    let mut nodes: Vec<usize> = Vec::new();
    for f in &faces {
        for &n in f {
            if compact[n] == u32::MAX {
                compact[n] = nodes.len() as u32;
                nodes.push(n);
            }
        }
    }
    let mut adj: Vec<Vec<u32>> = vec![Vec::new(); nodes.len()];
    for f in &faces {
        for q in 0..4 {
            let (a, b) = (compact[f[q]], compact[f[(q + 1) % 4]]);
            adj[a as usize].push(b);
            adj[b as usize].push(a);
        }
    }
    for a in &mut adj {
        a.sort_unstable();
        a.dedup();
    }
    // the end nodes keep their coordinate along the long axis
    let axis = ct.direction[vm.long_axis];
    let mut pinned = vec![false; nodes.len()];
    for set in ["DISTAL", "PROXIMAL"] {
        for &n in vm.mesh.node_set(set).unwrap_or(&[]) {
            if compact[n] != u32::MAX {
                pinned[compact[n] as usize] = true;
            }
        }
    }
    let x0: Vec<[f64; 3]> = nodes.iter().map(|&n| vm.mesh.coords[n]).collect();
    let mut x = x0.clone();
    for _ in 0..opts.taubin.passes {
        for factor in [opts.taubin.lambda, opts.taubin.mu] {
            umbrella_step(&mut x, &adj, factor);
            for (i, p) in x.iter_mut().enumerate().filter(|(i, _)| pinned[*i]) {
                let d = [0, 1, 2].map(|c| p[c] - x0[i][c]);
                let along = dot(d, axis);
                for c in 0..3 {
                    p[c] -= along * axis[c];
                }
            }
        }
    }
    let mut disp: Vec<[f64; 3]> = x
        .iter()
        .zip(&x0)
        .map(|(p, q)| [0, 1, 2].map(|c| p[c] - q[c]))
        .collect();
    // elements of each boundary node (CSR)
    let conn = &vm.mesh.blocks[0].connectivity;
    let mut start = vec![0u32; nodes.len() + 1];
    for &n in conn {
        if compact[n] != u32::MAX {
            start[compact[n] as usize + 1] += 1;
        }
    }
    for i in 0..nodes.len() {
        start[i + 1] += start[i];
    }
    let mut fill = start.clone();
    let mut elements = vec![0u32; start[nodes.len()] as usize];
    for (slot, &n) in conn.iter().enumerate() {
        if compact[n] != u32::MAX {
            let c = compact[n] as usize;
            elements[fill[c] as usize] = (slot / 8) as u32;
            fill[c] += 1;
        }
    }
    let elements_of = |c: usize| &elements[start[c] as usize..start[c + 1] as usize];
    for (i, &n) in nodes.iter().enumerate() {
        vm.mesh.coords[n] = [0, 1, 2].map(|c| x0[i][c] + disp[i][c]);
    }
    let points = check_points(ElementType::Hex8);
    let mut cuts = vec![0u8; nodes.len()];
    let mut check: Vec<u32> = (0..nodes.len())
        .flat_map(|c| elements_of(c).iter().copied())
        .collect();
    let mut rounds = 0;
    loop {
        check.sort_unstable();
        check.dedup();
        let mesh = &vm.mesh;
        let bad: Vec<u32> = check
            .par_iter()
            .copied()
            .filter(|&e| {
                let x = mesh.element_coords(e as usize);
                scaled_jacobian_at(&points, &x[..8]) < t
            })
            .collect();
        if bad.is_empty() {
            break;
        }
        rounds += 1;
        let mut cut: Vec<usize> = bad
            .iter()
            .flat_map(|&e| block_nodes(mesh, e as usize))
            .filter(|&n| compact[n] != u32::MAX)
            .map(|n| compact[n] as usize)
            .filter(|&c| disp[c] != [0.0; 3])
            .collect();
        cut.sort_unstable();
        cut.dedup();
        if cut.is_empty() {
            break; // cannot happen: an element with no moved node is a brick
        }
        check.clear();
        for &c in &cut {
            cuts[c] += 1;
            disp[c] = if cuts[c] > MAX_CUTS {
                [0.0; 3]
            } else {
                disp[c].map(|d| BACK_OFF * d)
            };
            vm.mesh.coords[nodes[c]] = [0, 1, 2].map(|k| x0[c][k] + disp[c][k]);
            check.extend_from_slice(elements_of(c));
        }
    }
    let length = |d: &[f64; 3]| dot(*d, *d).sqrt();
    let moved: Vec<f64> = disp.iter().map(length).collect();
    Ok(SmoothingReport {
        boundary_nodes: nodes.len(),
        boundary_faces: faces.len(),
        backed_off_nodes: cuts.iter().filter(|&&h| h > 0).count(),
        reset_nodes: cuts.iter().filter(|&&h| h > MAX_CUTS).count(),
        rounds,
        max_displacement_mm: moved.iter().copied().fold(0.0, f64::max),
        mean_displacement_mm: moved.iter().sum::<f64>() / moved.len().max(1) as f64,
        min_scaled_jacobian: min_scaled_jacobian(&vm.mesh),
    })
}

/// The node indices of element `e` (copied, so the mesh can be changed afterwards).
fn block_nodes(mesh: &Mesh, e: usize) -> [usize; 8] {
    let mut out = [0; 8];
    out.copy_from_slice(&mesh.element(e).nodes[..8]);
    out
}
