//! Reusable hooks.

mod use_key_down;

pub use use_key_down::use_key_down;
