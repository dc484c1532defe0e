//! Orthotropic linear elasticity from nine engineering constants
//! E1, E2, E3 (MPa), ν12, ν13, ν23, G12, G13, G23 (MPa).
//!
//! Material axes 1, 2, 3 coincide with the global x, y, z axes for now (a later issue may
//! add material orientations, Abaqus `*ORIENTATION`); on the tibia, axis 3 = z = long axis
//! (biomechanics.md §1).

use crate::error::{require_finite, require_positive};
use crate::voigt::cholesky;
use crate::{ElasticLaw, MaterialError, Voigt6x6, check_positive_definite};

/// Orthotropic linear elastic law in engineering constants, Abaqus conventions.
///
/// **Poisson's ratios** follow Abaqus: ν_ij is the ratio for a uniaxial stress in
/// direction i, `ε_j = −ν_ij σ_i / E_i`. Only ν12, ν13, ν23 are stored; the others follow
/// from symmetry of the compliance, `ν_ij / E_i = ν_ji / E_j`
/// (see [`OrthotropicElastic::nu21`], [`nu31`](OrthotropicElastic::nu31),
/// [`nu32`](OrthotropicElastic::nu32)).
///
/// **Compliance** (1/MPa), Voigt order xx, yy, zz, xy, yz, xz, engineering shear:
///
/// ```text
///       ⎡ 1/E1     −ν21/E2  −ν31/E3   0      0      0    ⎤
///       ⎢−ν12/E1    1/E2    −ν32/E3   0      0      0    ⎥
///   S = ⎢−ν13/E1   −ν23/E2   1/E3     0      0      0    ⎥
///       ⎢  0         0        0      1/G12   0      0    ⎥
///       ⎢  0         0        0       0     1/G23   0    ⎥
///       ⎣  0         0        0       0      0     1/G13 ⎦
/// ```
///
/// Note the shear order: our Voigt slot 3 is xy (G12), slot 4 is yz (G23), slot 5 is xz
/// (G13).
///
/// **Stiffness** D = S⁻¹ (MPa), closed form (Abaqus Theory/Analysis guide, "Linear
/// elastic behavior"), with Υ = 1 / (1 − ν12ν21 − ν23ν32 − ν31ν13 − 2ν21ν32ν13):
///
/// ```text
///   D11 = E1 (1 − ν23ν32) Υ      D12 = E1 (ν21 + ν31ν23) Υ
///   D22 = E2 (1 − ν13ν31) Υ      D13 = E1 (ν31 + ν21ν32) Υ
///   D33 = E3 (1 − ν12ν21) Υ      D23 = E2 (ν32 + ν12ν31) Υ
///   D_xy,xy = G12,  D_yz,yz = G23,  D_xz,xz = G13
/// ```
///
/// It is positive definite iff all E, G > 0, |ν12| < √(E1/E2), |ν13| < √(E1/E3),
/// |ν23| < √(E2/E3) and 1/Υ > 0; [`OrthotropicElastic::new`] checks this by a Cholesky
/// factorisation of S and names the failing pivot.
///
/// ```
/// use osteon_material::OrthotropicElastic;
/// // Ashman et al. 1984, biomechanics.md §3.1 (unverified transcription), MPa.
/// let bone = OrthotropicElastic::new(
///     [12000.0, 13400.0, 20000.0], // E1, E2, E3
///     [0.376, 0.222, 0.235],       // ν12, ν13, ν23
///     [4530.0, 5610.0, 6230.0],    // G12, G13, G23
/// )?;
/// assert_eq!(bone.stiffness()[4][4], 6230.0); // yz slot holds G23
/// # Ok::<(), osteon_material::MaterialError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct OrthotropicElastic {
    /// Young's modulus along material axis 1 (= x), MPa.
    pub e1: f64,
    /// Young's modulus along material axis 2 (= y), MPa.
    pub e2: f64,
    /// Young's modulus along material axis 3 (= z), MPa.
    pub e3: f64,
    /// Poisson's ratio ν12 (Abaqus sense: ε2 = −ν12 σ1 / E1).
    pub nu12: f64,
    /// Poisson's ratio ν13 (Abaqus sense: ε3 = −ν13 σ1 / E1).
    pub nu13: f64,
    /// Poisson's ratio ν23 (Abaqus sense: ε3 = −ν23 σ2 / E2).
    pub nu23: f64,
    /// Shear modulus in the 1-2 (xy) plane, MPa.
    pub g12: f64,
    /// Shear modulus in the 1-3 (xz) plane, MPa.
    pub g13: f64,
    /// Shear modulus in the 2-3 (yz) plane, MPa.
    pub g23: f64,
}

