//! osteon
