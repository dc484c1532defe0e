//! VTU (VTK XML unstructured grid) and PVD (collection) output for ParaView.
//!
//! One VTU point per mesh node, one cell per element; quadratic elements are written as
//! quadratic VTK cells. Node orders need no permutation: Abaqus C3D4/C3D8 equal VTK_TETRA /
//! VTK_HEXAHEDRON, C3D10 equals VTK_QUADRATIC_TETRA (mid-edge nodes on edges 0-1, 1-2, 2-0,
//! 0-3, 1-3, 2-3) and C3D20/C3D20R equal VTK_QUADRATIC_HEXAHEDRON (edges (0,1), (1,2),
//! (2,3), (3,0), (4,5), (5,6), (6,7), (7,4), (0,4), (1,5), (2,6), (3,7)).
//!
//! The arrays (DESIGN §4):
//!
//! | where | name | type | components | when |
//! |---|---|---|---|---|
//! | point | `node_id` | Int64 | 1 | always (the input's node number) |
//! | point | `displacement` | Float64 | 3 | with a solution (mm) |
//! | point | `stress` | Float64 | 6 | with recovered stress (MPa; xx yy zz xy yz xz) |
//! | point | `von_mises` | Float64 | 1 | with recovered stress (MPa) |
//! | point | `reaction` | Float64 | 3 | when given (N) |
//! | cell | `element_id` | Int64 | 1 | always |
//! | cell | `material` | Int32 | 1 | when given (section index; −1: no section) |
//! | cell | element-set names | Int32 | 1 | when asked: 1 in the set, 0 outside |
//! | point | node-set names | Int32 | 1 | when asked: 1 in the set, 0 outside |
//!
//! plus any extra point or cell arrays. Encoding: `ascii`, or `binary` (the default):
//! inline base64, `header_type="UInt64"`, one base64 block per array holding the 8-byte
//! little-endian byte count followed by the little-endian values, uncompressed
//! (`version="1.0"`, `byte_order="LittleEndian"`). Every file is written atomically.
//!
//! ```no_run
//! use osteon_io::vtu::{VtuFields, write_vtu};
//! # fn demo(model: &osteon_assembly::Model, solution: &osteon_assembly::StaticSolution) -> Result<(), osteon_io::IoError> {
//! let fields = VtuFields::from_solution(model, &solution.cases[0]);
//! write_vtu(std::path::Path::new("out/bar.vtu"), &model.mesh, &fields)?;
//! // mesh only:
//! write_vtu(std::path::Path::new("out/mesh.vtu"), &model.mesh, &VtuFields::for_model(model))?;
//! # Ok(()) }
//! ```

use std::io::Write;
use std::path::{Path, PathBuf};

use base64::engine::general_purpose::STANDARD;

use osteon_assembly::contact::ContactFields;
use osteon_assembly::{Model, StepSolution, von_mises};
use osteon_mesh::{ElementType, Mesh};

use crate::atomic::write_atomically;
use crate::error::IoError;

/// How the data arrays are stored in the file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum VtuEncoding {
    /// Human-readable numbers.
    Ascii,
    /// Inline base64 with a UInt64 byte-count header (smaller, exact, faster).
    #[default]
    Binary,
}

/// The values of a data array.
#[derive(Clone, Debug, PartialEq)]
pub enum ArrayData {
    /// 64-bit floats.
    Float64(Vec<f64>),
    /// 64-bit integers.
    Int64(Vec<i64>),
    /// 32-bit integers.
    Int32(Vec<i32>),
}

impl ArrayData {
    fn len(&self) -> usize {
        match self {
            ArrayData::Float64(v) => v.len(),
            ArrayData::Int64(v) => v.len(),
            ArrayData::Int32(v) => v.len(),
        }
    }

    fn vtk_type(&self) -> &'static str {
        match self {
            ArrayData::Float64(_) => "Float64",
            ArrayData::Int64(_) => "Int64",
            ArrayData::Int32(_) => "Int32",
        }
    }
}

