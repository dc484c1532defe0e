//! Exit codes: 0 success, 2 input error, 3 numerical failure (DESIGN.md §4).

use osteon_assembly::AssemblyError;
use osteon_biomech::BiomechError;
use osteon_contact::ContactError;
use osteon_io::IoError;
use osteon_lattice::LatticeError;
use osteon_mesh::MeshError;

/// Input error: the files or the model they describe are wrong.
pub const INPUT_ERROR: i32 = 2;
/// Numerical failure: singular or indefinite system, inverted element.
pub const NUMERICAL_FAILURE: i32 = 3;

/// The error chain as one line, outermost context first, each cause said once: a cause
/// whose text the line already holds (a library error that prints its source, like
/// `path: No such file or directory`) is not repeated.
pub fn message(err: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if line.contains(&text) {
            continue;
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(&text);
    }
    line
}

/// The exit code for an error chain.
pub fn code_for(err: &anyhow::Error) -> i32 {
    for cause in err.chain() {
        if let Some(a) = cause.downcast_ref::<AssemblyError>() {
            return assembly_code(a);
        }
        if let Some(IoError::Model { source, .. }) = cause.downcast_ref::<IoError>() {
            return assembly_code(source);
        }
        if let Some(b) = cause.downcast_ref::<BiomechError>() {
            return biomech_code(b);
        }
        if let Some(c) = cause.downcast_ref::<ContactError>() {
            return contact_code(c);
        }
        if let Some(l) = cause.downcast_ref::<LatticeError>() {
            return lattice_code(l);
        }
    }
    INPUT_ERROR
}

/// Study errors: the study file, its parameters, the patient mesh and unavailable features
/// are input errors; a singular system, an inverted element or a contact analysis that does
/// not converge is a numerical failure.
fn biomech_code(err: &BiomechError) -> i32 {
    match err {
        BiomechError::Assembly(a) => assembly_code(a),
        BiomechError::Io(IoError::Model { source, .. }) => assembly_code(source),
        BiomechError::Mesh(MeshError::InvertedElement { .. }) => NUMERICAL_FAILURE,
        BiomechError::Contact(c) => contact_code(c),
        BiomechError::Lattice(l) => lattice_code(l),
        BiomechError::InvalidParameter { .. }
        | BiomechError::NotYetAvailable { .. }
        | BiomechError::StudyFile { .. }
        | BiomechError::MissingSet { .. }
        | BiomechError::PatientMesh { .. }
        | BiomechError::Construction { .. }
        | BiomechError::Mesh(_)
        | BiomechError::Material(_)
        | BiomechError::Io(_)
        | BiomechError::Plot { .. } => INPUT_ERROR,
    }
}

/// Contact errors: a non-converging increment, a singular contact system or a solver
/// failure is a numerical failure; an ill-defined pair or problem is an input error.
fn contact_code(err: &ContactError) -> i32 {
    match err {
        ContactError::Assembly(a) => assembly_code(a),
        ContactError::NotConverged(_)
        | ContactError::Singular { .. }
        | ContactError::Solver(_)
        | ContactError::Mesh(MeshError::InvertedElement { .. }) => NUMERICAL_FAILURE,
        _ => INPUT_ERROR,
    }
}

/// Lattice errors: a singular micro-FE system or a cell that does not span is a numerical
/// failure; parameters and files are input errors.
fn lattice_code(err: &LatticeError) -> i32 {
    match err {
        LatticeError::Solver(osteon_solver::SolverError::InvalidMemoryLimit(_)) => INPUT_ERROR,
        LatticeError::Solver(_) | LatticeError::NotSpanning | LatticeError::Internal(_) => {
            NUMERICAL_FAILURE
        }
        _ => INPUT_ERROR,
    }
}

fn assembly_code(err: &AssemblyError) -> i32 {
    match err {
        AssemblyError::Solver(osteon_solver::SolverError::InvalidMemoryLimit(_)) => INPUT_ERROR,
        AssemblyError::Singular { .. }
        | AssemblyError::RigidBodyMode { .. }
        | AssemblyError::Solver(_)
        | AssemblyError::Mesh(MeshError::InvertedElement { .. }) => NUMERICAL_FAILURE,
        _ => INPUT_ERROR,
    }
}
