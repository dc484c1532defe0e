//! Strength measures of the implant beyond von Mises: a multiaxial yield index for the
//! porous tantalum and the stresses of each screw where it enters the bone.
//!
//! **Porous Ta.** A cellular metal yields under hydrostatic stress as well as under shear,
//! which von Mises ignores. Deshpande & Fleck 2000 (J Mech Phys Solids 48:1253) fitted metal
//! foams with the equivalent stress
//!
//! σ̂² = (σ_vm² + α² σ_m²) / (1 + (α/3)²),
//!
//! σ_m the mean stress, α = 3/√2 · √((1 − 2ν_p)/(1 + ν_p)) set by the plastic Poisson ratio
//! ν_p; metal foams show ν_p ≈ 0, so α = 3/√2 = 2.12 (unverified transcription). σ̂ equals the
//! applied stress in uniaxial tension or compression, is √(2/3) of von Mises in pure shear
//! and grows with pressure. osteon compares σ̂ with the seed's static (20 MPa) and fatigue
//! (10 MPa) strengths of the lattice (biomechanics.md §9): a criterion with the normal and
//! the shear part of the stress state, where the seed gives one uniaxial strength.
//!
//! **Screws at the bone entry.** A locking screw bends most where it leaves the flange and
//! enters the near cortex. For each screw the integration points within one screw radius
//! (along the axis) of the point where the axis enters the bone give the largest stress
//! along the screw axis (nᵀσn, n the axis: the bending plus axial stress; σ_xx for the
//! parametric tibia's screws along x) and the largest von Mises stress there.

use serde::{Deserialize, Serialize};

use osteon_assembly::{StepSolution, von_mises};

use crate::builder::{Reconstruction, Region, distance_to_segment};

/// α of the Deshpande–Fleck yield surface for a plastic Poisson ratio of 0: 3/√2 = 2.121.
pub const DESHPANDE_FLECK_ALPHA: f64 = 3.0 * std::f64::consts::FRAC_1_SQRT_2;

/// The Deshpande–Fleck equivalent stress σ̂ (MPa) of a Voigt stress (MPa).
pub fn deshpande_fleck(stress: &[f64; 6]) -> f64 {
    let vm = von_mises(stress);
    let mean = (stress[0] + stress[1] + stress[2]) / 3.0;
    let a = DESHPANDE_FLECK_ALPHA;
    ((vm * vm + a * a * mean * mean) / (1.0 + (a / 3.0).powi(2))).sqrt()
}

/// The stresses of one screw at its entry into the near cortex.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScrewEntry {
    /// Screw number (1, 2, …, as in the VTU `screw` array).
    pub screw: usize,
    /// z where the axis enters the bone (mm).
    pub z_mm: f64,
    /// Largest |nᵀσn|, the stress along the screw axis n (bending and axial), MPa.
    pub axial_stress_mpa: f64,
    /// Largest von Mises stress there (MPa).
    pub von_mises_mpa: f64,
}

/// Each screw's stresses at its bone entry (module documentation); empty without screws.
pub fn screw_entries(rec: &Reconstruction, step: &StepSolution) -> Vec<ScrewEntry> {
    let f = &step.fields;
    let mut out = Vec::new();
    for (k, placement) in rec.screws.iter().enumerate() {
        let (head, tip, entry) = (placement.head_mm, placement.tip_mm, placement.bone_entry_mm);
        let d: [f64; 3] = std::array::from_fn(|i| tip[i] - head[i]);
        let length = (d[0] * d[0] + d[1] * d[1] + d[2] * d[2]).sqrt();
        if length <= 0.0 {
            continue;
        }
        let n = d.map(|v| v / length);
        let along = |x: [f64; 3]| (0..3).map(|i| (x[i] - entry[i]) * n[i]).sum::<f64>();
        let (mut axial, mut vm, mut radius) = (0.0f64, 0.0f64, 0.0f64);
        let elements = (0..rec.regions.len()).filter(|&e| rec.regions[e] == Region::Screw(k));
        let points: Vec<usize> = elements.flat_map(|e| f.points_of(e)).collect();
        for &p in &points {
            radius = radius.max(distance_to_segment(f.point_position[p], head, tip));
        }
        for &p in &points {
            if along(f.point_position[p]).abs() <= radius {
                let s = &f.point_stress[p];
                axial = axial.max(normal_stress(s, n).abs());
                vm = vm.max(von_mises(s));
            }
        }
        out.push(ScrewEntry {
            screw: k + 1,
            z_mm: placement.z_mm,
            axial_stress_mpa: axial,
            von_mises_mpa: vm,
        });
    }
    out
}

/// nᵀσn (MPa) of a Voigt stress (xx, yy, zz, xy, yz, xz; MPa) on the unit normal `n`.
fn normal_stress(s: &[f64; 6], n: [f64; 3]) -> f64 {
    n[0] * n[0] * s[0]
        + n[1] * n[1] * s[1]
        + n[2] * n[2] * s[2]
        + 2.0 * (n[0] * n[1] * s[3] + n[1] * n[2] * s[4] + n[0] * n[2] * s[5])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_equivalent_stress_is_the_uniaxial_stress_and_two_thirds_of_mises_in_shear() {
        for s in [-7.0, 3.0] {
            let uniaxial = [s, 0.0, 0.0, 0.0, 0.0, 0.0];
            assert!((deshpande_fleck(&uniaxial) - s.abs()).abs() < 1e-12);
        }
        let shear = [0.0, 0.0, 0.0, 4.0, 0.0, 0.0];
        let vm = von_mises(&shear);
        assert!((deshpande_fleck(&shear) - vm * (2.0f64 / 3.0).sqrt()).abs() < 1e-12 * vm);
        // pressure alone: σ̂ = α |p| / √(1 + α²/9)
        let p = [-5.0, -5.0, -5.0, 0.0, 0.0, 0.0];
        let a = DESHPANDE_FLECK_ALPHA;
        assert!((deshpande_fleck(&p) - a * 5.0 / (1.0 + a * a / 9.0).sqrt()).abs() < 1e-12);
    }
}