/// A named point or cell array: `n_components` values per point (or cell), point after point.
#[derive(Clone, Debug, PartialEq)]
pub struct DataArray {
    /// Array name as ParaView shows it.
    pub name: String,
    /// Values per point or cell (1 scalar, 3 vector, 6 symmetric tensor, ...).
    pub n_components: usize,
    /// The values.
    pub data: ArrayData,
}

impl DataArray {
    /// A Float64 array.
    pub fn float64(name: impl Into<String>, n_components: usize, values: Vec<f64>) -> Self {
        Self {
            name: name.into(),
            n_components,
            data: ArrayData::Float64(values),
        }
    }

    /// An Int32 array.
    pub fn int32(name: impl Into<String>, n_components: usize, values: Vec<i32>) -> Self {
        Self {
            name: name.into(),
            n_components,
            data: ArrayData::Int32(values),
        }
    }

    /// An Int64 array.
    pub fn int64(name: impl Into<String>, n_components: usize, values: Vec<i64>) -> Self {
        Self {
            name: name.into(),
            n_components,
            data: ArrayData::Int64(values),
        }
    }

    /// A 3-component Float64 array from vectors.
    pub fn vectors(name: impl Into<String>, values: &[[f64; 3]]) -> Self {
        Self::float64(name, 3, values.iter().flatten().copied().collect())
    }

    /// A 6-component Float64 array from Voigt tensors (xx yy zz xy yz xz).
    pub fn tensors(name: impl Into<String>, values: &[[f64; 6]]) -> Self {
        Self::float64(name, 6, values.iter().flatten().copied().collect())
    }
}

/// What to write besides the mesh. Start from [`VtuFields::new`] (mesh only),
/// [`VtuFields::for_model`], [`VtuFields::from_case`] or [`VtuFields::from_solution`],
/// then add with the `with_*` methods.
#[derive(Clone, Debug, Default)]
pub struct VtuFields {
    /// Nodal displacement (mm), by node index.
    pub displacement: Option<Vec<[f64; 3]>>,
    /// Nodal Cauchy stress (MPa, xx yy zz xy yz xz); `von_mises` is derived from it.
    pub stress: Option<Vec<[f64; 6]>>,
    /// Nodal reaction force (N).
    pub reaction: Option<Vec<[f64; 3]>>,
    /// Section (or material) index per element; −1 for none.
    pub material: Option<Vec<i32>>,
    /// Extra point arrays.
    pub point_arrays: Vec<DataArray>,
    /// Extra cell arrays.
    pub cell_arrays: Vec<DataArray>,
    /// Element sets to write as 0/1 Int32 cell arrays named after the set.
    pub element_set_flags: Vec<String>,
    /// Node sets to write as 0/1 Int32 point arrays named after the set.
    pub node_set_flags: Vec<String>,
    /// Arrays of the data set as a whole (VTK `FieldData`): e.g. the legend of a categorical
    /// cell array, one single-value Int32 array `region=cortical bone` = `[0]` per code.
    pub field_arrays: Vec<DataArray>,
    /// ASCII or binary.
    pub encoding: VtuEncoding,
}

/// Section index of every element (−1 where no section covers it).
pub fn section_indices(model: &Model) -> Vec<i32> {
    let mut index = vec![-1; model.mesh.n_elements()];
    for (s, section) in model.sections.iter().enumerate() {
        for &e in &section.elements {
            if let Some(slot) = index.get_mut(e) {
                *slot = s as i32;
            }
        }
    }
    index
}

impl VtuFields {
    /// Mesh only (node and element ids), binary.
    pub fn new() -> Self {
        Self::default()
    }

    /// Mesh only, with the section index of every element as `material`.
    pub fn for_model(model: &Model) -> Self {
        Self {
            material: Some(section_indices(model)),
            ..Self::default()
        }
    }

