//! `modulus_vs_porosity.svg`: the computed moduli of a porosity sweep against the
//! Gibson–Ashby lines and measured printed porous-tantalum lattices.

use plotters::prelude::*;

use crate::{LatticeError, PowerLaw, SweepPoint};

/// A measured printed lattice: a label, its porosity (1) and its modulus, mean ± SD (GPa).
#[derive(Debug, Clone, PartialEq)]
pub struct Measurement {
    /// Source and lattice, in words.
    pub label: &'static str,
    /// Porosity (1).
    pub porosity: f64,
    /// Mean modulus (GPa).
    pub mean_gpa: f64,
    /// Its standard deviation (GPa).
    pub sd_gpa: f64,
}

/// Measured SLM porous tantalum with a stated porosity (docs/lattice.md §7): Gao et al.
/// 2021, Rare Metal Materials and Engineering — uniform TPMS lattice 65.39 %,
/// E = 1.69 ± 0.50 GPa; radially graded lattice 68.18 %, E = 3.47 ± 0.25 GPa.
pub const MEASURED_TANTALUM: [Measurement; 2] = [
    Measurement {
        label: "SLM Ta TPMS, uniform (Gao 2021)",
        porosity: 0.6539,
        mean_gpa: 1.69,
        sd_gpa: 0.50,
    },
    Measurement {
        label: "SLM Ta TPMS, graded (Gao 2021)",
        porosity: 0.6818,
        mean_gpa: 3.47,
        sd_gpa: 0.25,
    },
];

/// Measured SLM porous-Ta lattices without a porosity in the source (Int J Bioprinting
/// 2023, 9(4); docs/biomechanics.md §4): 1.30–5.72 GPa, drawn as a band.
pub const MEASURED_TANTALUM_BAND_GPA: (f64, f64) = (1.30, 5.72);

/// The SVG text of the plot: `points` (the sweep of `cell`), `law` fitted to them, the
/// designed cell at (`design_porosity`, `design_modulus_mpa`), the lines E_s·ρ (Voigt
/// bound) and E_s·ρ² (Gibson–Ashby with C = 1) for the solid modulus `solid_mpa`, and the
/// measurements.
///
/// # Errors
/// [`LatticeError::Output`] when plotters fails.
pub fn modulus_vs_porosity_svg(
    cell: &str,
    points: &[SweepPoint],
    law: &PowerLaw,
    design: (f64, f64),
    solid_mpa: f64,
) -> Result<String, LatticeError> {
    let mut svg = String::new();
    draw(&mut svg, cell, points, law, design, solid_mpa).map_err(|detail| {
        LatticeError::Output {
            path: "modulus_vs_porosity.svg".into(),
            detail,
        }
    })?;
    Ok(svg)
}

