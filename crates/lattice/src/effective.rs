//! Engineering constants of an effective stiffness tensor, and the orthotropic material the
//! study uses.

use osteon_material::voigt::inverse_spd;
use osteon_material::{Elastic, Material, OrthotropicElastic, Voigt6x6};

use crate::LatticeError;

/// Apparent engineering constants of an effective stiffness in the cell axes.
#[derive(Debug, Clone, PartialEq)]
pub struct EffectiveConstants {
    /// Young's moduli [E_x, E_y, E_z] = 1/S_ii (MPa).
    pub youngs_modulus_mpa: [f64; 3],
    /// Shear moduli [G_xy, G_yz, G_xz] = 1/S_44, 1/S_55, 1/S_66 in Voigt order (MPa).
    pub shear_modulus_mpa: [f64; 3],
    /// Poisson's ratios [ν_xy, ν_xz, ν_yz] (Abaqus sense, ν_ij = −S_ij / S_ii) (1).
    pub poisson_ratio: [f64; 3],
    /// Zener-type anisotropy in the xy, yz and xz planes, A_ij = 2 C_shear / (C_ii − C_ij)
    /// for a cubic cell, generalised to 4 C_shear / (C_ii + C_jj − 2 C_ij) (1; 1 for
    /// isotropy).
    pub zener: [f64; 3],
    /// Largest entry of C outside the orthotropic pattern relative to max |C_ij| (1): what
    /// [`EffectiveConstants::orthotropic_material`] drops.
    pub non_orthotropic: f64,
}

impl EffectiveConstants {
    /// The constants of `c` (MPa, Voigt xx, yy, zz, xy, yz, xz; symmetric).
    ///
    /// # Errors
    /// [`LatticeError::NotSpanning`] when `c` is not positive definite.
    pub fn from_stiffness(c: &Voigt6x6) -> Result<Self, LatticeError> {
        let s = inverse_spd(c).map_err(|_| LatticeError::NotSpanning)?;
        let e = [1.0 / s[0][0], 1.0 / s[1][1], 1.0 / s[2][2]];
        let g = [1.0 / s[3][3], 1.0 / s[4][4], 1.0 / s[5][5]];
        let nu = [-s[0][1] * e[0], -s[0][2] * e[0], -s[1][2] * e[1]];
        // plane (i, j) and its shear slot: xy → 3, yz → 4, xz → 5
        let zener = [(0, 1, 3), (1, 2, 4), (0, 2, 5)]
            .map(|(i, j, k)| 4.0 * c[k][k] / (c[i][i] + c[j][j] - 2.0 * c[i][j]));
        let scale = c.iter().flatten().fold(0.0_f64, |m, x| m.max(x.abs()));
        let mut off = 0.0_f64;
        for (i, row) in c.iter().enumerate() {
            for (j, x) in row.iter().enumerate() {
                let orthotropic = (i < 3 && j < 3) || i == j;
                if !orthotropic {
                    off = off.max(x.abs() / scale);
                }
            }
        }
        Ok(Self {
            youngs_modulus_mpa: e,
            shear_modulus_mpa: g,
            poisson_ratio: nu,
            zener,
            non_orthotropic: off,
        })
    }

    /// Mean of the three Young's moduli (MPa): the apparent modulus of a cubic cell.
    pub fn mean_youngs_modulus_mpa(&self) -> f64 {
        self.youngs_modulus_mpa.iter().sum::<f64>() / 3.0
    }

    /// The orthotropic material with these constants (the couplings outside the orthotropic
    /// pattern, `non_orthotropic`, dropped), named `name`.
    ///
    /// # Errors
    /// [`LatticeError::NotSpanning`] when the constants do not form a positive-definite law.
    pub fn orthotropic_material(&self, name: &str) -> Result<Material, LatticeError> {
        let [gxy, gyz, gxz] = self.shear_modulus_mpa;
        let law =
            OrthotropicElastic::new(self.youngs_modulus_mpa, self.poisson_ratio, [gxy, gxz, gyz])
                .map_err(|_| LatticeError::NotSpanning)?;
        Ok(Material::new(name, Elastic::Orthotropic(law)))
    }
}
