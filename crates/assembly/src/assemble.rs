//! Parallel assembly of the reduced stiffness matrix Tᵀ K T into the fixed pattern.

use rayon::prelude::*;

use osteon_material::Voigt6x6;
use osteon_mesh::{Mesh, MeshError};
use osteon_solver::SymmetricCsr;

use crate::dofs::DofMap;
use crate::element::{ElementGeometryError, stiffness};
use crate::error::AssemblyError;
use crate::model::Model;
use crate::pattern::SparsityPattern;
use crate::slots::ElementSlots;

/// Material index of every element, from the sections; every element must have exactly one.
pub fn element_materials(model: &Model) -> Result<Vec<usize>, AssemblyError> {
    let mesh = &model.mesh;
    let mut mat = vec![usize::MAX; mesh.n_elements()];
    let mut owner = vec![usize::MAX; mesh.n_elements()];
    for (s, section) in model.sections.iter().enumerate() {
        if section.material >= model.materials.len() {
            return Err(AssemblyError::InvalidModel {
                detail: format!(
                    "section '{}' refers to material index {} (only {} materials)",
                    section.name,
                    section.material,
                    model.materials.len()
                ),
            });
        }
        for &e in &section.elements {
            if e >= mat.len() {
                return Err(AssemblyError::InvalidModel {
                    detail: format!("section '{}' refers to element index {e}", section.name),
                });
            }
            if owner[e] != usize::MAX && owner[e] != s {
                return Err(AssemblyError::DuplicateSection {
                    element_id: mesh.element(e).id,
                    first: model.sections[owner[e]].name.clone(),
                    second: section.name.clone(),
                });
            }
            owner[e] = s;
            mat[e] = section.material;
        }
    }
    if let Some(e) = mat.iter().position(|&m| m == usize::MAX) {
        return Err(AssemblyError::MissingSection {
            element_id: mesh.element(e).id,
        });
    }
    Ok(mat)
}

/// Turn an element-kernel geometry failure into the mesh error naming the element.
pub(crate) fn inverted(mesh: &Mesh, e: usize, g: ElementGeometryError) -> AssemblyError {
    let el = mesh.element(e);
    let x = mesh.element_coords(e);
    let vol = osteon_mesh::geometry::element_volume(el.etype, &x[..el.etype.n_nodes()]);
    let mean = vol / el.etype.reference_volume();
    AssemblyError::Mesh(MeshError::InvertedElement {
        id: el.id,
        det_j: g.det_j,
        relative: if mean != 0.0 {
            g.det_j / mean.abs()
        } else {
            f64::NEG_INFINITY
        },
        xi: g.xi,
    })
}

/// A raw pointer to the matrix values that threads may share: each colour's elements write
/// disjoint rows (see [`SparsityPattern::colors`]), hence disjoint slots. Private to this
/// module; its one user, the assembly loop, checks every slot before writing it.
#[derive(Clone, Copy)]
struct SharedValues(*mut f64);
// SAFETY: used only inside one colour, whose elements write disjoint rows (disjoint slots).
unsafe impl Send for SharedValues {}
// SAFETY: as above.
unsafe impl Sync for SharedValues {}

impl SharedValues {
    /// Add `v` to slot `slot`.
    ///
    /// # Safety
    /// `slot` must be in bounds and no other thread may access it concurrently.
    #[inline]
    unsafe fn add(self, slot: usize, v: f64) {
        // SAFETY: guaranteed by the caller.
        unsafe { *self.0.add(slot) += v }
    }
}

/// The free unknowns element `e` couples, sorted and unique, into `out` (cleared first): its
/// own free DOFs and those its eliminated DOFs depend on. These are the rows and columns of
/// its reduced stiffness ([`ReducedElement::stiffness`]).
pub fn element_unknowns(mesh: &Mesh, dofs: &DofMap, e: usize, out: &mut Vec<usize>) {
    out.clear();
    for &a in mesh.element(e).nodes {
        for c in 0..3 {
            dofs.for_each_free(3 * a + c, |i, _| out.push(i));
        }
    }
    out.sort_unstable();
    out.dedup();
}

