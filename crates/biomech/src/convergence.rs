//! Solution verification of a study: how the reported metrics move under mesh refinement.
//!
//! A study is run on a sequence of meshes (element size h, coarse to fine); every metric of
//! a load case becomes a quantity of interest ([`Qoi`]), and [`ConvergenceTable`] lists per
//! quantity its values, the relative change between the last two meshes (the < 5 % rule of
//! thumb of biomechanics.md §10) and, with three meshes, the grid convergence index of
//! Roache in the form of Celik et al. 2008 (J Fluids Eng 130:078001), which also handles
//! refinement ratios that differ between the two mesh pairs.
//!
//! Quantities come in two kinds. **Headline** values are those a report should be judged
//! on: displacements, micromotion, stress and strain percentiles and means, the SED ratio
//! per shielding zone. **Singular** values are largest integration-point values sitting on a
//! stress singularity (the plateau rim under the load, screw-hole edges or embedded screw
//! tips, the flange edge):
//! they grow without bound under refinement and are shown for information only.

use serde::{Deserialize, Serialize};

use crate::headline::HeadlineAnalysis;
use crate::metrics::CaseMetrics;

/// Whether a quantity is expected to converge.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QoiKind {
    /// Converges under refinement; judged by the < 5 % rule.
    Headline,
    /// Largest value at a stress singularity; reported, not judged.
    Singular,
}

/// One quantity of interest of one load case on one mesh.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Qoi {
    /// Name, e.g. "bone |ε| p99".
    pub name: String,
    /// Unit of `value` (mm, µm, MPa, µε or "–").
    pub unit: String,
    /// Headline or singular.
    pub kind: QoiKind,
    /// The value, in `unit`.
    pub value: f64,
}

fn qoi(name: impl Into<String>, unit: &str, kind: QoiKind, value: f64) -> Qoi {
    Qoi {
        name: name.into(),
        unit: unit.into(),
        kind,
        value,
    }
}

/// The quantities of interest of one load case's metrics, in report order.
pub fn quantities(m: &CaseMetrics) -> Vec<Qoi> {
    use QoiKind::{Headline, Singular};
    let mut q = Vec::new();
    for i in &m.interfaces {
        for (what, v) in [("max", i.max_mm), ("mean", i.mean_mm)] {
            q.push(qoi(
                format!("bone {what} |u|, {}", i.name),
                "mm",
                Headline,
                v,
            ));
        }
    }
    if let Some(f) = m.migration.largest() {
        q.push(qoi("implant migration max", "mm", Headline, f.magnitude_mm));
    }
    if let Some(s) = &m.load_sharing {
        for (what, v) in [
            ("axial force", s.prosthesis_fraction[0]),
            ("torque", s.prosthesis_fraction[3]),
        ] {
            if let Some(v) = v {
                q.push(qoi(
                    format!("prosthesis share of the {what}"),
                    "–",
                    Headline,
                    v,
                ));
            }
        }
    }
    q.push(qoi(
        "bone volume in the adapted strain window",
        "–",
        Headline,
        m.bone.bands.implanted.adapted,
    ));
    q.push(qoi(
        "prosthesis max |u|",
        "mm",
        Headline,
        m.implant_max_displacement_mm,
    ));
    if let Some(s) = m.micromotion.statistics() {
        for (what, v) in [("max", s.max_um), ("mean", s.mean_um), ("p95", s.p95_um)] {
            q.push(qoi(format!("micromotion {what}"), "µm", Headline, v));
        }
        for (what, v) in [
            ("stick", s.status.stick),
            ("slip", s.status.slip),
            ("open", s.status.open),
        ] {
            q.push(qoi(format!("docking area {what}"), "–", Headline, v));
        }
    }
    if let Some(a) = &m.porous_tantalum_averaged {
        for s in std::iter::once(&a.judged).chain(a.sensitivity.iter()) {
            q.push(qoi(
                format!(
                    "porous Ta judged stress, sphere mean R {:.2} mm",
                    s.radius_mm
                ),
                "MPa",
                Headline,
                s.value,
            ));
        }
    }
    for s in std::iter::once(&m.porous_tantalum)
        .chain(m.porous_tantalum_multiaxial.iter())
        .chain(m.flange.iter())
        .chain(m.screws.iter())
    {
        for (what, kind, v) in [
            ("p99", Headline, s.p99_mpa),
            ("mean", Headline, s.mean_mpa),
            ("peak", Singular, s.peak_mpa),
        ] {
            q.push(qoi(format!("{} {what}", s.part), "MPa", kind, v));
        }
    }
    if let Some(h) = m
        .flange_holes
        .iter()
        .max_by(|a, b| a.equivalent_mpa.total_cmp(&b.equivalent_mpa))
    {
        q.push(qoi(
            "flange net-section stress at the screw holes, largest",
            "MPa",
            Headline,
            h.equivalent_mpa,
        ));
    }
    let b = &m.bone;
    q.push(qoi("bone |ε| p99", "µε", Headline, b.p99_microstrain));
    q.push(qoi("bone |ε| peak", "µε", Singular, b.peak_microstrain));
    q.push(qoi(
        "diaphysis |ε| p99",
        "µε",
        Headline,
        b.shaft_p99_microstrain,
    ));
    q.push(qoi(
        "diaphysis |ε| peak",
        "µε",
        Singular,
        b.shaft_peak_microstrain,
    ));
    if let Some(a) = &b.shaft_averaged {
        for s in std::iter::once(&a.judged).chain(a.sensitivity.iter()) {
            q.push(qoi(
                format!("diaphysis |ε|, sphere mean R {:.2} mm", s.radius_mm),
                "µε",
                Headline,
                s.value,
            ));
        }
    }
    for z in &m.shielding.zones {
        q.push(qoi(
            format!("SED ratio S, {}", z.name),
            "–",
            Headline,
            z.ratio,
        ));
    }
    q
}