    /// A step's displacement, reaction, (if recovered) nodal stress and (for a contact step)
    /// the contact arrays ([`VtuFields::with_contact_fields`]), with the given material (or
    /// section) index per element.
    pub fn from_case(case: &StepSolution, material: &[usize]) -> Self {
        let stress =
            (!case.fields.nodal_stress.is_empty()).then(|| case.fields.nodal_stress.clone());
        let fields = Self {
            displacement: Some(case.displacement.clone()),
            stress,
            reaction: Some(case.reaction.clone()),
            material: Some(
                material
                    .iter()
                    .map(|&m| i32::try_from(m).unwrap_or(-1))
                    .collect(),
            ),
            ..Self::default()
        };
        match &case.contact {
            Some(contact) => {
                fields.with_contact_fields(&contact.nodal_fields(case.displacement.len()))
            }
            None => fields,
        }
    }

    /// Add the contact point arrays `contact_pressure` (MPa), `slip` (mm, 3 components),
    /// `slip_magnitude` (mm) and `contact_status` (−1 not a slave node, 0 open, 1 stick,
    /// 2 slip), from [`osteon_assembly::ContactState::nodal_fields`].
    pub fn with_contact_fields(self, fields: &ContactFields) -> Self {
        self.with_point_array(DataArray::float64(
            "contact_pressure",
            1,
            fields.contact_pressure.clone(),
        ))
        .with_point_array(DataArray::vectors("slip", &fields.slip))
        .with_point_array(DataArray::float64(
            "slip_magnitude",
            1,
            fields.slip_magnitude.clone(),
        ))
        .with_point_array(DataArray::int32(
            "contact_status",
            1,
            fields.contact_status.clone(),
        ))
    }

    /// A load case of `model`, with the section index of every element as `material`
    /// (DESIGN §4).
    pub fn from_solution(model: &Model, case: &StepSolution) -> Self {
        let mut fields = Self::from_case(case, &[]);
        fields.material = Some(section_indices(model));
        fields
    }

    /// Set the displacement (mm).
    pub fn with_displacement(mut self, u: Vec<[f64; 3]>) -> Self {
        self.displacement = Some(u);
        self
    }

    /// Set the nodal stress (MPa).
    pub fn with_stress(mut self, s: Vec<[f64; 6]>) -> Self {
        self.stress = Some(s);
        self
    }

    /// Set the reaction forces (N).
    pub fn with_reaction(mut self, r: Vec<[f64; 3]>) -> Self {
        self.reaction = Some(r);
        self
    }

    /// Set the `material` cell array (one index per element).
    pub fn with_material(mut self, material: Vec<i32>) -> Self {
        self.material = Some(material);
        self
    }

    /// Add a point array.
    pub fn with_point_array(mut self, array: DataArray) -> Self {
        self.point_arrays.push(array);
        self
    }

    /// Add a cell array.
    pub fn with_cell_array(mut self, array: DataArray) -> Self {
        self.cell_arrays.push(array);
        self
    }

    /// Add an array of the data set as a whole (VTK `FieldData`).
    pub fn with_field_array(mut self, array: DataArray) -> Self {
        self.field_arrays.push(array);
        self
    }

    /// The legend of the categorical cell or point array `field`: one Int32 field array
    /// `<field>=<label>` holding the code, for every (code, label), so that ParaView's
    /// Information panel and `meshio` show what the numbers mean.
    pub fn with_legend<S: AsRef<str>>(
        mut self,
        field: &str,
        codes: impl IntoIterator<Item = (i32, S)>,
    ) -> Self {
        for (code, label) in codes {
            self.field_arrays.push(DataArray::int32(
                format!("{field}={}", label.as_ref()),
                1,
                vec![code],
            ));
        }
        self
    }

    /// Write these element sets as 0/1 cell arrays.
    pub fn with_element_set_flags<S: Into<String>>(
        mut self,
        names: impl IntoIterator<Item = S>,
    ) -> Self {
        self.element_set_flags
            .extend(names.into_iter().map(Into::into));
        self
    }

