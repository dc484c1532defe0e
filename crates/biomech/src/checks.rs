//! The pass/fail checks of one load case against the clinical targets: implant migration,
//! micromotion, porous-Ta strength, flange, screws, bone strain and stress, lazy zone. Each
//! row names its value, target and source (biomechanics.md).

use osteon_material::library;

use crate::metrics::{
    BoneStrain, CaseMetrics, Check, MigrationMetric, Status, StressShielding, StressStat, format_um,
};
use crate::migration::Migration;
use crate::spec::{FlangeMaterial, MetricSpec};

/// The pass/fail rows of one case against the clinical targets: implant migration, bone
/// displacement, micromotion, porous-Ta strength, flange, screws, bone strain and stress, lazy zone.
pub fn checks(m: &CaseMetrics, spec: &MetricSpec) -> Vec<Check> {
    let mut rows = Vec::new();
    rows.extend(migration_checks(m, spec));
    rows.push(micromotion_check(m));
    rows.extend(porous_tantalum_checks(
        &m.porous_tantalum,
        m.porous_tantalum_multiaxial.as_ref(),
    ));
    rows.extend(
        m.flange
            .as_ref()
            .map(|f| flange_check(f, m.flange_material)),
    );
    rows.extend(m.screws.as_ref().map(screw_check));
    rows.extend(bone_checks(&m.bone, spec));
    rows.push(lazy_zone_check(&m.shielding));
    rows
}

/// Pass when `ok`, else fail.
fn pass_fail(ok: bool) -> Status {
    if ok { Status::Pass } else { Status::Fail }
}

/// Implant migration against the seed's 2 mm, and its subsidence and rotation against the
/// study brief's 1 mm and 5°; one "not applicable" row for a bonded interface.
fn migration_checks(m: &CaseMetrics, spec: &MetricSpec) -> Vec<Check> {
    let faces = match &m.migration {
        MigrationMetric::NotApplicable { reason } => {
            return vec![Check {
                criterion: "implant migration relative to the bone fragments".into(),
                value: format!("not applicable ({reason})"),
                target: format!("< {} mm", spec.interface_displacement_limit_mm),
                status: Status::NotApplicable,
                source: "seed (biomechanics.md §0)".into(),
            }];
        }
        MigrationMetric::Computed { faces } => faces,
    };
    let worst = |key: fn(&Migration) -> f64| {
        faces
            .iter()
            .max_by(|a, b| key(a).total_cmp(&key(b)))
            .map(|f| (f.interface.clone(), key(f)))
    };
    let mut rows = Vec::new();
    if let Some((face, v)) = worst(|f| f.magnitude_mm) {
        rows.push(Check {
            criterion: format!(
                "implant migration, |translation| relative to the fragment ({face})"
            ),
            value: format!("{v:.4} mm"),
            target: format!("< {} mm", spec.interface_displacement_limit_mm),
            status: pass_fail(v < spec.interface_displacement_limit_mm),
            source: "seed (biomechanics.md §0)".into(),
        });
    }
    if let Some((face, v)) = worst(|f| f.subsidence_mm) {
        rows.push(Check {
            criterion: format!("implant subsidence into the fragment ({face})"),
            value: format!("{v:.4} mm"),
            target: format!("< {} mm", spec.subsidence_limit_mm),
            status: pass_fail(v < spec.subsidence_limit_mm),
            source: "study brief (issue 12); not in biomechanics.md".into(),
        });
    }
    if let Some((face, v)) = worst(|f| f.rotation_deg) {
        rows.push(Check {
            criterion: format!("implant rotation relative to the fragment ({face})"),
            value: format!("{v:.4}°"),
            target: format!("< {}°", spec.rotation_limit_deg),
            status: pass_fail(v < spec.rotation_limit_deg),
            source: "study brief (issue 12); not in biomechanics.md".into(),
        });
    }
    rows
}

/// The area-weighted 95th percentile of the micromotion against the seed's 50–100 µm band,
/// read as what it means (not applicable when bonded): inside the band PASS; below it
/// "stable, ingrowth favourable, little callus stimulus" (info, not a failure: Pilliar 1986
/// saw ingrowth below 28 µm); 100–150 µm above the band but below the fibrous-tissue
/// threshold (info); above 150 µm "fibrous-tissue risk" (FAIL; Jasty 1997). The p95, not the
/// peak: the peak is one sample point and moves with the mesh.
fn micromotion_check(m: &CaseMetrics) -> Check {
    let (value, status) = match m.micromotion.statistics() {
        None => ("not applicable (bonded)".to_string(), Status::NotApplicable),
        Some(s) => {
            let v = s.p95_um;
            let (meaning, status) = if v < 50.0 {
                (
                    "below the band: stable, ingrowth favourable, little callus stimulus",
                    Status::Info,
                )
            } else if v <= 100.0 {
                ("in the band", Status::Pass)
            } else if v <= 150.0 {
                (
                    "above the band, below the fibrous-tissue threshold",
                    Status::Info,
                )
            } else {
                ("fibrous-tissue risk", Status::Fail)
            };
            (
                format!("{} (max {}): {meaning}", format_um(v), format_um(s.max_um)),
                status,
            )
        }
    };
    Check {
        criterion: "micromotion p95 (by area) against the seed's 50–100 µm band".into(),
        value,
        target: "50–100 µm; < 50 stable, > 150 fibrous tissue".into(),
        status,
        source: "seed (biomechanics.md §0); Pilliar 1986 28 µm, Jasty 1997 150 µm (§6)".into(),
    }
}