/// Name of the pseudo load case under which [`headline_quantities`] are tabulated.
pub const HEADLINE_ANALYSES: &str = "headline analyses";

/// The quantities of interest of the study-level headline analyses: construct stiffness
/// (reconstructed and intact, axial and torsional), each prosthesis modulus's run of the
/// headline case (micromotion p95, migration, porous-Ta peak, bone near the implant below the
/// lazy zone), the in-vivo strain comparison and the interface-sensitivity variants'
/// micromotion p95 — the numbers the report prints beside the per-case table.
pub fn headline_quantities(h: &HeadlineAnalysis) -> Vec<Qoi> {
    use QoiKind::{Headline, Singular};
    let c = &h.construct;
    let mut q = vec![
        qoi(
            "construct axial stiffness",
            "N/mm",
            Headline,
            c.axial_n_per_mm,
        ),
        qoi(
            "intact axial stiffness",
            "N/mm",
            Headline,
            c.intact_axial_n_per_mm,
        ),
        qoi(
            "construct torsional stiffness",
            "N·m/°",
            Headline,
            c.torsional_nm_per_deg,
        ),
        qoi(
            "intact torsional stiffness",
            "N·m/°",
            Headline,
            c.intact_torsional_nm_per_deg,
        ),
    ];
    if let Some(k) = c.preloaded_torsional_nm_per_deg {
        q.push(qoi(
            "construct torsional stiffness under axial preload",
            "N·m/°",
            Headline,
            k,
        ));
    }
    for v in &h.moduli {
        let at = format!("E = {:.0} MPa", v.modulus_mpa);
        if let Some(p95) = v.micromotion_p95_um {
            q.push(qoi(format!("micromotion p95, {at}"), "µm", Headline, p95));
        }
        if let Some(m) = v.migration_max_mm {
            q.push(qoi(
                format!("implant migration max, {at}"),
                "mm",
                Headline,
                m,
            ));
        }
        q.push(qoi(
            format!("bone near the implant below the lazy zone, {at}"),
            "–",
            Headline,
            v.near_below_lazy_zone,
        ));
        q.push(qoi(
            format!("porous Ta sphere mean, {at}"),
            "MPa",
            Headline,
            v.porous_ta_judged_mpa,
        ));
        q.push(qoi(
            format!("porous Ta peak, {at}"),
            "MPa",
            Singular,
            v.porous_ta_peak_mpa,
        ));
    }
    if let Some(v) = &h.in_vivo {
        q.push(qoi(
            "intact mid-shaft min principal strain (in-vivo site)",
            "µε",
            Headline,
            v.min_principal_microstrain,
        ));
    }
    if let Some(s) = &h.interface_sensitivity {
        for v in &s.variants {
            q.push(qoi(
                format!("micromotion p95, {}", v.label),
                "µm",
                Headline,
                v.p95_um,
            ));
        }
    }
    q
}

