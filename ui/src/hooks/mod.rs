//! Reusable hooks.

mod use_key_down;
mod use_touch_mode;

pub use use_key_down::{keep_focus, use_key_down};
pub use use_touch_mode::{mark_touch, use_touch_mode, TOUCH_CLASS};
