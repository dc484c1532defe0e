//! NIfTI-1 volumes and label maps (`.nii`, `.nii.gz`), read and written by hand.
//!
//! Why not the `nifti` crate: it returns voxels as `ndarray` arrays (one more large dependency
//! tree for a 348-byte header and a flat array) and leaves the RAS → LPS conversion to the
//! caller anyway; the format is small and fully specified (NIfTI-1, `nifti1.h`), so a reader
//! of ~200 lines that checks every field and names the file in each error is the smaller risk.
//!
//! **Frames.** NIfTI's `sform`/`qform` map voxel indices to RAS+ millimetres: +x towards the
//! patient's right, +y anterior, +z superior. DICOM and osteon use LPS+: +x towards the
//! patient's left, +y posterior, +z superior. The two differ by the sign of x and y, so the
//! RAS point `(x, y, z)` is `(−x, −y, z)` in LPS. The reader applies this to the origin and to
//! every axis direction; the writer applies it back. The sform/qform is stored in f32, so
//! positions survive a round trip to about 1e-6 relative.
//!
//! Affine used on reading: the `sform` when `sform_code > 0`, else the `qform` (quaternion,
//! `qfac` from `pixdim[0]`) when `qform_code > 0`, else the plain scaling `pixdim` (NIfTI's
//! "method 1"). Voxel values are scaled by `scl_slope`/`scl_inter` when the slope is non-zero.
//! Data types: u8, i8, i16, u16, i32, u32, f32, f64; 3-D only (a 4-D file with one volume is
//! accepted).

use std::io::{Read, Write};
use std::path::Path;

use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;

use crate::error::ImagingError;
use crate::output::write_atomically;
use crate::volume::{Volume, Voxels, norm};

const HEADER: usize = 348;

fn is_gz(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("gz"))
}

/// Read a NIfTI-1 file (`.nii` or `.nii.gz`) into a [`Volume`] in LPS millimetres.
///
/// # Errors
/// [`ImagingError::Os`] when the file cannot be read, [`ImagingError::Format`] naming the
/// file when the header or the data are not valid NIfTI-1 (wrong size field or magic,
/// unsupported data type, more than one volume, truncated data, a singular affine).
pub fn read_nifti(path: &Path) -> Result<Volume, ImagingError> {
    let raw = std::fs::read(path).map_err(|e| ImagingError::os(path, e))?;
    let bytes = if is_gz(path) || raw.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        GzDecoder::new(&raw[..])
            .read_to_end(&mut out)
            .map_err(|e| ImagingError::format(path, format!("gzip stream: {e}")))?;
        out
    } else {
        raw
    };
    parse(path, &bytes)
}

struct Reader<'a> {
    b: &'a [u8],
    big: bool,
}

impl Reader<'_> {
    fn bytes<const N: usize>(&self, at: usize) -> [u8; N] {
        let mut a = [0u8; N];
        a.copy_from_slice(&self.b[at..at + N]);
        if self.big {
            a.reverse();
        }
        a
    }
    fn i16(&self, at: usize) -> i16 {
        i16::from_le_bytes(self.bytes(at))
    }
    fn f32(&self, at: usize) -> f32 {
        f32::from_le_bytes(self.bytes(at))
    }
}

