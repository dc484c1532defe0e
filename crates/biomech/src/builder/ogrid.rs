//! The unit-disk O-grid of the cross-sections (a central square and four outer blocks) and
//! the piecewise-linear station map that sweeps a block along z.

use std::f64::consts::FRAC_PI_2;

use osteon_mesh::generate::{StructuredSpec, structured_mesh};
use osteon_mesh::{ElementType, Mesh};

use crate::error::BiomechError;

/// Half-width of the O-grid's central square in the unit disk (engineering choice: corner
/// radius 0.64 keeps the four outer blocks well shaped).
pub(super) const OGRID_SQUARE: f64 = 0.45;

/// Piecewise-linear map of the unit interval onto the stations (cell boundaries).
pub(super) fn station_map(stations: &[f64], p: f64) -> f64 {
    let n = stations.len() - 1;
    let s = (p * n as f64).clamp(0.0, n as f64);
    let i = (s.floor() as usize).min(n - 1);
    stations[i] + (s - i as f64) * (stations[i + 1] - stations[i])
}

/// A point of the unit-disk O-grid: block 0 is the central square, blocks 1..=4 the outer
/// blocks east, north, west, south; (p0, p1) ∈ [0, 1]², right-handed in every block.
pub fn ogrid_point(block: usize, p0: f64, p1: f64) -> [f64; 2] {
    let c = OGRID_SQUARE;
    if block == 0 {
        return [c * (2.0 * p0 - 1.0), c * (2.0 * p1 - 1.0)];
    }
    let (s, t) = (p0, p1);
    let phi = (t - 0.5) * FRAC_PI_2;
    let inner = [c, c * (2.0 * t - 1.0)];
    let outer = [phi.cos(), phi.sin()];
    let local = [
        (1.0 - s) * inner[0] + s * outer[0],
        (1.0 - s) * inner[1] + s * outer[1],
    ];
    let rot = (block - 1) as f64 * FRAC_PI_2;
    let (sn, cs) = rot.sin_cos();
    [cs * local[0] - sn * local[1], sn * local[0] + cs * local[1]]
}

/// The five O-grid blocks of a disk with `m` cells per quarter (central square m × m) and
/// `n_r` radial cells, swept over `n_axial` cells, mapped by `map(disk point, p_axial)`.
pub(super) fn ogrid_blocks(
    m: usize,
    n_r: usize,
    n_axial: usize,
    etype: ElementType,
    map: impl Fn([f64; 2], f64) -> [f64; 3],
) -> Result<Vec<Mesh>, BiomechError> {
    (0..5)
        .map(|b| {
            let cells = if b == 0 {
                [m, m, n_axial]
            } else {
                [n_r, m, n_axial]
            };
            oriented_block(cells, etype, |p| map(ogrid_point(b, p[0], p[1]), p[2]))
        })
        .collect()
}

/// A structured block of `map`, its third parameter reversed when that makes the map
/// right-handed (judged by the Jacobian at the block's centre): a block swept towards −x
/// (a far cortex) keeps a positive Jacobian.
pub(super) fn oriented_block(
    cells: [usize; 3],
    etype: ElementType,
    map: impl Fn([f64; 3]) -> [f64; 3],
) -> Result<Mesh, BiomechError> {
    let d = 1e-4;
    let column = |k: usize| -> [f64; 3] {
        let mut a = [0.5; 3];
        let mut b = [0.5; 3];
        a[k] -= d;
        b[k] += d;
        let (xa, xb) = (map(a), map(b));
        std::array::from_fn(|i| xb[i] - xa[i])
    };
    let j = [column(0), column(1), column(2)];
    let det = j[0][0] * (j[1][1] * j[2][2] - j[1][2] * j[2][1])
        - j[0][1] * (j[1][0] * j[2][2] - j[1][2] * j[2][0])
        + j[0][2] * (j[1][0] * j[2][1] - j[1][1] * j[2][0]);
    let flip = det < 0.0;
    let spec = StructuredSpec {
        cells,
        element: etype,
        periodic: [false; 3],
        face_names: [["", ""], ["", ""], ["", ""]],
    };
    Ok(structured_mesh(&spec, |p| {
        map(if flip { [p[0], p[1], 1.0 - p[2]] } else { p })
    })?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ogrid_blocks_are_right_handed_and_meet() {
        // outer arc on the unit circle, inner edges on the square, shared edges coincide
        for b in 1..5 {
            for t in [0.0, 0.3, 1.0] {
                let p = ogrid_point(b, 1.0, t);
                assert!((p[0].hypot(p[1]) - 1.0).abs() < 1e-15);
            }
        }
        let a = ogrid_point(1, 0.4, 1.0);
        let b = ogrid_point(2, 0.4, 0.0);
        assert!((a[0] - b[0]).abs() < 1e-15 && (a[1] - b[1]).abs() < 1e-15);
        let sq = ogrid_point(0, 1.0, 0.25);
        let east = ogrid_point(1, 0.0, 0.25);
        assert!((sq[0] - east[0]).abs() < 1e-15 && (sq[1] - east[1]).abs() < 1e-15);
    }
}
