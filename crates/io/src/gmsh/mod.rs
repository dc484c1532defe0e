//! Gmsh `.msh` reader: MSH 4.1 (ASCII and binary) and MSH 2.2 (ASCII), plus the TOML model
//! description that turns a mesh with physical groups into a [`osteon_assembly::Model`]
//! ([`read_msh_model`], schema in [`model`]).
//!
//! What becomes what:
//!
//! - **nodes** keep their Gmsh tags as node ids (all nodes of `$Nodes`, in file order);
//! - **3-D elements** keep their Gmsh tags as element ids: 4-node tetrahedra (Gmsh type 4)
//!   → C3D4, 10-node tetrahedra (11) → C3D10, 8-node hexahedra (5) → C3D8, 20-node
//!   hexahedra (17) → C3D20; nodes are reordered to Abaqus numbering
//!   ([`GMSH_TO_ABAQUS_TET10`], [`GMSH_TO_ABAQUS_HEX20`]); any other 3-D type is an error;
//! - **lower-dimensional elements** (points, lines, triangles, quadrangles) are not part of
//!   the mesh; they only carry physical groups;
//! - **physical groups** (named by `$PhysicalNames`, else `physical_<dim>d_<tag>`):
//!   every group becomes a node set (the nodes of its elements); a 3-D group also becomes
//!   an element set; a 2-D group also becomes an element-face surface, each triangle or
//!   quadrangle matched by its corner nodes to a face of a 3-D element. A face shared by two
//!   elements (an internal interface) is given to the element whose outward normal agrees
//!   with the 2-D element's normal (right-hand rule of its node order). A node set
//!   named by groups of several dimensions holds the union of their nodes.
//!
//! MSH 2.2 writes an element once per physical group it belongs to (with a new tag each
//! time); the reader keeps the first copy of a 3-D element and merges the groups.
//!
//! Errors name `file:line` and what was expected; in binary data they name the line of the
//! section header and the byte offset. Malformed input (truncated, wrong counts, bad
//! numbers, non-finite coordinates, unknown types, garbage) is an error, never a panic.
//!
//! ```no_run
//! use osteon_io::gmsh::read_msh;
//! let msh = read_msh(std::path::Path::new("tibia.msh"))?;
//! println!("{} nodes, {} elements", msh.mesh.n_nodes(), msh.mesh.n_elements());
//! let plateau = msh.mesh.surface("Plateau")?; // a 2-D physical group
//! # let _ = plateau;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod cursor;
pub mod model;
mod parse;
mod types;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use nalgebra::Point3;
use osteon_mesh::{FaceRef, Mesh, Surface};

use crate::error::IoError;
use cursor::Cursor;
use parse::Raw;
use types::{gmsh_type, to_abaqus_order, volume_element};

pub use model::{build_model, read_msh_model, read_toml_model};
pub use types::{GMSH_TO_ABAQUS_HEX20, GMSH_TO_ABAQUS_TET10};

/// The flavour of `.msh` file that was read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MshFormat {
    /// MSH 4.1, ASCII.
    V41Ascii,
    /// MSH 4.1, binary (little-endian).
    V41Binary,
    /// MSH 2.2 (or 2.0/2.1), ASCII.
    V22Ascii,
}

/// A Gmsh physical group as read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PhysicalGroup {
    /// Dimension 0..=3.
    pub dim: u8,
    /// Gmsh physical tag.
    pub tag: i32,
    /// Name from `$PhysicalNames`, or `physical_<dim>d_<tag>`.
    pub name: String,
    /// Number of elements of this dimension in the group.
    pub n_elements: usize,
}

/// A mesh read from a `.msh` file.
#[derive(Clone, Debug)]
pub struct MshMesh {
    /// The mesh: nodes, 3-D elements, and sets/surfaces named after the physical groups.
    pub mesh: Mesh,
    /// What kind of file it was.
    pub format: MshFormat,
    /// Physical groups that have elements, by (dimension, tag).
    pub groups: Vec<PhysicalGroup>,
    /// Things the reader skipped or ignored (one line each).
    pub warnings: Vec<String>,
}

impl MshMesh {
    /// Physical groups called `name` (one per dimension at most, in practice).
    pub fn groups_named<'a>(
        &'a self,
        name: &'a str,
    ) -> impl Iterator<Item = &'a PhysicalGroup> + 'a {
        self.groups.iter().filter(move |g| g.name == name)
    }

    /// Names of the groups of dimension `dim`, sorted.
    pub fn group_names(&self, dim: u8) -> Vec<&str> {
        let mut names: Vec<&str> = self
            .groups
            .iter()
            .filter(|g| g.dim == dim)
            .map(|g| g.name.as_str())
            .collect();
        names.sort_unstable();
        names.dedup();
        names
    }
}

