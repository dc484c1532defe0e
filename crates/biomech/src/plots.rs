//! The study's plots, as SVG (plotters' SVG backend: text is written as SVG `<text>`
//! elements and drawn by the viewer, so no font files or system libraries are needed).
//!
//! | file | what |
//! |---|---|
//! | `shielding.svg` | stress shielding 1 − S per bone zone, one bar per load case |
//! | `shaft_profile.svg` | cross-section mean von Mises stress and SED of the bone along z, implanted vs intact, and the prosthesis stress in the defect |
//! | `micromotion.svg` | histogram of the interface slip (area fraction per bin) with the 40/50/100/150 µm marks — only with a frictional interface; a bonded one has no micromotion and no histogram |
//! | `porosity_sweep.svg` | written by `examples/porosity_sweep.rs` ([`sweep_svg`]): interface displacement, micromotion (frictional sweep) and shielding vs the implant modulus, one line per defect length |
//!
//! Every function returns the SVG text; [`write_study_plots`] writes the study's plots
//! atomically (`osteon_io::write_atomically`).

use std::path::Path;

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use serde::{Deserialize, Serialize};

use osteon_io::write_atomically;

use crate::checks::SEED_BAND_UM;
use crate::error::BiomechError;
use crate::study::StudyReport;
use osteon_assembly::contact::MotionHistogram;

/// Font family of all text: the viewer's sans-serif.
pub(crate) const FONT: &str = "sans-serif";
/// Colours of the load cases (and sweep lines), in order: ten distinct hues, so the default
/// study's ten cases never share one.
const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
    RGBColor(255, 127, 14),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
    RGBColor(0, 0, 128),
];
pub(crate) const GREY: RGBColor = RGBColor(110, 110, 110);
const LIGHT: RGBColor = RGBColor(235, 235, 235);

/// A plot written next to the report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlotFile {
    /// File name, relative to the output folder.
    pub file: String,
    /// Caption for the report.
    pub caption: String,
}

pub(crate) fn plot_error(plot: &str) -> impl Fn(String) -> BiomechError + '_ {
    move |detail| BiomechError::Plot {
        plot: plot.to_string(),
        detail,
    }
}

