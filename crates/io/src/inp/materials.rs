//! Materials and sections: `*MATERIAL`, `*ELASTIC`, `*DENSITY`, `*SOLID SECTION`.
//!
//! Constants go straight to the material crate's Abaqus constructors, which know the
//! Abaqus ν_ij convention and the Voigt order; a constant set that is not a valid elastic
//! law (ν ≥ 0.5, a D-matrix that is not positive definite, ...) is an error at its line.

use osteon_material::{
    AnisotropicElastic, Elastic, IsotropicElastic, MaterialError, OrthotropicElastic,
};

use crate::error::IoError;

use super::fields::{self, clip};
use super::keyword::Keyword;
use super::reader::{MaterialDef, Reader, SectionDef};
use super::source::{Cursor, Loc};

const ISOTROPIC: [&str; 2] = ["E", "nu"];
const ENGINEERING: [&str; 9] = [
    "E1", "E2", "E3", "nu12", "nu13", "nu23", "G12", "G13", "G23",
];
const ORTHOTROPIC: [&str; 9] = [
    "D1111", "D1122", "D2222", "D1133", "D2233", "D3333", "D1212", "D1313", "D2323",
];
const ANISOTROPIC: [&str; 21] = [
    "D1111", "D1122", "D2222", "D1133", "D2233", "D3333", "D1112", "D2212", "D3312", "D1212",
    "D1113", "D2213", "D3313", "D1213", "D1313", "D1123", "D2223", "D3323", "D1223", "D1323",
    "D2323",
];