/// Grid convergence index of the finest mesh from three solutions (Celik et al. 2008).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Gci {
    /// Observed order of convergence p (the fixed point of Celik's eq. 3).
    pub observed_order: f64,
    /// Order used for the extrapolation and the index: p limited to [0.5, 2] (Roache: do
    /// not trust orders above the formal one, 2 for stresses of quadratic elements).
    pub order_used: f64,
    /// Richardson-extrapolated value φ_ext (the value at h → 0).
    pub extrapolated: f64,
    /// GCI of the finest mesh, 1.25 |φ₁ − φ₂|/|φ₁| / (r₂₁^p − 1) (fraction, not %).
    pub gci_fine: f64,
    /// The differences change sign (oscillatory convergence): order and index are less
    /// reliable.
    pub oscillatory: bool,
}

/// Celik's three-mesh procedure for sizes `h` (coarse, medium, fine; decreasing) and
/// values `phi` on them. `None` when the sizes do not decrease, or when the two differences
/// vanish (nothing to extrapolate from).
pub fn grid_convergence_index(h: [f64; 3], phi: [f64; 3]) -> Option<Gci> {
    let [h3, h2, h1] = h;
    let [f3, f2, f1] = phi;
    if !(h3 > h2 && h2 > h1 && h1 > 0.0 && phi.iter().all(|v| v.is_finite())) {
        return None;
    }
    let (r21, r32) = (h2 / h1, h3 / h2);
    let (e21, e32) = (f2 - f1, f3 - f2);
    if e21 == 0.0 || e32 == 0.0 {
        return None;
    }
    let s = (e32 / e21).signum();
    let ratio = (e32 / e21).abs().ln();
    let mut p = (ratio / r21.ln()).abs();
    for _ in 0..100 {
        let q = ((r21.powf(p) - s) / (r32.powf(p) - s)).ln();
        let next = ((ratio + q) / r21.ln()).abs();
        if !next.is_finite() {
            break;
        }
        if (next - p).abs() < 1e-12 {
            p = next;
            break;
        }
        p = next;
    }
    let used = p.clamp(0.5, 2.0);
    let rp = r21.powf(used);
    let extrapolated = (rp * f1 - f2) / (rp - 1.0);
    let gci_fine = if f1 != 0.0 {
        1.25 * ((f1 - f2) / f1).abs() / (rp - 1.0)
    } else {
        f64::INFINITY
    };
    Some(Gci {
        observed_order: p,
        order_used: used,
        extrapolated,
        gci_fine,
        oscillatory: s < 0.0,
    })
}

/// One row of the convergence table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConvergenceRow {
    /// Load case.
    pub case: String,
    /// Quantity name.
    pub name: String,
    /// Unit.
    pub unit: String,
    /// Headline or singular.
    pub kind: QoiKind,
    /// Value per mesh, coarse to fine.
    pub values: Vec<f64>,
    /// Relative change of the finest value against the one before, (φ_fine − φ_prev)/|φ_prev|
    /// (fraction; 0 when both are equal; relative to |φ_fine| when φ_prev is 0).
    pub change: f64,
    /// Three-mesh GCI over the last three meshes, when there are three and it is defined.
    pub gci: Option<Gci>,
}

impl ConvergenceRow {
    /// A headline quantity that moved by less than `tolerance` (fraction) between the last
    /// two meshes.
    pub fn passes(&self, tolerance: f64) -> bool {
        self.kind == QoiKind::Singular || self.change.abs() < tolerance
    }
}