    /// Write these node sets as 0/1 point arrays.
    pub fn with_node_set_flags<S: Into<String>>(
        mut self,
        names: impl IntoIterator<Item = S>,
    ) -> Self {
        self.node_set_flags
            .extend(names.into_iter().map(Into::into));
        self
    }

    /// Choose ASCII or binary.
    pub fn with_encoding(mut self, encoding: VtuEncoding) -> Self {
        self.encoding = encoding;
        self
    }
}

/// The VTK cell type of an element: 10 VTK_TETRA, 24 VTK_QUADRATIC_TETRA, 12 VTK_HEXAHEDRON,
/// 25 VTK_QUADRATIC_HEXAHEDRON.
pub fn vtk_cell_type(etype: ElementType) -> u8 {
    match etype {
        ElementType::Tet4 => 10,
        ElementType::Tet10 => 24,
        ElementType::Hex8 => 12,
        ElementType::Hex20 | ElementType::Hex20R => 25,
    }
}

fn invalid(path: &Path, message: String) -> IoError {
    IoError::os(
        path,
        std::io::Error::new(std::io::ErrorKind::InvalidInput, message),
    )
}

/// Every array to write, in order, checked against the mesh.
fn collect_arrays(
    path: &Path,
    mesh: &Mesh,
    fields: &VtuFields,
) -> Result<(Vec<DataArray>, Vec<DataArray>), IoError> {
    let n_points = mesh.n_nodes();
    let n_cells = mesh.n_elements();
    let mut points = vec![DataArray::int64("node_id", 1, mesh.node_ids.clone())];
    if let Some(u) = &fields.displacement {
        points.push(DataArray::vectors("displacement", u));
    }
    if let Some(s) = &fields.stress {
        points.push(DataArray::tensors("stress", s));
        points.push(DataArray::float64(
            "von_mises",
            1,
            s.iter().map(von_mises).collect(),
        ));
    }
    if let Some(r) = &fields.reaction {
        points.push(DataArray::vectors("reaction", r));
    }
    for name in &fields.node_set_flags {
        let set = mesh
            .node_sets
            .get(name)
            .ok_or_else(|| invalid(path, format!("VTU output: no node set '{name}' to flag")))?;
        let mut flags = vec![0; n_points];
        for &n in set {
            if let Some(f) = flags.get_mut(n) {
                *f = 1;
            }
        }
        points.push(DataArray::int32(name.clone(), 1, flags));
    }
    points.extend(fields.point_arrays.iter().cloned());
    let mut cells = vec![DataArray::int64(
        "element_id",
        1,
        mesh.elements().map(|e| e.id).collect(),
    )];
    if let Some(m) = &fields.material {
        cells.push(DataArray::int32("material", 1, m.clone()));
    }
    for name in &fields.element_set_flags {
        let set = mesh
            .element_sets
            .get(name)
            .ok_or_else(|| invalid(path, format!("VTU output: no element set '{name}' to flag")))?;
        let mut flags = vec![0; n_cells];
        for &e in set {
            if let Some(f) = flags.get_mut(e) {
                *f = 1;
            }
        }
        cells.push(DataArray::int32(name.clone(), 1, flags));
    }
    cells.extend(fields.cell_arrays.iter().cloned());
    for (arrays, count, what) in [(&points, n_points, "point"), (&cells, n_cells, "cell")] {
        for (k, a) in arrays.iter().enumerate() {
            if a.n_components == 0 || a.data.len() != a.n_components * count {
                return Err(invalid(
                    path,
                    format!(
                        "VTU output: {what} array '{}' has {} values, expected {} components × {count} {what}s",
                        a.name,
                        a.data.len(),
                        a.n_components
                    ),
                ));
            }
            if arrays[..k].iter().any(|b| b.name == a.name) {
                return Err(invalid(
                    path,
                    format!("VTU output: two {what} arrays are called '{}'", a.name),
                ));
            }
        }
    }
    Ok((points, cells))
}

