//! Plain-text report of the checks: one table row per compared quantity (case, element,
//! quantity with unit, computed, reference, relative error, tolerance, PASS/FAIL), the
//! convergence table, and the summary line `N passed, M failed`.

use crate::convergence::ConvergenceStudy;
use crate::support::CheckResult;

/// Format the rows as an aligned text table with a header.
pub fn format_table(rows: &[CheckResult]) -> String {
    let header = [
        "case",
        "element",
        "quantity",
        "computed",
        "reference",
        "rel. error",
        "tolerance",
        "status",
    ];
    let cells: Vec<[String; 8]> = rows
        .iter()
        .map(|r| {
            [
                r.case.clone(),
                r.element.abaqus_name().to_string(),
                r.quantity.clone(),
                format!("{:.6e}", r.computed),
                format!("{:.6e}", r.reference),
                format!("{:.2e}", r.rel_error),
                format!("{:.0e}", r.tolerance),
                if r.passed() { "PASS" } else { "FAIL" }.to_string(),
            ]
        })
        .collect();
    let mut width = header.map(|h| h.chars().count());
    for row in &cells {
        for (w, c) in width.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |row: &[String]| -> String {
        let parts: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(k, c)| {
                let pad = width[k].saturating_sub(c.chars().count());
                // text columns left-aligned, numbers right-aligned
                if (3..7).contains(&k) {
                    format!("{}{c}", " ".repeat(pad))
                } else {
                    format!("{c}{}", " ".repeat(pad))
                }
            })
            .collect();
        parts.join(" | ").trim_end().to_string()
    };
    let mut out = String::new();
    out.push_str(&line(&header.map(String::from)));
    out.push('\n');
    out.push_str(
        &width
            .iter()
            .map(|&w| "-".repeat(w))
            .collect::<Vec<_>>()
            .join("-+-"),
    );
    out.push('\n');
    for row in &cells {
        out.push_str(&line(row));
        out.push('\n');
    }
    out
}

/// Format the convergence studies: errors per level, then the fitted slopes.
pub fn format_convergence(studies: &[ConvergenceStudy]) -> String {
    let mut out = String::from(
        "Convergence, Lame quarter cylinder (pure Dirichlet): relative L2 and H1-seminorm errors\n",
    );
    for s in studies {
        out.push_str(&format!("  {}\n", s.element.abaqus_name()));
        for l in &s.levels {
            out.push_str(&format!(
                "    cells {:>2} x {:>2} x {:>2}  h = {:<6.4} mm  {:>6} nodes  L2 {:.3e}  H1 {:.3e}\n",
                l.cells[0], l.cells[1], l.cells[2], l.h, l.nodes, l.error, l.h1_error
            ));
        }
        out.push_str(&format!(
            "    L2 slope: last two {:.3}, least squares {:.3} (theory {}); H1 slope: last two {:.3} (theory {})\n",
            s.slope_last,
            s.slope_lsq,
            s.expected,
            s.h1_slope_last,
            s.expected - 1.0
        ));
    }
    out
}

/// The summary line, exactly `N passed, M failed`.
pub fn summary_line(rows: &[CheckResult]) -> String {
    let passed = rows.iter().filter(|r| r.passed()).count();
    format!("{passed} passed, {} failed", rows.len() - passed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use osteon_mesh::ElementType;

    #[test]
    fn table_has_aligned_rows_and_the_summary_counts() {
        let rows = vec![
            CheckResult::relative("1 bar", ElementType::Hex8, "u (mm)", 1.0, 1.0, 1e-10),
            CheckResult::relative(
                "2 long case name",
                ElementType::Tet10,
                "sigma (MPa)",
                1.1,
                1.0,
                0.01,
            ),
        ];
        let t = format_table(&rows);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines.len(), 4);
        assert!(lines[2].ends_with("PASS") && lines[3].ends_with("FAIL"));
        let bar = lines[0].find("| element").expect("header");
        assert_eq!(lines[2].find("| C3D8"), Some(bar));
        assert_eq!(summary_line(&rows), "1 passed, 1 failed");
    }
}
