//! Reusable hooks.

mod use_key_down;

pub use use_key_down::{keep_focus, use_key_down};