/// The convergence of every quantity of every load case over a mesh sequence.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConvergenceTable {
    /// Element sizes (mm), coarse to fine.
    pub sizes_mm: Vec<f64>,
    /// Relative-change tolerance for headline quantities (fraction); 0.05.
    pub tolerance: f64,
    /// One row per (load case, quantity).
    pub rows: Vec<ConvergenceRow>,
}

impl ConvergenceTable {
    /// Tabulate `runs[k][c]` = the quantities of load case `c` (named `case_names[c]`) on mesh
    /// `k` of size `sizes_mm[k]` (coarse to fine). Quantities are matched by name; one
    /// missing on some mesh is skipped.
    pub fn new(
        sizes_mm: &[f64],
        case_names: &[String],
        runs: &[Vec<Vec<Qoi>>],
        tolerance: f64,
    ) -> Self {
        let mut rows = Vec::new();
        let Some(finest) = runs.last() else {
            return Self {
                sizes_mm: sizes_mm.to_vec(),
                tolerance,
                rows,
            };
        };
        for (c, case) in case_names.iter().enumerate() {
            let Some(qois) = finest.get(c) else { continue };
            for q in qois {
                let values: Option<Vec<f64>> = runs
                    .iter()
                    .map(|run| {
                        run.get(c)?
                            .iter()
                            .find(|o| o.name == q.name)
                            .map(|o| o.value)
                    })
                    .collect();
                let Some(values) = values else { continue };
                let n = values.len();
                let change = if n < 2 {
                    0.0
                } else {
                    let (prev, fine) = (values[n - 2], values[n - 1]);
                    if fine == prev {
                        0.0
                    } else {
                        (fine - prev) / if prev != 0.0 { prev.abs() } else { fine.abs() }
                    }
                };
                let gci = (n >= 3)
                    .then(|| {
                        grid_convergence_index(
                            [sizes_mm[n - 3], sizes_mm[n - 2], sizes_mm[n - 1]],
                            [values[n - 3], values[n - 2], values[n - 1]],
                        )
                    })
                    .flatten();
                rows.push(ConvergenceRow {
                    case: case.clone(),
                    name: q.name.clone(),
                    unit: q.unit.clone(),
                    kind: q.kind,
                    values,
                    change,
                    gci,
                });
            }
        }
        Self {
            sizes_mm: sizes_mm.to_vec(),
            tolerance,
            rows,
        }
    }

    /// Headline rows that moved by the tolerance or more.
    pub fn failures(&self) -> Vec<&ConvergenceRow> {
        self.rows
            .iter()
            .filter(|r| !r.passes(self.tolerance))
            .collect()
    }