/// Read a Gmsh `.msh` file (MSH 4.1 ASCII or binary, MSH 2.2 ASCII).
pub fn read_msh(path: &Path) -> Result<MshMesh, IoError> {
    let data = std::fs::read(path).map_err(|e| IoError::os(path, e))?;
    parse_msh(&data, path)
}

/// Parse the bytes of a `.msh` file; `path` is only used in messages.
pub fn parse_msh(data: &[u8], path: &Path) -> Result<MshMesh, IoError> {
    let raw = parse::parse(data, path)?;
    build(raw, data, path)
}

/// Name of a physical group.
fn group_name(raw: &Raw, dim: u8, tag: i32) -> String {
    raw.names
        .get(&(dim, tag))
        .cloned()
        .unwrap_or_else(|| format!("physical_{dim}d_{tag}"))
}

/// What a physical group collects while the mesh is built.
#[derive(Default)]
struct GroupAcc {
    n_elements: usize,
    elements: Vec<usize>,
    nodes: Vec<usize>,
    faces: Vec<FaceRef>,
}

/// Stages: nodes → 3-D elements (the mesh, and the element groups) → lower-dimensional
/// elements (node sets; 2-D ones become faces of the 3-D elements) → named sets and surfaces.
fn build(raw: Raw, data: &[u8], path: &Path) -> Result<MshMesh, IoError> {
    let mut b = Builder {
        raw: &raw,
        data,
        path,
        mesh: Mesh::new(),
        groups: BTreeMap::new(),
    };
    b.add_nodes()?;
    b.add_volume_elements()?;
    let faces = b.add_lower_dimensional_elements()?;
    b.add_faces(&faces)?;
    Ok(b.finish())
}

/// The mesh under construction from the parsed file.
struct Builder<'a> {
    raw: &'a Raw,
    data: &'a [u8],
    path: &'a Path,
    mesh: Mesh,
    groups: BTreeMap<(u8, i32), GroupAcc>,
}

