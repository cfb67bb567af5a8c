//! The Preference page's keys.

use super::{bind, Binding, Does, Key, KeyTable};

/// An action on the Preference page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PreferenceAction {
    /// Pick the image at this screen position, from 1.
    Pick(u8),
    /// Left: pick the left image (best of 2), or the previous image while zoomed.
    Left,
    /// Right: pick the right image (best of 2), or the next image while zoomed.
    Right,
    /// "Equally good".
    Tie,
    /// "None of these is good".
    Neither,
    /// Show another set, recording nothing.
    Skip,
    /// Undo the last choice: its set comes back.
    Undo,
    /// Zoom an image (Left and Right flip through the set), or close the zoom.
    Zoom,
    /// Close what is open (zoom, help, the ranking).
    Close,
    /// Switch between best of 2 and best of 4.
    Mode,
    /// Switch between the active choice of sets and random sets.
    Order,
    /// Show or hide the ranking.
    Ranking,
    /// Show every key.
    Help,
    /// Show the library images most like the zoomed image.
    Similar,
}

/// The Preference page's keys: Left / 1 and Right / 2 pick in best of 2, 1-4 (top row or
/// numpad) in best of 4; `=` or `t` a tie; `x` none; Space or `s` skip; Backspace, Ctrl+Z or
/// `z` undo; Enter zooms (Left / Right flip); `m` the mode; `o` the order; `r` the ranking;
/// Escape closes; `?` the keys.
pub const PREFERENCE_KEYS: KeyTable<PreferenceAction> = KeyTable {
    bindings: &[
        Binding {
            keys: &[Key::Digits],
            does: Does::Digit(pick),
            also: "",
            help: "pick image 1 – 4 (top row or numpad)",
        },
        bind(
            &[Key::Plain("ArrowLeft")],
            PreferenceAction::Left,
            "best of 2: pick the left image; zoomed: the previous image",
        ),
        bind(
            &[Key::Plain("ArrowRight")],
            PreferenceAction::Right,
            "best of 2: pick the right image; zoomed: the next image",
        ),
        bind(
            &[Key::Plain("="), Key::Plain("t")],
            PreferenceAction::Tie,
            "equally good (a tie)",
        ),
        bind(
            &[Key::Plain("x")],
            PreferenceAction::Neither,
            "none of these is good",
        ),
        bind(
            &[Key::Plain(" "), Key::Plain("s")],
            PreferenceAction::Skip,
            "skip this set (nothing is recorded)",
        ),
        bind(
            &[Key::Plain("Backspace"), Key::Ctrl("z"), Key::Plain("z")],
            PreferenceAction::Undo,
            "undo the last choice: its set comes back",
        ),
        Binding {
            keys: &[Key::Plain("Enter")],
            does: Does::Act(PreferenceAction::Zoom),
            also: "click",
            help: "zoom an image at full size; ← → flip through the set; Escape closes",
        },
        bind(&[Key::Plain("Escape")], PreferenceAction::Close, ""),
        bind(
            &[Key::Plain("m")],
            PreferenceAction::Mode,
            "best of 2 or best of 4",
        ),
        bind(
            &[Key::Plain("o")],
            PreferenceAction::Order,
            "next sets: the most telling, or random",
        ),
        bind(
            &[Key::Plain("r")],
            PreferenceAction::Ranking,
            "show or hide the ranking",
        ),
        bind(
            &[Key::Shift("F")],
            PreferenceAction::Similar,
            "find the library images most like the zoomed image",
        ),
        bind(&[Key::Plain("?")], PreferenceAction::Help, "this help"),
    ],
};

fn pick(value: u8) -> PreferenceAction {
    PreferenceAction::Pick(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::Modifiers;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn action(key: &str, code: &str, m: Modifiers) -> Option<PreferenceAction> {
        PREFERENCE_KEYS.action(key, code, m)
    }

    #[test]
    fn preference_keys_pick_tie_skip_undo_and_zoom() {
        let none = Modifiers::default();
        assert_eq!(action("1", "Digit1", none), Some(PreferenceAction::Pick(1)));
        assert_eq!(
            action("4", "Numpad4", none),
            Some(PreferenceAction::Pick(4))
        );
        assert_eq!(
            action("ArrowLeft", "ArrowLeft", none),
            Some(PreferenceAction::Left)
        );
        assert_eq!(
            action("ArrowRight", "ArrowRight", none),
            Some(PreferenceAction::Right)
        );
        assert_eq!(action("=", "Equal", none), Some(PreferenceAction::Tie));
        assert_eq!(action("t", "KeyT", none), Some(PreferenceAction::Tie));
        assert_eq!(action("x", "KeyX", none), Some(PreferenceAction::Neither));
        assert_eq!(action(" ", "Space", none), Some(PreferenceAction::Skip));
        assert_eq!(action("s", "KeyS", none), Some(PreferenceAction::Skip));
        let ctrl = Modifiers { ctrl: true, ..none };
        for (key, m) in [("Backspace", none), ("z", ctrl), ("z", none)] {
            assert_eq!(action(key, "", m), Some(PreferenceAction::Undo), "{key}");
        }
        assert_eq!(action("Enter", "Enter", none), Some(PreferenceAction::Zoom));
        assert_eq!(action("m", "KeyM", none), Some(PreferenceAction::Mode));
        // Alt+3 is the page itself, Ctrl+M the models: neither is a Preference key.
        assert_eq!(action("3", "Digit3", Modifiers { alt: true, ..none }), None);
        assert_eq!(action("m", "KeyM", ctrl), None);
        assert_eq!(
            PREFERENCE_KEYS.title("Tie", PreferenceAction::Tie),
            "Tie (=, t)"
        );
        assert_eq!(PREFERENCE_KEYS.keys_of(PreferenceAction::Pick(3)), "3");
    }
}
