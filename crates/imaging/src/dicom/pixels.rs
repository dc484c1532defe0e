//! Pixel data → raw stored values → HU: native pixel data are read in place, encapsulated
//! (compressed) pixel data are decoded frame by frame by the codecs of
//! `dicom-transfer-syntax-registry` into the same native little-endian layout, and both go
//! through the one conversion [`PixelFormat::hu_of`].

use std::borrow::Cow;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use dicom_core::value::Value;
use dicom_dictionary_std::{tags, uids};
use dicom_encoding::transfer_syntax::TransferSyntaxIndex;
use dicom_object::DefaultDicomObject;
use dicom_transfer_syntax_registry::TransferSyntaxRegistry;

use crate::error::ImagingError;

/// Transfer syntaxes whose pixel data, once the file is parsed, are native little endian
/// (Deflated Explicit VR Little Endian deflates the whole data set, not the pixels; the
/// file reader inflates it).
const NATIVE_SYNTAXES: [&str; 3] = [
    uids::EXPLICIT_VR_LITTLE_ENDIAN,
    uids::IMPLICIT_VR_LITTLE_ENDIAN,
    uids::DEFLATED_EXPLICIT_VR_LITTLE_ENDIAN,
];

/// How stored values become HU.
#[derive(Clone, Copy, Debug)]
pub(super) struct PixelFormat {
    /// BitsStored (1…16).
    pub stored: usize,
    /// PixelRepresentation 1: two's complement within `stored` bits.
    pub signed: bool,
    /// RescaleSlope.
    pub slope: f64,
    /// RescaleIntercept.
    pub intercept: f64,
}

impl PixelFormat {
    /// HU of the 16-bit little-endian stored values in `bytes` (BitsStored honoured: the
    /// bits above it are masked off, the value sign-extended from it when signed).
    pub fn hu_of(&self, bytes: &[u8]) -> Vec<f32> {
        let stored = self.stored;
        let mask: u32 = if stored >= 16 {
            0xFFFF
        } else {
            (1 << stored) - 1
        };
        bytes
            .chunks_exact(2)
            .map(|b| {
                let raw = u32::from(u16::from_le_bytes([b[0], b[1]])) & mask;
                let v = if self.signed && raw & (1 << (stored - 1)) != 0 {
                    raw as i64 - (1i64 << stored)
                } else {
                    i64::from(raw)
                };
                (self.slope * v as f64 + self.intercept) as f32
            })
            .collect()
    }

    /// True when every HU value is a whole number (slope and intercept integral).
    pub fn integral(&self) -> bool {
        self.slope.fract() == 0.0 && self.intercept.fract() == 0.0
    }
}

/// The pixel data of a file, ready to be cut into frames.
pub(super) enum PixelSource<'a> {
    /// Native pixel data: every frame is a slice of these bytes (no copy when the parsed
    /// element holds bytes).
    Native(Cow<'a, [u8]>),
    /// Encapsulated pixel data and the registry's decoder for its transfer syntax.
    Encapsulated(&'a (dyn dicom_encoding::adapters::PixelDataReader + Send + Sync)),
}

/// The pixel data of `obj`, or [`ImagingError::UnsupportedCompression`] when its transfer
/// syntax has no decoder in this build (JPEG-LS, JPEG XL, big endian, …).
pub(super) fn pixel_source<'a>(
    obj: &'a DefaultDicomObject,
    ts: &str,
    path: &Path,
) -> Result<PixelSource<'a>, ImagingError> {
    let pixel = obj
        .get(tags::PIXEL_DATA)
        .ok_or_else(|| ImagingError::MissingAttribute {
            file: path.into(),
            attribute: "PixelData (7FE0,0010)".into(),
        })?;
    let unsupported = || ImagingError::UnsupportedCompression {
        file: path.into(),
        transfer_syntax: ts.to_string(),
    };
    let encapsulated = matches!(pixel.value(), Value::PixelSequence(_));
    if NATIVE_SYNTAXES.contains(&ts) {
        if encapsulated {
            return Err(unsupported());
        }
        let bytes = pixel
            .to_bytes()
            .map_err(|e| ImagingError::format(path, format!("PixelData: {e}")))?;
        return Ok(PixelSource::Native(bytes));
    }
    let reader = TransferSyntaxRegistry
        .get(ts)
        .and_then(|t| t.pixel_data_reader())
        .ok_or_else(unsupported)?;
    if !encapsulated {
        return Err(ImagingError::format(
            path,
            format!(
                "transfer syntax {} is encapsulated, but PixelData holds no fragments",
                describe_syntax(ts)
            ),
        ));
    }
    Ok(PixelSource::Encapsulated(reader.as_ref()))
}

