//! The design sweep's report: `design.md` (the answer, the table, the effects, the notes),
//! `design.json` (everything) and `design.svg` (the trade-off plot).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use plotters::prelude::*;

use osteon_io::write_atomically;

use super::{DESIGN_BAND_UM, DesignReport, band_distance_um};
use crate::error::BiomechError;
use crate::plots::{
    FONT, GREY, Mark, color, draw_legend_below, draw_seed_band, legend_height, plot_error,
    seed_band_colour, span, split_for_legend, write_svg,
};
use crate::spec::{ELASTIC_SLIP_RANGE_MM, InterfaceModel};
use crate::study::Study;

/// What every design's numbers rest on (the base study `base` and one design's study
/// `design`).
pub(super) fn notes(base: &Study, design: &Study) -> Vec<String> {
    let mut n = vec![
        "Load cases: walking with its peak torsion (2.61 BW and 10.5 N·m; Kutzner 2010, Bergmann 2014) at the seed's partial (50 %) and full weight-bearing for the micromotion and migration — torsion is what loads the docking faces in shear —, and walking, stair ascent and stair descent at full weight-bearing for the daily stimulus of the stress shielding (3037 walking and 32.5 + 32.5 stair cycles a day; biomechanics.md §5). The band is judged at full weight-bearing walking with torsion.".to_string(),
        format!(
            "Docking faces in Coulomb contact (mu = {:.2}, stick stiffness {:.2} MPa/mm); the micromotion of a sticking interface is its elastic motion τ/k_T, so the ranking of designs holds for this k_T and the p95 values move with it: the study's interface sensitivity shows the p95 over the measured elastic slip δ = {:.0}–{:.0} µm (biomechanics.md §6).",
            match design.interface {
                InterfaceModel::Frictional { mu, .. } => mu,
                InterfaceModel::Bonded => f64::NAN,
            },
            design.interface.stick_stiffness().unwrap_or(f64::NAN),
            1000.0 * ELASTIC_SLIP_RANGE_MM[0],
            1000.0 * ELASTIC_SLIP_RANGE_MM[1]
        ),
        format!(
            "Element size {} mm. A design sweep trades mesh for designs: examples/mesh_convergence.rs gives the error of each metric against the 3 mm and 2 mm meshes; use the 3 mm mesh (or the study's convergence table) for the design you choose.",
            design.mesh.size_mm
        ),
        "The flange and the screws follow the base study's model (flange tied or frictional; screws in drilled holes by default, or embedded; no preload).".to_string(),
        "Safety: the lattice against the seed's 20 MPa static and 10 MPa fatigue strengths (multiaxial Deshpande–Fleck stress), the flange and screws against their yield and a Ti-6Al-4V flange and the screws against the notched fatigue strength, in every case (biomechanics.md §9).".to_string(),
    ];
    if matches!(base.interface, InterfaceModel::Bonded) {
        n.push("The base study is bonded, which has no micromotion: every design runs with the frictional docking interface of porous Ta on cortical bone instead (mu = 0.74).".into());
    }
    n
}

/// The targets design `d` misses besides the band, in words.
fn misses(d: &super::DesignResult, limit: f64) -> String {
    let mut m = Vec::new();
    if d.migration_max_mm >= limit {
        m.push(format!("migration {:.3} mm", d.migration_max_mm));
    }
    if !d.safe[0] {
        m.push(format!(
            "lattice strength (porous-Ta sphere mean {:.1} MPa, peak {:.1}, 99th percentile {:.1}, against 20 MPa static, 10 MPa fatigue)",
            d.porous_ta_judged_mpa, d.porous_ta_peak_mpa, d.porous_ta_p99_mpa
        ));
    }
    if !d.safe[1] {
        m.push("flange strength".into());
    }
    if !d.safe[2] {
        m.push("screw strength".into());
    }
    m.join(", ")
}

