//! A contact deck read by osteon-io and solved by osteon-contact: the reader puts the pairs
//! and the `*STATIC` increments into the model, the solver takes them from there.

use std::path::Path;

use osteon_contact::{ContactProblem, ContactStatus, solve_contact};
use osteon_io::inp::read_inp;

#[test]
fn a_small_deck_solves_through_contact_problem() {
    // the deck of crates/io/tests/inp_contact.rs's reading test
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../io/tests/fixtures/inp/contact_cubes.inp");
    let deck = read_inp(&path).expect("deck");
    let problem = ContactProblem::from_model(&deck.model);
    assert_eq!(problem.steps.len(), 1);
    let solution = solve_contact(&problem).expect("converges");
    let state = solution.contact(0).expect("contact state");
    let pair = &state.pairs[0];
    assert_eq!(pair.counts(), (4, 4, 0));
    assert!(pair.normal_force > 0.0);
    assert_eq!(state.increments.len(), 2, "two increments of half the step");
    assert!(pair.nodes.iter().all(|n| n.status == ContactStatus::Stick));
    // the press is carried by the base: Σ reactions balance the contact force, and the
    // reaction at the pressed top equals −(normal force) in z
    let step = &solution.steps[0];
    let total = step.total_reaction();
    assert!(
        total.iter().all(|v| v.abs() < 1e-8 * pair.normal_force),
        "{total:?}"
    );
}
