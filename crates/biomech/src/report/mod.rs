//! The study report as Markdown and JSON, and the console metric table.

mod headline;

pub use headline::headline_table;

use std::fmt::Write as _;
use std::path::Path;

use osteon_io::write_atomically;

use crate::error::BiomechError;
use crate::metrics::{
    BoneStrain, CaseMetrics, MicromotionMetric, MigrationMetric, StressShielding,
};
use crate::study::{CaseReport, StudyReport};

/// Write `report.json` and `report.md` into `dir` (created if missing), atomically.
pub fn write_report(report: &StudyReport, dir: &Path) -> Result<(), BiomechError> {
    std::fs::create_dir_all(dir).map_err(|e| BiomechError::Io(osteon_io::IoError::os(dir, e)))?;
    let json = serde_json::to_string_pretty(report)
        .map_err(|e| BiomechError::construction(format!("report serialisation: {e}")))?;
    write_atomically(&dir.join("report.json"), |w| w.write_all(json.as_bytes()))?;
    let md = markdown(report);
    write_atomically(&dir.join("report.md"), |w| w.write_all(md.as_bytes()))?;
    Ok(())
}

/// Escape `|` for a Markdown table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

/// Three decimals, without a "−0.000" for values that round to zero (JSON keeps them exact).
fn f3(v: f64) -> String {
    if !v.is_finite() {
        "—".into()
    } else if v.abs() < 5e-4 {
        "0.000".into()
    } else {
        format!("{v:.3}")
    }
}

/// The compact metric table printed by the examples: one column per load case.
pub fn metric_table(report: &StudyReport) -> String {
    let mut rows = MetricRows {
        cases: &report.cases,
        rows: Vec::new(),
    };
    displacement_rows(&mut rows);
    stress_and_strain_rows(&mut rows);
    shielding_and_check_rows(&mut rows);
    rows.table()
}

/// The rows of [`metric_table`]: a label and one cell per load case.
struct MetricRows<'a> {
    cases: &'a [CaseReport],
    rows: Vec<(String, Vec<String>)>,
}

