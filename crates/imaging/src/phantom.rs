//! A synthetic tibia-like CT with known geometry and density: the truth that the reading,
//! segmentation, meshing and mapping are tested against.
//!
//! The bone lies along world z (LPS, so +z is superior): distal end at z = 0, proximal end at
//! z = `length_mm`, centred on x = y = 0. A round shaft of outer radius `shaft_outer_radius_mm`
//! with a marrow canal of radius `shaft_inner_radius_mm` flares linearly over
//! `metaphysis_length_mm` at each end to `end_radius_mm`; the metaphyses are cancellous bone
//! inside a cortical shell of `shell_thickness_mm`, closed by end plates of the same
//! thickness. Cortical bone has the apparent density `cortical_density_g_cm3`; cancellous
//! density falls linearly from `cancellous_end_density_g_cm3` at the bone ends to
//! `cancellous_inner_density_g_cm3` where the metaphysis meets the shaft. Both become CT
//! numbers through the inverse of the [`DensityCalibration`] chain, so mapping the image
//! with the same chain must give back the generating densities. Marrow and soft tissue have
//! fixed CT numbers.
//!
//! Each voxel is the mean of `supersampling³` point samples (partial volume), then optionally
//! blurred by a Gaussian (`blur_sigma_mm`, the scanner's point spread) and given Gaussian
//! noise (`noise_sigma_hu`, a deterministic generator seeded by `seed`), and rounded to whole
//! HU (stored as i16, as a scanner does).

use rayon::prelude::*;

use crate::calibration::DensityCalibration;
use crate::error::ImagingError;
use crate::volume::{Volume, Voxels};

/// Which tissue a point of the phantom is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tissue {
    /// Outside the bone.
    SoftTissue,
    /// The cortical shaft wall, metaphyseal shell and end plates.
    Cortical,
    /// Cancellous bone of the metaphyses.
    Cancellous,
    /// The marrow canal of the shaft.
    Marrow,
}

/// Parameters of the tibia phantom (lengths in mm, densities in g/cm³, CT numbers in HU).
#[derive(Clone, Debug, PartialEq)]
pub struct TibiaPhantom {
    /// Voxel spacing along x, y, z (mm).
    pub voxel_mm: [f64; 3],
    /// Bone length along z (mm).
    pub length_mm: f64,
    /// Outer radius of the shaft (mm).
    pub shaft_outer_radius_mm: f64,
    /// Radius of the marrow canal (mm); the shaft cortex is `outer − inner` thick.
    pub shaft_inner_radius_mm: f64,
    /// Length of each flared metaphysis (mm).
    pub metaphysis_length_mm: f64,
    /// Outer radius at both bone ends (mm).
    pub end_radius_mm: f64,
    /// Thickness of the metaphyseal cortical shell and of the end plates (mm).
    pub shell_thickness_mm: f64,
    /// Soft tissue around the bone, beyond its widest radius and its ends (mm).
    pub margin_mm: f64,
    /// Apparent density of cortical bone (g/cm³).
    pub cortical_density_g_cm3: f64,
    /// Apparent density of cancellous bone at the bone ends (g/cm³).
    pub cancellous_end_density_g_cm3: f64,
    /// Apparent density of cancellous bone where the metaphysis meets the shaft (g/cm³).
    pub cancellous_inner_density_g_cm3: f64,
    /// CT number of marrow (HU).
    pub marrow_hu: f64,
    /// CT number of soft tissue (HU).
    pub soft_tissue_hu: f64,
    /// The density chain whose inverse turns densities into CT numbers.
    pub calibration: DensityCalibration,
    /// Point samples per voxel and axis for the partial volume (1 = voxel centre only).
    pub supersampling: usize,
    /// Standard deviation of the Gaussian blur (mm); 0 for none.
    pub blur_sigma_mm: f64,
    /// Standard deviation of the additive Gaussian noise (HU); 0 for none.
    pub noise_sigma_hu: f64,
    /// Seed of the noise generator.
    pub seed: u64,
}

