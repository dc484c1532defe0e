//! The sparsity pattern and the parallel assembly: a matrix that does not hold the
//! pattern is a typed error (in release builds too, where the old check was a
//! `debug_assert!`), the colouring writes disjoint rows, and a matrix extended with
//! couplings assembles the same element stiffness; a refill through the element → slot map
//! gives the merged assembly's values bit for bit and refuses a map of another matrix.

use osteon_assembly::{
    AssemblyError, ConstrainedSystem, DofMap, ElasticOperator, ElementSlots, Model,
    SparsityPattern, assemble_stiffness, element_materials, material_stiffnesses, refill_stiffness,
};
use osteon_material::{IsotropicElastic, Material};
use osteon_mesh::ElementType;
use osteon_mesh::generate::{BoxSpec, box_mesh};
use osteon_solver::SymmetricCsr;

/// A 3 × 2 × 2 brick of Hex8 held at x = 0: its DOF map, pattern, matrix and materials.
fn brick(cells: [usize; 3]) -> (Model, DofMap, SparsityPattern, SymmetricCsr) {
    let mesh = box_mesh(&BoxSpec {
        origin: [0.0; 3],
        size: [3.0, 2.0, 2.0],
        cells,
        element: ElementType::Hex8,
    })
    .expect("box");
    let mut model = Model::new(mesh);
    let steel = model.add_material(Material::new(
        "steel",
        IsotropicElastic::new(200_000.0, 0.3).expect("E, nu").into(),
    ));
    let all = model.mesh.element_set("ALL").expect("ALL").to_vec();
    model.add_section("ALL", all, steel);
    let wall = model.mesh.node_set("XMIN").expect("XMIN").to_vec();
    model.fix(&wall, &[0, 1, 2]);
    let dofs = DofMap::new(&model.mesh, &model.boundary, &model.equations).expect("dofs");
    let (pattern, matrix) = SparsityPattern::build(&model.mesh, &dofs).expect("pattern");
    (model, dofs, pattern, matrix)
}

fn assemble(
    model: &Model,
    dofs: &DofMap,
    pattern: &SparsityPattern,
    matrix: &mut SymmetricCsr,
) -> Result<(), AssemblyError> {
    let materials = element_materials(model)?;
    let d = material_stiffnesses(model)?;
    assemble_stiffness(&model.mesh, dofs, pattern, &materials, &d, matrix)
}

#[test]
fn a_matrix_of_another_size_is_refused() {
    let (model, dofs, pattern, _) = brick([3, 2, 2]);
    let (_, _, _, mut small) = brick([2, 2, 2]);
    let err = assemble(&model, &dofs, &pattern, &mut small).expect_err("other size");
    assert!(
        matches!(err, AssemblyError::PatternMismatch { .. }),
        "{err}"
    );
}

#[test]
fn a_matrix_missing_slots_is_refused_not_written_out_of_bounds() {
    let (model, dofs, pattern, matrix) = brick([3, 2, 2]);
    let n = matrix.n();
    // the diagonal only: the right size, but none of the couplings
    let mut diagonal =
        SymmetricCsr::from_pattern(n, (0..=n).collect(), (0..n).collect()).expect("diagonal");
    let err = assemble(&model, &dofs, &pattern, &mut diagonal).expect_err("missing slots");
    assert!(
        matches!(&err, AssemblyError::PatternMismatch { detail } if detail.contains("no slot")),
        "{err}"
    );
}

#[test]
fn colours_write_disjoint_rows_and_cover_every_element_once() {
    let (model, _, pattern, _) = brick([3, 2, 2]);
    let mut seen = vec![0; model.mesh.n_elements()];
    for colour in pattern.colors() {
        let mut rows: Vec<usize> = colour
            .iter()
            .flat_map(|&e| pattern.unknowns(e).to_vec())
            .collect();
        let total = rows.len();
        rows.sort_unstable();
        rows.dedup();
        assert_eq!(rows.len(), total, "two elements of one colour share a row");
        for &e in colour {
            seen[e] += 1;
        }
    }
    assert!(seen.iter().all(|&s| s == 1));
}

