//! Named materials with their sources, and the reference constants behind them.
//!
//! Every number cites `docs/biomechanics.md` (section or "defaults table") and the primary
//! source named there; "(unverified)" and "(derived)" flags are carried over. Units: MPa for
//! moduli and strengths, t/mm³ for density (1 g/cm³ = 1e-9 t/mm³).
//!
//! Material axes are the global axes (axis 3 = z = tibial long axis, biomechanics.md §1);
//! a later issue may add orientations.
//!
//! ```
//! use osteon_material::library;
//! for m in [library::cortical_bone(), library::porous_tantalum_seed(), library::ti6al4v()] {
//!     m.validate()?;
//! }
//! assert!(library::porous_tantalum_seed().stiffness()[0][0] > 0.0);
//! # Ok::<(), osteon_material::MaterialError>(())
//! ```

use crate::{Elastic, GibsonAshby, IsotropicElastic, Material, OrthotropicElastic, PorousTantalum};

// ---------------------------------------------------------------------------------------
// Bone
// ---------------------------------------------------------------------------------------

/// Cortical bone Young's modulus, 17000 MPa: longitudinal value of Reilly & Burstein 1975
/// (J Biomech 8:393–405), biomechanics.md §3.1 and defaults table.
pub const CORTICAL_E_MPA: f64 = 17000.0;

/// Cortical bone Poisson's ratio, 0.3 (biomechanics.md §3.1 and defaults table,
/// Reilly & Burstein 1975).
pub const CORTICAL_NU: f64 = 0.3;

/// Cortical bone longitudinal compressive strength, 193 MPa (Reilly & Burstein 1975,
/// unverified transcription; biomechanics.md §3.1, §9).
pub const CORTICAL_COMPRESSIVE_STRENGTH_MPA: f64 = 193.0;

/// Cortical bone longitudinal tensile strength, 133 MPa (Reilly & Burstein 1975,
/// unverified transcription; biomechanics.md §3.1, §9).
pub const CORTICAL_TENSILE_STRENGTH_MPA: f64 = 133.0;

/// Cancellous bone Young's modulus, 400 MPa: engineering pick within 10–3000 MPa
/// (Stem Cell Res Ther 2019, Table 1), biomechanics.md §3.2 and defaults table.
pub const CANCELLOUS_E_MPA: f64 = 400.0;

/// Cancellous bone Poisson's ratio, 0.3 (engineering pick, biomechanics.md §3.2 and
/// defaults table).
pub const CANCELLOUS_NU: f64 = 0.3;

/// Isotropic cortical bone: E = 17000 MPa, ν = 0.3 (Reilly & Burstein 1975, J Biomech
/// 8:393–405; biomechanics.md §3.1 and defaults table). Density: none
/// (biomechanics.md gives no bone density).
pub fn cortical_bone() -> Material {
    Material::new(
        "cortical_bone",
        Elastic::Isotropic(IsotropicElastic {
            e: CORTICAL_E_MPA,
            nu: CORTICAL_NU,
        }),
    )
}

/// Cortical bone, human femur, Reilly & Burstein 1975 (unverified transcription,
/// biomechanics.md §3.1), axis 3 = long axis = z:
///
/// | constant      | value  | unit |
/// |---------------|--------|------|
/// | E3            | 17000  | MPa  |
/// | E1 = E2       | 11500  | MPa  |
/// | G13 = G23     | 3300   | MPa  |
/// | G12           | 3600   | MPa  |
/// | ν12           | 0.58   | –    |
/// | ν13 = ν23     | 0.31   | –    |
///
/// ν13 is read in the Abaqus sense, ε3 = −ν13 σ1 / E1; the reverse ratio is then
/// ν31 = 0.31 · 17000 / 11500 = 0.458 (derived). With that reading the set is positive
/// definite: 1 − ν12ν21 − ν23ν32 − ν31ν13 − 2ν21ν32ν13 = 0.2147 > 0 (derived, checked in a
/// test).
///
/// **Not exactly transversely isotropic**: isotropy of the 1-2 plane requires
/// G12 = E1 / (2(1 + ν12)) = 11500 / 3.16 = 3639.2 MPa (derived), while the transcription
/// gives 3600 MPa (1.1 % lower). The law is therefore built as an
/// [`OrthotropicElastic`] with the transcribed constants, not as a
/// `TransverselyIsotropicElastic`. Density: none.
pub fn cortical_bone_transversely_isotropic() -> Material {
    Material::new(
        "cortical_bone_transversely_isotropic",
        Elastic::Orthotropic(OrthotropicElastic {
            e1: 11500.0,
            e2: 11500.0,
            e3: 17000.0,
            nu12: 0.58,
            nu13: 0.31,
            nu23: 0.31,
            g12: 3600.0,
            g13: 3300.0,
            g23: 3300.0,
        }),
    )
}

