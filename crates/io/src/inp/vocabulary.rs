//! The deck vocabulary: which keywords the reader handles, which it accepts silently, which
//! it knows to be real Abaqus/CalculiX keywords that it does not model, and the closest
//! known keyword to a misspelled one.
//!
//! A keyword that is in none of these lists and lies within a small edit distance of one of
//! them is almost certainly a typo (`*DLAOD` for `*DLOAD`, `*BOUNDRY` for `*BOUNDARY`):
//! skipping it would solve a different model than the one the user wrote, so the reader
//! refuses it and names the keyword it probably is.

/// Keywords with a handler of their own.
pub(crate) const HANDLED: [&str; 22] = [
    "NODE",
    "ELEMENT",
    "NSET",
    "ELSET",
    "SURFACE",
    "MATERIAL",
    "ELASTIC",
    "DENSITY",
    "SOLID SECTION",
    "EQUATION",
    "TIE",
    "BOUNDARY",
    "CLOAD",
    "DLOAD",
    "DSLOAD",
    "STEP",
    "STATIC",
    "END STEP",
    "SURFACE INTERACTION",
    "SURFACE BEHAVIOR",
    "FRICTION",
    "CONTACT PAIR",
];

/// Keywords that only make sense as model data (before the first `*STEP`).
pub(crate) const MODEL_DATA: [&str; 13] = [
    "NODE",
    "ELEMENT",
    "MATERIAL",
    "ELASTIC",
    "DENSITY",
    "SOLID SECTION",
    "EQUATION",
    "TIE",
    "SURFACE",
    "SURFACE INTERACTION",
    "SURFACE BEHAVIOR",
    "FRICTION",
    "CONTACT PAIR",
];

/// Output requests and cosmetic keywords that CalculiX and Abaqus decks routinely carry.
/// They do not change the model or its answer (osteon always writes displacements,
/// stresses and reactions), so they are skipped with their data lines and no warning.
pub const OUTPUT_AND_COSMETIC: [&str; 22] = [
    "HEADING",
    "PREPRINT",
    "NODE PRINT",
    "EL PRINT",
    "NODE FILE",
    "EL FILE",
    "CONTACT PRINT",
    "CONTACT FILE",
    "SECTION PRINT",
    "FACE PRINT",
    "OUTPUT",
    "NODE OUTPUT",
    "ELEMENT OUTPUT",
    "CONTACT OUTPUT",
    "SURFACE OUTPUT",
    "ENERGY OUTPUT",
    "ENERGY PRINT",
    "ENERGY FILE",
    "MONITOR",
    "PRINT",
    "FILE FORMAT",
    "RESTART",
];

/// Other contact keywords (general contact, gap elements, ...): not supported, skipped with
/// one warning each.
pub(crate) const CONTACT: [&str; 5] = [
    "CONTACT",
    "CONTACT INCLUSIONS",
    "CONTACT PROPERTY ASSIGNMENT",
    "CONTACT DAMPING",
    "GAP",
];

/// Analysis procedures other than `*STATIC`: refused, since the step would mean something else.
pub(crate) const OTHER_PROCEDURES: [&str; 14] = [
    "FREQUENCY",
    "BUCKLE",
    "DYNAMIC",
    "MODAL DYNAMIC",
    "STEADY STATE DYNAMICS",
    "HEAT TRANSFER",
    "COUPLED TEMPERATURE-DISPLACEMENT",
    "UNCOUPLED TEMPERATURE-DISPLACEMENT",
    "VISCO",
    "COMPLEX FREQUENCY",
    "GREEN",
    "SENSITIVITY",
    "ELECTROMAGNETICS",
    "SUBSTRUCTURE GENERATE",
];

/// Keywords refused outright (`*SYSTEM`, `*TRANSFORM`) or resolved before reading
/// (`*INCLUDE`).
pub(crate) const SPECIAL: [&str; 3] = ["INCLUDE", "SYSTEM", "TRANSFORM"];