fn draw(
    svg: &mut String,
    cell: &str,
    points: &[SweepPoint],
    law: &PowerLaw,
    (design_porosity, design_modulus_mpa): (f64, f64),
    solid_mpa: f64,
) -> Result<(), String> {
    let e = |x: &dyn std::fmt::Display| x.to_string();
    let root = SVGBackend::with_string(svg, (820, 560)).into_drawing_area();
    root.fill(&WHITE).map_err(|x| e(&x))?;
    let (p0, p1) = (0.5, 0.95);
    let (y0, y1) = (0.3, 200.0);
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!("Porous tantalum: apparent modulus vs porosity ({cell} cell, voxel micro-FE)"),
            ("sans-serif", 18),
        )
        .margin(16)
        .x_label_area_size(46)
        .y_label_area_size(70)
        .build_cartesian_2d(p0..p1, (y0..y1).log_scale())
        .map_err(|x| e(&x))?;
    chart
        .configure_mesh()
        .x_desc("porosity 1 − ρ/ρ_s")
        .y_desc("Young's modulus (GPa)")
        .light_line_style(RGBColor(235, 235, 235))
        .draw()
        .map_err(|x| e(&x))?;

    let band = MEASURED_TANTALUM_BAND_GPA;
    chart
        .draw_series(std::iter::once(Rectangle::new(
            [(p0, band.0), (p1, band.1)],
            RGBColor(255, 200, 120).mix(0.35).filled(),
        )))
        .map_err(|x| e(&x))?
        .label("measured SLM porous Ta, 1.30–5.72 GPa (Int J Bioprinting 2023)")
        .legend(|(x, y)| {
            Rectangle::new(
                [(x, y - 5), (x + 16, y + 5)],
                RGBColor(255, 200, 120).filled(),
            )
        });

    let xs: Vec<f64> = (0..=90)
        .map(|i| p0 + (p1 - p0) * f64::from(i) / 90.0)
        .collect();
    let line = |f: &dyn Fn(f64) -> f64| -> Vec<(f64, f64)> {
        xs.iter()
            .map(|&p| (p, f(1.0 - p) * solid_mpa / 1000.0))
            .collect()
    };
    let grey = RGBColor(110, 110, 110);
    chart
        .draw_series(LineSeries::new(line(&|r| r), grey.stroke_width(1)))
        .map_err(|x| e(&x))?
        .label("Voigt bound E_s·ρ (any architecture)")
        .legend(move |(x, y)| PathElement::new([(x, y), (x + 16, y)], grey));
    let dashed = RGBColor(60, 60, 60);
    chart
        .draw_series(DashedLineSeries::new(
            line(&|r| r * r),
            6,
            4,
            dashed.stroke_width(2),
        ))
        .map_err(|x| e(&x))?
        .label("Gibson–Ashby C = 1, n = 2 (the study's default law)")
        .legend(move |(x, y)| PathElement::new([(x, y), (x + 16, y)], dashed.stroke_width(2)));
    let blue = RGBColor(31, 119, 180);
    chart
        .draw_series(LineSeries::new(
            line(&|r| law.relative_modulus(r)),
            blue.stroke_width(2),
        ))
        .map_err(|x| e(&x))?
        .label(format!("fit C = {:.3}, n = {:.2}", law.c, law.n))
        .legend(move |(x, y)| PathElement::new([(x, y), (x + 16, y)], blue.stroke_width(2)));
    chart
        .draw_series(points.iter().map(|p| {
            Circle::new(
                (p.porosity, p.youngs_modulus_mpa / 1000.0),
                4,
                blue.filled(),
            )
        }))
        .map_err(|x| e(&x))?
        .label(format!("{cell}: computed (ideal geometry)"))
        .legend(move |(x, y)| Circle::new((x + 8, y), 4, blue.filled()));
    let red = RGBColor(214, 39, 40);
    chart
        .draw_series(std::iter::once(TriangleMarker::new(
            (design_porosity, design_modulus_mpa / 1000.0),
            7,
            red.filled(),
        )))
        .map_err(|x| e(&x))?
        .label("the designed cell")
        .legend(move |(x, y)| TriangleMarker::new((x + 8, y), 6, red.filled()));
    let brown = RGBColor(140, 86, 75);
    for m in &MEASURED_TANTALUM {
        chart
            .draw_series(std::iter::once(PathElement::new(
                [
                    (m.porosity, m.mean_gpa - m.sd_gpa),
                    (m.porosity, m.mean_gpa + m.sd_gpa),
                ],
                brown.stroke_width(3),
            )))
            .map_err(|x| e(&x))?;
    }
    chart
        .draw_series(
            MEASURED_TANTALUM
                .iter()
                .map(|m| Cross::new((m.porosity, m.mean_gpa), 5, brown.stroke_width(2))),
        )
        .map_err(|x| e(&x))?
        .label("measured SLM Ta TPMS lattices, mean ± SD (Gao 2021)")
        .legend(move |(x, y)| Cross::new((x + 8, y), 5, brown.stroke_width(2)));
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.85))
        .border_style(grey)
        .label_font(("sans-serif", 12))
        .draw()
        .map_err(|x| e(&x))?;
    root.present().map_err(|x| e(&x))?;
    Ok(())
}