pub(crate) fn color(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// Padded [lo, hi] of finite values (always containing 0 when `with_zero`).
pub(crate) fn span(values: impl Iterator<Item = f64>, with_zero: bool) -> (f64, f64) {
    let (mut lo, mut hi) = if with_zero {
        (0.0f64, 0.0f64)
    } else {
        (f64::INFINITY, f64::NEG_INFINITY)
    };
    for v in values.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() || !hi.is_finite() {
        return (0.0, 1.0);
    }
    let pad = if hi > lo {
        0.08 * (hi - lo)
    } else {
        0.1 * hi.abs().max(1.0)
    };
    (
        if with_zero && lo >= 0.0 {
            0.0
        } else {
            lo - pad
        },
        hi + pad,
    )
}

/// One bar series of the shielding plot: a label and 1 − S per zone.
struct ShieldingSeries {
    label: String,
    shielding: Vec<f64>,
}

/// The series of the shielding plot: one per distinct load pattern (linear cases with the
/// same pattern, e.g. every axial case, have the same S and share one bar, labelled with the
/// first case and the count of the others), then the daily stimulus when there is one.
fn shielding_series(report: &StudyReport) -> Vec<ShieldingSeries> {
    let mut series: Vec<(ShieldingSeries, usize)> = Vec::new();
    for c in &report.cases {
        let v: Vec<f64> = c
            .metrics
            .shielding
            .zones
            .iter()
            .map(|z| z.shielding)
            .collect();
        let same = |w: &[f64]| {
            w.len() == v.len()
                && w.iter()
                    .zip(&v)
                    .all(|(a, b)| (a - b).abs() <= 1e-6 || (a.is_nan() && b.is_nan()))
        };
        match series.iter_mut().find(|(s, _)| same(&s.shielding)) {
            Some((_, n)) => *n += 1,
            None => series.push((
                ShieldingSeries {
                    label: c.metrics.name.clone(),
                    shielding: v,
                },
                0,
            )),
        }
    }
    let mut out: Vec<ShieldingSeries> = series
        .into_iter()
        .map(|(mut s, others)| {
            if others > 0 {
                s.label = format!("{} and {others} more with the same load pattern", s.label);
            }
            s
        })
        .collect();
    if let Some(d) = &report.daily {
        out.push(ShieldingSeries {
            label: "a day of walking and stairs (daily stimulus)".into(),
            shielding: d.shielding.zones.iter().map(|z| z.shielding).collect(),
        });
    }
    out
}

/// Stress shielding 1 − S per zone: horizontal bars, zones distal (bottom) to proximal
/// (top), one bar per distinct load pattern (and the daily stimulus), values at the bars.
pub fn shielding_svg(report: &StudyReport) -> Result<String, BiomechError> {
    let err = plot_error("shielding.svg");
    let cases = &report.cases;
    let series = shielding_series(report);
    let zones: Vec<String> = cases
        .first()
        .map(|c| {
            c.metrics
                .shielding
                .zones
                .iter()
                .map(|z| z.name.clone())
                .collect()
        })
        .unwrap_or_default();
    let n = zones.len().max(1);
    let (lo, hi) = span(
        series.iter().flat_map(|s| s.shielding.iter().copied()),
        true,
    );
    let s = 1.0
        - cases
            .first()
            .map_or(0.75, |c| c.metrics.shielding.lazy_zone_s);
    let hi = hi.max(1.0 - s + 0.05);
    // room for the value labels right of the longest bar
    let hi = hi + 0.12 * (hi - lo);
    let mut legend = vec![(
        format!("lazy-zone limit: resorption beyond 1 − S = {:.2}", 1.0 - s),
        Mark::Line(GREY, 2),
    )];
    for (i, sr) in series.iter().enumerate() {
        legend.push((sr.label.clone(), Mark::Box(color(i))));
    }
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(
            &mut svg,
            (
                820,
                120 + (20 + 14 * series.len() as u32) * n as u32 + legend_height(legend.len()),
            ),
        )
        .into_drawing_area();
        root.fill(&WHITE).map_err(|e| err(e.to_string()))?;
        let (top, bottom) = split_for_legend(&root, legend.len());
        let mut chart = ChartBuilder::on(&top)
            .caption(
                "Stress shielding per bone zone: 1 − S, S = SED implanted / SED intact",
                (FONT, 18),
            )
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(170)
            .build_cartesian_2d(lo..hi, -0.5..(n as f64 - 0.5))
            .map_err(|e| err(e.to_string()))?;
        let names = zones.clone();
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(n)
            .y_label_formatter(&move |y: &f64| {
                let k = y.round();
                if (y - k).abs() < 1e-6 && k >= 0.0 {
                    names.get(k as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .x_desc(
                "stress shielding 1 − S (–): 0 = as intact, 1 = fully shielded, < 0 = overloaded",
            )
            .label_style((FONT, 13))
            .axis_desc_style((FONT, 13))
            .draw()
            .map_err(|e| err(e.to_string()))?;
        draw_lazy_zone_lines(&mut chart, 1.0 - s, n).map_err(&err)?;
        draw_shielding_bars(&mut chart, &series).map_err(&err)?;
        draw_legend_below(&bottom, 182, &legend).map_err(&err)?;
        root.present().map_err(|e| err(e.to_string()))?;
    }
    Ok(svg)
}

/// The 2-D chart of every plot: f64 on both axes.
type Chart<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// The lazy-zone limit (S < 1 − s, i.e. shielding > `lazy` = 1 − s, predicts resorption,
/// Huiskes) and the zero line, across the `n` zones.
fn draw_lazy_zone_lines(chart: &mut Chart<'_, '_>, lazy: f64, n: usize) -> Result<(), String> {
    chart
        .draw_series(std::iter::once(PathElement::new(
            vec![(lazy, -0.5), (lazy, n as f64 - 0.5)],
            GREY.stroke_width(2),
        )))
        .map_err(|e| e.to_string())?;
    chart
        .draw_series(std::iter::once(PathElement::new(
            vec![(0.0, -0.5), (0.0, n as f64 - 0.5)],
            BLACK.stroke_width(1),
        )))
        .map_err(|e| e.to_string())?;
    Ok(())
}

/// One bar per zone and series (a NaN shielding drawn as 0), its value printed at its end.
fn draw_shielding_bars(
    chart: &mut Chart<'_, '_>,
    series: &[ShieldingSeries],
) -> Result<(), String> {
    let nc = series.len().max(1) as f64;
    let h = 0.8 / nc;
    for (i, sr) in series.iter().enumerate() {
        let col = color(i);
        let bar = |k: usize, z: f64| {
            let y0 = k as f64 - 0.4 + i as f64 * h;
            (y0, if z.is_finite() { z } else { 0.0 })
        };
        chart
            .draw_series(sr.shielding.iter().enumerate().map(|(k, &z)| {
                let (y0, v) = bar(k, z);
                Rectangle::new([(0.0, y0), (v, y0 + 0.9 * h)], col.filled())
            }))
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(sr.shielding.iter().enumerate().map(|(k, &z)| {
                let (y0, v) = bar(k, z);
                // no "-0.00" for a tiny negative value
                let shown = if v.abs() < 5e-3 { 0.0 } else { v };
                Text::new(
                    format!("{shown:.2}"),
                    (v.max(0.0), y0 + 0.9 * h),
                    (FONT, 11).into_font().color(&BLACK),
                )
            }))
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// Draw the series legend in the plots' common style at `position`.
pub(crate) fn draw_legend<'a, DB: DrawingBackend + 'a, CT: CoordTranslate>(
    chart: &mut ChartContext<'a, DB, CT>,
    position: SeriesLabelPosition,
) -> Result<(), String> {
    chart
        .configure_series_labels()
        .position(position)
        .background_style(WHITE.mix(0.85))
        .border_style(GREY)
        .label_font((FONT, 13))
        .draw()
        .map_err(|e| e.to_string())
}

/// What a legend entry shows beside its text.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Mark {
    /// A line of this colour and width (px).
    Line(RGBColor, u32),
    /// A dashed line of this colour.
    Dashed(RGBColor),
    /// A filled box of this colour.
    Box(RGBColor),
    /// A circle of this colour, filled or outlined.
    Dot(RGBColor, bool),
}

/// Height (px) of a legend of `n` entries drawn below a chart by [`draw_legend_below`].
pub(crate) fn legend_height(n: usize) -> u32 {
    16 + 20 * n as u32
}

/// Split `root` into the chart area on top and a strip of [`legend_height`]`(n)` px below it
/// for the legend: the legend then never covers a curve, a bar or a label.
pub(crate) fn split_for_legend<'a>(
    root: &DrawingArea<SVGBackend<'a>, Shift>,
    n: usize,
) -> (
    DrawingArea<SVGBackend<'a>, Shift>,
    DrawingArea<SVGBackend<'a>, Shift>,
) {
    let (_, h) = root.dim_in_pixel();
    root.split_vertically(h.saturating_sub(legend_height(n)))
}

/// Draw the legend `entries` one per line in `area` (the strip of [`split_for_legend`]),
/// starting `x0` px from its left edge (the plotting area's left edge).
pub(crate) fn draw_legend_below(
    area: &DrawingArea<SVGBackend<'_>, Shift>,
    x0: i32,
    entries: &[(String, Mark)],
) -> Result<(), String> {
    let e = |e: DrawingAreaErrorKind<_>| e.to_string();
    for (k, (text, mark)) in entries.iter().enumerate() {
        let y = 8 + 20 * k as i32 + 10;
        match *mark {
            Mark::Line(c, w) => area
                .draw(&PathElement::new(
                    vec![(x0, y), (x0 + 22, y)],
                    c.stroke_width(w),
                ))
                .map_err(e)?,
            Mark::Dashed(c) => area
                .draw(&DashedPathElement::new(
                    vec![(x0, y), (x0 + 22, y)],
                    5,
                    3,
                    c.stroke_width(2),
                ))
                .map_err(e)?,
            Mark::Box(c) => area
                .draw(&Rectangle::new([(x0, y - 6), (x0 + 22, y + 6)], c.filled()))
                .map_err(e)?,
            Mark::Dot(c, filled) => {
                let style = if filled {
                    c.filled()
                } else {
                    c.stroke_width(1)
                };
                area.draw(&Circle::new((x0 + 11, y), 5, style)).map_err(e)?
            }
        }
        area.draw(&Text::new(
            text.clone(),
            (x0 + 30, y - 7),
            (FONT, 13).into_font().color(&BLACK),
        ))
        .map_err(e)?;
    }
    Ok(())
}

/// Split a series with gaps (`None`) into continuous pieces.
fn pieces(z: &[f64], v: &[Option<f64>]) -> Vec<Vec<(f64, f64)>> {
    let mut out = Vec::new();
    let mut cur = Vec::new();
    for (&z, v) in z.iter().zip(v) {
        match v {
            Some(v) if v.is_finite() => cur.push((z, *v)),
            _ => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Cross-section mean von Mises stress (top) and SED (bottom) of the bone along the shaft,
/// implanted vs intact, for the load case with the largest load; the defect is shaded and
/// the prosthesis' own mean von Mises stress is drawn across it.
pub fn shaft_profile_svg(report: &StudyReport) -> Result<String, BiomechError> {
    let err = plot_error("shaft_profile.svg");
    let Some(case) = report
        .cases
        .iter()
        .max_by(|a, b| a.metrics.load_n.total_cmp(&b.metrics.load_n))
    else {
        return Err(err("no load case".into()));
    };
    let p = &case.metrics.shaft_profile;
    let half = 0.5 * p.band_mm;
    let (z0, z1) = match (p.z_mm.first(), p.z_mm.last()) {
        (Some(a), Some(b)) if b > a => (a - half, b + half),
        _ => (0.0, 1.0),
    };
    let screws_z: Vec<f64> = report.mesh.screws.iter().map(|s| s.z_mm).collect();
    let mut legend = vec![
        (
            "defect: the porous-Ta prosthesis between the two docking faces".to_string(),
            Mark::Box(LIGHT),
        ),
        ("implanted bone".to_string(), Mark::Line(color(0), 3)),
        ("porous-Ta prosthesis".to_string(), Mark::Line(color(1), 3)),
        ("intact bone (same load)".to_string(), Mark::Line(BLACK, 1)),
    ];
    if !screws_z.is_empty() {
        legend.push(("locking screw axes".to_string(), Mark::Dashed(GREY)));
    }
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (900, 760 + legend_height(legend.len())))
            .into_drawing_area();
        root.fill(&WHITE).map_err(|e| err(e.to_string()))?;
        let root = root
            .titled(
                &format!(
                    "Bone along the shaft: {} ({:.0} N)",
                    case.metrics.name, case.metrics.load_n
                ),
                (FONT, 18),
            )
            .map_err(|e| err(e.to_string()))?;
        let (panels, bottom) = split_for_legend(&root, legend.len());
        let panels = panels.split_evenly((2, 1));
        let series: [ShaftPanel<'_>; 2] = [
            (
                &*format!("von Mises stress, {:.0} mm band mean (MPa)", p.band_mm),
                [
                    &p.von_mises_intact,
                    &p.von_mises_implanted,
                    &p.von_mises_prosthesis,
                ],
            ),
            (
                &*format!("SED, {:.0} mm band mean (mJ/mm³)", p.band_mm),
                [&p.sed_intact, &p.sed_implanted, &p.sed_prosthesis],
            ),
        ];
        for (panel, series) in panels.iter().zip(series) {
            shaft_panel(
                panel,
                (z0, z1),
                report.defect_z_mm,
                &screws_z,
                &p.z_mm,
                series,
            )
            .map_err(&err)?;
        }
        draw_legend_below(&bottom, 82, &legend).map_err(&err)?;
        root.present().map_err(|e| err(e.to_string()))?;
    }
    Ok(svg)
}

/// One panel of the shaft profile: y label, [intact, implanted, prosthesis].
type ShaftPanel<'a> = (&'a str, [&'a Vec<Option<f64>>; 3]);

/// Draw one panel of [`shaft_profile_svg`] over `z_range` (mm): the defect shaded, the
/// screw axes at `screws_z` (mm) dashed, the implanted bone, the prosthesis and the intact
/// bone along the band centres `z_mm`. The legend is drawn once, below both panels.
fn shaft_panel(
    panel: &DrawingArea<SVGBackend<'_>, Shift>,
    (z0, z1): (f64, f64),
    defect_z: [f64; 2],
    screws_z: &[f64],
    z_mm: &[f64],
    (ylabel, [intact, implanted, prosthesis]): ShaftPanel<'_>,
) -> Result<(), String> {
    let (_, y1) = span(
        intact
            .iter()
            .chain(implanted.iter())
            .chain(prosthesis.iter())
            .flatten()
            .copied(),
        true,
    );
    let mut chart = ChartBuilder::on(panel)
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(70)
        .build_cartesian_2d(z0..z1, 0.0..y1)
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .x_desc("z (mm), 0 = distal end, + proximal")
        .y_desc(ylabel)
        .y_label_formatter(&|v: &f64| {
            if *v == 0.0 || (v.abs() >= 0.1 && v.abs() < 1e4) {
                format!("{v:.2}")
            } else {
                format!("{v:.1e}")
            }
        })
        .label_style((FONT, 13))
        .axis_desc_style((FONT, 13))
        .draw()
        .map_err(|e| e.to_string())?;
    let [d0, d1] = defect_z;
    chart
        .draw_series(std::iter::once(Rectangle::new(
            [(d0, 0.0), (d1, y1)],
            LIGHT.filled(),
        )))
        .map_err(|e| e.to_string())?;
    chart
        .draw_series(
            screws_z.iter().map(|&z| {
                DashedPathElement::new(vec![(z, 0.0), (z, y1)], 5, 3, GREY.stroke_width(1))
            }),
        )
        .map_err(|e| e.to_string())?;
    // the intact line last and thin, so that it stays visible where both agree
    let lines: [(&Vec<Option<f64>>, RGBColor, u32); 3] = [
        (implanted, color(0), 3),
        (prosthesis, color(1), 3),
        (intact, BLACK, 1),
    ];
    for (values, col, w) in lines {
        for piece in pieces(z_mm, values) {
            chart
                .draw_series(LineSeries::new(piece, col.stroke_width(w)))
                .map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}

/// Histogram of the interface slip (µm) per load case, area fraction per bin, with the
/// 40/50/100/150 µm marks and the 50–100 µm target band shaded; `None` when no case has a
/// computed micromotion (the bonded interface).
pub fn micromotion_svg(report: &StudyReport) -> Option<Result<String, BiomechError>> {
    let cases: Vec<(&str, f64, &MotionHistogram)> = report
        .cases
        .iter()
        .filter_map(|c| {
            let s = c.metrics.micromotion.statistics()?;
            (!s.histogram.area_fraction.is_empty()).then_some((
                c.metrics.name.as_str(),
                c.metrics.load_n,
                &s.histogram,
            ))
        })
        .collect();
    if cases.is_empty() {
        return None;
    }
    Some(micromotion_histogram(&cases))
}

fn micromotion_histogram(cases: &[(&str, f64, &MotionHistogram)]) -> Result<String, BiomechError> {
    let err = plot_error("micromotion.svg");
    let x1 = cases
        .iter()
        .filter_map(|c| c.2.bin_edges_um.last().copied())
        .fold(160.0f64, f64::max);
    let (_, y1) = span(
        cases.iter().flat_map(|c| c.2.area_fraction.iter().copied()),
        true,
    );
    let band = seed_band_colour();
    let mut legend = vec![
        (
            "seed's band 50–100 µm (callus stimulus; not a literature threshold)".to_string(),
            Mark::Box(band),
        ),
        (
            "40 µm: fibrous tissue begins to form (Jasty 1997)".to_string(),
            Mark::Dashed(GREY),
        ),
        (
            "150 µm: dense fibrous tissue (Jasty 1997)".to_string(),
            Mark::Dashed(BLACK),
        ),
    ];
    for (i, (name, load, _)) in cases.iter().enumerate() {
        legend.push((format!("{name} ({load:.0} N)"), Mark::Line(color(i), 2)));
    }
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (860, 480 + legend_height(legend.len())))
            .into_drawing_area();
        root.fill(&WHITE).map_err(|e| err(e.to_string()))?;
        let (top, bottom) = split_for_legend(&root, legend.len());
        let mut chart = ChartBuilder::on(&top)
            .caption(
                "Micromotion: tangential slip at the bone–implant interface",
                (FONT, 18),
            )
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(70)
            .build_cartesian_2d(0.0..x1, 0.0..y1)
            .map_err(|e| err(e.to_string()))?;
        chart
            .configure_mesh()
            .x_desc("slip (µm)")
            .y_desc("interface area fraction (–)")
            .label_style((FONT, 13))
            .axis_desc_style((FONT, 13))
            .draw()
            .map_err(|e| err(e.to_string()))?;
        draw_seed_band(&mut chart, y1).map_err(&err)?;
        for (mark, col) in [(40.0, GREY), (150.0, BLACK)] {
            chart
                .draw_series(std::iter::once(DashedPathElement::new(
                    vec![(mark, 0.0), (mark, y1)],
                    5,
                    3,
                    col.stroke_width(2),
                )))
                .map_err(|e| err(e.to_string()))?;
        }
        // each case as a step outline over the full width of every bin, so a value is drawn
        // in its own bin whatever the number of cases
        for (i, (_, _, h)) in cases.iter().enumerate() {
            chart
                .draw_series(LineSeries::new(
                    histogram_steps(h),
                    color(i).stroke_width(2),
                ))
                .map_err(|e| err(e.to_string()))?;
        }
        draw_legend_below(&bottom, 82, &legend).map_err(&err)?;
        root.present().map_err(|e| err(e.to_string()))?;
    }
    Ok(svg)
}

/// The neutral tint of the seed's 50–100 µm band.
pub(crate) fn seed_band_colour() -> RGBColor {
    RGBColor(225, 225, 240)
}

/// Shade the seed's 50–100 µm band (x in µm) from 0 to `y1` in a neutral tint
/// ([`seed_band_colour`]): neither side of it is "better" by colour.
pub(crate) fn draw_seed_band(chart: &mut Chart<'_, '_>, y1: f64) -> Result<(), String> {
    chart
        .draw_series(std::iter::once(Rectangle::new(
            [(SEED_BAND_UM[0], 0.0), (SEED_BAND_UM[1], y1)],
            seed_band_colour().filled(),
        )))
        .map_err(|e| e.to_string())?;
    Ok(())
}

/// The outline of a histogram as (slip µm, area fraction) points: up at the first edge, a
/// plateau over each bin's full width, down at the last edge.
fn histogram_steps(h: &MotionHistogram) -> Vec<(f64, f64)> {
    let mut steps = Vec::with_capacity(2 * h.area_fraction.len() + 2);
    steps.push((h.bin_edges_um.first().copied().unwrap_or(0.0), 0.0));
    for (w, &f) in h.bin_edges_um.windows(2).zip(&h.area_fraction) {
        steps.push((w[0], f));
        steps.push((w[1], f));
    }
    steps.push((h.bin_edges_um.last().copied().unwrap_or(0.0), 0.0));
    steps
}

/// One run of a modulus × defect-length sweep.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SweepPoint {
    /// Defect length (mm).
    pub defect_mm: f64,
    /// Porous-Ta modulus (MPa).
    pub modulus_mpa: f64,
    /// Largest |u| over the bone interface nodes (mm).
    pub interface_max_mm: f64,
    /// Mean stress shielding 1 − S of the bone bands next to the docking faces.
    pub shielding_near: f64,
    /// Volume fraction of that bone below the lazy zone.
    pub below_lazy_zone: f64,
    /// Largest micromotion (µm) of a frictional interface; `None` when bonded.
    #[serde(default)]
    pub micromotion_max_um: Option<f64>,
}

/// The porosity-sweep trade-off vs the implant modulus (log scale), one line per defect
/// length: interface displacement, the micromotion peak (when every point has one, i.e. a
/// frictional sweep) and the near-implant stress shielding, side by side.
pub fn sweep_svg(points: &[SweepPoint], load_label: &str) -> Result<String, BiomechError> {
    let err = plot_error("porosity_sweep.svg");
    let mut lengths: Vec<f64> = points.iter().map(|p| p.defect_mm).collect();
    lengths.sort_by(f64::total_cmp);
    lengths.dedup();
    let e_gpa = |p: &SweepPoint| p.modulus_mpa / 1000.0;
    let (e0, e1) = points
        .iter()
        .map(e_gpa)
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), e| {
            (a.min(e), b.max(e))
        });
    let (e0, e1) = if e0.is_finite() && e1 > e0 {
        (e0 / 1.25, e1 * 1.25)
    } else {
        (1.0, 40.0)
    };
    let mut svg = String::new();
    {
        let mut views: Vec<SweepView<'_>> = vec![(
            "max |u| at the bone interfaces (mm)",
            |p| p.interface_max_mm,
            SeriesLabelPosition::UpperRight,
        )];
        if !points.is_empty() && points.iter().all(|p| p.micromotion_max_um.is_some()) {
            views.push((
                "micromotion, peak over the docking faces (µm)",
                |p| p.micromotion_max_um.unwrap_or(f64::NAN),
                SeriesLabelPosition::UpperRight,
            ));
        }
        // legends where the curves are not: motion falls with E (upper right free),
        // shielding rises (upper left free)
        views.push((
            "stress shielding 1 − S, bone 0–40 mm from the docking faces",
            |p| p.shielding_near,
            SeriesLabelPosition::UpperLeft,
        ));
        let width = 550 * views.len() as u32;
        let root = SVGBackend::with_string(&mut svg, (width, 480)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| err(e.to_string()))?;
        let root = root
            .titled(
                &format!(
                    "Porous-Ta modulus sweep ({load_label}): interface motion vs stress shielding"
                ),
                (FONT, 18),
            )
            .map_err(|e| err(e.to_string()))?;
        let panels = root.split_evenly((1, views.len()));
        for (panel, view) in panels.iter().zip(views) {
            sweep_panel(panel, (e0, e1), points, &lengths, view).map_err(&err)?;
        }
        root.present().map_err(|e| err(e.to_string()))?;
    }
    Ok(svg)
}

/// One panel of the sweep plot: y label, the value of a point, the legend's corner.
type SweepView<'a> = (&'a str, fn(&SweepPoint) -> f64, SeriesLabelPosition);