/// Write `mesh` and `fields` as a VTU file (atomically).
///
/// Errors: [`IoError::Os`] for file-system failures, and (kind `InvalidInput`) for arrays
/// whose length does not match the mesh, repeated array names, or unknown set names.
pub fn write_vtu(path: &Path, mesh: &Mesh, fields: &VtuFields) -> Result<(), IoError> {
    let (point_arrays, cell_arrays) = collect_arrays(path, mesh, fields)?;
    let encoding = fields.encoding;
    write_atomically(path, |w| {
        let header = if encoding == VtuEncoding::Binary {
            " header_type=\"UInt64\""
        } else {
            ""
        };
        writeln!(w, "<?xml version=\"1.0\"?>")?;
        writeln!(
            w,
            "<VTKFile type=\"UnstructuredGrid\" version=\"1.0\" byte_order=\"LittleEndian\"{header}>"
        )?;
        writeln!(w, "  <UnstructuredGrid>")?;
        if !fields.field_arrays.is_empty() {
            writeln!(w, "    <FieldData>")?;
            for a in &fields.field_arrays {
                write_array(w, a, encoding)?;
            }
            writeln!(w, "    </FieldData>")?;
        }
        writeln!(
            w,
            "    <Piece NumberOfPoints=\"{}\" NumberOfCells=\"{}\">",
            mesh.n_nodes(),
            mesh.n_elements()
        )?;
        writeln!(w, "      <PointData>")?;
        for a in &point_arrays {
            write_array(w, a, encoding)?;
        }
        writeln!(w, "      </PointData>")?;
        writeln!(w, "      <CellData>")?;
        for a in &cell_arrays {
            write_array(w, a, encoding)?;
        }
        writeln!(w, "      </CellData>")?;
        writeln!(w, "      <Points>")?;
        let coords: Vec<f64> = mesh.coords.iter().flatten().copied().collect();
        write_array(w, &DataArray::float64("Points", 3, coords), encoding)?;
        writeln!(w, "      </Points>")?;
        writeln!(w, "      <Cells>")?;
        let mut connectivity =
            Vec::with_capacity(mesh.blocks.iter().map(|b| b.connectivity.len()).sum());
        let mut offsets = Vec::with_capacity(mesh.n_elements());
        let mut types = Vec::with_capacity(mesh.n_elements());
        for block in &mesh.blocks {
            connectivity.extend(block.connectivity.iter().map(|&n| n as i64));
            let n = block.etype.n_nodes() as i64;
            let base = offsets.last().copied().unwrap_or(0);
            offsets.extend((1..=block.len() as i64).map(|k| base + k * n));
            types.extend(std::iter::repeat_n(vtk_cell_type(block.etype), block.len()));
        }
        write_array(
            w,
            &DataArray::int64("connectivity", 1, connectivity),
            encoding,
        )?;
        write_array(w, &DataArray::int64("offsets", 1, offsets), encoding)?;
        write_uint8(w, "types", &types, encoding)?;
        writeln!(w, "      </Cells>")?;
        writeln!(w, "    </Piece>")?;
        writeln!(w, "  </UnstructuredGrid>")?;
        writeln!(w, "</VTKFile>")
    })
}

/// Escape a string for an XML attribute value.
fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            _ => out.push(c),
        }
    }
    out
}

/// A float in ASCII: shortest text that reads back to the same value, exponent form for
/// very small or large magnitudes.
fn fmt_f64(v: f64) -> String {
    let a = v.abs();
    if v == 0.0 {
        "0".to_string()
    } else if (1e-4..1e15).contains(&a) {
        format!("{v}")
    } else {
        format!("{v:e}")
    }
}

