//! Which reader a file goes to, told by its extension (case-insensitive).
//!
//! ```
//! use std::path::Path;
//! use osteon_io::InputFormat;
//!
//! assert_eq!(InputFormat::from_path(Path::new("tibia.INP"))?, InputFormat::Inp);
//! assert_eq!(InputFormat::from_path(Path::new("bar.msh"))?, InputFormat::Msh);
//! assert!(InputFormat::from_path(Path::new("bar.stl")).is_err());
//! # Ok::<(), osteon_io::IoError>(())
//! ```

use std::path::Path;

use crate::error::IoError;

/// The input files osteon reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum InputFormat {
    /// Abaqus/CalculiX deck, `.inp` ([`crate::inp::read_inp`]).
    Inp,
    /// Gmsh mesh, `.msh` (format 2.2 or 4.1; [`crate::gmsh::read_msh`], with its model
    /// description [`crate::gmsh::read_msh_model`]).
    Msh,
    /// osteon model description, `.toml` ([`crate::gmsh::read_toml_model`]).
    Toml,
}

impl InputFormat {
    /// Every format.
    pub const ALL: [InputFormat; 3] = [InputFormat::Inp, InputFormat::Msh, InputFormat::Toml];

    /// The accepted formats in words, for messages.
    pub const ACCEPTED: &'static str =
        "an Abaqus/CalculiX deck (.inp), a Gmsh mesh (.msh) or a model TOML (.toml)";

    /// The file extension, without the dot, in lower case.
    pub fn extension(self) -> &'static str {
        match self {
            InputFormat::Inp => "inp",
            InputFormat::Msh => "msh",
            InputFormat::Toml => "toml",
        }
    }

    /// The format of `path` by its extension, ignoring case.
    ///
    /// # Errors
    /// [`IoError::UnknownFormat`] when the path has no extension or one of no format here;
    /// its message lists the accepted ones.
    pub fn from_path(path: &Path) -> Result<Self, IoError> {
        let extension = path.extension().map(|e| e.to_string_lossy().into_owned());
        extension
            .as_deref()
            .and_then(|e| {
                Self::ALL
                    .into_iter()
                    .find(|f| f.extension().eq_ignore_ascii_case(e))
            })
            .ok_or_else(|| IoError::UnknownFormat {
                file: path.to_path_buf(),
                extension,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions_are_matched_ignoring_case() {
        for (name, format) in [
            ("deck.inp", InputFormat::Inp),
            ("DECK.INP", InputFormat::Inp),
            ("dir.v2/mesh.Msh", InputFormat::Msh),
            ("model.toml", InputFormat::Toml),
            ("archive.tar.toml", InputFormat::Toml),
        ] {
            assert_eq!(
                InputFormat::from_path(Path::new(name)).ok(),
                Some(format),
                "{name}"
            );
        }
    }

    #[test]
    fn unknown_extensions_are_named_with_the_accepted_ones() {
        for (name, shown) in [
            ("bar.stl", "(extension '.stl')"),
            ("bar", "(no extension)"),
            ("inp", "(no extension)"),
        ] {
            let err = InputFormat::from_path(Path::new(name)).expect_err(name);
            assert!(matches!(err, IoError::UnknownFormat { .. }), "{name}");
            let text = err.to_string();
            assert!(text.starts_with(name) && text.contains(shown), "{text}");
            assert!(
                text.ends_with(&format!("; expected {}", InputFormat::ACCEPTED)),
                "{text}"
            );
        }
    }

    #[test]
    fn the_accepted_list_names_every_extension() {
        for f in InputFormat::ALL {
            assert!(
                InputFormat::ACCEPTED.contains(&format!("(.{})", f.extension())),
                "{f:?}"
            );
        }
    }
}