    /// The table as Markdown: one section per load case.
    pub fn markdown(&self) -> String {
        use std::fmt::Write;
        let mut o = String::new();
        let sizes: Vec<String> = self
            .sizes_mm
            .iter()
            .map(|h| format!("h = {h} mm"))
            .collect();
        let mut case = None;
        for r in &self.rows {
            if case != Some(&r.case) {
                case = Some(&r.case);
                let _ = writeln!(o, "\n### {}\n", r.case);
                let _ = writeln!(
                    o,
                    "| quantity | unit | {} | change (last two) | p | h→0 | GCI fine | |",
                    sizes.join(" | ")
                );
                let _ = writeln!(
                    o,
                    "|---|---|{}---|---|---|---|---|",
                    "---|".repeat(sizes.len())
                );
            }
            let values: Vec<String> = r.values.iter().map(|v| format!("{v:.4}")).collect();
            let (p, ext, gci) = match &r.gci {
                Some(g) => (
                    format!(
                        "{:.2}{}",
                        g.observed_order,
                        if g.oscillatory { " (osc.)" } else { "" }
                    ),
                    format!("{:.4}", g.extrapolated),
                    format!("{:.1} %", 100.0 * g.gci_fine),
                ),
                None => ("—".into(), "—".into(), "—".into()),
            };
            let verdict = match (r.kind, r.passes(self.tolerance)) {
                (QoiKind::Singular, _) => "singular (info)",
                (_, true) => "< 5 %",
                (_, false) => "**moves**",
            };
            let _ = writeln!(
                o,
                "| {} | {} | {} | {:+.2} % | {p} | {ext} | {gci} | {verdict} |",
                r.name.replace('|', "\\|"),
                r.unit,
                values.join(" | "),
                100.0 * r.change
            );
        }
        o
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// φ(h) = φ₀ + C h^p sampled on unevenly refined meshes returns p, φ₀ and the GCI
    /// formula exactly.
    #[test]
    fn recovers_a_known_power_law() {
        let (phi0, c, p) = (1.0, 0.03, 2.0);
        let h = [4.0, 3.0, 2.0];
        let phi = h.map(|h: f64| phi0 + c * h.powf(p));
        let g = grid_convergence_index(h, phi).expect("defined");
        assert!((g.observed_order - p).abs() < 1e-9, "{g:?}");
        assert!((g.extrapolated - phi0).abs() < 1e-12, "{g:?}");
        let expected = 1.25 * ((phi[2] - phi[1]) / phi[2]).abs() / (1.5f64.powi(2) - 1.0);
        assert!((g.gci_fine - expected).abs() < 1e-9 * expected);
        assert!(!g.oscillatory);
    }

    /// A first-order sequence keeps its order; a too-fast one is limited to 2 for the index.
    #[test]
    fn order_is_observed_and_limited() {
        let h = [2.0, 1.0, 0.5];
        let g = grid_convergence_index(h, h.map(|h: f64| 5.0 - 0.2 * h)).expect("defined");
        assert!((g.observed_order - 1.0).abs() < 1e-9);
        assert!((g.extrapolated - 5.0).abs() < 1e-12);
        let g = grid_convergence_index(h, h.map(|h: f64| 5.0 - 0.2 * h.powi(4))).expect("defined");
        assert!((g.observed_order - 4.0).abs() < 1e-9);
        assert_eq!(g.order_used, 2.0);
    }

    #[test]
    fn degenerate_sequences_have_no_index() {
        assert!(grid_convergence_index([3.0, 2.0, 1.0], [1.0, 1.0, 1.0]).is_none());
        assert!(grid_convergence_index([1.0, 2.0, 3.0], [1.0, 2.0, 3.0]).is_none());
        let g = grid_convergence_index([3.0, 2.0, 1.0], [1.0, 1.2, 1.1]).expect("defined");
        assert!(g.oscillatory);
    }

    #[test]
    fn table_matches_quantities_by_name_and_judges_headlines_only() {
        let mk = |v: f64, peak: f64| {
            vec![vec![
                qoi("a", "mm", QoiKind::Headline, v),
                qoi("peak", "MPa", QoiKind::Singular, peak),
            ]]
        };
        let runs = vec![mk(1.10, 5.0), mk(1.04, 7.0), mk(1.02, 9.0)];
        let t = ConvergenceTable::new(&[3.0, 2.0, 1.5], &["case".into()], &runs, 0.05);
        assert_eq!(t.rows.len(), 2);
        assert!((t.rows[0].change - (1.02 - 1.04) / 1.04).abs() < 1e-14);
        assert!(t.failures().is_empty());
        let runs = vec![mk(1.0, 5.0), mk(1.2, 7.0)];
        let t = ConvergenceTable::new(&[3.0, 2.0], &["case".into()], &runs, 0.05);
        assert_eq!(t.failures().len(), 1);
        assert!(t.rows[0].gci.is_none());
        assert!(t.markdown().contains("**moves**"));
        // a "|" in a quantity name is escaped so that the Markdown table keeps its columns
        let runs = vec![
            vec![vec![qoi("max |u|", "mm", QoiKind::Headline, 1.0)]],
            vec![vec![qoi("max |u|", "mm", QoiKind::Headline, 1.0)]],
        ];
        let md = ConvergenceTable::new(&[3.0, 2.0], &["case".into()], &runs, 0.05).markdown();
        let row = md.lines().find(|l| l.contains("max")).expect("row");
        assert!(row.contains("max \\|u\\|"), "{row}");
        let header = md
            .lines()
            .find(|l| l.starts_with("| quantity"))
            .expect("header");
        assert_eq!(
            row.replace("\\|", "").matches('|').count(),
            header.matches('|').count(),
            "{row}"
        );
    }
}