/// Cortical bone, human femur, orthotropic, ultrasonic: Ashman et al. 1984 (J Biomech
/// 17:349; unverified transcription, biomechanics.md §3.1), axis 3 = long axis = z:
/// E1 = 12000, E2 = 13400, E3 = 20000 MPa; G12 = 4530, G13 = 5610, G23 = 6230 MPa;
/// ν12 = 0.376, ν13 = 0.222, ν23 = 0.235 (read in the Abaqus sense,
/// ε_j = −ν_ij σ_i / E_i; the paper's convention is assumed to match). Positive definite
/// (checked in a test). Density: none.
pub fn cortical_bone_orthotropic_ashman1984() -> Material {
    Material::new(
        "cortical_bone_orthotropic_ashman1984",
        Elastic::Orthotropic(OrthotropicElastic {
            e1: 12000.0,
            e2: 13400.0,
            e3: 20000.0,
            nu12: 0.376,
            nu13: 0.222,
            nu23: 0.235,
            g12: 4530.0,
            g13: 5610.0,
            g23: 6230.0,
        }),
    )
}

/// Isotropic cancellous (metaphyseal) bone: E = 400 MPa, ν = 0.3 (engineering pick within
/// 10–3000 MPa, Stem Cell Res Ther 2019 Table 1; biomechanics.md §3.2 and defaults
/// table). For CT-mapped moduli see [`crate::density`]. Density: none.
pub fn cancellous_bone() -> Material {
    Material::new(
        "cancellous_bone",
        Elastic::Isotropic(IsotropicElastic {
            e: CANCELLOUS_E_MPA,
            nu: CANCELLOUS_NU,
        }),
    )
}

// ---------------------------------------------------------------------------------------
// Tantalum
// ---------------------------------------------------------------------------------------

/// Dense tantalum Young's modulus, 186000 MPa (lower end of 186–191 GPa, Stem Cell Res
/// Ther 2019, Table 1; biomechanics.md §4 and defaults table).
pub const DENSE_TA_E_MPA: f64 = 186000.0;

/// Dense tantalum Poisson's ratio, 0.34 (unverified, biomechanics.md §4).
pub const DENSE_TA_NU: f64 = 0.34;

/// Dense tantalum density, 16.6 g/cm³ = 16.6e-9 t/mm³ (unverified, biomechanics.md §4).
pub const DENSE_TA_DENSITY_T_PER_MM3: f64 = 16.6e-9;

/// Poisson's ratio of porous tantalum, 0.3 (unverified, biomechanics.md defaults table).
pub const POROUS_TA_NU: f64 = 0.3;

/// Porosity of the seed prosthesis, 0.72 (72 %, SLM-printed Ta; seed paper,
/// biomechanics.md §0).
pub const SEED_POROSITY: f64 = 0.72;

/// Porous-Ta modulus sweep recommended by biomechanics.md §4 because of the
/// measured-vs-design conflict: {1.3, 3, 10, 14.6, 30} GPa, here in MPa
/// (1300: IJB 2023 lattice minimum; 3000: Trabecular Metal; 10000/30000: seed design
/// range; 14600: Gibson–Ashby seed estimate, derived).
pub const POROUS_TA_MODULUS_SWEEP_MPA: [f64; 5] = [1300.0, 3000.0, 10000.0, 14600.0, 30000.0];

/// Porous-Ta static compressive strength floor, 20 MPa (seed specimen tests,
/// biomechanics.md §0, §9 and defaults table).
pub const POROUS_TA_STATIC_STRENGTH_MPA: f64 = 20.0;

/// Porous-Ta fatigue stress amplitude, 10 MPa, survived for ≥ 1e6 cycles (seed specimen
/// tests, biomechanics.md §0, §9 and defaults table).
pub const POROUS_TA_FATIGUE_STRENGTH_MPA: f64 = 10.0;

/// Number of cycles at which [`POROUS_TA_FATIGUE_STRENGTH_MPA`] holds, 1e6 (seed,
/// biomechanics.md §0).
pub const POROUS_TA_FATIGUE_CYCLES: f64 = 1e6;

/// Dense tantalum, isotropic: E = 186000 MPa (Stem Cell Res Ther 2019, Table 1),
/// ν = 0.34 (unverified), density 16.6 g/cm³ = 16.6e-9 t/mm³ (unverified);
/// biomechanics.md §4.
pub fn dense_tantalum() -> Material {
    Material::new(
        "dense_tantalum",
        Elastic::Isotropic(IsotropicElastic {
            e: DENSE_TA_E_MPA,
            nu: DENSE_TA_NU,
        }),
    )
    .with_density(DENSE_TA_DENSITY_T_PER_MM3)
}

