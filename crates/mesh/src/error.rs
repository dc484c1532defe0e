//! Errors of the mesh crate.

/// Everything that can go wrong while building or checking a mesh.
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum MeshError {
    /// A node id was defined twice.
    #[error("duplicate node id {id}")]
    DuplicateNode {
        /// The repeated node id.
        id: i64,
    },
    /// An element id was defined twice.
    #[error("duplicate element id {id}")]
    DuplicateElement {
        /// The repeated element id.
        id: i64,
    },
    /// An element refers to a node id that does not exist.
    #[error("element {element} refers to undefined node {node}")]
    UndefinedNode {
        /// Element id.
        element: i64,
        /// The missing node id.
        node: i64,
    },
    /// Wrong number of nodes for the element type.
    #[error("element {element} of type {etype} needs {expected} nodes, got {got}")]
    WrongNodeCount {
        /// Element id.
        element: i64,
        /// Abaqus type name.
        etype: &'static str,
        /// Nodes the type needs.
        expected: usize,
        /// Nodes given.
        got: usize,
    },
    /// Unknown or unsupported element type name.
    #[error("unsupported element type '{name}' (supported: C3D4, C3D10, C3D8, C3D20, C3D20R)")]
    UnknownElementType {
        /// The name as given.
        name: String,
    },
    /// A set or surface name was not found.
    #[error("undefined {kind} '{name}'")]
    UndefinedSet {
        /// "node set", "element set" or "surface".
        kind: &'static str,
        /// The name looked up.
        name: String,
    },
    /// A surface was used where element faces are needed, but it is a node surface.
    #[error(
        "surface '{name}' is a node surface; element faces are needed here (define it with element faces, e.g. *SURFACE, TYPE=ELEMENT: element or element set, Sn)"
    )]
    NodeSurface {
        /// The surface name.
        name: String,
    },
    /// An element is inverted (det J <= 0) or degenerate at some point.
    #[error(
        "element {id} is inverted or degenerate: det J = {det_j:.3e} (relative {relative:.3e}) at natural point ({:.3}, {:.3}, {:.3})",
        xi[0], xi[1], xi[2]
    )]
    InvertedElement {
        /// Element id.
        id: i64,
        /// The Jacobian determinant found (mm³ per unit natural volume).
        det_j: f64,
        /// det J divided by the element's mean det J (scale-free).
        relative: f64,
        /// The natural coordinates where it was found.
        xi: [f64; 3],
    },
    /// A generator got parameters it cannot mesh.
    #[error("invalid generator parameter {name} = {value}: {expected}")]
    InvalidParameter {
        /// Parameter name.
        name: &'static str,
        /// Given value.
        value: f64,
        /// What was expected.
        expected: &'static str,
    },
    /// A face number outside the element's faces.
    #[error("element {element} ({etype}) has no face S{face}")]
    InvalidFace {
        /// Element id.
        element: i64,
        /// Abaqus type name.
        etype: &'static str,
        /// 1-based face number as in S1..S6.
        face: usize,
    },
}