/// The reduced stiffness Tₑᵀ Kₑ Tₑ of one element, with its scratch: the element's block of
/// the reduced system in its unknowns ([`element_unknowns`]). Serial, parallel (one per
/// thread) and distributed assembly all form element blocks with it.
#[derive(Debug, Default)]
pub struct ReducedElement {
    ke: Vec<f64>,
    kr: Vec<f64>,
    expansion: Vec<(usize, usize, f64)>, // (local dof, position in unknown list, coefficient)
}

impl ReducedElement {
    /// Scratch for elements of up to 20 nodes.
    pub fn new() -> Self {
        Self {
            ke: vec![0.0; 60 * 60],
            kr: Vec::new(),
            expansion: Vec::with_capacity(64),
        }
    }

    /// The reduced stiffness of element `e` (N/mm), row-major `k × k` with `k =
    /// unknowns.len()`, for material stiffness `d` (MPa). `unknowns` must be the element's
    /// [`element_unknowns`]; a DOF whose unknown is missing from it is dropped.
    ///
    /// # Errors
    /// [`MeshError::InvertedElement`] (as [`AssemblyError::Mesh`]) for an element with
    /// det J ≤ 0 at a quadrature point.
    pub fn stiffness(
        &mut self,
        mesh: &Mesh,
        dofs: &DofMap,
        e: usize,
        unknowns: &[usize],
        d: &Voigt6x6,
    ) -> Result<&[f64], AssemblyError> {
        let el = mesh.element(e);
        let n = el.etype.n_nodes();
        let x = mesh.element_coords(e);
        if self.ke.len() < 9 * n * n {
            self.ke.resize(9 * n * n, 0.0);
        }
        stiffness(el.etype, &x[..n], d, &mut self.ke).map_err(|g| inverted(mesh, e, g))?;
        let k = unknowns.len();
        // local DOF → (position in the element's unknown list, coefficient)
        self.expansion.clear();
        for (a, &node) in el.nodes.iter().enumerate() {
            for c in 0..3 {
                dofs.for_each_free(3 * node + c, |i, coef| {
                    if let Ok(pos) = unknowns.binary_search(&i) {
                        self.expansion.push((3 * a + c, pos, coef));
                    }
                });
            }
        }
        self.kr.clear();
        self.kr.resize(k * k, 0.0);
        let m = 3 * n;
        for &(p, ip, cp) in &self.expansion {
            for &(q, iq, cq) in &self.expansion {
                self.kr[ip * k + iq] += cp * cq * self.ke[p * m + q];
            }
        }
        Ok(&self.kr)
    }
}

/// Assemble Tᵀ K T (N/mm) into `matrix` (zeroed first). `materials[e]` indexes `d`.
/// Runs on the current rayon pool, one colour after another; each element's entries are
/// found by merging its sorted unknowns with the matrix rows ([`refill_stiffness`] takes
/// them from an [`ElementSlots`] map instead).
///
/// `matrix` must hold every slot the pattern's elements write — the matrix built with the
/// pattern ([`SparsityPattern::build`], or a superset from
/// [`SparsityPattern::build_with_couplings`]). This is checked, in release builds too:
///
/// # Errors
/// [`AssemblyError::PatternMismatch`] when the matrix has another size than the pattern or
/// misses a slot (nothing is then written to that slot; the matrix is left partly
/// assembled); [`MeshError::InvertedElement`] for an element with det J ≤ 0; a mesh,
/// materials or `d` that do not belong to the pattern is a panic (index out of range), never
/// an out-of-bounds write.
pub fn assemble_stiffness(
    mesh: &Mesh,
    dofs: &DofMap,
    pattern: &SparsityPattern,
    materials: &[usize],
    d: &[Voigt6x6],
    matrix: &mut SymmetricCsr,
) -> Result<(), AssemblyError> {
    assemble_into(mesh, dofs, pattern, None, materials, d, matrix)
}

