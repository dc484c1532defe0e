//! A contact deck read by osteon-io and solved by osteon-contact: the reader puts the pairs
//! and the `*STATIC` increments into the model, the solver takes them from there.

use std::path::Path;

use osteon_contact::{ContactProblem, ContactStatus, solve_contact};
use osteon_io::inp::read_inp_str;

/// Two unit C3D8 cubes, the upper (element 2) resting on the lower (element 1), the lower
/// fixed at its base; `model` goes between the surfaces and the `*BOUNDARY`, `steps` after.
fn cubes(model: &str, steps: &str) -> String {
    format!(
        "*NODE, NSET=NLOW
1, 0, 0, 0
2, 1, 0, 0
3, 1, 1, 0
4, 0, 1, 0
5, 0, 0, 1
6, 1, 0, 1
7, 1, 1, 1
8, 0, 1, 1
*NODE, NSET=NUP
11, 0, 0, 1
12, 1, 0, 1
13, 1, 1, 1
14, 0, 1, 1
15, 0, 0, 2
16, 1, 0, 2
17, 1, 1, 2
18, 0, 1, 2
*ELEMENT, TYPE=C3D8, ELSET=LOW
1, 1, 2, 3, 4, 5, 6, 7, 8
*ELEMENT, TYPE=C3D8, ELSET=UP
2, 11, 12, 13, 14, 15, 16, 17, 18
*NSET, NSET=BASE
1, 2, 3, 4
*NSET, NSET=TOP
15, 16, 17, 18
*NSET, NSET=UPBOTTOM
11, 12, 13, 14
*SURFACE, NAME=SUP, TYPE=ELEMENT
UP, S1
*SURFACE, NAME=SLOW
LOW, S2
*SURFACE, NAME=NUPB, TYPE=NODE
UPBOTTOM
*MATERIAL, NAME=BONE
*ELASTIC
17000., 0.3
*SOLID SECTION, ELSET=LOW, MATERIAL=BONE
*SOLID SECTION, ELSET=UP, MATERIAL=BONE
{model}*BOUNDARY
BASE, 1, 3
{steps}"
    )
}

const PRESS: &str = "*STEP
*STATIC
0.5, 1., 0.1, 0.5
*BOUNDARY
TOP, 1, 2, 0.
TOP, 3, 3, -0.001
*END STEP
";

#[test]
fn a_small_deck_solves_through_contact_problem() {
    let text = cubes(
        "*SURFACE INTERACTION, NAME=ROUGH\n*SURFACE BEHAVIOR, PRESSURE-OVERCLOSURE=HARD\n*FRICTION\n0.5\n*CONTACT PAIR, INTERACTION=rough, TYPE=NODE TO SURFACE\nSUP, SLOW\n",
        PRESS,
    );
    let deck = read_inp_str(&text, Path::new("contact.inp")).expect("deck");
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
