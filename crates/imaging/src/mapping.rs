//! CT-based material mapping: a Young's modulus for every element from the CT numbers of
//! its voxels, as Bonemat does.
//!
//! Each bone voxel of an element gets `E(ρ_app(HU))` through the [`DensityCalibration`]
//! chain and the [`ModulusLaw`]; the element's modulus is the **mean of its voxel moduli**
//! (not the modulus of its mean density), then raised to the floor. Averaging moduli is what
//! the element stiffness sees when its voxels act side by side (a Voigt average); since the
//! laws are convex in ρ (exponents 1.5–3), the modulus of the mean density would be lower
//! and would soften every element that straddles cortex and canal. Taddei et al. 2007
//! compared the two and found modulus integration the better choice (`docs/imaging.md §4`).
//! The element's mean HU and mean apparent density are reported too (for the VTU file).
//!
//! For a deck, [`bin_moduli`] groups the element moduli into at most N materials, as
//! CalculiX needs one `*MATERIAL` per element set. The bins have equal widths in log E
//! between the smallest and largest modulus, so every element keeps its modulus to within
//! the same factor `(E_max/E_min)^(1/N)`; equal widths in E (Bonemat's "gap value") would
//! leave the soft elements, whose moduli span decades, in one bin. Each material gets the
//! mean modulus of its elements.

use crate::calibration::{DensityCalibration, ModulusLaw};
use crate::error::ImagingError;
use crate::segment::{Region, Segmentation};
use crate::volume::Volume;
use crate::voxel_mesh::VoxelMesh;

/// Options of [`map_materials`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MappingOptions {
    /// HU → apparent density chain.
    pub calibration: DensityCalibration,
    /// Density → modulus law.
    pub law: ModulusLaw,
    /// Smallest element modulus (MPa). Default 1 MPa, the clamp of `osteon-material`
    /// (`docs/biomechanics.md §3.3`).
    pub modulus_floor_mpa: f64,
    /// Modulus of marrow voxels (MPa) instead of the density chain, whose bone calibration
    /// gives marrow about 0.4 GPa (`docs/imaging.md §5`). Default `None`: every voxel
    /// through the chain, as Bonemat does.
    pub marrow_modulus_mpa: Option<f64>,
}

impl Default for MappingOptions {
    fn default() -> Self {
        Self {
            calibration: DensityCalibration::default(),
            law: ModulusLaw::default(),
            modulus_floor_mpa: osteon_material::density::MIN_MODULUS_MPA,
            marrow_modulus_mpa: None,
        }
    }
}

/// Per-element values of the mapping, in element order.
#[derive(Clone, Debug, PartialEq)]
pub struct ElementProperties {
    /// Mean CT number of the element's bone voxels (HU).
    pub hu: Vec<f64>,
    /// Mean apparent density of the element's bone voxels (g/cm³).
    pub density_g_cm3: Vec<f64>,
    /// Young's modulus: mean of the voxel moduli, at least the floor (MPa).
    pub modulus_mpa: Vec<f64>,
}

/// The modulus floor of `opts` is finite and positive.
pub(crate) fn check_floor(opts: &MappingOptions) -> Result<(), ImagingError> {
    if !(opts.modulus_floor_mpa.is_finite() && opts.modulus_floor_mpa > 0.0) {
        return Err(ImagingError::invalid(
            "modulus floor (MPa)",
            opts.modulus_floor_mpa,
            "finite and > 0",
        ));
    }
    Ok(())
}

/// Map CT numbers onto the elements of `vm` (see the module docs).
///
/// # Errors
/// [`ImagingError::InvalidParameter`] for a floor or marrow modulus that is not finite and
/// > 0, [`ImagingError::Material`] for a non-finite CT number.
pub fn map_materials(
    ct: &Volume,
    seg: &Segmentation,
    vm: &VoxelMesh,
    opts: &MappingOptions,
) -> Result<ElementProperties, ImagingError> {
    check_floor(opts)?;
    let n = vm.blocks.len();
    let mut out = ElementProperties {
        hu: Vec::with_capacity(n),
        density_g_cm3: Vec::with_capacity(n),
        modulus_mpa: Vec::with_capacity(n),
    };
    for e in 0..n {
        out.push(voxel_means(ct, seg, opts, vm.element_voxels(e, seg))?);
    }
    Ok(out)
}

impl ElementProperties {
    /// Append one element's [HU, apparent density (g/cm³), modulus (MPa)].
    pub(crate) fn push(&mut self, [hu, rho, modulus]: [f64; 3]) {
        self.hu.push(hu);
        self.density_g_cm3.push(rho);
        self.modulus_mpa.push(modulus);
    }
}