impl OrthotropicElastic {
    /// Build the law from `e = [E1, E2, E3]` (MPa), `nu = [ν12, ν13, ν23]` (Abaqus sense)
    /// and `g = [G12, G13, G23]` (MPa) — the same order as Abaqus
    /// `*ELASTIC, TYPE=ENGINEERING CONSTANTS`.
    ///
    /// # Errors
    /// - [`MaterialError::InvalidParameter`] when an E or G is not finite and positive, or
    ///   a ν is not finite;
    /// - [`MaterialError::NotPositiveDefinite`] (naming the law, its constants, the
    ///   failing pivot and the Abaqus stability conditions) otherwise.
    pub fn new(e: [f64; 3], nu: [f64; 3], g: [f64; 3]) -> Result<Self, MaterialError> {
        let law = Self {
            e1: e[0],
            e2: e[1],
            e3: e[2],
            nu12: nu[0],
            nu13: nu[1],
            nu23: nu[2],
            g12: g[0],
            g13: g[1],
            g23: g[2],
        };
        law.validate()?;
        Ok(law)
    }

    /// Build from the nine values of an Abaqus `*ELASTIC, TYPE=ENGINEERING CONSTANTS` data
    /// block, in Abaqus order `[E1, E2, E3, ν12, ν13, ν23, G12, G13, G23]` (MPa, –, MPa).
    ///
    /// # Errors
    /// As [`OrthotropicElastic::new`].
    ///
    /// ```
    /// use osteon_material::OrthotropicElastic;
    /// let law = OrthotropicElastic::from_abaqus_engineering_constants([
    ///     12000.0, 13400.0, 20000.0, 0.376, 0.222, 0.235, 4530.0, 5610.0, 6230.0,
    /// ])?;
    /// assert_eq!(law.g13, 5610.0);
    /// # Ok::<(), osteon_material::MaterialError>(())
    /// ```
    pub fn from_abaqus_engineering_constants(c: [f64; 9]) -> Result<Self, MaterialError> {
        Self::new([c[0], c[1], c[2]], [c[3], c[4], c[5]], [c[6], c[7], c[8]])
    }

    /// The nine constants in Abaqus `ENGINEERING CONSTANTS` order
    /// `[E1, E2, E3, ν12, ν13, ν23, G12, G13, G23]`.
    pub fn to_abaqus_engineering_constants(&self) -> [f64; 9] {
        [
            self.e1, self.e2, self.e3, self.nu12, self.nu13, self.nu23, self.g12, self.g13,
            self.g23,
        ]
    }

    /// Re-check the constants (the fields are public and may have been edited).
    ///
    /// # Errors
    /// As [`OrthotropicElastic::new`].
    pub fn validate(&self) -> Result<(), MaterialError> {
        require_positive("E1", self.e1)?;
        require_positive("E2", self.e2)?;
        require_positive("E3", self.e3)?;
        require_finite("nu12", self.nu12)?;
        require_finite("nu13", self.nu13)?;
        require_finite("nu23", self.nu23)?;
        require_positive("G12", self.g12)?;
        require_positive("G13", self.g13)?;
        require_positive("G23", self.g23)?;
        if let Err(failure) = cholesky(&self.compliance()) {
            return Err(MaterialError::NotPositiveDefinite {
                material: self.describe(),
                detail: format!(
                    "compliance {failure}; Abaqus stability requires |nu12| < sqrt(E1/E2) = {:.4} \
                     (nu12 = {}), |nu13| < sqrt(E1/E3) = {:.4} (nu13 = {}), \
                     |nu23| < sqrt(E2/E3) = {:.4} (nu23 = {}) and \
                     1 - nu12 nu21 - nu23 nu32 - nu31 nu13 - 2 nu21 nu32 nu13 = {:.6} > 0",
                    (self.e1 / self.e2).sqrt(),
                    self.nu12,
                    (self.e1 / self.e3).sqrt(),
                    self.nu13,
                    (self.e2 / self.e3).sqrt(),
                    self.nu23,
                    self.determinant_factor(),
                ),
            });
        }
        // The closed-form D of an admissible law is positive definite, too; this guards
        // against round-off in extreme cases.
        let d = self.stiffness();
        check_positive_definite(&self.describe(), &d)?;
        Ok(())
    }