/// The extended matrix of contact holds the element couplings plus the extra ones; the
/// element stiffness assembled into it equals the plain assembly slot by slot, and the
/// extra slots stay zero.
#[test]
fn couplings_extend_the_matrix_without_changing_the_stiffness() {
    let (model, dofs, pattern, mut plain) = brick([3, 2, 2]);
    assemble(&model, &dofs, &pattern, &mut plain).expect("plain");
    let n = plain.n();
    // couple the first and the last unknown (far apart: no element shares them)
    let couplings = vec![vec![0, n - 1]];
    assert!(plain.slot(0, n - 1).is_none());
    let (pattern2, mut extended) =
        SparsityPattern::build_with_couplings(&model.mesh, &dofs, &couplings).expect("extended");
    assert_eq!(extended.nnz_stored(), plain.nnz_stored() + 1);
    assemble(&model, &dofs, &pattern2, &mut extended).expect("extended");
    for i in 0..n {
        for &j in &plain.col_idx()[plain.row_ptr()[i]..plain.row_ptr()[i + 1]] {
            let (a, b) = (plain.slot(i, j), extended.slot(i, j));
            let (Some(a), Some(b)) = (a, b) else {
                panic!("slot ({i}, {j}) missing")
            };
            assert_eq!(plain.values()[a], extended.values()[b]);
        }
    }
    let extra = extended.slot(0, n - 1).expect("coupling slot");
    assert_eq!(extended.values()[extra], 0.0);
    // a coupled unknown that does not exist is refused
    let err = SparsityPattern::build_with_couplings(&model.mesh, &dofs, &[vec![n]])
        .expect_err("unknown out of range");
    assert!(
        matches!(err, AssemblyError::PatternMismatch { .. }),
        "{err}"
    );
}

/// A refill through the slot map writes the same values as the merging assembly, bit for
/// bit (each slot receives the same additions in the same colour order), and a system
/// refilled with twice the modulus holds exactly twice the stiffness (scaling by 2 is exact
/// in binary floating point), then exactly the first values again.
#[test]
fn refills_through_the_slot_map_equal_the_merged_assembly() {
    let (model, dofs, pattern, mut merged) = brick([3, 2, 2]);
    assemble(&model, &dofs, &pattern, &mut merged).expect("merged");
    let slots = ElementSlots::build(&pattern, &merged).expect("slot map");
    let k = pattern.unknowns(0).len();
    assert_eq!(slots.element(0).len(), k * (k + 1) / 2);
    let mut refilled = merged.clone();
    refilled.values_mut().fill(f64::NAN); // the refill zeroes first
    let materials = element_materials(&model).expect("materials");
    let d = material_stiffnesses(&model).expect("d");
    refill_stiffness(
        &model.mesh,
        &dofs,
        &pattern,
        &slots,
        &materials,
        &d,
        &mut refilled,
    )
    .expect("refill");
    assert_eq!(refilled.values(), merged.values());

    // through the constrained system: the second assembly builds the map
    let mut stiffer = model.clone();
    stiffer.materials[0] = Material::new(
        "stiffer steel",
        IsotropicElastic::new(400_000.0, 0.3).expect("E, nu").into(),
    );
    let op = ElasticOperator::new(&model).expect("operator");
    let stiffer_op = ElasticOperator::new(&stiffer).expect("operator");
    let mut system = ConstrainedSystem::setup(&op, &model.boundary).expect("setup");
    system.assemble(&op).expect("first");
    assert!(system.slot_map().is_none());
    assert_eq!(system.matrix().values(), merged.values());
    system.assemble(&stiffer_op).expect("refill");
    assert!(system.slot_map().is_some_and(|m| m.bytes() > 0));
    let doubled: Vec<f64> = merged.values().iter().map(|v| 2.0 * v).collect();
    assert_eq!(system.matrix().values(), doubled.as_slice());
    system.assemble(&op).expect("back");
    assert_eq!(system.matrix().values(), merged.values());
}

/// A slot map built for another matrix (here one extended by a coupling, whose slots are
/// shifted by the extra entry) is refused entry by entry, never written through.
#[test]
fn a_slot_map_of_another_matrix_is_refused() {
    let (model, dofs, pattern, mut plain) = brick([3, 2, 2]);
    let n = plain.n();
    let (pattern2, extended) =
        SparsityPattern::build_with_couplings(&model.mesh, &dofs, &[vec![0, n - 1]])
            .expect("extended");
    let foreign = ElementSlots::build(&pattern2, &extended).expect("slot map");
    let materials = element_materials(&model).expect("materials");
    let d = material_stiffnesses(&model).expect("d");
    let err = refill_stiffness(
        &model.mesh,
        &dofs,
        &pattern,
        &foreign,
        &materials,
        &d,
        &mut plain,
    )
    .expect_err("foreign map");
    assert!(
        matches!(&err, AssemblyError::PatternMismatch { detail } if detail.contains("no slot")),
        "{err}"
    );
    // and a map of a matrix without the element couplings cannot be built at all
    let diagonal =
        SymmetricCsr::from_pattern(n, (0..=n).collect(), (0..n).collect()).expect("diagonal");
    assert!(matches!(
        ElementSlots::build(&pattern, &diagonal),
        Err(AssemblyError::PatternMismatch { .. })
    ));
}