impl Builder<'_> {
    /// An error at byte `pos` of the file (line and column; the element record in a binary
    /// file).
    fn error_at(&self, pos: usize, message: String) -> IoError {
        let mut c = Cursor::new(self.data, self.path);
        if self.raw.format == MshFormat::V41Binary {
            c.set_binary_section(Some(("$Elements", self.raw.elements_header)));
        }
        c.error_at(pos, message)
    }

    /// Node indices of element record `e` (Gmsh order) into `out`.
    fn node_indices(&self, e: usize, out: &mut Vec<usize>) -> Result<(), IoError> {
        let els = &self.raw.elements;
        out.clear();
        for &t in els.nodes_of(e) {
            let index = self.raw.node_index.get(&t).copied().ok_or_else(|| {
                self.error_at(
                    els.offsets[e],
                    format!(
                        "element {} refers to node {t}, which is not defined in $Nodes",
                        els.tags[e]
                    ),
                )
            })?;
            out.push(index);
        }
        Ok(())
    }

    fn add_nodes(&mut self) -> Result<(), IoError> {
        for (&tag, &x) in self.raw.node_tags.iter().zip(&self.raw.coords) {
            self.mesh
                .add_node(tag, x)
                .map_err(|e| IoError::parse(self.path, 0, e.to_string()))?;
        }
        Ok(())
    }

    /// The 3-D elements, in Abaqus node order, into the mesh and their physical groups.
    fn add_volume_elements(&mut self) -> Result<(), IoError> {
        let (raw, els) = (self.raw, &self.raw.elements);
        let mut gmsh_nodes = Vec::with_capacity(20);
        let mut abaqus_nodes = Vec::with_capacity(20);
        let mut copies: HashMap<Vec<usize>, usize> = HashMap::new();
        let mut members: Vec<(u32, usize)> = Vec::new();
        for e in 0..els.len() {
            let ty = gmsh_type(i64::from(els.codes[e]))
                .ok_or_else(|| self.error_at(els.offsets[e], "unknown element type".into()))?;
            if ty.dim != 3 {
                continue;
            }
            let etype = volume_element(ty.code).ok_or_else(|| {
                self.error_at(
                    els.offsets[e],
                    format!(
                        "element {} is a {} (Gmsh type {}): expected a 3-D element of Gmsh type 4 (4-node tetrahedron), \
                         11 (10-node tetrahedron), 5 (8-node hexahedron) or 17 (20-node hexahedron)",
                        els.tags[e], ty.name, ty.code
                    ),
                )
            })?;
            self.node_indices(e, &mut gmsh_nodes)?;
            to_abaqus_order(etype, &gmsh_nodes, &mut abaqus_nodes);
            // MSH 2.2 repeats an element once per physical group: merge the copies
            let copy_of = if raw.format == MshFormat::V22Ascii {
                copies.get(&abaqus_nodes).copied()
            } else {
                None
            };
            if let Some(first) = copy_of {
                members.push((els.physicals[e], first));
                continue;
            }
            let index = self
                .mesh
                .push_element(etype, els.tags[e], &abaqus_nodes)
                .map_err(|err| self.error_at(els.offsets[e], err.to_string()))?;
            if raw.format == MshFormat::V22Ascii {
                copies.insert(abaqus_nodes.clone(), index);
            }
            members.push((els.physicals[e], index));
        }
        if self.mesh.n_elements() == 0 {
            return Err(IoError::parse(
                self.path,
                0,
                "no 3-D elements: expected tetrahedra or hexahedra (mesh the volumes with Gmsh's 3-D mesher, and put them in a physical group or save all elements)",
            ));
        }
        for &(list, index) in &members {
            for &tag in &raw.physical_lists[list as usize] {
                let acc = self.groups.entry((3, tag)).or_default();
                acc.n_elements += 1;
                acc.elements.push(index);
                acc.nodes.extend_from_slice(self.mesh.element(index).nodes);
            }
        }
        Ok(())
    }

    /// Lower-dimensional elements of physical groups → their nodes; returns the 2-D ones,
    /// which become faces.
    fn add_lower_dimensional_elements(&mut self) -> Result<Vec<usize>, IoError> {
        let (raw, els) = (self.raw, &self.raw.elements);
        let mut faces: Vec<usize> = Vec::new();
        let mut nodes = Vec::with_capacity(20);
        for e in 0..els.len() {
            let list = &raw.physical_lists[els.physicals[e] as usize];
            let Some(ty) = gmsh_type(i64::from(els.codes[e])) else {
                continue;
            };
            if ty.dim == 3 || list.is_empty() {
                continue;
            }
            self.node_indices(e, &mut nodes)?;
            for &tag in list {
                let acc = self.groups.entry((ty.dim, tag)).or_default();
                acc.n_elements += 1;
                acc.nodes.extend_from_slice(&nodes);
            }
            if ty.dim == 2 {
                faces.push(e);
            }
        }
        Ok(faces)
    }

    /// The 2-D element records `pending` → faces of the 3-D elements in their groups.
    fn add_faces(&mut self, pending: &[usize]) -> Result<(), IoError> {
        if pending.is_empty() {
            return Ok(());
        }
        let (raw, els) = (self.raw, &self.raw.elements);
        let index = FaceIndex::new(
            &self.mesh,
            pending.iter().flat_map(|&e| {
                let n = gmsh_type(i64::from(els.codes[e])).map_or(0, |t| t.n_corners);
                els.nodes_of(e)[..n]
                    .iter()
                    .filter_map(|t| raw.node_index.get(t).copied())
            }),
        );
        let mut nodes = Vec::with_capacity(20);
        for &e in pending {
            let ty = gmsh_type(i64::from(els.codes[e]))
                .ok_or_else(|| self.error_at(els.offsets[e], "unknown element type".into()))?;
            self.node_indices(e, &mut nodes)?;
            let list = &raw.physical_lists[els.physicals[e] as usize];
            let face = index.find(&self.mesh, &nodes[..ty.n_corners]).ok_or_else(|| {
                let names: Vec<String> = list.iter().map(|&t| format!("'{}'", group_name(raw, 2, t))).collect();
                self.error_at(
                    els.offsets[e],
                    format!(
                        "element {} ({}) of physical group {} is not a face of any 3-D element: expected the surface \
                         mesh to be the boundary (or an internal interface) of the volume mesh",
                        els.tags[e],
                        ty.name,
                        names.join(", ")
                    ),
                )
            })?;
            for &tag in list {
                self.groups.entry((2, tag)).or_default().faces.push(face);
            }
        }
        Ok(())
    }

    /// Groups → named node sets, element sets and surfaces; warnings for named groups
    /// without elements.
    fn finish(mut self) -> MshMesh {
        let raw = self.raw;
        let mut node_sets: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        let mut element_sets: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        let mut surfaces: BTreeMap<String, Vec<FaceRef>> = BTreeMap::new();
        let mut group_list = Vec::new();
        for (&(dim, tag), acc) in &mut self.groups {
            let name = group_name(raw, dim, tag);
            node_sets
                .entry(name.clone())
                .or_default()
                .append(&mut acc.nodes);
            if dim == 3 {
                element_sets
                    .entry(name.clone())
                    .or_default()
                    .append(&mut acc.elements);
            }
            if dim == 2 {
                surfaces
                    .entry(name.clone())
                    .or_default()
                    .append(&mut acc.faces);
            }
            group_list.push(PhysicalGroup {
                dim,
                tag,
                name,
                n_elements: acc.n_elements,
            });
        }
        let mut warnings = raw.warnings.clone();
        let mut unused: Vec<_> = raw
            .names
            .iter()
            .filter(|(key, _)| !self.groups.contains_key(key))
            .collect();
        unused.sort();
        for ((dim, tag), name) in unused {
            warnings.push(format!(
                "physical group '{name}' (dimension {dim}, tag {tag}) has no elements in the file"
            ));
        }
        let mut mesh = self.mesh;
        for (name, nodes) in node_sets {
            mesh.set_node_set(name, nodes);
        }
        for (name, elements) in element_sets {
            mesh.set_element_set(name, elements);
        }
        for (name, mut faces) in surfaces {
            faces.sort_unstable();
            faces.dedup();
            mesh.surfaces.insert(name, Surface::Faces(faces));
        }
        MshMesh {
            mesh,
            format: raw.format,
            groups: group_list,
            warnings,
        }
    }
}