fn parse(path: &Path, b: &[u8]) -> Result<Volume, ImagingError> {
    let bad = |m: String| ImagingError::format(path, m);
    if b.len() < HEADER {
        return Err(bad(format!(
            "truncated header: {} bytes, a NIfTI-1 header has 348",
            b.len()
        )));
    }
    let le = i32::from_le_bytes([b[0], b[1], b[2], b[3]]);
    let be = i32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    let big = match (le, be) {
        (348, _) => false,
        (_, 348) => true,
        _ => {
            return Err(bad(format!(
                "header size field is {le}, expected 348 (not a NIfTI-1 file; NIfTI-2 is not supported)"
            )));
        }
    };
    if &b[344..347] != b"n+1" && &b[344..347] != b"ni1" {
        return Err(bad("magic is not 'n+1' or 'ni1'".into()));
    }
    if &b[344..347] == b"ni1" {
        return Err(bad("a header/image pair (.hdr/.img, magic 'ni1') is not supported; convert to a single .nii".into()));
    }
    let r = Reader { b, big };
    let ndim = r.i16(40);
    let dim: Vec<i64> = (1..8).map(|d| i64::from(r.i16(40 + 2 * d))).collect();
    if !(1..=7).contains(&ndim) {
        return Err(bad(format!("dim[0] = {ndim}, expected 1..7")));
    }
    let mut dims = [1usize; 3];
    for d in 0..(ndim as usize).min(3) {
        if dim[d] < 1 {
            return Err(bad(format!("dim[{}] = {}, expected ≥ 1", d + 1, dim[d])));
        }
        dims[d] = dim[d] as usize;
    }
    for d in 3..ndim as usize {
        if dim[d] > 1 {
            return Err(bad(format!(
                "{ndim}-D image with dim[{}] = {}: one 3-D volume expected",
                d + 1,
                dim[d]
            )));
        }
    }
    let datatype = r.i16(70);
    let (size, name) = match datatype {
        2 => (1, "u8"),
        256 => (1, "i8"),
        4 => (2, "i16"),
        512 => (2, "u16"),
        8 => (4, "i32"),
        768 => (4, "u32"),
        16 => (4, "f32"),
        64 => (8, "f64"),
        other => {
            return Err(bad(format!(
                "data type code {other} is not supported (u8, i8, i16, u16, i32, u32, f32, f64)"
            )));
        }
    };
    let pixdim: Vec<f64> = (0..8).map(|d| f64::from(r.f32(76 + 4 * d))).collect();
    let vox_offset = r.f32(108);
    if !(vox_offset.is_finite() && vox_offset >= HEADER as f32) {
        return Err(bad(format!("vox_offset = {vox_offset}, expected ≥ 348")));
    }
    let offset = vox_offset as usize;
    let n = dims[0] * dims[1] * dims[2];
    let need = offset + n * size;
    if b.len() < need {
        return Err(bad(format!(
            "truncated data: {} bytes, the header needs {need} ({n} voxels of {name} from byte {offset})",
            b.len()
        )));
    }
    let slope = f64::from(r.f32(112));
    let inter = f64::from(r.f32(116));
    let scaled = slope.is_finite() && slope != 0.0 && !(slope == 1.0 && inter == 0.0);
    let raw = &b[offset..need];
    let at = |i: usize| -> f64 {
        let s = &raw[i * size..(i + 1) * size];
        let mut a = [0u8; 8];
        a[..size].copy_from_slice(s);
        if big {
            a[..size].reverse();
        }
        match datatype {
            2 => f64::from(a[0]),
            256 => f64::from(a[0] as i8),
            4 => f64::from(i16::from_le_bytes([a[0], a[1]])),
            512 => f64::from(u16::from_le_bytes([a[0], a[1]])),
            8 => f64::from(i32::from_le_bytes([a[0], a[1], a[2], a[3]])),
            768 => f64::from(u32::from_le_bytes([a[0], a[1], a[2], a[3]])),
            16 => f64::from(f32::from_le_bytes([a[0], a[1], a[2], a[3]])),
            _ => f64::from_le_bytes(a),
        }
    };
    let values: Vec<f64> = (0..n)
        .map(|i| if scaled { slope * at(i) + inter } else { at(i) })
        .collect();
    let fits_i16 = values
        .iter()
        .all(|&v| v.fract() == 0.0 && v >= f64::from(i16::MIN) && v <= f64::from(i16::MAX));
    let voxels = if fits_i16 && datatype != 16 && datatype != 64 {
        Voxels::I16(values.iter().map(|&v| v as i16).collect())
    } else {
        Voxels::F32(values.iter().map(|&v| v as f32).collect())
    };
    // the affine, RAS: columns = grid axes scaled by spacing, last column = origin
    let (axes, origin_ras) = affine(&r, &pixdim).map_err(bad)?;
    let mut spacing = [0.0; 3];
    let mut direction = [[0.0; 3]; 3];
    for c in 0..3 {
        let len = norm(axes[c]);
        if !(len.is_finite() && len > 0.0) {
            return Err(bad(format!(
                "axis {c} of the affine has length {len}: singular affine"
            )));
        }
        spacing[c] = len;
        direction[c] = ras_to_lps(axes[c].map(|x| x / len));
    }
    let origin = ras_to_lps(origin_ras);
    Volume::with_direction(dims, spacing, origin, direction, voxels)
        .map_err(|e| bad(format!("geometry: {e}")))
}

/// RAS ↔ LPS: the sign of x and y changes (its own inverse).
pub fn ras_to_lps(p: [f64; 3]) -> [f64; 3] {
    [-p[0], -p[1], p[2]]
}

type Affine = ([[f64; 3]; 3], [f64; 3]);