fn open_tag(
    w: &mut dyn Write,
    vtk_type: &str,
    name: &str,
    n_components: usize,
    encoding: VtuEncoding,
) -> std::io::Result<()> {
    let format = if encoding == VtuEncoding::Binary {
        "binary"
    } else {
        "ascii"
    };
    // NumberOfComponents defaults to 1; scalars leave it out so that readers (meshio)
    // see them as plain 1-D arrays
    write!(
        w,
        "        <DataArray type=\"{vtk_type}\" Name=\"{}\"",
        xml_escape(name)
    )?;
    if n_components != 1 {
        write!(w, " NumberOfComponents=\"{n_components}\"")?;
    }
    if name == "stress" && n_components == 6 {
        for (k, c) in ["XX", "YY", "ZZ", "XY", "YZ", "XZ"].iter().enumerate() {
            write!(w, " ComponentName{k}=\"{c}\"")?;
        }
    }
    write!(w, " format=\"{format}\">")
}

/// Write bytes as one base64 block preceded by their UInt64 byte count.
fn write_base64(
    w: &mut dyn Write,
    n_bytes: usize,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let mut enc = base64::write::EncoderWriter::new(&mut *w, &STANDARD);
    enc.write_all(&(n_bytes as u64).to_le_bytes())?;
    {
        let mut buffered = std::io::BufWriter::with_capacity(1 << 16, &mut enc);
        fill(&mut buffered)?;
        buffered.flush()?;
    }
    enc.finish()?;
    Ok(())
}

fn write_array(w: &mut dyn Write, a: &DataArray, encoding: VtuEncoding) -> std::io::Result<()> {
    open_tag(w, a.data.vtk_type(), &a.name, a.n_components, encoding)?;
    match encoding {
        VtuEncoding::Binary => {
            writeln!(w)?;
            write!(w, "          ")?;
            match &a.data {
                ArrayData::Float64(v) => write_base64(w, 8 * v.len(), |b| {
                    v.iter().try_for_each(|x| b.write_all(&x.to_le_bytes()))
                })?,
                ArrayData::Int64(v) => write_base64(w, 8 * v.len(), |b| {
                    v.iter().try_for_each(|x| b.write_all(&x.to_le_bytes()))
                })?,
                ArrayData::Int32(v) => write_base64(w, 4 * v.len(), |b| {
                    v.iter().try_for_each(|x| b.write_all(&x.to_le_bytes()))
                })?,
            }
            writeln!(w)?;
        }
        VtuEncoding::Ascii => {
            let per_line = a.n_components.max(1) * if a.n_components >= 3 { 2 } else { 6 };
            let items: Box<dyn Iterator<Item = String> + '_> = match &a.data {
                ArrayData::Float64(v) => Box::new(v.iter().map(|&x| fmt_f64(x))),
                ArrayData::Int64(v) => Box::new(v.iter().map(i64::to_string)),
                ArrayData::Int32(v) => Box::new(v.iter().map(i32::to_string)),
            };
            write_ascii(w, items, per_line)?;
        }
    }
    writeln!(w, "        </DataArray>")
}

fn write_ascii(
    w: &mut dyn Write,
    items: impl Iterator<Item = String>,
    per_line: usize,
) -> std::io::Result<()> {
    writeln!(w)?;
    for (k, item) in items.enumerate() {
        if k % per_line == 0 {
            if k > 0 {
                writeln!(w)?;
            }
            write!(w, "          {item}")?;
        } else {
            write!(w, " {item}")?;
        }
    }
    writeln!(w)
}

fn write_uint8(
    w: &mut dyn Write,
    name: &str,
    values: &[u8],
    encoding: VtuEncoding,
) -> std::io::Result<()> {
    open_tag(w, "UInt8", name, 1, encoding)?;
    match encoding {
        VtuEncoding::Binary => {
            writeln!(w)?;
            write!(w, "          ")?;
            write_base64(w, values.len(), |b| b.write_all(values))?;
            writeln!(w)?;
        }
        VtuEncoding::Ascii => write_ascii(w, values.iter().map(u8::to_string), 12)?,
    }
    writeln!(w, "        </DataArray>")
}