impl MetricRows<'_> {
    /// A row: `cell` formats the metric of each case.
    fn push(&mut self, label: &str, cell: impl Fn(&CaseMetrics) -> String) {
        let cells = self.cases.iter().map(|c| cell(&c.metrics)).collect();
        self.rows.push((label.to_string(), cells));
    }

    /// The first case's metrics (the labels of per-interface and per-zone rows).
    fn first(&self) -> Option<&CaseMetrics> {
        self.cases.first().map(|c| &c.metrics)
    }

    /// The rows as a table: a header with the case names, columns right-aligned.
    fn table(&self) -> String {
        let (cases, rows) = (self.cases, &self.rows);
        let w0 = rows.iter().map(|r| r.0.chars().count()).max().unwrap_or(0);
        let widths: Vec<usize> = (0..cases.len())
            .map(|i| {
                rows.iter()
                    .map(|r| r.1[i].chars().count())
                    .chain(std::iter::once(cases[i].metrics.name.chars().count()))
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let mut out = String::new();
        let _ = write!(out, "{:w0$}", "metric");
        for (i, c) in cases.iter().enumerate() {
            let _ = write!(out, "  {:>w$}", c.metrics.name, w = widths[i]);
        }
        out.push('\n');
        for (label, vals) in rows {
            let _ = write!(out, "{label:w0$}");
            for (i, v) in vals.iter().enumerate() {
                let _ = write!(out, "  {:>w$}", v, w = widths[i]);
            }
            out.push('\n');
        }
        out
    }
}

/// Load, interface and prosthesis displacements, micromotion.
fn displacement_rows(rows: &mut MetricRows<'_>) {
    rows.push("load (N)", |m| format!("{:.1}", m.load_n));
    let names: Vec<String> = rows
        .first()
        .map(|m| m.interfaces.iter().map(|i| i.name.clone()).collect())
        .unwrap_or_default();
    for (k, name) in names.iter().enumerate() {
        rows.push(&format!("bone |u| at {name}, max / mean (mm)"), |m| {
            let x = &m.interfaces[k];
            format!("{:.4} / {:.4}", x.max_mm, x.mean_mm)
        });
    }
    rows.push("prosthesis max |u| (mm)", |m| {
        format!("{:.4}", m.implant_max_displacement_mm)
    });
    rows.push("implant migration, max (mm)", |m| {
        match m.migration.largest() {
            None => "not applicable (bonded)".into(),
            Some(f) => format!("{:.4} ({})", f.magnitude_mm, f.interface),
        }
    });
    rows.push("micromotion", |m| match m.micromotion.statistics() {
        None => "not applicable (bonded)".into(),
        Some(s) => crate::metrics::format_um(s.max_um),
    });
}

/// Implant stresses and bone strains.
fn stress_and_strain_rows(rows: &mut MetricRows<'_>) {
    rows.push("porous Ta σvm peak / p99 (MPa)", |m| {
        let t = &m.porous_tantalum;
        format!("{:.2} / {:.2}", t.peak_mpa, t.p99_mpa)
    });
    rows.push("screws σvm peak / p99 / mean (MPa)", |m| {
        m.screws.as_ref().map_or("—".into(), |s| {
            format!("{:.1} / {:.1} / {:.1}", s.peak_mpa, s.p99_mpa, s.mean_mpa)
        })
    });
    rows.push("bone |ε| peak / p99 (µε)", |m| {
        format!(
            "{:.0} / {:.0}",
            m.bone.peak_microstrain, m.bone.p99_microstrain
        )
    });
    rows.push("diaphysis |ε| peak / p99 (µε)", |m| {
        format!(
            "{:.0} / {:.0}",
            m.bone.shaft_peak_microstrain, m.bone.shaft_p99_microstrain
        )
    });
    rows.push("diaphysis |ε| sphere mean (µε)", |m| {
        format!("{:.0}", m.bone.judged_shaft_microstrain())
    });
}

/// Lazy zone and shielding per zone, equilibrium, failed checks.
fn shielding_and_check_rows(rows: &mut MetricRows<'_>) {
    rows.push("bone below lazy zone, near / all (%)", |m| {
        let s = &m.shielding;
        format!(
            "{:.1} / {:.1}",
            100.0 * s.near_fraction_below_lazy_zone,
            100.0 * s.bone_fraction_below_lazy_zone
        )
    });
    let zones: Vec<String> = rows
        .first()
        .map(|m| m.shielding.zones.iter().map(|z| z.name.clone()).collect())
        .unwrap_or_default();
    for (k, name) in zones.iter().enumerate() {
        rows.push(&format!("shielding 1 − S, {name}"), |m| {
            f3(m.shielding.zones[k].shielding)
        });
    }
    rows.push("equilibrium |ΣR + ΣF| / |F|", |m| {
        format!("{:.1e}", m.equilibrium.relative_error)
    });
    rows.push("moment equilibrium |ΣM| / (|F| L)", |m| {
        format!("{:.1e}", m.equilibrium.moment_relative_error)
    });
    let cells: Vec<String> = rows
        .cases
        .iter()
        .map(|c| {
            let failed = c
                .checks
                .iter()
                .filter(|c| c.status == crate::metrics::Status::Fail)
                .count();
            if failed == 0 {
                "none".into()
            } else {
                failed.to_string()
            }
        })
        .collect();
    rows.rows.push(("checks failed".to_string(), cells));
}

/// Every load case's pass/fail checks for the console: a "case (load N):" line, then one
/// "  \[PASS\] criterion: value (target …)" line per check.
pub fn check_lines(report: &StudyReport) -> String {
    let mut out = String::new();
    for case in &report.cases {
        let _ = writeln!(out, "{} ({:.1} N):", case.metrics.name, case.metrics.load_n);
        for c in &case.checks {
            let _ = writeln!(
                out,
                "  [{:>4}] {}: {} (target {})",
                c.status.label(),
                c.criterion,
                c.value,
                c.target
            );
        }
    }
    out
}

/// One console line on the size of the run: nodes, elements, free DOF of the implanted and
/// intact models, and build, solve and total wall-clock seconds.
pub fn run_summary(report: &StudyReport) -> String {
    let t = &report.timings;
    format!(
        "mesh: {} nodes, {} elements; free DOF implanted {} / intact {}; build {:.1} s, solve {:.1} s + {:.1} s, total {:.1} s",
        report.mesh.nodes[0],
        report.mesh.elements[0],
        t.implanted.free_dofs,
        t.intact.free_dofs,
        t.build_s,
        t.implanted.total_s(),
        t.intact.total_s(),
        t.total_s
    )
}

/// The Markdown report: title, pass/fail table, inputs, mesh, metrics per case, plots,
/// published comparators, timings, files, notes; one function per section.
pub fn markdown(r: &StudyReport) -> String {
    let mut o = String::new();
    title_section(&mut o, r);
    checks_section(&mut o, r);
    inputs_section(&mut o, r);
    mesh_section(&mut o, r);
    if let Some(h) = &r.headline {
        let body_source = r
            .materials
            .iter()
            .find(|m| m.role == "prosthesis body")
            .map_or("see the materials table", |m| m.source.as_str());
        headline::headline_section(&mut o, h, body_source);
    }
    if let Some(d) = &r.daily {
        headline::daily_section(&mut o, d);
    }
    metrics_section(&mut o, r);
    plots_section(&mut o, r);
    comparators_section(&mut o);
    timings_section(&mut o, r);
    files_section(&mut o, r);
    notes_section(&mut o, r);
    o
}

/// The title and the one-paragraph summary of the study.
fn title_section(o: &mut String, r: &StudyReport) {
    let s = &r.study;
    let title = if s.name.is_empty() {
        "tibial defect reconstruction"
    } else {
        s.name.as_str()
    };
    let _ = writeln!(o, "# osteon study: {title}\n");
    let _ = writeln!(
        o,
        "Segmental defect of {:.1} mm ({:.1}–{:.1} mm from the distal end) bridged by a porous-tantalum prosthesis (E = {:.0} MPa), interface {}; {} kg body weight = {:.1} N. Units: mm, N, MPa, µε.\n",
        s.defect.length_mm,
        r.defect_z_mm[0],
        r.defect_z_mm[1],
        r.implant_modulus_mpa,
        s.interface.label(),
        s.loads.body_mass_kg,
        r.body_weight_n
    );
}

/// The pass/fail table of every load case.
fn checks_section(o: &mut String, r: &StudyReport) {
    let _ = writeln!(o, "## Pass/fail against the clinical targets\n");
    for c in &r.cases {
        let _ = writeln!(o, "### {} ({:.1} N)\n", c.metrics.name, c.metrics.load_n);
        let _ = writeln!(
            o,
            "| criterion | value | target | result | source |\n|---|---|---|---|---|"
        );
        for k in &c.checks {
            let _ = writeln!(
                o,
                "| {} | {} | {} | **{}** | {} |",
                cell(&k.criterion),
                cell(&k.value),
                cell(&k.target),
                k.status.label(),
                cell(&k.source)
            );
        }
        let _ = writeln!(o);
    }
}

/// A row of the inputs table: input, value, unit.
type InputRow = (String, String, &'static str);

/// The inputs table (geometry, implant, loads, metrics) and the materials table.
fn inputs_section(o: &mut String, r: &StudyReport) {
    let s = &r.study;
    let _ = writeln!(o, "## Inputs\n");
    let _ = writeln!(o, "| input | value | unit |\n|---|---|---|");
    let geometry_rows: Vec<InputRow> = match &s.patient_mesh {
        Some(p) => patient_rows(p),
        None => parametric_rows(&s.geometry),
    };
    let rows = geometry_rows
        .into_iter()
        .chain(implant_rows(r))
        .chain(load_rows(r));
    for (a, b, c) in rows {
        let _ = writeln!(o, "| {a} | {b} | {c} |");
    }
    let _ = writeln!(
        o,
        "\n| material | name | E along the tibial axis (MPa) | elastic constants | source |\n|---|---|---|---|---|"
    );
    for m in &r.materials {
        let _ = writeln!(
            o,
            "| {} | {} | {:.0} | {} | {} |",
            m.role,
            m.name.replace('_', " "),
            m.e_axial_mpa,
            m.constants,
            m.source
        );
    }
}

/// Input rows of a patient mesh: the file and its set names.
fn patient_rows(p: &crate::patient::PatientMeshSpec) -> Vec<InputRow> {
    vec![
        (
            "patient mesh".into(),
            format!("`{}`", p.path.display()),
            "–",
        ),
        (
            "bone sets: cortical / cancellous".into(),
            format!("{} / {}", p.cortical_set, p.cancellous_set),
            "–",
        ),
        (
            "distal fixation / plateau medial, lateral".into(),
            format!(
                "{} / {}, {}",
                p.distal_fixation_set, p.plateau_medial_surface, p.plateau_lateral_surface
            ),
            "–",
        ),
    ]
}

/// Input rows of the defect, the prosthesis, the flange and the screws.
fn implant_rows(r: &StudyReport) -> Vec<InputRow> {
    let s = &r.study;
    vec![
        (
            "defect length / docking planes".into(),
            format!(
                "{} / {:.1}, {:.1}",
                s.defect.length_mm, r.defect_z_mm[0], r.defect_z_mm[1]
            ),
            "mm",
        ),
        (
            "prosthesis porosity / modulus".into(),
            format!(
                "{:.0} % / {:.0}",
                100.0 * s.implant.porosity,
                r.implant_modulus_mpa
            ),
            "– / MPa",
        ),
        (
            "prosthesis cross-section".into(),
            if s.implant.fill_canal {
                "solid (fills the medullary canal)".into()
            } else {
                "hollow (the bone's ring; the canal continues through it)".into()
            },
            "–",
        ),
        (
            "flange (thickness × width, overlap, material)".into(),
            if s.implant.flange.enabled {
                format!(
                    "{} × {}, {}, {}",
                    s.implant.flange.thickness_mm,
                    s.implant.flange.width_mm,
                    s.implant.flange.overlap_mm,
                    s.implant.flange.material.label()
                )
            } else {
                "none".into()
            },
            "mm",
        ),
        (
            "screws (diameter, core diameter; offsets from docking faces)".into(),
            if s.implant.screws.enabled && s.implant.flange.enabled {
                format!(
                    "{}, {}; {}",
                    s.implant.screws.diameter_mm,
                    s.implant.screws.core_diameter_mm,
                    s.implant
                        .screws
                        .offsets_mm
                        .iter()
                        .map(|o| o.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            } else {
                "none".into()
            },
            "mm",
        ),
    ]
}

/// Input rows of the loads, the support and the lazy zone.
fn load_rows(r: &StudyReport) -> Vec<InputRow> {
    let s = &r.study;
    vec![
        (
            "body mass / body weight".into(),
            format!("{} / {:.1}", s.loads.body_mass_kg, r.body_weight_n),
            "kg / N",
        ),
        (
            "seed load cases (fraction of BW)".into(),
            s.loads
                .fractions
                .iter()
                .map(|f| f.to_string())
                .collect::<Vec<_>>()
                .join(", "),
            "–",
        ),
        (
            "medial share of plateau load".into(),
            format!("{}", s.loads.medial_share),
            "–",
        ),
        (
            "distal support nodes".into(),
            if s.loads.distal_fixation_mm > 0.0 {
                format!("bone nodes with z ≤ {} mm", s.loads.distal_fixation_mm)
            } else {
                "distal end face".into()
            },
            "–",
        ),
        ("distal support".into(), s.loads.support.label().into(), "–"),
        (
            "lazy zone s".into(),
            format!("{}", s.metrics.lazy_zone_s),
            "–",
        ),
    ]
}

/// The mesh: sizes of both models, elements per region, cells, the flange tie, the screws.
fn mesh_section(o: &mut String, r: &StudyReport) {
    let m = &r.mesh;
    let _ = writeln!(o, "\n## Mesh\n");
    let _ = writeln!(o, "| quantity | implanted | intact |\n|---|---|---|");
    let _ = writeln!(o, "| nodes | {} | {} |", m.nodes[0], m.nodes[1]);
    let _ = writeln!(
        o,
        "| elements ({}) | {} | {} |",
        m.element_type, m.elements[0], m.elements[1]
    );
    let _ = writeln!(
        o,
        "| free DOF | {} | {} |",
        r.timings.implanted.free_dofs, r.timings.intact.free_dofs
    );
    let e = m.elements_by_region;
    if r.study.patient_mesh.is_some() {
        let _ = writeln!(
            o,
            "\nElements: cortical {}, cancellous {}, prosthesis {} (patient mesh; no flange or screws). Smallest scaled Jacobian {:.3}.",
            e[0], e[1], e[2], m.min_scaled_jacobian
        );
    } else {
        let _ = writeln!(
            o,
            "\nElements: cortical {}, cancellous {}, prosthesis {}, flange {}, screws {}. Cells: {} around, {} through the wall, {} radial in the core, {} along z; element size {:.2} mm near the implant ({:.2} mm along z across the docking faces and over the screws), {:.2} mm far. Smallest scaled Jacobian {:.3}. Constraint equations: {}.",
            e[0],
            e[1],
            e[2],
            e[3],
            e[4],
            m.cells.around,
            m.cells.through_wall,
            m.cells.core_radial,
            m.cells.axial,
            m.cells.size_mm[0],
            m.cells.interface_size_mm,
            m.cells.size_mm[1],
            m.min_scaled_jacobian,
            m.equations
        );
    }
    if let Some((tied, gap)) = m.flange_tie {
        let _ = writeln!(
            o,
            "Flange tie: {tied} nodes tied, largest gap closed {gap:.2e} mm."
        );
    }
    screw_table(o, &m.screws);
}

/// The table of the screws' nodes (none: nothing): on the flange's and the bone's hole walls
/// (drilled) or embedded in them, and the rest.
fn screw_table(o: &mut String, screws: &[crate::builder::ScrewPlacement]) {
    if !screws.is_empty() {
        let _ = writeln!(
            o,
            "\n| screw | fragment | z (mm) | nodes | on or in flange | on or in bone | neither |\n|---|---|---|---|---|---|---|"
        );
        for (i, sc) in screws.iter().enumerate() {
            let _ = writeln!(
                o,
                "| {} | {:?} | {:.1} | {} | {} | {} | {} |",
                i + 1,
                sc.fragment,
                sc.z_mm,
                sc.n_nodes,
                sc.embedded_in_flange,
                sc.embedded_in_bone,
                sc.free
            );
        }
    }
}

/// The metric table, then every load case's metrics in detail.
fn metrics_section(o: &mut String, r: &StudyReport) {
    let _ = writeln!(o, "\n## Metrics\n");
    let _ = writeln!(o, "```text\n{}```\n", headline_table(r));
    if r.cases.len() <= 3 {
        let _ = writeln!(o, "```text\n{}```\n", metric_table(r));
    }
    for c in &r.cases {
        case_section(o, &c.metrics);
    }
}

/// The shear and moment of a knee load beyond the axial force, in words ("" when none).
fn knee_extras(cm: &CaseMetrics) -> String {
    let mut parts = Vec::new();
    let [fx, fy] = cm.knee_shear_n;
    if fx != 0.0 || fy != 0.0 {
        parts.push(format!("shear {fx:.1} N lateral, {fy:.1} N anterior"));
    }
    let [mx, my, mz] = cm.knee_moment_nmm.map(|v| v / 1000.0);
    if mx != 0.0 || my != 0.0 {
        parts.push(format!(
            "moments {mx:.2} N·m about the medio-lateral axis and {my:.2} N·m about the antero-posterior axis"
        ));
    }
    if mz != 0.0 {
        parts.push(format!("torsion {mz:.2} N·m about the shaft axis"));
    }
    parts.iter().map(|p| format!("; {p}")).collect()
}

/// One load case: load and equilibrium, interfaces, micromotion, shielding per zone,
/// implant stresses, bone strain.
fn case_section(o: &mut String, cm: &CaseMetrics) {
    let _ = writeln!(o, "### {}\n", cm.name);
    let _ = writeln!(
        o,
        "Load {:.1} N ({} × BW, medial share {}{}; source: {}). Equilibrium: applied z {:.3} N, reactions z {:.3} N, relative error {:.1e} (intact {:.1e}); moments {:.1e} (intact {:.1e}). Largest |u|: implanted {:.4} mm, intact {:.4} mm; prosthesis {:.4} mm.\n",
        cm.load_n,
        cm.bw_fraction,
        cm.medial_share,
        knee_extras(cm),
        cm.load_source,
        cm.equilibrium.applied_n[2],
        cm.equilibrium.reaction_n[2],
        cm.equilibrium.relative_error,
        cm.intact_equilibrium.relative_error,
        cm.equilibrium.moment_relative_error,
        cm.intact_equilibrium.moment_relative_error,
        cm.max_displacement_mm[0],
        cm.max_displacement_mm[1],
        cm.implant_max_displacement_mm
    );
    let _ = writeln!(
        o,
        "Bone displacement (|u| of the bone nodes at each interface, relative to the ankle support: the bone's own deformation, not migration of the implant):\n\n| interface | bone nodes | max \\|u\\| (mm) | mean \\|u\\| (mm) | intact max (mm) | intact mean (mm) |\n|---|---|---|---|---|---|"
    );
    for i in &cm.interfaces {
        let _ = writeln!(
            o,
            "| {} | {} | {:.4} | {:.4} | {:.4} | {:.4} |",
            i.name, i.n_nodes, i.max_mm, i.mean_mm, i.intact_max_mm, i.intact_mean_mm
        );
    }
    migration_paragraph(o, &cm.migration);
    micromotion_paragraph(o, &cm.micromotion);
    headline::load_sharing_paragraph(o, &cm.load_sharing);
    shielding_table(o, &cm.shielding);
    stress_table(o, cm);
    bone_paragraph(o, &cm.bone);
}

/// The migration table: the prosthesis' rigid motion relative to each fragment, or why it
/// does not apply.
fn migration_paragraph(o: &mut String, migration: &MigrationMetric) {
    match migration {
        MigrationMetric::NotApplicable { reason } => {
            let _ = writeln!(o, "\nImplant migration: not applicable ({reason}).");
        }
        MigrationMetric::Computed { faces } => {
            let _ = writeln!(
                o,
                "\nImplant migration (least-squares rigid motion of the prosthesis face relative to the fragment face at each docking face; subsidence = axial motion into the fragment):\n\n| docking face | translation x, y, z (mm) | magnitude (mm) | subsidence (mm) | rotation (°) |\n|---|---|---|---|---|"
            );
            for f in faces {
                let t = f.translation_mm;
                let _ = writeln!(
                    o,
                    "| {} | {:.4}, {:.4}, {:.4} | {:.4} | {:.4} | {:.4} |",
                    f.interface, t[0], t[1], t[2], f.magnitude_mm, f.subsidence_mm, f.rotation_deg
                );
            }
        }
    }
}

/// The micromotion line: why it does not apply, or its statistics.
fn micromotion_paragraph(o: &mut String, micromotion: &MicromotionMetric) {
    match micromotion {
        MicromotionMetric::NotApplicable { reason } => {
            let _ = writeln!(o, "\nMicromotion: {reason}.\n");
        }
        MicromotionMetric::Computed(m) => {
            let flange = m
                .interfaces
                .iter()
                .any(|i| !crate::frictional::is_docking_pair(&i.interface));
            let _ = writeln!(
                o,
                "\nMicromotion — the relative interface displacement u_prosthesis − u_bone at paired points of each contact interface, relative to the unloaded state: its tangential part (max, mean, p95, bands) and its normal part (gap opening or closing); area-weighted at the face quadrature points (at the nodes' tributary areas for node-based pairs). The bands follow Pilliar 1986 (28 µm) and Jasty 1997 (< 40 µm ingrowth, 40–150 µm mixed tissue, > 150 µm fibrous; biomechanics.md §6) with the seed's 50–100 µm inside. The last row, \"{}\", is over the docking faces only, the number the checks judge. {}\n\n| interface | area (mm²) | max | mean | p95 | < 28 µm | 28–40 µm | 40–50 µm | 50–100 µm | 100–150 µm | > 150 µm | stick / slip / open (% area) | normal motion max |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|",
                m.all.interface,
                if flange {
                    "The flange–bone row is the flange sliding and lifting on the periosteum: reported, not judged against the ingrowth thresholds (no ingrowth is expected there). The screws share their nodes with the hole walls (drilled) or are embedded, so they add no contact interface."
                } else {
                    "The flange is tied to the bone and the screws share their nodes with the hole walls (drilled) or are embedded in this model, so their relative displacement is zero by construction."
                }
            );
            for s in m.interfaces.iter().chain(std::iter::once(&m.all)) {
                let b = s.bands.as_array().map(|f| 100.0 * f);
                let _ = writeln!(
                    o,
                    "| {} | {:.1} | {} | {} | {} | {:.1} % | {:.1} % | {:.1} % | {:.1} % | {:.1} % | {:.1} % | {:.1} / {:.1} / {:.1} | {} |",
                    s.interface,
                    s.area_mm2,
                    crate::metrics::format_um(s.max_um),
                    crate::metrics::format_um(s.mean_um),
                    crate::metrics::format_um(s.p95_um),
                    b[0],
                    b[1],
                    b[2],
                    b[3],
                    b[4],
                    b[5],
                    100.0 * s.status.stick,
                    100.0 * s.status.slip,
                    100.0 * s.status.open,
                    crate::metrics::format_um(s.normal_max_um)
                );
            }
            let _ = writeln!(o);
        }
    }
}

/// Stress shielding per bone zone.
fn shielding_table(o: &mut String, shielding: &StressShielding) {
    let _ = writeln!(
        o,
        "| bone zone | z (mm) | volume (mm³) | SED implanted (mJ/mm³) | SED intact (mJ/mm³) | S (–) | shielding 1 − S (–) | volume S < {:.2} (%) | von Mises shielding (–) |\n|---|---|---|---|---|---|---|---|---|",
        1.0 - shielding.lazy_zone_s
    );
    for z in &shielding.zones {
        let _ = writeln!(
            o,
            "| {} | {:.1}–{:.1} | {:.0} | {:.3e} | {:.3e} | {} | {} | {:.1} | {} |",
            z.name,
            z.z_range_mm[0],
            z.z_range_mm[1],
            z.volume_mm3,
            z.sed_implanted,
            z.sed_intact,
            f3(z.ratio),
            f3(z.shielding),
            100.0 * z.fraction_below_lazy_zone,
            f3(z.von_mises_shielding)
        );
    }
}

/// Von Mises statistics of the porous Ta, the flange and the screws.
fn stress_table(o: &mut String, cm: &CaseMetrics) {
    let _ = writeln!(
        o,
        "\n| part | peak (MPa) | p99 (MPa) | mean (MPa) | peak at (x, y, z) mm |\n|---|---|---|---|---|"
    );
    for p in std::iter::once(&cm.porous_tantalum)
        .chain(cm.porous_tantalum_multiaxial.iter())
        .chain(cm.flange.iter())
        .chain(cm.screws.iter())
    {
        let _ = writeln!(
            o,
            "| {} | {:.2} | {:.2} | {:.2} | ({:.1}, {:.1}, {:.1}) |",
            p.part,
            p.peak_mpa,
            p.p99_mpa,
            p.mean_mpa,
            p.peak_at_mm[0],
            p.peak_at_mm[1],
            p.peak_at_mm[2]
        );
    }
    let _ = writeln!(
        o,
        "\nStresses are von Mises unless the part says otherwise (the porous Ta's multiaxial equivalent stress, Deshpande & Fleck 2000, is the one judged against the lattice strengths)."
    );
    if !cm.screw_entry.is_empty() {
        let _ = writeln!(
            o,
            "\nScrews where they enter the near cortex (within one screw radius of the periosteal surface):\n\n| screw | z (mm) | largest stress along the screw axis (MPa) | largest von Mises (MPa) |\n|---|---|---|---|"
        );
        for e in &cm.screw_entry {
            let _ = writeln!(
                o,
                "| {} | {:.1} | {:.1} | {:.1} |",
                e.screw, e.z_mm, e.axial_stress_mpa, e.von_mises_mpa
            );
        }
    }
}

/// Bone strain and stress.
fn bone_paragraph(o: &mut String, b: &BoneStrain) {
    let _ = writeln!(
        o,
        "\nBone: peak |principal strain| {:.0} µε at ({:.1}, {:.1}, {:.1}) mm, p99 {:.0} µε (intact peak {:.0} µε); in the diaphysis {:.0} µε at ({:.1}, {:.1}, {:.1}) mm, p99 {:.0} µε (intact peak {:.0} µε, p99 {:.0} µε); principal stress {:.1} MPa tension, {:.1} MPa compression; peak von Mises {:.1} MPa.\n",
        b.peak_microstrain,
        b.peak_at_mm[0],
        b.peak_at_mm[1],
        b.peak_at_mm[2],
        b.p99_microstrain,
        b.intact_peak_microstrain,
        b.shaft_peak_microstrain,
        b.shaft_peak_at_mm[0],
        b.shaft_peak_at_mm[1],
        b.shaft_peak_at_mm[2],
        b.shaft_p99_microstrain,
        b.intact_shaft_peak_microstrain,
        b.intact_shaft_p99_microstrain,
        b.max_tensile_stress_mpa,
        b.max_compressive_stress_mpa,
        b.peak_von_mises_mpa
    );
    headline::bands_table(
        o,
        &b.bands,
        "Bone volume in the mechanostat bands (Frost; largest |principal strain|, biomechanics.md §9):",
    );
}

/// The plots, with the note on the micromotion histogram of a bonded study.
fn plots_section(o: &mut String, r: &StudyReport) {
    let _ = writeln!(o, "## Plots\n");
    for p in &r.plots {
        let _ = writeln!(
            o,
            "![{}]({})\n\n*{}* (`{}`)\n",
            p.caption, p.file, p.caption, p.file
        );
    }
    let bonded = r
        .cases
        .iter()
        .all(|c| c.metrics.micromotion.statistics().is_none());
    if bonded {
        let _ = writeln!(
            o,
            "Micromotion histogram: not applicable — the bonded interface has no relative motion by construction.\n"
        );
    }
    if r.plots.is_empty() {
        let _ = writeln!(o, "(No plots: the report was written without them.)\n");
    }
}

/// Published comparators (biomechanics.md §10).
fn comparators_section(o: &mut String) {
    let _ = writeln!(o, "## Published comparators (biomechanics.md §10)\n");
    let _ = writeln!(
        o,
        "- IJB 2023 9(4), porous-Ta tibial prosthesis near TKA (load magnitude unverified): two-leg stance prosthesis σvm 12.3–13.3 MPa, tibial strain 1372–1741 µε; single-leg stance prosthesis 24.6–26.9 MPa, tibia 53.7–69.6 MPa, max displacement 0.060–0.119 mm (prosthesis) and 0.045–0.049 mm (tibia), strain 2683–3482 µε."
    );
    let _ = writeln!(
        o,
        "- Liu B et al. 2022 (Front Surg): diaphyseal prostheses, max tibial σvm 18.5 MPa in Mode III (proximal)."
    );
    let _ = writeln!(
        o,
        "- TKA malalignment FE, two-leg stance: max stress 47.29 MPa, max micromotion 7.2 µm (Front Bioeng Biotechnol 2023).\n"
    );
}

/// Phase timings of both solves, build, metrics and total.
fn timings_section(o: &mut String, r: &StudyReport) {
    let t = &r.timings;
    let _ = writeln!(
        o,
        "## Timings\n\n| phase | implanted (s) | intact (s) |\n|---|---|---|"
    );
    for (name, a, b) in [
        ("setup", t.implanted.setup_s, t.intact.setup_s),
        ("assemble", t.implanted.assemble_s, t.intact.assemble_s),
        ("analyse", t.implanted.analyse_s, t.intact.analyse_s),
        (
            "factorise (once for all cases)",
            t.implanted.factorise_s,
            t.intact.factorise_s,
        ),
        ("solve (all cases)", t.implanted.solve_s, t.intact.solve_s),
        (
            "recover (all cases)",
            t.implanted.recover_s,
            t.intact.recover_s,
        ),
    ] {
        let _ = writeln!(o, "| {name} | {a:.2} | {b:.2} |");
    }
    let _ = writeln!(
        o,
        "\nBuild {:.2} s, metrics {:.2} s, study total {:.1} s (before writing).\n",
        t.build_s, t.metrics_s, t.total_s
    );
}

/// The VTU files written besides the report (none: nothing).
fn files_section(o: &mut String, r: &StudyReport) {
    if !r.files.is_empty() {
        let _ = writeln!(
            o,
            "## Files\n\nVTU (ParaView; `region`, `sed_ratio`, `below_lazy_zone`, `shielding_zone`, `max_abs_principal_strain`, `strain_band`, interface flags): {}.\n",
            r.files.join(", ")
        );
    }
}

/// The modelling notes and limitations.
fn notes_section(o: &mut String, r: &StudyReport) {
    let _ = writeln!(o, "## Notes\n");
    for n in &r.notes {
        let _ = writeln!(o, "- {n}");
    }
}

/// Input rows of the parametric tibia.
fn parametric_rows(g: &crate::geometry::TibiaGeometry) -> Vec<InputRow> {
    vec![
        ("tibia length".into(), format!("{}", g.length_mm), "mm"),
        (
            "diaphysis outer semi-axes x (ML) × y (AP)".into(),
            format!(
                "{} × {}",
                g.diaphysis_outer_semi_axes_mm[0], g.diaphysis_outer_semi_axes_mm[1]
            ),
            "mm",
        ),
        (
            "diaphyseal wall".into(),
            format!("{}", g.diaphysis_wall_mm),
            "mm",
        ),
        (
            "proximal flare: length, end widths x × y, end wall".into(),
            format!(
                "{}, {} × {}, {}",
                g.proximal_flare_length_mm,
                g.proximal_outer_width_mm[0],
                g.proximal_outer_width_mm[1],
                g.proximal_wall_mm
            ),
            "mm",
        ),
        (
            "distal flare: length, end widths x × y, end wall".into(),
            format!(
                "{}, {} × {}, {}",
                g.distal_flare_length_mm,
                g.distal_outer_width_mm[0],
                g.distal_outer_width_mm[1],
                g.distal_wall_mm
            ),
            "mm",
        ),
    ]
}