impl Default for TibiaPhantom {
    /// A 60 mm bone segment at 0.5 mm voxels (73 × 73 × 132 voxels): shaft Ø 20 mm with a
    /// 4 mm cortex, metaphyses 15 mm long flaring to Ø 30 mm with a 1.5 mm shell; cortical
    /// bone 1.9 g/cm³ (≈ 1510 HU with the default chain), cancellous 0.55 → 0.35 g/cm³
    /// (≈ 360 → 190 HU), marrow 20 HU, soft tissue 40 HU; partial volume from 3³ samples,
    /// no blur, no noise.
    fn default() -> Self {
        Self {
            voxel_mm: [0.5; 3],
            length_mm: 60.0,
            shaft_outer_radius_mm: 10.0,
            shaft_inner_radius_mm: 6.0,
            metaphysis_length_mm: 15.0,
            end_radius_mm: 15.0,
            shell_thickness_mm: 1.5,
            margin_mm: 3.0,
            cortical_density_g_cm3: 1.9,
            cancellous_end_density_g_cm3: 0.55,
            cancellous_inner_density_g_cm3: 0.35,
            marrow_hu: 20.0,
            soft_tissue_hu: 40.0,
            calibration: DensityCalibration::default(),
            supersampling: 3,
            blur_sigma_mm: 0.0,
            noise_sigma_hu: 0.0,
            seed: 1,
        }
    }
}

impl TibiaPhantom {
    /// Check the parameters: positive sizes, canal inside the shaft, shell thinner than the
    /// end radius, metaphyses shorter than half the bone.
    ///
    /// # Errors
    /// [`ImagingError::InvalidParameter`] naming the first parameter out of range.
    pub fn validate(&self) -> Result<(), ImagingError> {
        let positive = [
            (
                "phantom voxel size (mm)",
                self.voxel_mm[0].min(self.voxel_mm[1]).min(self.voxel_mm[2]),
            ),
            ("phantom length (mm)", self.length_mm),
            ("phantom canal radius (mm)", self.shaft_inner_radius_mm),
            ("phantom shell thickness (mm)", self.shell_thickness_mm),
            ("phantom metaphysis length (mm)", self.metaphysis_length_mm),
        ];
        for (name, v) in positive {
            if !(v.is_finite() && v > 0.0) {
                return Err(ImagingError::invalid(name, v, "finite and > 0"));
            }
        }
        if self.shaft_outer_radius_mm <= self.shaft_inner_radius_mm {
            return Err(ImagingError::invalid(
                "phantom shaft outer radius (mm)",
                self.shaft_outer_radius_mm,
                "larger than the canal radius",
            ));
        }
        if self.end_radius_mm <= self.shell_thickness_mm {
            return Err(ImagingError::invalid(
                "phantom end radius (mm)",
                self.end_radius_mm,
                "larger than the shell thickness",
            ));
        }
        if 2.0 * self.metaphysis_length_mm >= self.length_mm {
            return Err(ImagingError::invalid(
                "phantom metaphysis length (mm)",
                self.metaphysis_length_mm,
                "less than half the bone length",
            ));
        }
        if self.supersampling == 0
            || self.margin_mm < 0.0
            || self.blur_sigma_mm < 0.0
            || self.noise_sigma_hu < 0.0
        {
            return Err(ImagingError::invalid(
                "phantom sampling/margin/blur/noise",
                format!(
                    "{}/{}/{}/{}",
                    self.supersampling, self.margin_mm, self.blur_sigma_mm, self.noise_sigma_hu
                ),
                "supersampling ≥ 1, others ≥ 0",
            ));
        }
        Ok(())
    }

    /// Outer radius of the bone at height `z` (mm); 0 outside the bone.
    pub fn outer_radius(&self, z: f64) -> f64 {
        let (l, m) = (self.length_mm, self.metaphysis_length_mm);
        if !(0.0..=l).contains(&z) {
            return 0.0;
        }
        let d = z.min(l - z); // distance from the nearer end
        if d >= m {
            self.shaft_outer_radius_mm
        } else {
            self.end_radius_mm + (self.shaft_outer_radius_mm - self.end_radius_mm) * d / m
        }
    }

    /// The tissue at world point `p` (LPS, mm).
    pub fn tissue(&self, p: [f64; 3]) -> Tissue {
        let z = p[2];
        let (l, m) = (self.length_mm, self.metaphysis_length_mm);
        let r = (p[0] * p[0] + p[1] * p[1]).sqrt();
        if !(0.0..=l).contains(&z) || r > self.outer_radius(z) {
            return Tissue::SoftTissue;
        }
        let d = z.min(l - z);
        if d < self.shell_thickness_mm {
            return Tissue::Cortical;
        }
        if d >= m {
            if r > self.shaft_inner_radius_mm {
                Tissue::Cortical
            } else {
                Tissue::Marrow
            }
        } else if r > self.outer_radius(z) - self.shell_thickness_mm {
            Tissue::Cortical
        } else {
            Tissue::Cancellous
        }
    }

