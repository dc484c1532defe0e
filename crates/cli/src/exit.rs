//! Exit codes: 0 success, 2 input error, 3 numerical failure (DESIGN.md §4).

use osteon_assembly::AssemblyError;
use osteon_io::IoError;
use osteon_mesh::MeshError;

/// Input error: the files or the model they describe are wrong.
pub const INPUT_ERROR: i32 = 2;
/// Numerical failure: singular or indefinite system, inverted element.
pub const NUMERICAL_FAILURE: i32 = 3;

/// The exit code for an error chain.
pub fn code_for(err: &anyhow::Error) -> i32 {
    for cause in err.chain() {
        if let Some(a) = cause.downcast_ref::<AssemblyError>() {
            return assembly_code(a);
        }
        if let Some(IoError::Model { source, .. }) = cause.downcast_ref::<IoError>() {
            return assembly_code(source);
        }
    }
    INPUT_ERROR
}

fn assembly_code(err: &AssemblyError) -> i32 {
    match err {
        AssemblyError::Singular { .. }
        | AssemblyError::RigidBodyMode { .. }
        | AssemblyError::Solver(_)
        | AssemblyError::Mesh(MeshError::InvertedElement { .. }) => NUMERICAL_FAILURE,
        _ => INPUT_ERROR,
    }
}
