//! The one error type of this crate, [`MaterialError`], and small validation helpers.

use thiserror::Error;

/// Everything that can go wrong when building or evaluating a material law.
///
/// Every variant says which material (or which parameter) is at fault and what was
/// expected, so that a message can be shown to a user as is.
#[derive(Clone, Debug, PartialEq, Error)]
pub enum MaterialError {
    /// The 6×6 stiffness (or compliance) matrix is not symmetric positive definite, so the
    /// strain energy ½ εᵀDε is not positive for every strain: the law is physically
    /// inadmissible and would make a finite-element stiffness matrix indefinite.
    ///
    /// `material` names the material (its user name, or a description of the law with its
    /// constants); `detail` names the failing Cholesky pivot or the violated condition.
    #[error("material `{material}` is not positive definite: {detail}")]
    NotPositiveDefinite {
        /// Name or description of the material.
        material: String,
        /// What failed: the Cholesky pivot (index, Voigt component, value) or the violated
        /// stability condition.
        detail: String,
    },

    /// A 6×6 matrix that must be symmetric is not, beyond the relative tolerance
    /// `1e-9 · max|D_ij|`.
    #[error(
        "material `{material}`: matrix is not symmetric: entry ({row},{col}) = {upper} \
         but ({col},{row}) = {lower} (Voigt order xx, yy, zz, xy, yz, xz)"
    )]
    NotSymmetric {
        /// Name or description of the material.
        material: String,
        /// Row of the upper-triangle entry (0-based, Voigt order xx, yy, zz, xy, yz, xz).
        row: usize,
        /// Column of the upper-triangle entry (0-based).
        col: usize,
        /// Value at (row, col), in the matrix's units (MPa for a stiffness).
        upper: f64,
        /// Value at (col, row), in the matrix's units.
        lower: f64,
    },

    /// A single parameter is out of its admissible range (or is NaN/infinite).
    #[error("invalid parameter {name} = {value}: expected {expected}")]
    InvalidParameter {
        /// Parameter name as written in the docs (for example `"E1"`, `"porosity"`).
        name: &'static str,
        /// The value given (in the parameter's documented units).
        value: f64,
        /// The admissible range, in words.
        expected: &'static str,
    },
}

/// `Ok` when `value` is finite, else [`MaterialError::InvalidParameter`].
pub(crate) fn require_finite(name: &'static str, value: f64) -> Result<(), MaterialError> {
    if value.is_finite() {
        Ok(())
    } else {
        Err(MaterialError::InvalidParameter {
            name,
            value,
            expected: "a finite number",
        })
    }
}

/// `Ok` when `value` is finite and strictly positive, else
/// [`MaterialError::InvalidParameter`].
pub(crate) fn require_positive(name: &'static str, value: f64) -> Result<(), MaterialError> {
    if value.is_finite() && value > 0.0 {
        Ok(())
    } else {
        Err(MaterialError::InvalidParameter {
            name,
            value,
            expected: "a finite number > 0",
        })
    }
}

/// `Ok` when `value` is finite and `>= 0`, else [`MaterialError::InvalidParameter`].
pub(crate) fn require_non_negative(name: &'static str, value: f64) -> Result<(), MaterialError> {
    if value.is_finite() && value >= 0.0 {
        Ok(())
    } else {
        Err(MaterialError::InvalidParameter {
            name,
            value,
            expected: "a finite number >= 0",
        })
    }
}