    /// Human-readable description with the constants, used in error messages.
    pub fn describe(&self) -> String {
        format!(
            "orthotropic elastic (E1 = {}, E2 = {}, E3 = {} MPa; nu12 = {}, nu13 = {}, \
             nu23 = {}; G12 = {}, G13 = {}, G23 = {} MPa)",
            self.e1,
            self.e2,
            self.e3,
            self.nu12,
            self.nu13,
            self.nu23,
            self.g12,
            self.g13,
            self.g23
        )
    }

    /// ν21 = ν12 · E2 / E1 (ε1 = −ν21 σ2 / E2).
    pub fn nu21(&self) -> f64 {
        self.nu12 * self.e2 / self.e1
    }

    /// ν31 = ν13 · E3 / E1 (ε1 = −ν31 σ3 / E3).
    pub fn nu31(&self) -> f64 {
        self.nu13 * self.e3 / self.e1
    }

    /// ν32 = ν23 · E3 / E2 (ε2 = −ν32 σ3 / E3).
    pub fn nu32(&self) -> f64 {
        self.nu23 * self.e3 / self.e2
    }

    /// 1/Υ = 1 − ν12ν21 − ν23ν32 − ν31ν13 − 2ν21ν32ν13 (dimensionless); must be > 0.
    pub fn determinant_factor(&self) -> f64 {
        let (nu21, nu31, nu32) = (self.nu21(), self.nu31(), self.nu32());
        1.0 - self.nu12 * nu21 - self.nu23 * nu32 - nu31 * self.nu13 - 2.0 * nu21 * nu32 * self.nu13
    }

    /// Compliance S (1/MPa), closed form from the engineering constants (see type docs).
    pub fn compliance(&self) -> Voigt6x6 {
        let mut s = [[0.0; 6]; 6];
        s[0][0] = 1.0 / self.e1;
        s[1][1] = 1.0 / self.e2;
        s[2][2] = 1.0 / self.e3;
        s[0][1] = -self.nu12 / self.e1;
        s[1][0] = s[0][1];
        s[0][2] = -self.nu13 / self.e1;
        s[2][0] = s[0][2];
        s[1][2] = -self.nu23 / self.e2;
        s[2][1] = s[1][2];
        s[3][3] = 1.0 / self.g12; // xy
        s[4][4] = 1.0 / self.g23; // yz
        s[5][5] = 1.0 / self.g13; // xz
        s
    }

    /// Stiffness D (MPa), Voigt order xx, yy, zz, xy, yz, xz, engineering shear, closed
    /// form (see type docs). Exactly symmetric.
    pub fn stiffness(&self) -> Voigt6x6 {
        let (nu12, nu13, nu23) = (self.nu12, self.nu13, self.nu23);
        let (nu21, nu31, nu32) = (self.nu21(), self.nu31(), self.nu32());
        let upsilon = 1.0 / self.determinant_factor();
        let mut d = [[0.0; 6]; 6];
        d[0][0] = self.e1 * (1.0 - nu23 * nu32) * upsilon;
        d[1][1] = self.e2 * (1.0 - nu13 * nu31) * upsilon;
        d[2][2] = self.e3 * (1.0 - nu12 * nu21) * upsilon;
        d[0][1] = self.e1 * (nu21 + nu31 * nu23) * upsilon;
        d[1][0] = d[0][1];
        d[0][2] = self.e1 * (nu31 + nu21 * nu32) * upsilon;
        d[2][0] = d[0][2];
        d[1][2] = self.e2 * (nu32 + nu12 * nu31) * upsilon;
        d[2][1] = d[1][2];
        d[3][3] = self.g12; // xy
        d[4][4] = self.g23; // yz
        d[5][5] = self.g13; // xz
        d
    }
}

impl ElasticLaw for OrthotropicElastic {
    fn stiffness(&self) -> Voigt6x6 {
        Self::stiffness(self)
    }
}