/// Real CalculiX/Abaqus keywords that osteon does not model: skipped with a warning (they
/// are listed so that they are never mistaken for a typo of a keyword osteon reads, e.g.
/// `*PLASTIC` is one edit away from `*ELASTIC`).
const UNSUPPORTED: [&str; 103] = [
    "ADAPTIVE MESH",
    "AMPLITUDE",
    "ASSEMBLY",
    "BASE MOTION",
    "BEAM GENERAL SECTION",
    "BEAM SECTION",
    "CFD",
    "CFLUX",
    "CHANGE CONTACT TYPE",
    "CHANGE FRICTION",
    "CHANGE MATERIAL",
    "CHANGE PLASTIC",
    "CHANGE SOLID SECTION",
    "CHANGE SURFACE BEHAVIOR",
    "CLEARANCE",
    "CONDUCTIVITY",
    "CONNECTOR SECTION",
    "CONSTRAINT",
    "CONSTRAINT CONTROLS",
    "CONTACT CONTROLS",
    "CONTACT INTERFERENCE",
    "CONTROLS",
    "COUPLING",
    "CRACK PROPAGATION",
    "CREEP",
    "CYCLIC HARDENING",
    "CYCLIC SYMMETRY MODEL",
    "DAMPING",
    "DASHPOT",
    "DEFORMATION PLASTICITY",
    "DEPVAR",
    "DESIGN RESPONSE",
    "DESIGNVARIABLES",
    "DFLUX",
    "DIAGNOSTICS",
    "DISTRIBUTING",
    "DISTRIBUTING COUPLING",
    "DISTRIBUTION",
    "ELCOPY",
    "ELECTRICAL CONDUCTIVITY",
    "ELGEN",
    "EMBEDDED ELEMENT",
    "END ASSEMBLY",
    "END INSTANCE",
    "END LOAD CASE",
    "END PART",
    "EXPANSION",
    "FEASIBLE DIRECTION",
    "FILM",
    "FILTER",
    "FLUID CONSTANTS",
    "FLUID SECTION",
    "GAP CONDUCTANCE",
    "GAP HEAT GENERATION",
    "GEOMETRIC CONSTRAINT",
    "HCF",
    "HOURGLASS STIFFNESS",
    "HYPERELASTIC",
    "HYPERFOAM",
    "INITIAL CONDITIONS",
    "INITIAL STRAIN INCREASE",
    "INSTANCE",
    "KINEMATIC",
    "LOAD CASE",
    "MAGNETIC PERMEABILITY",
    "MASS",
    "MASS FLOW",
    "MEMBRANE SECTION",
    "MODAL DAMPING",
    "MODEL CHANGE",
    "MPC",
    "NCOPY",
    "NETWORK MPC",
    "NFILL",
    "NGEN",
    "NO ANALYSIS",
    "NODAL THICKNESS",
    "NORMAL",
    "OBJECTIVE",
    "ORIENTATION",
    "PARAMETER",
    "PART",
    "PHYSICAL CONSTANTS",
    "PLASTIC",
    "PRE-TENSION SECTION",
    "RADIATE",
    "REFINE MESH",
    "RETAINED NODAL DOFS",
    "RIGID BODY",
    "ROBUSTDESIGN",
    "SECTION CONTROLS",
    "SELECT CYCLIC SYMMETRY MODES",
    "SHELL SECTION",
    "SPECIFIC GAS CONSTANT",
    "SPECIFIC HEAT",
    "SPRING",
    "SUBMODEL",
    "SUBSTRUCTURE MATRIX OUTPUT",
    "TEMPERATURE",
    "TIME POINTS",
    "USER ELEMENT",
    "USER MATERIAL",
    "VALUES AT INFINITY",
];

/// Whether `name` (upper case) is an output request or cosmetic keyword, skipped silently.
pub(crate) fn is_output_or_cosmetic(name: &str) -> bool {
    OUTPUT_AND_COSMETIC.contains(&name)
}

/// Every keyword name the reader knows, handled or not.
fn known() -> impl Iterator<Item = &'static str> {
    HANDLED
        .iter()
        .chain(OUTPUT_AND_COSMETIC.iter())
        .chain(CONTACT.iter())
        .chain(OTHER_PROCEDURES.iter())
        .chain(SPECIAL.iter())
        .chain(UNSUPPORTED.iter())
        .copied()
}

/// Whether `name` (upper case) is a keyword the reader knows, handled or not.
pub(crate) fn is_known(name: &str) -> bool {
    known().any(|k| k == name)
}

/// The known keyword `name` (upper case, not itself known) is most probably a misspelling
/// of: the closest one by edit distance (insertions, deletions, substitutions and swaps of
/// two neighbouring characters), if it is within 1 edit for names of up to 5 characters and
/// within 2 edits for longer ones. `None` when nothing is that close.
pub(crate) fn misspelling_of(name: &str) -> Option<&'static str> {
    let limit = if name.chars().count() <= 5 { 1 } else { 2 };
    known()
        .map(|k| (edit_distance(name, k), k))
        .filter(|&(d, _)| d <= limit)
        .min_by_key(|&(d, _)| d)
        .map(|(_, k)| k)
}

/// Optimal-string-alignment distance: the Levenshtein distance with the swap of two
/// neighbouring characters counted as one edit.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let (n, m) = (a.len(), b.len());
    // d[i][j]: distance between a[..i] and b[..j], stored row by row
    let mut d = vec![0usize; (n + 1) * (m + 1)];
    let at = |i: usize, j: usize| i * (m + 1) + j;
    for i in 0..=n {
        d[at(i, 0)] = i;
    }
    for j in 0..=m {
        d[at(0, j)] = j;
    }
    for i in 1..=n {
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[at(i - 1, j)] + 1)
                .min(d[at(i, j - 1)] + 1)
                .min(d[at(i - 1, j - 1)] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[at(i - 2, j - 2)] + 1);
            }
            d[at(i, j)] = best;
        }
    }
    d[at(n, m)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_count_swaps_as_one_edit() {
        assert_eq!(edit_distance("DLAOD", "DLOAD"), 1);
        assert_eq!(edit_distance("BOUNDRY", "BOUNDARY"), 1);
        assert_eq!(edit_distance("", "NODE"), 4);
        assert_eq!(edit_distance("NODE", "NODE"), 0);
        assert_eq!(edit_distance("KITTEN", "SITTING"), 3);
    }

    #[test]
    fn typos_name_the_keyword_they_miss() {
        assert_eq!(misspelling_of("DLAOD"), Some("DLOAD"));
        assert_eq!(misspelling_of("BOUNDRY"), Some("BOUNDARY"));
        assert_eq!(misspelling_of("ELSTIC"), Some("ELASTIC"));
        assert_eq!(misspelling_of("SOLID SECTON"), Some("SOLID SECTION"));
        assert_eq!(misspelling_of("NODEPRINT"), Some("NODE PRINT"));
        // far from everything: an unknown keyword, not a typo
        assert_eq!(misspelling_of("MY OWN KEYWORD"), None);
        assert_eq!(misspelling_of("XYZZY"), None);
    }

    #[test]
    fn real_keywords_are_never_typos() {
        for k in known() {
            assert!(is_known(k));
        }
        // one edit from a handled keyword, yet a real keyword of its own
        assert!(is_known("PLASTIC"));
        assert!(is_known("MASS"));
    }
}