/// Draw one panel of [`sweep_svg`]: the picked value vs the modulus (GPa, log scale over
/// `(e0, e1)`), one line per defect length of `lengths`.
fn sweep_panel(
    panel: &DrawingArea<SVGBackend<'_>, Shift>,
    (e0, e1): (f64, f64),
    points: &[SweepPoint],
    lengths: &[f64],
    (ylabel, pick, corner): SweepView<'_>,
) -> Result<(), String> {
    let e_gpa = |p: &SweepPoint| p.modulus_mpa / 1000.0;
    let (y0, y1) = span(points.iter().map(pick), true);
    let mut chart = ChartBuilder::on(panel)
        .margin(14)
        .x_label_area_size(44)
        .y_label_area_size(70)
        .build_cartesian_2d(
            (e0..e1).log_scale().with_key_points(
                [1.0, 2.0, 3.0, 5.0, 10.0, 15.0, 20.0, 30.0, 50.0]
                    .into_iter()
                    .filter(|v| (e0..=e1).contains(v))
                    .collect::<Vec<f64>>(),
            ),
            y0..y1,
        )
        .map_err(|e| e.to_string())?;
    chart
        .configure_mesh()
        .x_desc("porous-Ta modulus E (GPa, log scale)")
        .y_desc(ylabel)
        .x_label_formatter(&|x: &f64| {
            format!("{x:.3}")
                .trim_end_matches('0')
                .trim_end_matches('.')
                .to_string()
        })
        .label_style((FONT, 13))
        .axis_desc_style((FONT, 13))
        .draw()
        .map_err(|e| e.to_string())?;
    for (i, &l) in lengths.iter().enumerate() {
        let col = color(i);
        let mut line: Vec<(f64, f64)> = points
            .iter()
            .filter(|p| p.defect_mm == l)
            .map(|p| (e_gpa(p), pick(p)))
            .collect();
        line.sort_by(|a, b| a.0.total_cmp(&b.0));
        chart
            .draw_series(LineSeries::new(line.clone(), col.stroke_width(2)))
            .map_err(|e| e.to_string())?
            .label(format!("defect {l:.0} mm"))
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], col.stroke_width(2)));
        chart
            .draw_series(line.into_iter().map(|p| Circle::new(p, 4, col.filled())))
            .map_err(|e| e.to_string())?;
    }
    draw_legend(&mut chart, corner)?;
    Ok(())
}

