//! osteon-validation