/// The element rule shared by the voxel and the tetrahedral mapping: the means of the CT
/// number, the apparent density and the voxel moduli (`marrow_modulus_mpa` for marrow
/// voxels when given) over `voxels` (flat indices), the modulus at least the floor;
/// [HU, g/cm³, MPa].
pub(crate) fn voxel_means(
    ct: &Volume,
    seg: &Segmentation,
    opts: &MappingOptions,
    voxels: impl IntoIterator<Item = usize>,
) -> Result<[f64; 3], ImagingError> {
    let (mut hu, mut rho, mut modulus, mut count) = (0.0, 0.0, 0.0, 0usize);
    for idx in voxels {
        let h = f64::from(ct.voxels.get(idx));
        let r = opts.calibration.apparent_density(h)?;
        hu += h;
        rho += r;
        modulus += match opts.marrow_modulus_mpa {
            Some(m) if seg.labels[idx] == Region::Marrow.code() => m,
            _ => opts.law.modulus(r)?,
        };
        count += 1;
    }
    let c = count.max(1) as f64;
    Ok([hu / c, rho / c, (modulus / c).max(opts.modulus_floor_mpa)])
}

/// Element moduli grouped into materials.
#[derive(Clone, Debug, PartialEq)]
pub struct MaterialBins {
    /// Modulus of each material (MPa): the mean of its elements' moduli; ascending.
    pub modulus_mpa: Vec<f64>,
    /// Material of each element.
    pub element_bin: Vec<usize>,
    /// Largest relative difference between an element's modulus and its material's.
    pub max_relative_error: f64,
}

/// Group `modulus_mpa` (MPa, > 0) into at most `n_bins` materials of equal width in log E
/// (empty bins are dropped).
///
/// # Errors
/// [`ImagingError::InvalidParameter`] when `n_bins` is 0, there is no modulus, or a modulus
/// is not finite and > 0.
pub fn bin_moduli(modulus_mpa: &[f64], n_bins: usize) -> Result<MaterialBins, ImagingError> {
    if n_bins == 0 || modulus_mpa.is_empty() {
        return Err(ImagingError::invalid(
            "number of materials",
            n_bins,
            "≥ 1, with at least one element",
        ));
    }
    if let Some(bad) = modulus_mpa.iter().find(|e| !(e.is_finite() && **e > 0.0)) {
        return Err(ImagingError::invalid(
            "element modulus (MPa)",
            bad,
            "finite and > 0",
        ));
    }
    let lo = modulus_mpa
        .iter()
        .copied()
        .fold(f64::INFINITY, f64::min)
        .ln();
    let hi = modulus_mpa
        .iter()
        .copied()
        .fold(f64::NEG_INFINITY, f64::max)
        .ln();
    let width = (hi - lo) / n_bins as f64;
    let raw: Vec<usize> = modulus_mpa
        .iter()
        .map(|&e| {
            if width > 0.0 {
                (((e.ln() - lo) / width) as usize).min(n_bins - 1)
            } else {
                0
            }
        })
        .collect();
    let mut sum = vec![0.0; n_bins];
    let mut count = vec![0usize; n_bins];
    for (&b, &e) in raw.iter().zip(modulus_mpa) {
        sum[b] += e;
        count[b] += 1;
    }
    let mut renumber = vec![usize::MAX; n_bins];
    let mut moduli = Vec::new();
    for b in 0..n_bins {
        if count[b] > 0 {
            renumber[b] = moduli.len();
            moduli.push(sum[b] / count[b] as f64);
        }
    }
    let element_bin: Vec<usize> = raw.iter().map(|&b| renumber[b]).collect();
    let max_relative_error = modulus_mpa
        .iter()
        .zip(&element_bin)
        .map(|(&e, &b)| (moduli[b] - e).abs() / e)
        .fold(0.0, f64::max);
    Ok(MaterialBins {
        modulus_mpa: moduli,
        element_bin,
        max_relative_error,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_average_their_members() {
        let b = bin_moduli(&[100.0, 110.0, 900.0, 1100.0, 10000.0], 2).unwrap();
        // log bins split at √(100 · 10000) = 1000 MPa
        assert_eq!(
            b.modulus_mpa,
            vec![(100.0 + 110.0 + 900.0) / 3.0, (1100.0 + 10000.0) / 2.0]
        );
        assert_eq!(b.element_bin, vec![0, 0, 0, 1, 1]);
        assert!(bin_moduli(&[1.0, 0.0], 2).is_err());
        let one = bin_moduli(&[5.0, 5.0], 4).unwrap();
        assert_eq!(one.modulus_mpa, vec![5.0]);
        assert!(bin_moduli(&[1.0], 0).is_err());
    }
}