    /// The generating apparent density (g/cm³) at `p`: the tissue's density for bone, the
    /// calibration chain of the fixed CT number for marrow and soft tissue.
    ///
    /// # Errors
    /// Never for a validated phantom (the chain's inputs are finite).
    pub fn apparent_density(&self, p: [f64; 3]) -> Result<f64, ImagingError> {
        let z = p[2];
        Ok(match self.tissue(p) {
            Tissue::Cortical => self.cortical_density_g_cm3,
            Tissue::Cancellous => {
                let d = z.min(self.length_mm - z);
                let t = d / self.metaphysis_length_mm;
                self.cancellous_end_density_g_cm3
                    + (self.cancellous_inner_density_g_cm3 - self.cancellous_end_density_g_cm3) * t
            }
            Tissue::Marrow => self.calibration.apparent_density(self.marrow_hu)?,
            Tissue::SoftTissue => self.calibration.apparent_density(self.soft_tissue_hu)?,
        })
    }

    /// The noiseless, unblurred CT number (HU) at point `p`.
    pub fn hu(&self, p: [f64; 3]) -> f64 {
        match self.tissue(p) {
            Tissue::SoftTissue => self.soft_tissue_hu,
            Tissue::Marrow => self.marrow_hu,
            _ => {
                // finite for a validated phantom; a NaN here would show in every test
                let rho = self.apparent_density(p).unwrap_or(f64::NAN);
                self.calibration.hu_for_apparent_density(rho)
            }
        }
    }

    /// Volume enclosed by the periosteal surface: shaft cylinder plus two frustums (mm³).
    pub fn bone_volume_mm3(&self) -> f64 {
        let (rs, re, m) = (
            self.shaft_outer_radius_mm,
            self.end_radius_mm,
            self.metaphysis_length_mm,
        );
        let shaft = std::f64::consts::PI * rs * rs * (self.length_mm - 2.0 * m);
        let frustum = std::f64::consts::PI * m / 3.0 * (rs * rs + rs * re + re * re);
        shaft + 2.0 * frustum
    }

    /// Cortical wall thickness of the shaft (mm).
    pub fn shaft_cortex_thickness_mm(&self) -> f64 {
        self.shaft_outer_radius_mm - self.shaft_inner_radius_mm
    }

    /// The image grid: voxel centres symmetric about the bone axis; along z the voxels tile
    /// `[−margin, length + margin]` so that the bone ends lie on voxel faces. Values all zero.
    ///
    /// # Errors
    /// [`ImagingError::InvalidParameter`] for parameters out of range.
    pub fn grid(&self) -> Result<Volume, ImagingError> {
        self.validate()?;
        let half = self.end_radius_mm.max(self.shaft_outer_radius_mm) + self.margin_mm;
        let nx = (2.0 * half / self.voxel_mm[0]).ceil() as usize + 1;
        let ny = (2.0 * half / self.voxel_mm[1]).ceil() as usize + 1;
        let nz = ((self.length_mm + 2.0 * self.margin_mm) / self.voxel_mm[2]).ceil() as usize;
        let origin = [
            -((nx - 1) as f64) * self.voxel_mm[0] / 2.0,
            -((ny - 1) as f64) * self.voxel_mm[1] / 2.0,
            // voxel faces (not centres) on the bone ends: no half-bone voxel layer there
            -self.margin_mm + self.voxel_mm[2] / 2.0,
        ];
        Volume::new(
            [nx, ny, nz],
            self.voxel_mm,
            origin,
            Voxels::I16(vec![0; nx * ny * nz]),
        )
    }

