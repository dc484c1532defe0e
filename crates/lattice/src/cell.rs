//! The three cell architectures and their point-membership tests in unit-cell coordinates.

use std::f64::consts::PI;
use std::fmt;
use std::str::FromStr;

/// A lattice architecture. Coordinates are in units of the cell edge, u ∈ [0, 1)³.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellKind {
    /// Struts (cylinders of radius r, cell units) along the bonds of the diamond lattice:
    /// bending-dominated (Gibson & Ashby 1997).
    Diamond,
    /// Struts along the nearest-neighbour bonds of the face-centred cubic lattice (octet
    /// truss): stretch-dominated (Deshpande, Ashby & Fleck 2001, Acta Mater 49:1035).
    Octet,
    /// Sheet gyroid |sin x cos y + sin y cos z + sin z cos x| < t, x = 2πu.
    Gyroid,
}

impl CellKind {
    /// The range of the geometric parameter (strut radius or sheet half-thickness level)
    /// over which the porosity runs from 1 to 0.
    pub fn parameter_range(self) -> (f64, f64) {
        match self {
            CellKind::Diamond | CellKind::Octet => (0.0, 0.5),
            CellKind::Gyroid => (0.0, 1.5),
        }
    }

    /// Whether the point `u` (cell units) is solid for parameter `p`: [`CellKind::field`]
    /// below `p`.
    pub fn is_solid(self, u: [f64; 3], p: f64) -> bool {
        self.field(u) < p
    }

    /// The level-set field whose sublevel set {field < p} is the solid: the distance to the
    /// nearest strut axis (diamond, octet; cell units) or |gyroid| (gyroid).
    pub fn field(self, u: [f64; 3]) -> f64 {
        match self {
            CellKind::Diamond => strut_distance(u, &diamond_bonds()),
            CellKind::Octet => strut_distance(u, &octet_bonds()),
            CellKind::Gyroid => gyroid(u).abs(),
        }
    }
}

impl fmt::Display for CellKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CellKind::Diamond => "diamond",
            CellKind::Octet => "octet",
            CellKind::Gyroid => "gyroid",
        })
    }
}

impl FromStr for CellKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "diamond" => Ok(CellKind::Diamond),
            "octet" => Ok(CellKind::Octet),
            "gyroid" => Ok(CellKind::Gyroid),
            _ => Err(format!("unknown cell '{s}' (diamond, octet, gyroid)")),
        }
    }
}

type Bond = ([f64; 3], [f64; 3]);

const FCC: [[f64; 3]; 4] = [
    [0.0, 0.0, 0.0],
    [0.0, 0.5, 0.5],
    [0.5, 0.0, 0.5],
    [0.5, 0.5, 0.0],
];

/// The 16 bonds of the diamond lattice: each FCC site to its four neighbours at (±¼)³ with
/// an even number of minus signs.
fn diamond_bonds() -> Vec<Bond> {
    let q = 0.25;
    let dirs = [[q, q, q], [q, -q, -q], [-q, q, -q], [-q, -q, q]];
    FCC.iter()
        .flat_map(|a| dirs.iter().map(move |d| (*a, add(*a, *d))))
        .collect()
}

/// The 24 bonds of the octet truss: each FCC site to six of its twelve neighbours at
/// (±½, ±½, 0) and permutations (the other six are the reverse bonds of other sites).
fn octet_bonds() -> Vec<Bond> {
    let h = 0.5;
    let dirs = [
        [h, h, 0.0],
        [h, -h, 0.0],
        [h, 0.0, h],
        [h, 0.0, -h],
        [0.0, h, h],
        [0.0, h, -h],
    ];
    FCC.iter()
        .flat_map(|a| dirs.iter().map(move |d| (*a, add(*a, *d))))
        .collect()
}

fn add(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [a[0] + b[0], a[1] + b[1], a[2] + b[2]]
}

/// Distance from `u` to the nearest bond, over the periodic images of the bonds.
fn strut_distance(u: [f64; 3], bonds: &[Bond]) -> f64 {
    let mut best = f64::INFINITY;
    for sx in -1..=1 {
        for sy in -1..=1 {
            for sz in -1..=1 {
                let p = [u[0] + sx as f64, u[1] + sy as f64, u[2] + sz as f64];
                for (a, b) in bonds {
                    best = best.min(segment_distance(p, *a, *b));
                }
            }
        }
    }
    best
}

fn segment_distance(p: [f64; 3], a: [f64; 3], b: [f64; 3]) -> f64 {
    let ab = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
    let ap = [p[0] - a[0], p[1] - a[1], p[2] - a[2]];
    let len2 = ab[0] * ab[0] + ab[1] * ab[1] + ab[2] * ab[2];
    let t = ((ap[0] * ab[0] + ap[1] * ab[1] + ap[2] * ab[2]) / len2).clamp(0.0, 1.0);
    let d = [ap[0] - t * ab[0], ap[1] - t * ab[1], ap[2] - t * ab[2]];
    (d[0] * d[0] + d[1] * d[1] + d[2] * d[2]).sqrt()
}

fn gyroid(u: [f64; 3]) -> f64 {
    let [x, y, z] = u.map(|c| 2.0 * PI * c);
    x.sin() * y.cos() + y.sin() * z.cos() + z.sin() * x.cos()
}