impl Reader<'_> {
    /// `*MATERIAL, NAME=`.
    pub(super) fn material(&mut self, kw: &Keyword) -> Result<(), IoError> {
        let name =
            fields::unquote(kw.require("NAME").map_err(|m| self.err(kw.loc, m))?).to_string();
        let key = name.to_ascii_uppercase();
        if let Some(&i) = self.material_index.get(&key) {
            return Err(self.err(
                kw.loc,
                format!(
                    "*MATERIAL: material '{name}' is already defined at {}",
                    self.src.describe(self.materials[i].loc)
                ),
            ));
        }
        self.material_index.insert(key, self.materials.len());
        self.current_material = Some(self.materials.len());
        self.materials.push(MaterialDef {
            name,
            loc: kw.loc,
            elastic: None,
            density: None,
        });
        Ok(())
    }

    fn current_material(&self, kw: &Keyword) -> Result<usize, IoError> {
        self.current_material.ok_or_else(|| {
            self.err(
                kw.loc,
                format!(
                    "*{} must follow a *MATERIAL line (or another option of that material)",
                    kw.name
                ),
            )
        })
    }

    /// `*ELASTIC [, TYPE=ISOTROPIC|ENGINEERING CONSTANTS|ORTHOTROPIC|ANISOTROPIC]`.
    pub(super) fn elastic(&mut self, kw: &Keyword, cur: &mut Cursor<'_>) -> Result<(), IoError> {
        let m = self.current_material(kw)?;
        if self.materials[m].elastic.is_some() {
            return Err(self.err(
                kw.loc,
                format!(
                    "*ELASTIC given twice for material '{}'",
                    self.materials[m].name
                ),
            ));
        }
        if kw.has("DEPENDENCIES") {
            return Err(self.err(
                kw.loc,
                "*ELASTIC, DEPENDENCIES= (field-variable dependence) is not supported",
            ));
        }
        kw.ignore(&["MODULI"]);
        let kind = kw.choice("TYPE").unwrap_or_else(|| "ISOTROPIC".to_string());
        let names: &[&str] = match kind.as_str() {
            "ISOTROPIC" | "ISO" => &ISOTROPIC,
            "ENGINEERING CONSTANTS" => &ENGINEERING,
            "ORTHOTROPIC" => &ORTHOTROPIC,
            "ANISOTROPIC" => &ANISOTROPIC,
            other => {
                return Err(self.err(
                    kw.loc,
                    format!("*ELASTIC, TYPE={other} is not supported for solid elements; expected ISOTROPIC, ENGINEERING CONSTANTS, ORTHOTROPIC or ANISOTROPIC"),
                ));
            }
        };
        let (c, locs) = self.constants(kw, cur, names)?;
        let law = match names.len() {
            2 => IsotropicElastic::new(c[0], c[1]).map(Elastic::Isotropic),
            9 if kind == "ENGINEERING CONSTANTS" => {
                OrthotropicElastic::from_abaqus_engineering_constants(array(&c))
                    .map(Elastic::Orthotropic)
            }
            9 => AnisotropicElastic::from_abaqus_orthotropic(array(&c)).map(Elastic::Anisotropic),
            _ => AnisotropicElastic::from_abaqus_anisotropic(array(&c)).map(Elastic::Anisotropic),
        };
        let law = law.map_err(|e| {
            // a constant out of range is named at its own line; a set that fails as a whole
            // (not positive definite) at the line that completes it
            let at = match &e {
                MaterialError::InvalidParameter { name, .. } => names
                    .iter()
                    .position(|n| n == name)
                    .and_then(|k| locs.get(k)),
                _ => None,
            };
            self.err(
                at.or(locs.last()).copied().unwrap_or(kw.loc),
                format!(
                    "*ELASTIC, TYPE={kind} of material '{}': {e}",
                    self.materials[m].name
                ),
            )
        })?;
        self.materials[m].elastic = Some(law);
        Ok(())
    }

    /// `*DENSITY`: ρ in tonne/mm³.
    pub(super) fn density(&mut self, kw: &Keyword, cur: &mut Cursor<'_>) -> Result<(), IoError> {
        let m = self.current_material(kw)?;
        if self.materials[m].density.is_some() {
            return Err(self.err(
                kw.loc,
                format!(
                    "*DENSITY given twice for material '{}'",
                    self.materials[m].name
                ),
            ));
        }
        let (c, locs) = self.constants(kw, cur, &["density"])?;
        if c[0] <= 0.0 {
            return Err(self.err(
                locs.first().copied().unwrap_or(kw.loc),
                format!(
                    "*DENSITY of material '{}' must be > 0 (t/mm³), found {}",
                    self.materials[m].name, c[0]
                ),
            ));
        }
        self.materials[m].density = Some(c[0]);
        Ok(())
    }

    /// The single record of `names.len()` values of a material option, over as many lines
    /// as needed. Values after the last constant (on the line that completes the record) are
    /// a temperature and field variables: ignored with a warning. A second record
    /// (temperature dependence) is an error. Returns the values and the line of each.
    fn constants(
        &mut self,
        kw: &Keyword,
        cur: &mut Cursor<'_>,
        names: &[&str],
    ) -> Result<(Vec<f64>, Vec<Loc>), IoError> {
        let n = names.len();
        let expected = names.join(", ");
        let mut values = Vec::with_capacity(n);
        let mut locs = Vec::with_capacity(n);
        let mut last = kw.loc;
        let mut last_text = "";
        while let Some(line) = cur.data()? {
            if values.len() == n {
                return Err(self.err(
                    line.loc,
                    format!("*{}: a second data record '{}' — temperature-dependent constants are not supported (expected one record: {expected})", kw.name, clip(line.text)),
                ));
            }
            last = line.loc;
            last_text = line.text;
            let mut extra = 0;
            for field in fields::fields(line.text) {
                if values.len() == n {
                    extra += 1;
                    continue;
                }
                let what = names[values.len()];
                let v = fields::float(field, what).map_err(|m| {
                    self.err(
                        line.loc,
                        format!(
                            "*{}: {m} in '{}' (expected: {expected})",
                            kw.name,
                            clip(line.text)
                        ),
                    )
                })?;
                values.push(v);
                locs.push(line.loc);
            }
            if extra > 0 {
                self.warn(line.loc, format!("*{}: {extra} value(s) after the constants (temperature, field variables) ignored", kw.name));
            }
        }
        if values.len() < n {
            let what = if values.is_empty() {
                "no data line".to_string()
            } else {
                format!(
                    "only {} of {n} values (last line '{}')",
                    values.len(),
                    clip(last_text)
                )
            };
            return Err(self.err(
                last,
                format!("*{}: {what}; expected {n} values: {expected}", kw.name),
            ));
        }
        Ok((values, locs))
    }

    /// `*SOLID SECTION, ELSET=, MATERIAL= [, ORIENTATION=]`: recorded, resolved at the end.
    pub(super) fn solid_section(
        &mut self,
        kw: &Keyword,
        cur: &mut Cursor<'_>,
    ) -> Result<(), IoError> {
        let elset = fields::name_key(kw.require("ELSET").map_err(|m| self.err(kw.loc, m))?);
        let material =
            fields::unquote(kw.require("MATERIAL").map_err(|m| self.err(kw.loc, m))?).to_string();
        let orientation = kw.value("ORIENTATION").map(str::to_string);
        kw.ignore(&["CONTROLS"]);
        // the optional data line (a thickness for plane elements) means nothing for solids
        while cur.data()?.is_some() {}
        self.sections.push(SectionDef {
            elset,
            material,
            orientation,
            loc: kw.loc,
        });
        Ok(())
    }
}

fn array<const N: usize>(values: &[f64]) -> [f64; N] {
    let mut out = [0.0; N];
    for (o, v) in out.iter_mut().zip(values) {
        *o = *v;
    }
    out
}