    /// Generate the CT volume (HU, i16).
    ///
    /// The slices are sampled in parallel; without blur the volume is built a few slices at
    /// a time (no full-size f64 buffer), with blur in one f64 buffer as the convolution
    /// needs. The noise is drawn in voxel order either way, so the result does not depend
    /// on the thread count.
    ///
    /// # Errors
    /// [`ImagingError::InvalidParameter`] for parameters out of range ([`TibiaPhantom::validate`]).
    pub fn generate(&self) -> Result<Volume, ImagingError> {
        let mut vol = self.grid()?;
        let [nx, ny, nz] = vol.dims;
        let slice = nx * ny;
        let mut rng = SplitMix(self.seed);
        let mut rounded: Vec<i16> = Vec::with_capacity(slice * nz);
        let round = |v: f64| v.round().clamp(f64::from(i16::MIN), f64::from(i16::MAX)) as i16;
        if self.blur_sigma_mm > 0.0 {
            let mut hu = vec![0.0f64; slice * nz];
            self.sample_slices(&vol, 0, &mut hu);
            for axis in 0..3 {
                blur_axis(
                    &mut hu,
                    vol.dims,
                    axis,
                    self.blur_sigma_mm / self.voxel_mm[axis],
                );
            }
            self.add_noise(&mut rng, &mut hu);
            rounded.extend(hu.iter().map(|&v| round(v)));
        } else {
            const CHUNK: usize = 16; // slices sampled together
            let mut hu = vec![0.0f64; slice * CHUNK.min(nz)];
            for k0 in (0..nz).step_by(CHUNK) {
                let k1 = (k0 + CHUNK).min(nz);
                let buf = &mut hu[..slice * (k1 - k0)];
                self.sample_slices(&vol, k0, buf);
                self.add_noise(&mut rng, buf);
                rounded.extend(buf.iter().map(|&v| round(v)));
            }
        }
        vol.voxels = Voxels::I16(rounded);
        Ok(vol)
    }

    /// The partial-volume CT numbers of the slices `k0, k0 + 1, …` into `out` (whole
    /// slices), one slice per task.
    fn sample_slices(&self, vol: &Volume, k0: usize, out: &mut [f64]) {
        let [nx, ny, _] = vol.dims;
        let s = self.supersampling;
        let off = |q: usize| (q as f64 + 0.5) / s as f64 - 0.5;
        out.par_chunks_mut(nx * ny)
            .enumerate()
            .for_each(|(dk, plane)| {
                let k = k0 + dk;
                for j in 0..ny {
                    for i in 0..nx {
                        let mut sum = 0.0;
                        for a in 0..s {
                            for b in 0..s {
                                for c in 0..s {
                                    let p = vol.world([
                                        i as f64 + off(a),
                                        j as f64 + off(b),
                                        k as f64 + off(c),
                                    ]);
                                    sum += self.hu(p);
                                }
                            }
                        }
                        plane[i + nx * j] = sum / (s * s * s) as f64;
                    }
                }
            });
    }

    /// Add the Gaussian noise to `hu` in order (nothing when the noise is 0).
    fn add_noise(&self, rng: &mut SplitMix, hu: &mut [f64]) {
        if self.noise_sigma_hu > 0.0 {
            for v in hu {
                *v += self.noise_sigma_hu * rng.gaussian();
            }
        }
    }
}

/// Gaussian convolution along one grid axis (σ in voxels, kernel to 3σ, edges clamped).
fn blur_axis(v: &mut [f64], dims: [usize; 3], axis: usize, sigma: f64) {
    let r = (3.0 * sigma).ceil() as isize;
    let w: Vec<f64> = (-r..=r)
        .map(|x| (-0.5 * (x as f64 / sigma).powi(2)).exp())
        .collect();
    let total: f64 = w.iter().sum();
    let stride = [1, dims[0], dims[0] * dims[1]][axis];
    let n = dims[axis] as isize;
    let src = v.to_vec();
    for (idx, out) in v.iter_mut().enumerate() {
        let pos = ((idx / stride) % dims[axis]) as isize;
        let base = idx as isize - pos * stride as isize;
        let mut acc = 0.0;
        for (t, wt) in w.iter().enumerate() {
            let q = (pos + t as isize - r).clamp(0, n - 1);
            acc += wt * src[(base + q * stride as isize) as usize];
        }
        *out = acc / total;
    }
}

/// SplitMix64 with Box–Muller: a small deterministic generator for phantom noise.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn uniform(&mut self) -> f64 {
        ((self.next() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
    fn gaussian(&mut self) -> f64 {
        let (u1, u2) = (self.uniform(), self.uniform());
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    }
}
