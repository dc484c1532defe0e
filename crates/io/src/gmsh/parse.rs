//! Section-level parsing of MSH 4.1 (ASCII and binary) and MSH 2.2 (ASCII) into a raw,
//! format-independent form: nodes in file order, elements of every dimension with their
//! Gmsh types, node tags and physical tags. Building the [`osteon_mesh::Mesh`] from it is
//! the job of the parent module.

use std::collections::HashMap;
use std::path::Path;

use super::MshFormat;
use super::cursor::Cursor;
use super::types::gmsh_type;
use crate::error::IoError;

/// Everything read from a `.msh` file, before it becomes a mesh.
pub(super) struct Raw {
    pub format: MshFormat,
    /// `$PhysicalNames`: (dimension, tag) → name.
    pub names: HashMap<(u8, i32), String>,
    /// Node tags and coordinates (mm), in file order.
    pub node_tags: Vec<i64>,
    pub coords: Vec<[f64; 3]>,
    /// Node tag → position in `node_tags`.
    pub node_index: HashMap<i64, usize>,
    /// Elements of every dimension, in file order.
    pub elements: RawElements,
    /// Lists of physical tags, shared by elements (list 0 is empty).
    pub physical_lists: Vec<Vec<i32>>,
    /// Offset of the `$Elements` header (for messages about binary element records).
    pub elements_header: usize,
    pub warnings: Vec<String>,
}

/// Elements of all dimensions, stored flat.
#[derive(Default)]
pub(super) struct RawElements {
    pub tags: Vec<i64>,
    /// Gmsh type code (known to [`gmsh_type`]).
    pub codes: Vec<u16>,
    /// Index into [`Raw::physical_lists`].
    pub physicals: Vec<u32>,
    /// Element e's node tags are `nodes[ptr[e]..ptr[e + 1]]` (Gmsh order).
    pub ptr: Vec<usize>,
    pub nodes: Vec<i64>,
    /// Byte offset of each element record, for messages.
    pub offsets: Vec<usize>,
}

impl RawElements {
    pub fn len(&self) -> usize {
        self.tags.len()
    }

    pub fn nodes_of(&self, e: usize) -> &[i64] {
        &self.nodes[self.ptr[e]..self.ptr[e + 1]]
    }

    fn push(&mut self, tag: i64, code: u16, physical: u32, offset: usize) {
        if self.ptr.is_empty() {
            self.ptr.push(0);
        }
        self.tags.push(tag);
        self.codes.push(code);
        self.physicals.push(physical);
        self.offsets.push(offset);
    }

    fn close(&mut self) {
        self.ptr.push(self.nodes.len());
    }
}

/// Smallest number of bytes an ASCII item can take (a digit and a separator).
const ASCII_MIN: usize = 2;

struct Parser<'a> {
    c: Cursor<'a>,
    raw: Raw,
    /// 4.1 `$Entities`: (dimension, entity tag) → physical list.
    entities: HashMap<(u8, i32), u32>,
    /// 2.2: physical tag → physical list.
    single_lists: HashMap<i32, u32>,
    binary: bool,
    seen_nodes: bool,
    seen_elements: bool,
}

/// Parse the bytes of a `.msh` file.
pub(super) fn parse(data: &[u8], file: &Path) -> Result<Raw, IoError> {
    if data.iter().all(u8::is_ascii_whitespace) {
        return Err(IoError::parse(
            file,
            0,
            "empty file: expected a Gmsh mesh starting with $MeshFormat",
        ));
    }
    let mut p = Parser {
        c: Cursor::new(data, file),
        raw: Raw {
            format: MshFormat::V41Ascii,
            names: HashMap::new(),
            node_tags: Vec::new(),
            coords: Vec::new(),
            node_index: HashMap::new(),
            elements: RawElements::default(),
            physical_lists: vec![Vec::new()],
            elements_header: 0,
            warnings: Vec::new(),
        },
        entities: HashMap::new(),
        single_lists: HashMap::new(),
        binary: false,
        seen_nodes: false,
        seen_elements: false,
    };
    p.mesh_format()?;
    while !p.c.at_end() {
        let (tok, start) = p.c.token("a section such as $Nodes")?;
        match tok {
            b"$PhysicalNames" => p.physical_names()?,
            b"$Entities" if p.raw.format != MshFormat::V22Ascii => p.entities(start)?,
            b"$Nodes" => p.nodes(start)?,
            b"$Elements" => p.elements(start)?,
            b"$MeshFormat" => {
                return Err(p.c.error_at(
                    start,
                    "a second $MeshFormat section: expected one mesh per file",
                ));
            }
            _ if tok.first() == Some(&b'$') && tok.len() > 1 && !tok.starts_with(b"$End") => {
                let name = String::from_utf8_lossy(&tok[1..]).into_owned();
                p.c.skip_section(&name)?;
                p.raw.warnings.push(format!(
                    "line {}: skipped section ${name}",
                    p.c.line_of(start)
                ));
            }
            _ => {
                let shown = String::from_utf8_lossy(&tok[..tok.len().min(40)]).into_owned();
                return Err(p.c.error_at(
                    start,
                    format!(
                        "expected a section header such as $Nodes or $Elements, found '{shown}'"
                    ),
                ));
            }
        }
    }
    if !p.seen_nodes {
        return Err(IoError::parse(
            file,
            0,
            "no $Nodes section: expected the mesh nodes",
        ));
    }
    if !p.seen_elements {
        return Err(IoError::parse(
            file,
            0,
            "no $Elements section: expected the mesh elements",
        ));
    }
    Ok(p.raw)
}

