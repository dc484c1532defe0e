//! The report's headline pieces: the one-row-per-case console table, the headline analyses
//! (bounding moduli, construct stiffness, in-vivo strain) and the load-sharing paragraph.

use std::fmt::Write;

use crate::daily::DailyLoading;
use crate::headline::HeadlineAnalysis;
use crate::interface_sensitivity::VariedPair;
use crate::load_sharing::LoadSharing;
use crate::mechanostat::{MechanostatBands, StrainDistribution};
use crate::metrics::Status;
use crate::screw_comparison::ScrewModelComparison;
use crate::spec::ScrewModel;
use crate::study::StudyReport;

/// "12.3 %" or "–" for a share the load does not carry.
fn percent(v: Option<f64>) -> String {
    v.map_or("–".into(), |x| format!("{:.1} %", 100.0 * x))
}

/// "0.0123" or the text for a metric that does not apply.
fn opt(v: Option<f64>, digits: usize, none: &str) -> String {
    v.map_or(none.into(), |x| format!("{x:.digits$}"))
}

/// The console's headline table: one row per load case with the numbers a surgeon-engineer
/// reads first (knee load, migration, micromotion, implant and bone, shielding, checks).
pub fn headline_table(report: &StudyReport) -> String {
    let header = [
        "load case",
        "knee load (N)",
        "migration (mm)",
        "micromotion p95 (µm)",
        "porous Ta stress, sphere mean (MPa)",
        "diaphysis strain, sphere mean (µε)",
        "bone near implant < lazy zone",
        "failed checks",
    ];
    let rows: Vec<[String; 8]> = report
        .cases
        .iter()
        .map(|c| {
            let m = &c.metrics;
            let failed = c.checks.iter().filter(|k| k.status == Status::Fail).count();
            [
                m.name.clone(),
                format!("{:.0}", m.load_n),
                opt(m.migration.largest().map(|f| f.magnitude_mm), 4, "n/a"),
                opt(m.micromotion.statistics().map(|s| s.p95_um), 1, "n/a"),
                format!("{:.2}", m.judged_lattice_stress().verdict_mpa()),
                format!("{:.0}", m.bone.judged_shaft_microstrain()),
                format!("{:.1} %", 100.0 * m.shielding.near_fraction_below_lazy_zone),
                if failed == 0 {
                    "none".into()
                } else {
                    failed.to_string()
                },
            ]
        })
        .collect();
    let widths: Vec<usize> = (0..header.len())
        .map(|k| {
            rows.iter()
                .map(|r| r[k].chars().count())
                .chain(std::iter::once(header[k].chars().count()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    let line = |cells: &[String], out: &mut String| {
        for (k, c) in cells.iter().enumerate() {
            if k == 0 {
                let _ = write!(out, "{c:<w$}", w = widths[k]);
            } else {
                let _ = write!(out, "  {c:>w$}", w = widths[k]);
            }
        }
        out.push('\n');
    };
    line(&header.map(String::from), &mut out);
    for r in &rows {
        line(r, &mut out);
    }
    out
}

/// The headline section of report.md.
pub(super) fn headline_section(o: &mut String, h: &HeadlineAnalysis, body_source: &str) {
    let _ = writeln!(o, "## Headline case: {}\n", h.case);
    if let Some(chosen) = h.moduli.first() {
        let _ = writeln!(
            o,
            "**Which modulus, and why.** The prosthesis is modelled with E = {:.0} MPa along the tibial axis: {body_source}.",
            chosen.modulus_mpa
        );
    }
    if let Some(l) = &h.reference_lattice {
        let _ = writeln!(
            o,
            "That is an assumption, not a computation: the ideal {} lattice of the same porosity ({:.1} %, pore size {:.0} µm), homogenised by voxel micro-FE of its unit cell ({}³ voxels, dense-Ta struts), has E = {:.0} MPa and G_xy = {:.0} MPa (Zener anisotropy {:.2}: stiffer in shear than an isotropic solid of that E), and the 99th-percentile stress in its struts is {:.0} times the apparent axial stress (the seed's strength limits are apparent stresses of the lattice, so they are checked against the apparent stress).",
            l.cell,
            100.0 * l.porosity,
            l.pore_size_um,
            l.resolution,
            l.youngs_modulus_mpa[2],
            l.shear_modulus_mpa[0],
            l.zener,
            l.stress_concentration_axial_p99
        );
    }
    if let Some(note) = &h.reference_lattice_note {
        let _ = writeln!(o, "Note: {note}.");
    }
    let measured = match &h.reference_lattice {
        Some(l) if l.youngs_modulus_mpa[2] > 5720.0 => {
            "below this ideal geometry (strut defects, partly fused powder, few cells across a specimen, the compliance of compression tests; docs/lattice.md §7)"
        }
        Some(_) => {
            "about as stiff as or stiffer than this ideal geometry, which is very porous (printed specimens at this porosity are rare; docs/lattice.md §7)"
        }
        None => "(docs/lattice.md §7)",
    };
    let _ = writeln!(
        o,
        "Printed SLM porous-Ta lattices measure 1.3–5.7 GPa (biomechanics.md §4), {measured}, so the table re-runs the headline case {}at both ends of the plausible range.\n",
        if h.reference_lattice.is_some() {
            "with the computed lattice and "
        } else {
            ""
        }
    );
    let _ = writeln!(
        o,
        "**What if the lattice is as soft as measured?** The headline case re-run with other prosthesis moduli (printed lattices measure 1.3–5.7 GPa; the seed's design band is 10–30 GPa; biomechanics.md §4):\n\n| modulus (MPa) | why | porous Ta stress, sphere mean (MPa) | porous Ta peak (MPa) | migration max (mm) | micromotion p95 (µm) | bone near the implant below the lazy zone | largest zone shielding 1 − S | diaphysis strain, sphere mean (µε) | diaphysis strain peak (µε) |\n|---|---|---|---|---|---|---|---|---|---|"
    );
    for v in &h.moduli {
        let _ = writeln!(
            o,
            "| {:.0} | {} | {:.2} | {:.2} | {} | {} | {:.1} % | {:.3} | {:.0} | {:.0} |",
            v.modulus_mpa,
            v.label,
            v.porous_ta_judged_mpa,
            v.porous_ta_peak_mpa,
            opt(v.migration_max_mm, 4, "n/a (bonded)"),
            opt(v.micromotion_p95_um, 1, "n/a (bonded)"),
            100.0 * v.near_below_lazy_zone,
            v.max_zone_shielding,
            v.shaft_judged_microstrain,
            v.shaft_peak_microstrain
        );
    }
    if let Some(sens) = &h.interface_sensitivity {
        let _ = writeln!(
            o,
            "\n**Interface sensitivity** (frictional interface; the headline case re-run with the inputs of one interface changed one at a time, the other keeping the study's: the docking faces', then, with the flange in frictional contact, the flange's, whose μ and k_T are the docking faces' by assumption; micromotion and stick / slip / open are always the docking faces'):\n\n| variant | interface changed | μ | k_T (MPa/mm) | initial gap (mm) | micromotion p95 (µm) | max (µm) | stick / slip / open area |\n|---|---|---|---|---|---|---|---|"
        );
        for v in &sens.variants {
            let _ = writeln!(
                o,
                "| {} | {} | {:.2} | {:.2} | {} | {:.2} | {:.2} | {:.2} / {:.2} / {:.2} |",
                v.label,
                match v.pair {
                    VariedPair::Docking => "docking faces",
                    VariedPair::Flange => "flange–bone",
                },
                v.mu,
                v.stick_stiffness_mpa_per_mm,
                v.initial_gap_mm,
                v.p95_um,
                v.max_um,
                v.stick_slip_open[0],
                v.stick_slip_open[1],
                v.stick_slip_open[2]
            );
        }
        if let Some(ratio) = sens.stick_stiffness_ratio() {
            let _ = writeln!(
                o,
                "\nStick-stiffness ratio p95(k_T × 0.1) / p95(k_T × 10) = {ratio:.1} (100 when the micromotion is all elastic sticking, ∝ 1/k_T; 1 when k_T does not matter)."
            );
        }
        if sens.reflects_stick_stiffness() {
            let _ = writeln!(
                o,
                "The interface sticks almost everywhere and the micromotion scales with 1/k_T: it reflects the stick stiffness, an input (by default μ·1 MPa/0.05 mm, from the 50–400 µm that porous coatings move on bone before full friction, biomechanics.md §4), not a result of the construct. The tissue verdict of every case is therefore reported as info, not PASS/FAIL. Read the stick / slip / open fractions and the gap rows instead."
            );
        }
        if let Some(r) = sens.measured_slip_range() {
            let _ = writeln!(
                o,
                "Over the measured elastic slip δ = {:.0}–{:.0} µm (k_T = μ·1 MPa/δ) the p95 is {:.1}–{:.1} µm; the default δ = 50 µm is the stiff end, the one with the least micromotion.",
                1000.0 * r.stiff_delta_mm,
                1000.0 * r.soft_delta_mm,
                r.stiff_p95_um,
                r.soft_p95_um
            );
        }
        if let Some(chosen) = sens.variants.first() {
            let flange = sens
                .variants
                .iter()
                .filter(|v| v.pair == VariedPair::Flange)
                .map(|v| (v.p95_um - chosen.p95_um) / chosen.p95_um)
                .fold(None, |acc: Option<f64>, d| {
                    Some(acc.map_or(d, |a| if d.abs() > a.abs() { d } else { a }))
                });
            if let Some(d) = flange {
                let _ = writeln!(
                    o,
                    "The flange rows move the docking p95 by at most {:+.1} %: {}",
                    100.0 * d,
                    if d.abs() < 0.05 {
                        "in this model, whose screws are locked in the flange and bonded to the bone (no thread slip, no preload), the screws rather than the flange's friction on the periosteum hold the prosthesis through the flange, so the assumed μ and k_T of titanium on periosteum matter little. The bonded thread is the stiffest anchorage there is: a compliant screw–bone anchorage (thread toggle, osteoporotic or resorbing bone) or lag screws that press the plate on the bone would shift load to the flange contact and the docking faces."
                    } else {
                        "the flange's friction on the periosteum shares the load the screws carry, so its assumed μ and k_T (no measurement for titanium on periosteum was found) change the answer."
                    }
                );
            }
            let _ = writeln!(
                o,
                "μ acts only where the interface slides: as chosen, {:.1} % of the docking area slips and {:.1} % sticks, so μ ± 0.2 changes the micromotion little; where nothing slides the friction limit μ·p is never reached and the motion is the elastic τ/k_T of the sticking faces.",
                100.0 * chosen.stick_slip_open[1],
                100.0 * chosen.stick_slip_open[0]
            );
        }
    }
    if let Some(s) = &h.screw_model {
        screw_model_table(o, s);
    }
    let c = &h.construct;
    let _ = writeln!(
        o,
        "\n**Construct stiffness** (unit cases at the plateau centre: {:.1} N axial, {} N·m torque; plateau rigid motion relative to the ankle support):\n\n| | reconstructed | intact | ratio |\n|---|---|---|---|\n| axial (N/mm) | {:.0} | {:.0} | {:.3} |\n| torsional (N·m/°) | {:.3} | {:.3} | {:.3} |\n{}\n{} The axial value is of the order of EA/L of the whole shaft under a centred load; bench tests of reconstructed bones (off-axis loading, potting, machine compliance) measure other quantities and are not comparable.\n",
        c.axial_load_n,
        c.torque_nm,
        c.axial_n_per_mm,
        c.intact_axial_n_per_mm,
        c.axial_ratio(),
        c.torsional_nm_per_deg,
        c.intact_torsional_nm_per_deg,
        c.torsional_ratio(),
        match c.preloaded_torsional_nm_per_deg {
            Some(k) => format!(
                "| torsional under a {:.1} N axial preload (N·m/°) | {k:.3} | {:.3} (linear) | {:.3} |\n\nWithout an axial load the docking faces carry no friction and the torque goes through the flange and the screws alone; under the preload their friction shares it (the preload applied first, then the torque, with the contact history between).\n",
                c.axial_load_n,
                c.intact_torsional_nm_per_deg,
                k / c.intact_torsional_nm_per_deg
            ),
            None => String::new(),
        },
        if c.preloaded_torsional_nm_per_deg.is_some() {
            "With the frictional interface this is the construct as implanted, before ingrowth: the docking faces and the flange hold by friction where they are pressed together."
        } else {
            "With the bonded interface this is the fully osseointegrated construct, an upper bound: bone, prosthesis and a bonded metal flange act as one section, so it can exceed the intact bone."
        }
    );
    match &h.in_vivo {
        Some(v) => {
            let _ = writeln!(
                o,
                "**In-vivo strain** (intact tibia, {}): at the antero-medial mid-shaft surface (z = {:.0} mm, {} points) the model's principal strains are {:.0} µε (compressive) and {:.0} µε (tensile); measured in walking {:.0} µε ({}). Ratio model / measured: {:.2} (agreement band: a factor of 2, one subject).\n",
                v.case,
                v.z_mm,
                v.n_points,
                v.min_principal_microstrain,
                v.max_principal_microstrain,
                v.measured_microstrain,
                v.source,
                v.ratio
            );
        }
        None => {
            let _ = writeln!(
                o,
                "**In-vivo strain**: no walking case at full weight-bearing, or no cortex at the gauge site (antero-medial mid-shaft), so no comparison.\n"
            );
        }
    }
}

/// The headline case with the study's screw model and the other one.
fn screw_model_table(o: &mut String, s: &ScrewModelComparison) {
    let _ = writeln!(
        o,
        "\n**Screw model** (the headline case re-run on a mesh with the other screw model: drilled holes, the screws sharing their nodes with the hole walls, or screws embedded in flange and bone without holes):\n\n| screws | micromotion p95 / max (µm) | migration (mm) | screws von Mises peak / p99 (MPa) | at bone entry (MPa) | flange von Mises peak / p99 (MPa) | diaphysis strain, sphere mean (µε) | near bone below the lazy zone |\n|---|---|---|---|---|---|---|---|"
    );
    let pair = |v: Option<[f64; 2]>, digits: usize| {
        v.map_or("–".into(), |[a, b]| {
            format!("{a:.digits$} / {b:.digits$}")
        })
    };
    for r in &s.rows {
        let _ = writeln!(
            o,
            "| {} | {} | {} | {} | {} | {} | {:.0} | {:.1} % |",
            match r.model {
                ScrewModel::Drilled => "in drilled holes",
                ScrewModel::Embedded => "embedded (simplified)",
            },
            pair(r.micromotion_p95_max_um, 1),
            opt(r.migration_max_mm, 4, "n/a (bonded)"),
            pair(r.screw_von_mises_mpa, 1),
            opt(r.screw_entry_von_mises_mpa, 1, "–"),
            pair(r.flange_von_mises_mpa, 1),
            r.shaft_judged_microstrain,
            100.0 * r.near_below_lazy_zone
        );
    }
    let _ = writeln!(
        o,
        "\nEmbedded screws add their stiffness to flange and bone where they overlap and leave the hole's stress concentration out; drilled holes remove the screw volume and bond the threaded shaft to both cortices. The peaks sit on singular edges (hole rims, screw tips) and differ with the model; the p95, p99 and sphere means are the comparable numbers."
    );
}

/// The load-sharing paragraph of one case.
pub(super) fn load_sharing_paragraph(o: &mut String, s: &Option<LoadSharing>) {
    let Some(s) = s else {
        return;
    };
    let t = &s.total;
    let _ = writeln!(
        o,
        "\nLoad sharing at mid-defect (element layer z = {:.1}–{:.1} mm; moments about the tibial axis): total through the section F_z {:.1} N, M_x {:.0}, M_y {:.0}, M_z {:.0} N·mm.\n\n| part | axial force | bending M_x | bending M_y | torque M_z |\n|---|---|---|---|---|\n| prosthesis | {} | {} | {} | {} |\n| flange | {} | {} | {} | {} |\n",
        s.slab_mm[0],
        s.slab_mm[1],
        t.force_n[2],
        t.moment_nmm[0],
        t.moment_nmm[1],
        t.moment_nmm[2],
        percent(s.prosthesis_fraction[0]),
        percent(s.prosthesis_fraction[1]),
        percent(s.prosthesis_fraction[2]),
        percent(s.prosthesis_fraction[3]),
        percent(s.flange_fraction[0]),
        percent(s.flange_fraction[1]),
        percent(s.flange_fraction[2]),
        percent(s.flange_fraction[3]),
    );
}

/// The daily-loading section of report.md: cycles, fatigue years, daily stimulus per zone.
pub(super) fn daily_section(o: &mut String, d: &DailyLoading) {
    let _ = writeln!(
        o,
        "## A day of loading\n\nCycles a day of knee-replacement patients (3102 walking cycles, 65 of them on stairs; BioMed Res Int 2015:157541, authors unverified; biomechanics.md §5.1) and the porous-Ta stress each cycle reaches (the larger of Deshpande–Fleck and von Mises) — its mean over a sphere at the hot spot (what the lattice checks judge: the homogenised lattice's stress over a few cells; biomechanics.md §9), the pointwise peak (singular at a contact or tie edge, it grows with mesh refinement) and the 99th percentile by volume (mesh-converged, but a quantile of the part, not of its hot spot) — against the seed's fatigue strength of 10 MPa at 10⁶ cycles (biomechanics.md §9):\n\n| activity | cycles a day | porous Ta, sphere mean (MPa) | porous Ta peak (MPa) | porous Ta p99 (MPa) | years to 10⁶ cycles of it |\n|---|---|---|---|---|---|"
    );
    for a in &d.activities {
        let _ = writeln!(
            o,
            "| {}{} | {} | {:.2} | {:.2} | {:.2} | {:.1} |",
            a.case,
            if a.in_stimulus {
                ""
            } else {
                " (the same steps with their peak torsion: fatigue only)"
            },
            a.cycles_per_day,
            a.porous_ta_judged_mpa,
            a.porous_ta_peak_mpa,
            a.porous_ta_p99_mpa,
            a.years_to_fatigue_cycles
        );
    }
    let [knee, hip] = d.walking_years_to_fatigue_cycles;
    let _ = writeln!(
        o,
        "\n10⁶ walking cycles are {knee:.2} years of walking for knee-replacement patients and {hip:.2} years for total-hip patients (2.24 million cycles a year, Kinkel et al. 2009). The seed's fatigue strength therefore covers less than a year; a life of 10–20 years means 10⁷ cycles and more, for which the seed gives no strength: no fatigue verdict beyond the first year follows from these data (an S–N curve of the printed lattice is needed).\n"
    );
    bands_table(
        o,
        &d.envelope,
        "**The day's peak-strain envelope** in the mechanostat bands (at each bone point the largest |principal strain| over these activities — what Frost's thresholds refer to, unlike the single cases' bands below):",
    );
    let s = &d.shielding;
    let _ = writeln!(
        o,
        "**Daily stimulus** (Huiskes: strain energy summed over the day's cycles, Σ nᵢ Uᵢ, reconstructed vs intact; bone below the lazy zone S < {:.2}: {:.1} % within the flange span, {:.1} % of all bone):\n\n| zone | daily stimulus, reconstructed | intact | S | 1 − S | volume below the lazy zone |\n|---|---|---|---|---|---|",
        1.0 - s.lazy_zone_s,
        100.0 * s.near_fraction_below_lazy_zone,
        100.0 * s.bone_fraction_below_lazy_zone
    );
    for z in &s.zones {
        let _ = writeln!(
            o,
            "| {} | {:.4} | {:.4} | {:.3} | {:.3} | {:.1} % |",
            z.name,
            z.sed_implanted,
            z.sed_intact,
            z.ratio,
            z.shielding,
            100.0 * z.fraction_below_lazy_zone
        );
    }
    let _ = writeln!(o);
}

/// A table of the mechanostat band volume fractions (all bone and diaphysis, reconstructed
/// and intact) after the paragraph `intro`.
pub(super) fn bands_table(o: &mut String, d: &StrainDistribution, intro: &str) {
    let _ = writeln!(
        o,
        "{intro}\n\n| band | all bone, reconstructed | all bone, intact | diaphysis, reconstructed | diaphysis, intact |\n|---|---|---|---|---|"
    );
    let columns = [
        d.implanted.as_array(),
        d.intact.as_array(),
        d.diaphysis_implanted.as_array(),
        d.diaphysis_intact.as_array(),
    ];
    for (k, label) in MechanostatBands::LABELS.iter().enumerate() {
        let _ = writeln!(
            o,
            "| {label} | {:.1} % | {:.1} % | {:.1} % | {:.1} % |",
            100.0 * columns[0][k],
            100.0 * columns[1][k],
            100.0 * columns[2][k],
            100.0 * columns[3][k]
        );
    }
    let _ = writeln!(o);
}