/// Write a PVD collection: one `<DataSet>` per `(time, file)`; `file` is written as given
/// (make it relative to the PVD's folder so the set can be moved).
pub fn write_pvd<S: AsRef<str>>(path: &Path, entries: &[(f64, S)]) -> Result<(), IoError> {
    if let Some((t, _)) = entries.iter().find(|(t, _)| !t.is_finite()) {
        return Err(invalid(path, format!("PVD output: time {t} is not finite")));
    }
    write_atomically(path, |w| {
        writeln!(w, "<?xml version=\"1.0\"?>")?;
        writeln!(
            w,
            "<VTKFile type=\"Collection\" version=\"0.1\" byte_order=\"LittleEndian\">"
        )?;
        writeln!(w, "  <Collection>")?;
        for (time, file) in entries {
            writeln!(
                w,
                "    <DataSet timestep=\"{}\" group=\"\" part=\"0\" file=\"{}\"/>",
                fmt_f64(*time),
                xml_escape(file.as_ref())
            )?;
        }
        writeln!(w, "  </Collection>")?;
        writeln!(w, "</VTKFile>")
    })
}

/// Write the result files of DESIGN §4 into `dir`: `<stem>.vtu` (the last step), and when
/// there are several steps also `<stem>_step<N>.vtu` for each (N from 1) and `<stem>.pvd`
/// (time = N). Linear and contact steps alike ([`VtuFields::from_case`]: contact steps add
/// the contact arrays). Returns the paths written. With no step, writes the mesh with its
/// sections.
pub fn write_results(
    dir: &Path,
    stem: &str,
    model: &Model,
    steps: &[StepSolution],
    encoding: VtuEncoding,
) -> Result<Vec<PathBuf>, IoError> {
    write_step_series(
        dir,
        stem,
        &model.mesh,
        steps.len(),
        || VtuFields::for_model(model).with_encoding(encoding),
        |k| VtuFields::from_solution(model, &steps[k]).with_encoding(encoding),
    )
}

/// Write `<stem>.vtu` from the last of `n` steps (`empty()` when there is none) and, when
/// there are several, `<stem>_step<N>.vtu` for each (N from 1, fields from `step(N − 1)`)
/// and `<stem>.pvd` (time = N). Returns the paths written. The fields of one step are built
/// at a time, the last one once.
pub fn write_step_series(
    dir: &Path,
    stem: &str,
    mesh: &Mesh,
    n: usize,
    empty: impl FnOnce() -> VtuFields,
    step: impl Fn(usize) -> VtuFields,
) -> Result<Vec<PathBuf>, IoError> {
    let mut written = Vec::new();
    let last = if n == 0 { empty() } else { step(n - 1) };
    let main = dir.join(format!("{stem}.vtu"));
    write_vtu(&main, mesh, &last)?;
    written.push(main);
    if n > 1 {
        let mut entries = Vec::with_capacity(n);
        for k in 0..n {
            let name = format!("{stem}_step{}.vtu", k + 1);
            let path = dir.join(&name);
            if k + 1 == n {
                write_vtu(&path, mesh, &last)?;
            } else {
                write_vtu(&path, mesh, &step(k))?;
            }
            written.push(path);
            entries.push(((k + 1) as f64, name));
        }
        let pvd = dir.join(format!("{stem}.pvd"));
        write_pvd(&pvd, &entries)?;
        written.push(pvd);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_read_back_exactly() {
        for v in [
            0.0,
            1.0,
            -2.5,
            1e-300,
            123456.789,
            1e20,
            -3.3e-7,
            f64::MIN_POSITIVE,
            0.1 + 0.2,
        ] {
            let s = fmt_f64(v);
            assert_eq!(s.parse::<f64>().ok(), Some(v), "{s}");
        }
        assert_eq!(xml_escape("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
    }
}