/// `uid (name)` when the registry knows the transfer syntax, else `uid`.
pub(super) fn describe_syntax(ts: &str) -> String {
    match TransferSyntaxRegistry.get(ts) {
        Some(t) => format!("{ts} ({})", t.name()),
        None => ts.to_string(),
    }
}

impl PixelSource<'_> {
    /// The stored values of frame `frame` (0-based), 16-bit little endian, exactly `need`
    /// bytes.
    pub fn frame<'s>(
        &'s self,
        obj: &DefaultDicomObject,
        frame: usize,
        frames: usize,
        need: usize,
        path: &Path,
    ) -> Result<Cow<'s, [u8]>, ImagingError> {
        match self {
            PixelSource::Native(bytes) => {
                let total = need * frames;
                if bytes.len() < total {
                    return Err(ImagingError::format(
                        path,
                        format!(
                            "truncated pixel data: {} bytes, {frames} frame(s) of {need} bytes need {total}",
                            bytes.len()
                        ),
                    ));
                }
                Ok(Cow::Borrowed(&bytes[frame * need..(frame + 1) * need]))
            }
            PixelSource::Encapsulated(reader) => {
                let mut out = Vec::with_capacity(need);
                // The codecs index their buffers by the image attributes and may panic on a
                // corrupt stream; such a panic is an error of this file, not of the caller.
                let result = catch_unwind(AssertUnwindSafe(|| {
                    reader.decode_frame(obj, frame as u32, &mut out)
                }));
                let what = || format!("frame {} of {frames}", frame + 1);
                match result {
                    Ok(Ok(())) => {}
                    Ok(Err(e)) => {
                        return Err(ImagingError::format(
                            path,
                            format!("cannot decode the compressed pixel data ({}): {e}", what()),
                        ));
                    }
                    Err(_) => {
                        return Err(ImagingError::format(
                            path,
                            format!(
                                "corrupt compressed pixel data ({}): the decoder failed",
                                what()
                            ),
                        ));
                    }
                }
                if out.len() != need {
                    return Err(ImagingError::format(
                        path,
                        format!(
                            "compressed pixel data ({}) decode to {} bytes, Rows × Columns of 16 bits need {need}",
                            what(),
                            out.len()
                        ),
                    ));
                }
                Ok(Cow::Owned(out))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_stored_and_sign_are_honoured() {
        // 12 bits stored, signed: 0x0FFF is −1, 0x0800 is −2048, 0x07FF is 2047; the bits
        // above BitsStored (0xF000) are ignored
        let f = PixelFormat {
            stored: 12,
            signed: true,
            slope: 2.0,
            intercept: -10.0,
        };
        let bytes: Vec<u8> = [0x0FFFu16, 0x0800, 0x07FF, 0xF001]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        assert_eq!(f.hu_of(&bytes), vec![-12.0, -4106.0, 4084.0, -8.0]);
        let u = PixelFormat { signed: false, ..f };
        assert_eq!(u.hu_of(&bytes), vec![8180.0, 4086.0, 4084.0, -8.0]);
        let full = PixelFormat {
            stored: 16,
            signed: true,
            slope: 1.0,
            intercept: 0.0,
        };
        assert_eq!(full.hu_of(&bytes), vec![4095.0, 2048.0, 2047.0, -4095.0]);
    }
}