/// Porous Ta against the static and the fatigue strength: the larger of the multiaxial
/// (Deshpande–Fleck) and the von Mises peak where both are computed — the first catches
/// pressure, the second is the larger in shear (σ̂ = 0.82 σ_vm there) — else von Mises.
fn porous_tantalum_checks(ta: &StressStat, multiaxial: Option<&StressStat>) -> [Check; 2] {
    let row = |what: &str, limit: f64| match multiaxial {
        Some(m) => Check {
            criterion: format!(
                "{}: peak stress vs {what} (the larger of Deshpande–Fleck and von Mises)",
                ta.part
            ),
            value: format!(
                "Deshpande–Fleck {:.2} MPa (p99 {:.2}); von Mises {:.2} (p99 {:.2})",
                m.peak_mpa, m.p99_mpa, ta.peak_mpa, ta.p99_mpa
            ),
            target: format!("< {limit} MPa"),
            status: pass_fail(m.peak_mpa.max(ta.peak_mpa) < limit),
            source: "seed specimen tests (biomechanics.md §0, §9); Deshpande & Fleck 2000".into(),
        },
        None => Check {
            criterion: format!("{}: peak von Mises vs {what}", ta.part),
            value: format!("{:.2} MPa (p99 {:.2})", ta.peak_mpa, ta.p99_mpa),
            target: format!("< {limit} MPa"),
            status: pass_fail(ta.peak_mpa < limit),
            source: "seed specimen tests (biomechanics.md §0, §9)".into(),
        },
    };
    [
        row("static strength", library::POROUS_TA_STATIC_STRENGTH_MPA),
        row(
            "fatigue limit (10⁶ cycles)",
            library::POROUS_TA_FATIGUE_STRENGTH_MPA,
        ),
    ]
}

/// A flange that is not porous Ta: against its yield strength where biomechanics.md gives
/// one (Ti-6Al-4V), else reported without a target.
fn flange_check(f: &StressStat, material: FlangeMaterial) -> Check {
    let strength = material.yield_strength_mpa();
    Check {
        criterion: format!("{}: peak von Mises", f.part),
        value: format!("{:.2} MPa (p99 {:.2})", f.peak_mpa, f.p99_mpa),
        target: match strength {
            Some((y, _)) => format!("< {y} MPa"),
            None => "no strength in biomechanics.md".into(),
        },
        status: match strength {
            Some((y, _)) => pass_fail(f.peak_mpa < y),
            None => Status::Info,
        },
        source: match strength {
            Some((_, source)) => source.into(),
            None => "—".into(),
        },
    }
}

/// The screws' peak von Mises against the Ti-6Al-4V yield strength.
fn screw_check(sc: &StressStat) -> Check {
    Check {
        criterion: format!("{}: peak von Mises vs yield", sc.part),
        value: format!(
            "{:.1} MPa (FoS {:.1})",
            sc.peak_mpa,
            library::TI6AL4V_YIELD_MPA / sc.peak_mpa.max(f64::MIN_POSITIVE)
        ),
        target: format!("< {} MPa (FoS ≥ 2 recommended)", library::TI6AL4V_YIELD_MPA),
        status: pass_fail(sc.peak_mpa < library::TI6AL4V_YIELD_MPA),
        source: "ASTM F136 (biomechanics.md §8, §9)".into(),
    }
}

/// Bone strain against the mechanostat limit, bone stress against the cortical strength.
fn bone_checks(b: &BoneStrain, spec: &MetricSpec) -> [Check; 2] {
    [
        Check {
            criterion: "bone: peak |principal strain| in the diaphysis (the metaphyses carry the idealised knee load and ankle support)".into(),
            value: format!(
                "{:.0} µε at z = {:.0} mm (intact {:.0}); elsewhere, not judged: {:.0} µε at z = {:.0} mm (p99 {:.0}; intact {:.0}), next to the idealised knee load or ankle support when in a metaphysis",
                b.shaft_peak_microstrain,
                b.shaft_peak_at_mm[2],
                b.intact_shaft_peak_microstrain,
                b.peak_microstrain,
                b.peak_at_mm[2],
                b.p99_microstrain,
                b.intact_peak_microstrain,
            ),
            target: format!("< {} µε", spec.bone_strain_limit_microstrain),
            status: pass_fail(b.shaft_peak_microstrain < spec.bone_strain_limit_microstrain),
            source: "Frost mechanostat (biomechanics.md §9)".into(),
        },
        Check {
            criterion: "bone: principal stresses vs cortical strength".into(),
            value: format!(
                "{:.1} MPa tension, {:.1} MPa compression",
                b.max_tensile_stress_mpa, b.max_compressive_stress_mpa
            ),
            target: format!(
                "< {} MPa tension, < {} MPa compression",
                library::CORTICAL_TENSILE_STRENGTH_MPA,
                library::CORTICAL_COMPRESSIVE_STRENGTH_MPA
            ),
            status: pass_fail(
                b.max_tensile_stress_mpa < library::CORTICAL_TENSILE_STRENGTH_MPA
                    && b.max_compressive_stress_mpa < library::CORTICAL_COMPRESSIVE_STRENGTH_MPA,
            ),
            source: "Reilly & Burstein 1975, unverified (biomechanics.md §3.1, §9)".into(),
        },
    ]
}

/// The bone volume below the lazy zone (no clinical target).
fn lazy_zone_check(sh: &StressShielding) -> Check {
    Check {
        criterion: format!(
            "bone volume below the lazy zone (S < {:.2}), within the flange span / all bone",
            1.0 - sh.lazy_zone_s
        ),
        value: format!(
            "{:.1} % / {:.1} %",
            100.0 * sh.near_fraction_below_lazy_zone,
            100.0 * sh.bone_fraction_below_lazy_zone
        ),
        target: "no clinical target (resorption predicted below)".into(),
        status: Status::Info,
        source: "Huiskes 1987, s = 0.75 unverified (biomechanics.md §7)".into(),
    }
}
