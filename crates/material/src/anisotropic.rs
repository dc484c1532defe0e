//! A general (fully anisotropic) linear elastic law given directly as a 6×6 stiffness
//! matrix, and the Abaqus D-matrix forms that map onto it.
//!
//! Abaqus orders tensor components 11, 22, 33, 12, **13, 23**; osteon's Voigt order is
//! xx, yy, zz, xy, **yz, xz**. The constructors here convert at the boundary.

use crate::voigt::{SYMMETRY_RELATIVE_TOLERANCE, inverse_spd, symmetrize, symmetry_violation};
use crate::{ElasticLaw, MaterialError, Voigt6x6, check_positive_definite};

/// Position in osteon's Voigt order (xx, yy, zz, xy, yz, xz) of each Abaqus tensor slot
/// 11, 22, 33, 12, 13, 23.
const ABAQUS_TO_VOIGT: [usize; 6] = [0, 1, 2, 3, 5, 4];

/// A linear elastic law given by its stiffness `d` (MPa), Voigt order xx, yy, zz, xy, yz,
/// xz, engineering shear strains.
///
/// [`AnisotropicElastic::new`] accepts `d` when it is finite, symmetric within
/// `1e-9 · max|d_ij|` and positive definite (Cholesky), and stores the symmetrised
/// `(d + dᵀ)/2`.
///
/// ```
/// use osteon_material::{AnisotropicElastic, IsotropicElastic};
/// let d = IsotropicElastic::new(400.0, 0.3)?.stiffness();
/// let law = AnisotropicElastic::new(d)?;
/// assert_eq!(law.d, d);
/// # Ok::<(), osteon_material::MaterialError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct AnisotropicElastic {
    /// Stiffness D (MPa), Voigt order xx, yy, zz, xy, yz, xz, engineering shear.
    pub d: Voigt6x6,
}

impl AnisotropicElastic {
    /// Name used for this law in error messages.
    pub const DESCRIPTION: &'static str = "anisotropic elastic (given D-matrix)";

    /// Accept a stiffness `d` (MPa, osteon Voigt order).
    ///
    /// # Errors
    /// [`MaterialError::NotSymmetric`] or [`MaterialError::NotPositiveDefinite`] (with the
    /// failing pivot), naming the law.
    pub fn new(d: Voigt6x6) -> Result<Self, MaterialError> {
        check_positive_definite(Self::DESCRIPTION, &d)?;
        Ok(Self { d: symmetrize(&d) })
    }

    /// Build from the nine values of an Abaqus `*ELASTIC, TYPE=ORTHOTROPIC` data block,
    /// in Abaqus order `[D1111, D1122, D2222, D1133, D2233, D3333, D1212, D1313, D2323]`
    /// (MPa). The shear terms are re-ordered into osteon's Voigt order: D1212 → slot
    /// (3,3) xy, D2323 → slot (4,4) yz, D1313 → slot (5,5) xz.
    ///
    /// # Errors
    /// As [`AnisotropicElastic::new`].
    ///
    /// ```
    /// use osteon_material::AnisotropicElastic;
    /// let law = AnisotropicElastic::from_abaqus_orthotropic([
    ///     20000.0, 8000.0, 21000.0, 7000.0, 7500.0, 25000.0, 4500.0, 5600.0, 6200.0,
    /// ])?;
    /// assert_eq!(law.d[3][3], 4500.0); // D1212 → xy
    /// assert_eq!(law.d[4][4], 6200.0); // D2323 → yz
    /// assert_eq!(law.d[5][5], 5600.0); // D1313 → xz
    /// # Ok::<(), osteon_material::MaterialError>(())
    /// ```
    pub fn from_abaqus_orthotropic(c: [f64; 9]) -> Result<Self, MaterialError> {
        let [
            d1111,
            d1122,
            d2222,
            d1133,
            d2233,
            d3333,
            d1212,
            d1313,
            d2323,
        ] = c;
        let mut d = [[0.0; 6]; 6];
        d[0][0] = d1111;
        d[0][1] = d1122;
        d[1][0] = d1122;
        d[1][1] = d2222;
        d[0][2] = d1133;
        d[2][0] = d1133;
        d[1][2] = d2233;
        d[2][1] = d2233;
        d[2][2] = d3333;
        d[3][3] = d1212; // xy
        d[4][4] = d2323; // yz
        d[5][5] = d1313; // xz
        check_positive_definite("anisotropic elastic (Abaqus ORTHOTROPIC D-matrix)", &d)?;
        Ok(Self { d })
    }

    /// Build from the 21 values of an Abaqus `*ELASTIC, TYPE=ANISOTROPIC` data block
    /// (MPa), in Abaqus order — the lower triangle by columns of the tensor order
    /// 11, 22, 33, 12, 13, 23:
    /// `D1111, D1122, D2222, D1133, D2233, D3333, D1112, D2212, D3312, D1212, D1113, D2213,
    /// D3313, D1213, D1313, D1123, D2223, D3323, D1223, D1323, D2323`.
    /// Rows and columns 13 and 23 are swapped into osteon's order (yz before xz).
    ///
    /// # Errors
    /// As [`AnisotropicElastic::new`].
    pub fn from_abaqus_anisotropic(c: [f64; 21]) -> Result<Self, MaterialError> {
        let mut d = [[0.0; 6]; 6];
        let mut k = 0;
        for (col, &j) in ABAQUS_TO_VOIGT.iter().enumerate() {
            for &i in &ABAQUS_TO_VOIGT[..=col] {
                d[i][j] = c[k];
                d[j][i] = c[k];
                k += 1;
            }
        }
        check_positive_definite("anisotropic elastic (Abaqus ANISOTROPIC D-matrix)", &d)?;
        Ok(Self { d })
    }

    /// Re-check the matrix (the field is public and may have been edited).
    ///
    /// # Errors
    /// As [`AnisotropicElastic::new`].
    pub fn validate(&self) -> Result<(), MaterialError> {
        check_positive_definite(Self::DESCRIPTION, &self.d)
    }

    /// `true` when `d` is symmetric within the crate's relative tolerance (1e-9).
    pub fn is_symmetric(&self) -> bool {
        symmetry_violation(&self.d, SYMMETRY_RELATIVE_TOLERANCE).is_none()
    }

    /// Stiffness D (MPa), as stored.
    pub fn stiffness(&self) -> Voigt6x6 {
        self.d
    }

    /// Compliance S = D⁻¹ (1/MPa), by Cholesky.
    ///
    /// # Errors
    /// [`MaterialError::NotPositiveDefinite`] when `d` (edited after construction) is not
    /// positive definite.
    pub fn compliance(&self) -> Result<Voigt6x6, MaterialError> {
        self.validate()?;
        inverse_spd(&self.d).map_err(|failure| MaterialError::NotPositiveDefinite {
            material: Self::DESCRIPTION.to_string(),
            detail: failure.to_string(),
        })
    }
}

impl ElasticLaw for AnisotropicElastic {
    fn stiffness(&self) -> Voigt6x6 {
        self.d
    }
}