/// The seed prosthesis' porous tantalum as a [`PorousTantalum`]: porosity 72 %
/// (biomechanics.md §0), dense-Ta struts, Gibson–Ashby C = 1 (unverified), n = 2,
/// ν = 0.3 (unverified).
pub fn porous_tantalum_seed_parameters() -> PorousTantalum {
    PorousTantalum {
        porosity: SEED_POROSITY,
        solid: IsotropicElastic {
            e: DENSE_TA_E_MPA,
            nu: DENSE_TA_NU,
        },
        scaling: GibsonAshby::default(),
        measured_modulus: None,
        nu: POROUS_TA_NU,
    }
}

/// Porous tantalum of the seed design, isotropic:
/// E = 1 · 186000 · (1 − 0.72)² = 14582.4 MPa ≈ 14.6 GPa (Gibson–Ashby open-cell,
/// derived; an ideal upper estimate, biomechanics.md §4), ν = 0.3 (unverified),
/// density 0.28 · 16.6e-9 = 4.648e-9 t/mm³ (derived from the unverified dense density).
///
/// The estimate lies in the seed's design range 10–30 GPa but well above measured SLM Ta
/// lattices, 1.3–5.72 GPa (Int J Bioprinting 2023; biomechanics.md §4): sweep
/// [`POROUS_TA_MODULUS_SWEEP_MPA`] in studies.
pub fn porous_tantalum_seed() -> Material {
    porous_tantalum_seed_parameters().to_material("porous_tantalum_seed")
}

// ---------------------------------------------------------------------------------------
// Ti-6Al-4V
// ---------------------------------------------------------------------------------------

/// Ti-6Al-4V Young's modulus, 110000 MPa (defaults table; between 105 GPa, fwmetals
/// datasheet, and 113.8 GPa, MatWeb ELI annealed, biomechanics.md §8).
pub const TI6AL4V_E_MPA: f64 = 110000.0;

/// Ti-6Al-4V Poisson's ratio, 0.34 (MatWeb 0.342; biomechanics.md §8 and defaults
/// table).
pub const TI6AL4V_NU: f64 = 0.34;

/// Ti-6Al-4V ELI density, 4.43 g/cm³ = 4.43e-9 t/mm³ (ASTM F136 / fwmetals datasheet,
/// biomechanics.md §8).
pub const TI6AL4V_DENSITY_T_PER_MM3: f64 = 4.43e-9;

/// Ti-6Al-4V ELI minimum yield strength, 795 MPa (ASTM F136; biomechanics.md §8, §9 and
/// defaults table). Screws pass when σ_vm < 795 MPa; FoS ≥ 2 recommended (engineering).
pub const TI6AL4V_YIELD_MPA: f64 = 795.0;

/// Ti-6Al-4V ELI fatigue strength of a notched specimen (Kt = 3.1) at 10⁷ cycles, 140 MPa
/// (MatWeb, annealed ELI; biomechanics.md §8): the nominal stress amplitude a part with a
/// hole-like notch (Kt ≈ 3, the hole in a plate) survives.
pub const TI6AL4V_NOTCHED_FATIGUE_MPA: f64 = 140.0;

/// Ti-6Al-4V ELI minimum ultimate tensile strength, 860 MPa (ASTM F136, biomechanics.md
/// §8).
pub const TI6AL4V_UTS_MPA: f64 = 860.0;

/// Ti-6Al-4V (ELI) for screws and plates, isotropic: E = 110000 MPa, ν = 0.34
/// (MatWeb; defaults table), density 4.43 g/cm³ = 4.43e-9 t/mm³ (ASTM F136 / fwmetals,
/// biomechanics.md §8). Yield: [`TI6AL4V_YIELD_MPA`].
pub fn ti6al4v() -> Material {
    Material::new(
        "ti6al4v",
        Elastic::Isotropic(IsotropicElastic {
            e: TI6AL4V_E_MPA,
            nu: TI6AL4V_NU,
        }),
    )
    .with_density(TI6AL4V_DENSITY_T_PER_MM3)
}

/// Every named material of this library, in the order of this module.
pub fn all() -> Vec<Material> {
    vec![
        cortical_bone(),
        cortical_bone_transversely_isotropic(),
        cortical_bone_orthotropic_ashman1984(),
        cancellous_bone(),
        dense_tantalum(),
        porous_tantalum_seed(),
        ti6al4v(),
    ]
}
