//! Reusable hooks.

mod use_key_down;
mod use_settled;
mod use_table_keys;
mod use_touch_mode;

pub use use_key_down::{keep_focus, use_key_down};
pub use use_settled::use_settled;
pub use use_table_keys::{untimed, use_table_keys};
pub use use_touch_mode::{mark_touch, use_touch_mode, TOUCH_CLASS};
