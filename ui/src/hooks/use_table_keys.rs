//! A page's key handling made from its [`KeyTable`]: one hook, so every page reads its keys
//! the same way.

use super::use_key_down;
use crate::components::mark_key;
use crate::keys::{KeyTable, Modifiers};
use web_sys::KeyboardEvent;
use yew::prelude::*;

/// Sends `act` the action `table` binds to each key press on the window, for the presses
/// `wanted` lets through (what works over an open panel or overlay is the page's rule). The
/// press of an action `timed` names (a judgement) is marked for the key-to-paint benchmark.
#[hook]
pub fn use_table_keys<A, W>(
    table: &'static KeyTable<A>,
    wanted: W,
    timed: fn(A) -> bool,
    act: Callback<A>,
) where
    A: Copy + PartialEq + 'static,
    W: Fn(&KeyboardEvent, A) -> bool + 'static,
{
    use_key_down(Callback::from(move |e: KeyboardEvent| {
        let Some(action) = table.action(&e.key(), &e.code(), Modifiers::of(&e)) else {
            return;
        };
        if !wanted(&e, action) {
            return;
        }
        e.prevent_default();
        if timed(action) {
            mark_key(e.time_stamp());
        }
        act.emit(action);
    }));
}

/// For [`use_table_keys`]: no action is a judgement.
pub fn untimed<A>(_: A) -> bool {
    false
}