/// Write `svg` to `path` atomically.
pub fn write_svg(path: &Path, svg: &str) -> Result<(), BiomechError> {
    write_atomically(path, |w| w.write_all(svg.as_bytes()))?;
    Ok(())
}

/// Write a sweep's plot and points into `dir`: `porosity_sweep.svg` ([`sweep_svg`]) and
/// `porosity_sweep.json`; returns the paths.
pub fn write_sweep(
    dir: &Path,
    points: &[SweepPoint],
    load_label: &str,
) -> Result<Vec<std::path::PathBuf>, BiomechError> {
    std::fs::create_dir_all(dir).map_err(|e| BiomechError::Io(osteon_io::IoError::os(dir, e)))?;
    let svg = dir.join("porosity_sweep.svg");
    write_svg(&svg, &sweep_svg(points, load_label)?)?;
    let json = dir.join("porosity_sweep.json");
    let text = serde_json::to_string_pretty(points)
        .map_err(|e| BiomechError::construction(format!("sweep serialisation: {e}")))?;
    write_atomically(&json, |w| w.write_all(text.as_bytes()))?;
    Ok(vec![svg, json])
}

/// Write the study's plots into `dir`: `shielding.svg`, `shaft_profile.svg`, and
/// `micromotion.svg` when the interface has computed micromotion.
pub fn write_study_plots(report: &StudyReport, dir: &Path) -> Result<Vec<PlotFile>, BiomechError> {
    std::fs::create_dir_all(dir).map_err(|e| BiomechError::Io(osteon_io::IoError::os(dir, e)))?;
    let mut out = Vec::new();
    let mut put = |file: &str, caption: String, svg: String| -> Result<(), BiomechError> {
        write_svg(&dir.join(file), &svg)?;
        out.push(PlotFile {
            file: file.into(),
            caption,
        });
        Ok(())
    };
    put(
        "shielding.svg",
        "Stress shielding 1 − S per bone zone, every load case".into(),
        shielding_svg(report)?,
    )?;
    put(
        "shaft_profile.svg",
        "Von Mises stress and SED along the shaft, implanted vs intact (largest load case)".into(),
        shaft_profile_svg(report)?,
    )?;
    if let Some(svg) = micromotion_svg(report) {
        put(
            "micromotion.svg",
            "Micromotion histogram (interface slip)".into(),
            svg?,
        )?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_plot_has_bars_and_the_slip_axis() {
        // 20 bins of 10 µm, 5 % of the area each
        let histogram = MotionHistogram {
            bin_edges_um: (0..=20).map(|k| 10.0 * k as f64).collect(),
            area_fraction: vec![0.05; 20],
        };
        let svg = micromotion_histogram(&[("100 % BW", 686.7, &histogram)]).expect("plot");
        assert!(svg.starts_with("<svg") && svg.contains("slip (µm)") && svg.contains("<rect"));
        assert!(svg.contains("seed&apos;s band") || svg.contains("seed's band"));
    }

    #[test]
    fn a_sub_micron_micromotion_is_drawn_in_its_own_bin() {
        // every sample at 0.39 µm: all the area in [0, 10) µm, drawn over the whole bin
        // (not in a 5–10 µm slot beside another case's bar)
        let h = MotionHistogram {
            bin_edges_um: vec![0.0, 10.0, 20.0],
            area_fraction: vec![1.0, 0.0],
        };
        assert_eq!(
            histogram_steps(&h),
            vec![
                (0.0, 0.0),
                (0.0, 1.0),
                (10.0, 1.0),
                (10.0, 0.0),
                (20.0, 0.0),
                (20.0, 0.0)
            ]
        );
        let svg = micromotion_histogram(&[("50 % BW", 343.4, &h), ("100 % BW", 686.7, &h)])
            .expect("plot");
        assert!(svg.contains("50 % BW (343 N)") && svg.contains("100 % BW (687 N)"));
    }

    #[test]
    fn sweep_plot_has_one_line_per_defect_length() {
        let mut points: Vec<SweepPoint> = [45.0, 63.0, 82.0]
            .iter()
            .flat_map(|&l| {
                [1300.0, 3000.0, 10000.0, 14600.0, 30000.0].map(move |e| SweepPoint {
                    defect_mm: l,
                    modulus_mpa: e,
                    interface_max_mm: 0.1 + l * 1e-3 / (e / 1000.0),
                    shielding_near: 0.1 * (e / 30000.0),
                    below_lazy_zone: 0.0,
                    micromotion_max_um: None,
                })
            })
            .collect();
        let svg = sweep_svg(&points, "100 % BW").expect("plot");
        assert!(
            !svg.contains("micromotion"),
            "no micromotion panel when bonded"
        );
        for l in ["defect 45 mm", "defect 63 mm", "defect 82 mm", "log scale"] {
            assert!(svg.contains(l), "{l} missing");
        }
        assert_eq!(
            svg.matches("defect 63 mm").count(),
            2,
            "one legend entry per panel"
        );
        assert_eq!(
            svg.matches("<circle").count(),
            2 * points.len(),
            "a marker per point"
        );
        // a frictional sweep adds the micromotion panel
        for p in &mut points {
            p.micromotion_max_um = Some(30.0 / (p.modulus_mpa / 1000.0));
        }
        let svg = sweep_svg(&points, "100 % BW").expect("plot");
        assert!(svg.contains("micromotion, peak"));
        assert_eq!(svg.matches("defect 63 mm").count(), 3);
        assert_eq!(svg.matches("<circle").count(), 3 * points.len());
    }
}