fn yes(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

/// The report as Markdown.
pub fn design_markdown(r: &DesignReport) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "# Design sweep\n\n{} designs, {:.0} s ({} intact solves, {} reused).\n",
        r.results.len(),
        r.seconds,
        r.intact_solves[0],
        r.intact_solves[1]
    );
    let _ = writeln!(o, "## The answer\n");
    let count =
        |f: &dyn Fn(&super::DesignResult) -> bool| r.results.iter().filter(|d| f(d)).count();
    let _ = writeln!(
        o,
        "Targets met, of {} designs: micromotion p95 in the band {}; migration below {} mm {}; lattice safe {}; flange safe {}; screws safe {}.\n",
        r.results.len(),
        count(&|d| d.in_band),
        r.migration_limit_mm,
        count(&|d| d.migration_max_mm < r.migration_limit_mm),
        count(&|d| d.safe[0]),
        count(&|d| d.safe[1]),
        count(&|d| d.safe[2])
    );
    match r.recommended {
        Some(i) => {
            let d = &r.results[i];
            let n = r.results.iter().filter(|x| x.feasible).count();
            let _ = writeln!(
                o,
                "{n} of {} designs put the docking micromotion p95 in the seed's {:.0}–{:.0} µm band at full weight-bearing, hold the implant below {} mm of migration and keep the lattice, flange and screws safe. Of these, **{}** shields the bone least: {:.1} % of the bone next to the implant below the lazy zone under the daily stimulus (p95 {:.1} µm at full, {:.1} µm at partial weight-bearing; migration {:.3} mm).\n",
                r.results.len(),
                r.band_um[0],
                r.band_um[1],
                r.migration_limit_mm,
                d.design.label,
                100.0 * d.daily_near_below_lazy_zone,
                d.micromotion_p95_um[1],
                d.micromotion_p95_um[0],
                d.migration_max_mm
            );
        }
        None => {
            let closest = r.results.iter().min_by(|a, b| {
                band_distance_um(a.micromotion_p95_um[1])
                    .total_cmp(&band_distance_um(b.micromotion_p95_um[1]))
            });
            let _ = writeln!(
                o,
                "**No design satisfies every target.** {}",
                match closest {
                    Some(c) if c.in_band => format!(
                        "{} puts the p95 in the band ({:.1} µm at full weight-bearing) but misses: {}.",
                        c.design.label,
                        c.micromotion_p95_um[1],
                        misses(c, r.migration_limit_mm)
                    ),
                    Some(c) => format!(
                        "The closest to the band is {} with a p95 of {:.1} µm at full weight-bearing ({:.1} µm from the band).",
                        c.design.label,
                        c.micromotion_p95_um[1],
                        band_distance_um(c.micromotion_p95_um[1])
                    ),
                    None => String::new(),
                }
            );
            match r.effects.first() {
                Some(e) => {
                    let _ = writeln!(
                        o,
                        "The variable that moves the micromotion most is the **{}**: its mean p95 spans {:.1} µm over the values swept ({}).\n",
                        e.variable,
                        e.spread_um,
                        e.levels
                            .iter()
                            .map(|(k, v)| format!("{k}: {v:.1} µm"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    );
                }
                None => {
                    let _ = writeln!(o, "Only one design was run: no variable to compare.\n");
                }
            }
        }
    }
    let _ = writeln!(
        o,
        "## Every design\n\n| design | p95 50 % BW (µm) | p95 100 % BW (µm) | in band | migration max (mm) | near-implant bone below lazy zone, daily (%) | largest zone shielding, daily | porous Ta sphere mean (MPa) | porous Ta peak (MPa) | porous Ta p99 (MPa) | lattice / flange / screws safe | feasible | Pareto |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|"
    );
    for d in &r.results {
        let _ = writeln!(
            o,
            "| {} | {:.1} | {:.1} | {} | {:.3} | {:.1} | {:.3} | {:.1} | {:.1} | {:.1} | {} / {} / {} | {} | {} |",
            d.design.label,
            d.micromotion_p95_um[0],
            d.micromotion_p95_um[1],
            yes(d.in_band),
            d.migration_max_mm,
            100.0 * d.daily_near_below_lazy_zone,
            d.daily_max_zone_shielding,
            d.porous_ta_judged_mpa,
            d.porous_ta_peak_mpa,
            d.porous_ta_p99_mpa,
            yes(d.safe[0]),
            yes(d.safe[1]),
            yes(d.safe[2]),
            yes(d.feasible),
            if d.pareto { "●" } else { "" }
        );
    }
    if !r.effects.is_empty() {
        let _ = writeln!(
            o,
            "\n## What moves the micromotion\n\nMain effects: the mean p95 at full weight-bearing over the designs with each value.\n\n| variable | mean p95 per value (µm) | spread (µm) |\n|---|---|---|"
        );
        for e in &r.effects {
            let _ = writeln!(
                o,
                "| {} | {} | {:.1} |",
                e.variable,
                e.levels
                    .iter()
                    .map(|(k, v)| format!("{k}: {v:.1}"))
                    .collect::<Vec<_>>()
                    .join("; "),
                e.spread_um
            );
        }
    }
    let _ = writeln!(o, "\n![trade-off](design.svg)\n\n## Notes\n");
    for n in &r.notes {
        let _ = writeln!(o, "- {n}");
    }
    o
}

/// The trade-off plot: p95 at full weight-bearing against the near-implant shielding, the
/// band shaded, feasible designs filled, the Pareto front joined.
pub fn design_svg(r: &DesignReport) -> Result<String, BiomechError> {
    let err = plot_error("design.svg");
    let (x0, x1) = span(
        r.results
            .iter()
            .map(|d| d.micromotion_p95_um[1])
            .chain(DESIGN_BAND_UM),
        true,
    );
    let (_, y1) = span(
        r.results
            .iter()
            .map(|d| 100.0 * d.daily_near_below_lazy_zone),
        true,
    );
    let y1 = y1.max(1.0);
    let col = color(0);
    let mut front: Vec<(f64, f64)> = r
        .results
        .iter()
        .filter(|d| d.pareto)
        .map(|d| {
            (
                d.micromotion_p95_um[1],
                100.0 * d.daily_near_below_lazy_zone,
            )
        })
        .collect();
    front.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut legend = vec![(
        "seed's band 50–100 µm (callus stimulus)".to_string(),
        Mark::Box(seed_band_colour()),
    )];
    if front.len() > 1 {
        legend.push((
            "Pareto front (safe, held designs)".to_string(),
            Mark::Line(GREY, 1),
        ));
    }
    legend.push(("feasible".to_string(), Mark::Dot(col, true)));
    legend.push(("misses a target".to_string(), Mark::Dot(col, false)));
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (860, 520 + legend_height(legend.len())))
            .into_drawing_area();
        root.fill(&WHITE).map_err(|e| err(e.to_string()))?;
        let (top, bottom) = split_for_legend(&root, legend.len());
        let mut chart = ChartBuilder::on(&top)
            .caption(
                "Design trade-off: docking micromotion against stress shielding",
                (FONT, 18),
            )
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(70)
            .build_cartesian_2d(x0..x1, 0.0..y1)
            .map_err(|e| err(e.to_string()))?;
        chart
            .configure_mesh()
            .x_desc("micromotion p95, walking with torsion, 100 % BW (µm)")
            .y_desc("bone next to the implant below the lazy zone, daily (%)")
            .label_style((FONT, 13))
            .axis_desc_style((FONT, 13))
            .draw()
            .map_err(|e| err(e.to_string()))?;
        draw_seed_band(&mut chart, y1).map_err(&err)?;
        if front.len() > 1 {
            chart
                .draw_series(LineSeries::new(front, GREY.stroke_width(1)))
                .map_err(|e| err(e.to_string()))?;
        }
        let point = |d: &super::DesignResult| {
            (
                d.micromotion_p95_um[1],
                100.0 * d.daily_near_below_lazy_zone,
            )
        };
        chart
            .draw_series(
                r.results
                    .iter()
                    .filter(|d| d.feasible)
                    .map(|d| Circle::new(point(d), 5, col.filled())),
            )
            .map_err(|e| err(e.to_string()))?;
        chart
            .draw_series(
                r.results
                    .iter()
                    .filter(|d| !d.feasible)
                    .map(|d| Circle::new(point(d), 5, col.stroke_width(1))),
            )
            .map_err(|e| err(e.to_string()))?;
        draw_legend_below(&bottom, 82, &legend).map_err(&err)?;
        root.present().map_err(|e| err(e.to_string()))?;
    }
    Ok(svg)
}

/// Write `design.md`, `design.json` and `design.svg` into `dir` (atomically); returns the
/// paths.
pub fn write_design_outputs(r: &DesignReport, dir: &Path) -> Result<Vec<PathBuf>, BiomechError> {
    std::fs::create_dir_all(dir).map_err(|e| BiomechError::Io(osteon_io::IoError::os(dir, e)))?;
    let md = dir.join("design.md");
    write_atomically(&md, |w| w.write_all(design_markdown(r).as_bytes()))?;
    let json = dir.join("design.json");
    let text = serde_json::to_string_pretty(r)
        .map_err(|e| BiomechError::construction(format!("design serialisation: {e}")))?;
    write_atomically(&json, |w| w.write_all(text.as_bytes()))?;
    let svg = dir.join("design.svg");
    write_svg(&svg, &design_svg(r)?)?;
    Ok(vec![md, json, svg])
}