/// Faces of the 3-D elements, by their sorted corner nodes (only faces whose corners are all
/// among the candidate nodes, to keep the map small).
struct FaceIndex {
    map: HashMap<[usize; 4], [Option<FaceRef>; 2]>,
}

fn face_key(corners: &[usize]) -> [usize; 4] {
    let mut key = [usize::MAX; 4];
    key[..corners.len()].copy_from_slice(corners);
    key.sort_unstable();
    key
}

fn centroid(mesh: &Mesh, nodes: &[usize]) -> Point3<f64> {
    let mut c = [0.0; 3];
    for &n in nodes {
        for (ck, xk) in c.iter_mut().zip(mesh.coords[n]) {
            *ck += xk;
        }
    }
    Point3::from(c.map(|v| v / nodes.len().max(1) as f64))
}

impl FaceIndex {
    fn new(mesh: &Mesh, candidates: impl Iterator<Item = usize>) -> Self {
        let mut wanted = vec![false; mesh.n_nodes()];
        for n in candidates {
            wanted[n] = true;
        }
        let mut map: HashMap<[usize; 4], [Option<FaceRef>; 2]> = HashMap::new();
        for el in mesh.elements() {
            let nc = el.etype.face_type().n_corners();
            for f in 0..el.etype.n_faces() {
                let Some(local) = el.etype.face_nodes(f) else {
                    continue;
                };
                let mut corners = [0usize; 4];
                for (c, &l) in corners.iter_mut().zip(&local[..nc]) {
                    *c = el.nodes[l];
                }
                if corners[..nc].iter().all(|&n| wanted[n]) {
                    let slot = map.entry(face_key(&corners[..nc])).or_default();
                    let face = Some(FaceRef {
                        element: el.index,
                        face: f as u8,
                    });
                    if slot[0].is_none() {
                        slot[0] = face;
                    } else {
                        slot[1] = face;
                    }
                }
            }
        }
        Self { map }
    }

    /// The element face with these corner nodes (Gmsh order of a 2-D element); for an
    /// internal face, the side whose outward normal agrees with the 2-D element's normal.
    fn find(&self, mesh: &Mesh, corners: &[usize]) -> Option<FaceRef> {
        if corners.len() < 3 || corners.len() > 4 {
            return None;
        }
        let slot = self.map.get(&face_key(corners))?;
        match *slot {
            [Some(a), None] => Some(a),
            [Some(a), Some(b)] => {
                let x = |i: usize| Point3::from(mesh.coords[corners[i]]);
                let normal = (x(1) - x(0)).cross(&(x(2) - x(0)));
                let face_centre = centroid(mesh, corners);
                let outward = |f: FaceRef| {
                    normal.dot(&(face_centre - centroid(mesh, mesh.element(f.element).nodes)))
                };
                Some(if outward(a) >= outward(b) { a } else { b })
            }
            _ => None,
        }
    }
}