/// [`assemble_stiffness`] with the entries' places taken from `slots` (built for `pattern`
/// and `matrix` by [`ElementSlots::build`]): the element kernels plus a scatter. Every slot
/// is checked to lie in its row and column before it is written (O(1) per entry), so a map
/// of another matrix is an error, never a wrong or racing write.
///
/// # Errors
/// As [`assemble_stiffness`]; [`AssemblyError::PatternMismatch`] also when `slots` was not
/// built for `pattern` and `matrix`.
pub fn refill_stiffness(
    mesh: &Mesh,
    dofs: &DofMap,
    pattern: &SparsityPattern,
    slots: &ElementSlots,
    materials: &[usize],
    d: &[Voigt6x6],
    matrix: &mut SymmetricCsr,
) -> Result<(), AssemblyError> {
    if slots.n_elements() != pattern.n_elements() {
        return Err(AssemblyError::PatternMismatch {
            detail: format!(
                "the slot map has {} elements, the pattern {}",
                slots.n_elements(),
                pattern.n_elements()
            ),
        });
    }
    assemble_into(mesh, dofs, pattern, Some(slots), materials, d, matrix)
}

/// The one assembly loop of [`assemble_stiffness`] and [`refill_stiffness`].
fn assemble_into(
    mesh: &Mesh,
    dofs: &DofMap,
    pattern: &SparsityPattern,
    slots: Option<&ElementSlots>,
    materials: &[usize],
    d: &[Voigt6x6],
    matrix: &mut SymmetricCsr,
) -> Result<(), AssemblyError> {
    if matrix.n() != pattern.n_free() || mesh.n_elements() != pattern.n_elements() {
        return Err(AssemblyError::PatternMismatch {
            detail: format!(
                "the pattern has {} unknowns and {} elements, the matrix {} rows and the mesh {} elements",
                pattern.n_free(),
                pattern.n_elements(),
                matrix.n(),
                mesh.n_elements()
            ),
        });
    }
    matrix.fill_zero();
    let values = SharedValues(matrix.values_mut().as_mut_ptr());
    let (row_ptr, col_idx) = (matrix.row_ptr(), matrix.col_idx());
    let missing = |row: usize, col: usize| AssemblyError::PatternMismatch {
        detail: format!("no slot ({row}, {col}) in the matrix"),
    };
    for color in pattern.colors() {
        color
            .par_iter()
            .try_for_each_init(ReducedElement::new, |s, &e| {
                let unknowns = pattern.unknowns(e);
                let k = unknowns.len();
                let kr = s.stiffness(mesh, dofs, e, unknowns, &d[materials[e]])?;
                let element_slots = match slots {
                    Some(map) => {
                        let list = map.element(e);
                        if list.len() != k * (k + 1) / 2 {
                            return Err(AssemblyError::PatternMismatch {
                                detail: format!(
                                    "the slot map has {} entries for element {}, its block {}",
                                    list.len(),
                                    mesh.element(e).id,
                                    k * (k + 1) / 2
                                ),
                            });
                        }
                        Some(list)
                    }
                    None => None,
                };
                // scatter the upper triangle row by row: from the map, or by merging the
                // sorted unknown list with the row's sorted columns
                let mut next = 0;
                for ia in 0..k {
                    let row = unknowns[ia];
                    let (start, end) = (row_ptr[row], row_ptr[row + 1]);
                    let cols = &col_idx[start..end];
                    let mut pos = 0;
                    for ib in ia..k {
                        let col = unknowns[ib];
                        match element_slots {
                            Some(list) => {
                                let slot = list[next] as usize;
                                next += 1;
                                if slot < start || slot >= end || col_idx[slot] != col {
                                    return Err(missing(row, col));
                                }
                                pos = slot - start;
                            }
                            None => {
                                while pos < cols.len() && cols[pos] < col {
                                    pos += 1;
                                }
                                if pos == cols.len() || cols[pos] != col {
                                    return Err(missing(row, col));
                                }
                            }
                        }
                        // SAFETY: `row < matrix.n()` (row_ptr indexing above is checked) and
                        // `start + pos < end` (merged within `cols`, or a map's slot checked
                        // against the row's range), so `start + pos` is a slot of row `row`,
                        // inside `values` (SymmetricCsr validates row_ptr at construction).
                        // The pattern's fields are private, so its colours are the ones
                        // `build` computed: no other element of this colour has `row` among
                        // its unknowns, so no other thread touches this slot concurrently.
                        unsafe { values.add(start + pos, kr[ia * k + ib]) };
                    }
                }
                Ok::<(), AssemblyError>(())
            })?;
    }
    Ok(())
}