impl Parser<'_> {
    fn mesh_format(&mut self) -> Result<(), IoError> {
        let (tok, start) = self.c.token("$MeshFormat")?;
        if tok != b"$MeshFormat" {
            let shown = String::from_utf8_lossy(&tok[..tok.len().min(40)]).into_owned();
            return Err(self.c.error_at(
                start,
                format!("expected $MeshFormat (is this a Gmsh .msh file?), found '{shown}'"),
            ));
        }
        let (version, vpos) = self.c.token("the MSH version (4.1 or 2.2)")?;
        let v22 = match version {
            b"4.1" => false,
            b"2.2" | b"2.1" | b"2.0" | b"2" => true,
            _ => {
                let shown = String::from_utf8_lossy(&version[..version.len().min(20)]).into_owned();
                return Err(self.c.error_at(
                    vpos,
                    format!("MSH version {shown} is not supported: expected 4.1 or 2.2 (re-save the mesh from Gmsh with Mesh.MshFileVersion = 4.1)"),
                ));
            }
        };
        let type_pos = self.c.pos();
        let file_type: i32 = self.c.parse("the file type (0 for ASCII, 1 for binary)")?;
        let data_size: usize = self.c.parse("the data size (bytes of a size_t)")?;
        match (file_type, v22) {
            (0, false) => self.raw.format = MshFormat::V41Ascii,
            (0, true) => self.raw.format = MshFormat::V22Ascii,
            (1, false) => {
                if data_size != 4 && data_size != 8 {
                    return Err(self.c.error_at(
                        type_pos,
                        format!("data size {data_size} is not supported: expected 8 (or 4)"),
                    ));
                }
                self.raw.format = MshFormat::V41Binary;
                self.binary = true;
                self.c.set_size_t(data_size);
                self.c.skip_line();
                self.c.set_binary_section(Some(("$MeshFormat", start)));
                let one = self
                    .c
                    .bin_i32("the binary endianness marker (the integer 1)")?;
                if one != 1 {
                    return Err(self.c.error(format!(
                        "the endianness marker is {one}, expected 1: big-endian or corrupt binary file"
                    )));
                }
                self.c.set_binary_section(None);
            }
            (1, true) => {
                return Err(self.c.error_at(
                    type_pos,
                    "binary MSH 2.2 is not supported: save as MSH 4.1 (ASCII or binary) or MSH 2.2 ASCII",
                ));
            }
            _ => {
                return Err(self.c.error_at(
                    type_pos,
                    format!("file type {file_type}: expected 0 (ASCII) or 1 (binary)"),
                ));
            }
        }
        self.c.expect("$EndMeshFormat")
    }

    fn physical_names(&mut self) -> Result<(), IoError> {
        self.c.begin_record(false);
        let n: usize = self.c.parse("the number of physical names")?;
        self.c.end_record(false, "the number of physical names")?;
        if n > self.c.remaining() {
            return Err(self.c.error(format!(
                "{n} physical names announced, more than the rest of the file can hold"
            )));
        }
        for _ in 0..n {
            self.c.begin_record(false);
            let pos = self.c.pos();
            let dim: i32 = self.c.parse("the physical group dimension (0 to 3)")?;
            let dim = u8::try_from(dim).ok().filter(|&d| d <= 3).ok_or_else(|| {
                self.c.error_at(
                    pos,
                    format!("physical group dimension {dim}: expected 0, 1, 2 or 3"),
                )
            })?;
            let tag: i32 = self.c.parse("the physical group tag")?;
            let name = self.c.quoted("the physical group name")?;
            self.c
                .end_record(false, "a physical name record (dimension tag \"name\")")?;
            self.raw.names.insert((dim, tag), name);
        }
        self.c.expect("$EndPhysicalNames")
    }

    /// Enter the data of a section whose header is at `header`: in a binary file the data
    /// starts right after the header line.
    fn enter(&mut self, name: &'static str, header: usize) {
        if self.binary {
            self.c.skip_line();
            self.c.set_binary_section(Some((name, header)));
        }
    }

    fn leave(&mut self, end: &str) -> Result<(), IoError> {
        self.c.set_binary_section(None);
        self.c.expect(end)
    }

    fn dimension(&mut self, what: &str) -> Result<u8, IoError> {
        let pos = self.c.pos();
        let d = self.c.int(self.binary, what)?;
        u8::try_from(d).ok().filter(|&d| d <= 3).ok_or_else(|| {
            self.c
                .error_at(pos, format!("{what} is {d}: expected 0, 1, 2 or 3"))
        })
    }

    /// Skip `n` doubles (bounding boxes: any value allowed).
    fn skip_doubles(&mut self, n: usize, what: &str) -> Result<(), IoError> {
        for _ in 0..n {
            if self.binary {
                self.c.bin_i32(what)?;
                self.c.bin_i32(what)?;
            } else {
                let _: f64 = self.c.parse(what)?;
            }
        }
        Ok(())
    }

    fn entities(&mut self, header: usize) -> Result<(), IoError> {
        self.enter("$Entities", header);
        let b = self.binary;
        let min = if b {
            4 + 24 + self.c.size_t()
        } else {
            5 * ASCII_MIN
        };
        let mut counts = [0usize; 4];
        self.c.begin_record(b);
        for (d, what) in [
            "the number of points",
            "the number of curves",
            "the number of surfaces",
            "the number of volumes",
        ]
        .iter()
        .enumerate()
        {
            counts[d] = self.c.count(b, what, min)?;
        }
        self.c.end_record(b, "the entity counts")?;
        let int_bytes = if b { 4 } else { ASCII_MIN };
        for (dim, &count) in counts.iter().enumerate() {
            for _ in 0..count {
                self.c.begin_record(b);
                let tag = self.c.int(b, "an entity tag")?;
                self.skip_doubles(
                    if dim == 0 { 3 } else { 6 },
                    "an entity bounding-box coordinate",
                )?;
                let n_phys = self.c.count(b, "the number of physical tags", int_bytes)?;
                let mut list = Vec::with_capacity(n_phys);
                for _ in 0..n_phys {
                    list.push(self.c.int(b, "a physical tag")?);
                }
                if dim > 0 {
                    let n_bound = self
                        .c
                        .count(b, "the number of bounding entities", int_bytes)?;
                    for _ in 0..n_bound {
                        self.c.int(b, "a bounding entity tag")?;
                    }
                }
                self.c.end_record(b, "an entity record")?;
                if !list.is_empty() {
                    let index = self.raw.physical_lists.len() as u32;
                    self.raw.physical_lists.push(list);
                    self.entities.insert((dim as u8, tag), index);
                }
            }
        }
        self.leave("$EndEntities")
    }

    fn node_tag(&mut self, what: &str) -> Result<(i64, usize), IoError> {
        let pos = self.c.pos();
        let tag = self.c.size(self.binary, what)?;
        let tag = i64::try_from(tag)
            .map_err(|_| self.c.error_at(pos, format!("{what} {tag} is too large")))?;
        Ok((tag, pos))
    }

    fn add_node(&mut self, tag: i64, pos: usize, x: [f64; 3]) -> Result<(), IoError> {
        let index = self.raw.node_tags.len();
        if self.raw.node_index.insert(tag, index).is_some() {
            return Err(self.c.error_at(pos, format!("node {tag} is defined twice")));
        }
        self.raw.node_tags.push(tag);
        self.raw.coords.push(x);
        Ok(())
    }

    /// The header record of a MSH 4.1 `$Nodes` or `$Elements` section: number of blocks,
    /// number of items (`what`s, each at least `per_item` bytes), smallest and largest tag.
    /// Returns (blocks, position of the item count, items).
    fn block_section_header(
        &mut self,
        what: &str,
        per_item: usize,
    ) -> Result<(usize, usize, usize), IoError> {
        let b = self.binary;
        self.c.begin_record(b);
        let per_block = if b {
            12 + self.c.size_t()
        } else {
            4 * ASCII_MIN
        };
        let n_blocks = self
            .c
            .count(b, &format!("the number of {what} blocks"), per_block)?;
        let header_pos = self.c.pos();
        let n_items = self
            .c
            .count(b, &format!("the number of {what}s"), per_item)?;
        self.c.size(b, &format!("the smallest {what} tag"))?;
        self.c.size(b, &format!("the largest {what} tag"))?;
        let section = if what == "node" {
            "$Nodes"
        } else {
            "$Elements"
        };
        self.c.end_record(
            b,
            &format!("the {section} header (blocks, {what}s, smallest tag, largest tag)"),
        )?;
        Ok((n_blocks, header_pos, n_items))
    }

    fn nodes(&mut self, header: usize) -> Result<(), IoError> {
        if self.seen_nodes {
            return Err(self
                .c
                .error_at(header, "a second $Nodes section: expected one"));
        }
        self.seen_nodes = true;
        if self.raw.format == MshFormat::V22Ascii {
            self.c.begin_record(false);
            let n = self.c.count(false, "the number of nodes", 4 * ASCII_MIN)?;
            self.c.end_record(false, "the number of nodes")?;
            self.raw.node_tags.reserve(n);
            self.raw.coords.reserve(n);
            for _ in 0..n {
                self.c.begin_record(false);
                let pos = self.c.pos();
                let tag: i64 = self.c.parse("a node tag")?;
                let x = [
                    self.c.real("the node's x")?,
                    self.c.real("the node's y")?,
                    self.c.real("the node's z")?,
                ];
                self.c.end_record(false, "a node record (tag x y z)")?;
                self.add_node(tag, pos, x)?;
            }
            return self.leave("$EndNodes");
        }
        self.enter("$Nodes", header);
        let b = self.binary;
        let per_node = if b {
            self.c.size_t() + 24
        } else {
            4 * ASCII_MIN
        };
        let (n_blocks, header_pos, n_nodes) = self.block_section_header("node", per_node)?;
        self.raw.node_tags.reserve(n_nodes);
        self.raw.coords.reserve(n_nodes);
        let mut tags = Vec::new();
        for _ in 0..n_blocks {
            self.c.begin_record(b);
            let dim = self.dimension("the entity dimension of a node block")?;
            self.c.int(b, "the entity tag of a node block")?;
            let ppos = self.c.pos();
            let parametric = self
                .c
                .int(b, "the parametric flag of a node block (0 or 1)")?;
            if parametric != 0 && parametric != 1 {
                return Err(self.c.error_at(
                    ppos,
                    format!("parametric flag {parametric}: expected 0 or 1"),
                ));
            }
            let extra = if parametric == 1 { usize::from(dim) } else { 0 };
            let n = self
                .c
                .count(b, "the number of nodes in the block", per_node)?;
            self.c.end_record(
                b,
                "a node block header (dimension, entity, parametric, count)",
            )?;
            tags.clear();
            for _ in 0..n {
                self.c.begin_record(b);
                tags.push(self.node_tag("a node tag")?);
                self.c.end_record(b, "a node tag")?;
            }
            for &(tag, pos) in &tags {
                self.c.begin_record(b);
                let x = [
                    self.c.double(b, "a node's x")?,
                    self.c.double(b, "a node's y")?,
                    self.c.double(b, "a node's z")?,
                ];
                for _ in 0..extra {
                    self.c.double(b, "a node's parametric coordinate")?;
                }
                self.c.end_record(b, "a node's coordinates")?;
                self.add_node(tag, pos, x)?;
            }
        }
        if self.raw.node_tags.len() != n_nodes {
            return Err(self.c.error_at(
                header_pos,
                format!(
                    "the $Nodes header announces {n_nodes} nodes but its blocks hold {}",
                    self.raw.node_tags.len()
                ),
            ));
        }
        self.leave("$EndNodes")
    }

    fn elements(&mut self, header: usize) -> Result<(), IoError> {
        if self.seen_elements {
            return Err(self
                .c
                .error_at(header, "a second $Elements section: expected one"));
        }
        self.seen_elements = true;
        self.raw.elements_header = header;
        if self.raw.format == MshFormat::V22Ascii {
            return self.elements_v22();
        }
        self.enter("$Elements", header);
        let b = self.binary;
        let per_element = if b {
            2 * self.c.size_t()
        } else {
            2 * ASCII_MIN
        };
        let (n_blocks, header_pos, n_elements) =
            self.block_section_header("element", per_element)?;
        self.raw.elements.tags.reserve(n_elements);
        for _ in 0..n_blocks {
            self.c.begin_record(b);
            let dim = self.dimension("the entity dimension of an element block")?;
            let entity = self.c.int(b, "the entity tag of an element block")?;
            let tpos = self.c.pos();
            let code = self.c.int(b, "the element type of an element block")?;
            let ty = gmsh_type(i64::from(code)).ok_or_else(|| {
                self.c.error_at(
                    tpos,
                    format!("unknown Gmsh element type {code} (in a block of dimension {dim})"),
                )
            })?;
            if ty.dim != dim {
                return Err(self.c.error_at(
                    tpos,
                    format!("element type {code} ({}) has dimension {}, but the block is on an entity of dimension {dim}", ty.name, ty.dim),
                ));
            }
            let physical = self.entities.get(&(dim, entity)).copied().unwrap_or(0);
            let per = if b {
                (1 + ty.n_nodes) * self.c.size_t()
            } else {
                (1 + ty.n_nodes) * ASCII_MIN
            };
            let n = self
                .c
                .count(b, "the number of elements in the block", per)?;
            self.c.end_record(
                b,
                "an element block header (dimension, entity, type, count)",
            )?;
            for _ in 0..n {
                self.c.begin_record(b);
                let pos = self.c.pos();
                let (tag, _) = self.node_tag("an element tag")?;
                self.raw.elements.push(tag, ty.code, physical, pos);
                for _ in 0..ty.n_nodes {
                    let (node, _) = self.node_tag("a node tag of an element")?;
                    self.raw.elements.nodes.push(node);
                }
                self.c
                    .end_record(b, &format!("the {} nodes of a {}", ty.n_nodes, ty.name))?;
                self.raw.elements.close();
            }
        }
        if self.raw.elements.len() != n_elements {
            return Err(self.c.error_at(
                header_pos,
                format!(
                    "the $Elements header announces {n_elements} elements but its blocks hold {}",
                    self.raw.elements.len()
                ),
            ));
        }
        self.leave("$EndElements")
    }

    fn elements_v22(&mut self) -> Result<(), IoError> {
        self.c.begin_record(false);
        let n = self
            .c
            .count(false, "the number of elements", 5 * ASCII_MIN)?;
        self.c.end_record(false, "the number of elements")?;
        self.raw.elements.tags.reserve(n);
        for _ in 0..n {
            self.c.begin_record(false);
            let pos = self.c.pos();
            let tag: i64 = self.c.parse("an element tag")?;
            let tpos = self.c.pos();
            let code: i64 = self.c.parse("an element type")?;
            let ty = gmsh_type(code).ok_or_else(|| {
                self.c.error_at(
                    tpos,
                    format!("unknown Gmsh element type {code} (element {tag})"),
                )
            })?;
            let npos = self.c.pos();
            let n_tags: usize = self.c.parse("the number of element tags")?;
            if n_tags > self.c.remaining() {
                return Err(self.c.error_at(npos, format!("element {tag} announces {n_tags} tags, more than the rest of the file holds")));
            }
            let mut physical_tag = 0;
            for k in 0..n_tags {
                let t: i32 = self.c.parse("an element tag (physical, elementary, ...)")?;
                if k == 0 {
                    physical_tag = t;
                }
            }
            let physical = if physical_tag == 0 {
                0
            } else {
                let lists = &mut self.raw.physical_lists;
                *self.single_lists.entry(physical_tag).or_insert_with(|| {
                    lists.push(vec![physical_tag]);
                    (lists.len() - 1) as u32
                })
            };
            self.raw.elements.push(tag, ty.code, physical, pos);
            for _ in 0..ty.n_nodes {
                let node: i64 = self.c.parse("a node tag of an element")?;
                self.raw.elements.nodes.push(node);
            }
            self.c
                .end_record(false, &format!("the {} nodes of a {}", ty.n_nodes, ty.name))?;
            self.raw.elements.close();
        }
        self.leave("$EndElements")
    }
}