fn affine(r: &Reader<'_>, pixdim: &[f64]) -> Result<Affine, String> {
    let qform_code = r.i16(252);
    let sform_code = r.i16(254);
    if sform_code > 0 {
        let row = |at: usize| [0, 1, 2, 3].map(|c| f64::from(r.f32(at + 4 * c)));
        let (x, y, z) = (row(280), row(296), row(312));
        let axes = [0, 1, 2].map(|c| [x[c], y[c], z[c]]);
        return Ok((axes, [x[3], y[3], z[3]]));
    }
    let sp =
        [pixdim[1].abs(), pixdim[2].abs(), pixdim[3].abs()].map(|s| if s > 0.0 { s } else { 1.0 });
    if qform_code > 0 {
        let (b, c, d) = (
            f64::from(r.f32(256)),
            f64::from(r.f32(260)),
            f64::from(r.f32(264)),
        );
        let a2 = 1.0 - (b * b + c * c + d * d);
        let a = if a2 > 1e-7 { a2.sqrt() } else { 0.0 };
        let qfac = if pixdim[0] < 0.0 { -1.0 } else { 1.0 };
        // rotation matrix of nifti1.h, columns are the grid axes
        let m = [
            [
                a * a + b * b - c * c - d * d,
                2.0 * (b * c - a * d),
                2.0 * (b * d + a * c),
            ],
            [
                2.0 * (b * c + a * d),
                a * a + c * c - b * b - d * d,
                2.0 * (c * d - a * b),
            ],
            [
                2.0 * (b * d - a * c),
                2.0 * (c * d + a * b),
                a * a + d * d - c * c - b * b,
            ],
        ];
        let scale = [sp[0], sp[1], sp[2] * qfac];
        let axes = [0, 1, 2].map(|col| [0, 1, 2].map(|row| m[row][col] * scale[col]));
        let origin = [
            f64::from(r.f32(268)),
            f64::from(r.f32(272)),
            f64::from(r.f32(276)),
        ];
        return Ok((axes, origin));
    }
    Ok((
        [[sp[0], 0.0, 0.0], [0.0, sp[1], 0.0], [0.0, 0.0, sp[2]]],
        [0.0; 3],
    ))
}

/// Write `volume` as NIfTI-1 (gzip-compressed when the name ends in `.gz`), atomically.
/// The voxel type follows the volume: int16 for [`Voxels::I16`], float32 for
/// [`Voxels::F32`]. The geometry goes into the `sform` (code 2, aligned anatomical) in RAS,
/// converted from the volume's LPS; the `qform` is left unset (code 0); units mm.
///
/// # Errors
/// [`ImagingError::Os`] when the file cannot be written.
pub fn write_nifti(path: &Path, volume: &Volume) -> Result<(), ImagingError> {
    let bytes = encode(volume);
    write_atomically(path, |w| {
        if is_gz(path) {
            let mut gz = GzEncoder::new(w, Compression::fast());
            gz.write_all(&bytes)?;
            gz.finish()?;
            Ok(())
        } else {
            w.write_all(&bytes)
        }
    })
}

fn encode(v: &Volume) -> Vec<u8> {
    let mut h = vec![0u8; 352];
    let put = |h: &mut Vec<u8>, at: usize, b: &[u8]| h[at..at + b.len()].copy_from_slice(b);
    put(&mut h, 0, &348i32.to_le_bytes());
    let dims = [
        3i16,
        v.dims[0] as i16,
        v.dims[1] as i16,
        v.dims[2] as i16,
        1,
        1,
        1,
        1,
    ];
    for (d, x) in dims.iter().enumerate() {
        put(&mut h, 40 + 2 * d, &x.to_le_bytes());
    }
    let (code, bitpix): (i16, i16) = match v.voxels {
        Voxels::I16(_) => (4, 16),
        Voxels::F32(_) => (16, 32),
    };
    put(&mut h, 70, &code.to_le_bytes());
    put(&mut h, 72, &bitpix.to_le_bytes());
    let pixdim = [
        1.0f32,
        v.spacing[0] as f32,
        v.spacing[1] as f32,
        v.spacing[2] as f32,
        0.0,
        0.0,
        0.0,
        0.0,
    ];
    for (d, x) in pixdim.iter().enumerate() {
        put(&mut h, 76 + 4 * d, &x.to_le_bytes());
    }
    put(&mut h, 108, &352f32.to_le_bytes());
    put(&mut h, 112, &1f32.to_le_bytes());
    put(&mut h, 123, &[2u8]); // xyzt_units: mm
    put(&mut h, 148, b"osteon-imaging");
    put(&mut h, 254, &2i16.to_le_bytes()); // sform_code: aligned anatomical
    let origin = ras_to_lps(v.origin);
    let axes = [0, 1, 2].map(|c| ras_to_lps(v.direction[c]).map(|x| x * v.spacing[c]));
    for row in 0..3 {
        let vals = [axes[0][row], axes[1][row], axes[2][row], origin[row]];
        for (c, x) in vals.iter().enumerate() {
            put(&mut h, 280 + 16 * row + 4 * c, &(*x as f32).to_le_bytes());
        }
    }
    put(&mut h, 344, b"n+1\0");
    match &v.voxels {
        Voxels::I16(x) => x.iter().for_each(|s| h.extend_from_slice(&s.to_le_bytes())),
        Voxels::F32(x) => x.iter().for_each(|s| h.extend_from_slice(&s.to_le_bytes())),
    }
    h
}
