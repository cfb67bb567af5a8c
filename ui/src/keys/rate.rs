//! The Rate page's keys.

use super::{bind, Binding, Does, Key, KeyTable, Modifiers, SessionMove};

/// An action on the Rate page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateAction {
    /// One of the moves both scoring pages make.
    Move(SessionMove),
    /// Change the value by this many tenths (±1 or ±10).
    Adjust(i8),
    /// Set the value to this whole number, 1-10.
    Set(u8),
    /// Record the value (with the prediction shown) and move on.
    Commit,
}

/// The Rate page's keys: Down / `-` and Up / `+` / `=` change the value by 0.1; Page Down /
/// Shift+Down / `[` and Page Up / Shift+Up / `]` by 1.0; digits set it (0 is 10); Enter or
/// Space commits; Backspace / Left go back; Right / `s` skip; Ctrl+Z / `z` undo; `x` zooms;
/// Escape closes; `?` shows the keys.
pub const RATE_KEYS: KeyTable<RateAction> = KeyTable {
    bindings: &[
        Binding {
            keys: &[Key::Digits],
            does: Does::Digit(RateAction::Set),
            also: "",
            help: "set the value to 1 – 9, 0 sets 10",
        },
        bind(
            &[Key::Unshifted("ArrowDown"), Key::Plain("-")],
            RateAction::Adjust(-1),
            "value − 0.1",
        ),
        bind(
            &[Key::Unshifted("ArrowUp"), Key::Plain("+"), Key::Plain("=")],
            RateAction::Adjust(1),
            "value + 0.1",
        ),
        bind(
            &[
                Key::Plain("PageDown"),
                Key::Shift("ArrowDown"),
                Key::Plain("["),
            ],
            RateAction::Adjust(-10),
            "value − 1.0",
        ),
        bind(
            &[Key::Plain("PageUp"), Key::Shift("ArrowUp"), Key::Plain("]")],
            RateAction::Adjust(10),
            "value + 1.0",
        ),
        bind(
            &[Key::Plain("Enter"), Key::Plain(" ")],
            RateAction::Commit,
            "commit the value and go on",
        ),
        bind(
            &[Key::Plain("Backspace"), Key::Plain("ArrowLeft")],
            RateAction::Move(SessionMove::Back),
            "back to the previous image",
        ),
        bind(
            &[Key::Plain("ArrowRight"), Key::Plain("s")],
            RateAction::Move(SessionMove::Skip),
            "skip",
        ),
        bind(
            &[Key::Ctrl("z"), Key::Plain("z")],
            RateAction::Move(SessionMove::Undo),
            "undo the last score (or your last judgement of another kind)",
        ),
        Binding {
            keys: &[Key::Plain("x")],
            does: Does::Act(RateAction::Move(SessionMove::Zoom)),
            also: "click",
            help: "zoom; Escape closes",
        },
        bind(
            &[Key::Plain("Escape")],
            RateAction::Move(SessionMove::Close),
            "",
        ),
        bind(
            &[Key::Shift("F")],
            RateAction::Move(SessionMove::Similar),
            "find the library images most like the image on screen",
        ),
        bind(
            &[Key::Plain("t")],
            RateAction::Move(SessionMove::Teach),
            "order: teach my model (what it is least sure about first), or shuffled",
        ),
        bind(
            &[Key::Plain("?")],
            RateAction::Move(SessionMove::Help),
            "this help",
        ),
    ],
};

/// The Rate page's action for a key press (see [`RATE_KEYS`]).
pub fn rate_action(key: &str, code: &str, m: Modifiers) -> Option<RateAction> {
    RATE_KEYS.action(key, code, m)
}

/// `value` changed by `tenths` tenths, clamped to 1.0-10.0 and kept to one decimal.
pub fn adjust(value: f64, tenths: i8) -> f64 {
    let tenths_now = (value * 10.0).round() as i64 + i64::from(tenths);
    (tenths_now.clamp(10, 100) as f64) / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn rate_keys_adjust_set_commit_and_move() {
        let none = Modifiers::default();
        let shift = Modifiers {
            shift: true,
            ..none
        };
        assert_eq!(
            rate_action("ArrowDown", "ArrowDown", none),
            Some(RateAction::Adjust(-1))
        );
        assert_eq!(
            rate_action("ArrowDown", "ArrowDown", shift),
            Some(RateAction::Adjust(-10))
        );
        assert_eq!(
            rate_action("+", "Equal", shift),
            Some(RateAction::Adjust(1))
        );
        assert_eq!(
            rate_action("-", "NumpadSubtract", none),
            Some(RateAction::Adjust(-1))
        );
        assert_eq!(
            rate_action("PageUp", "PageUp", none),
            Some(RateAction::Adjust(10))
        );
        assert_eq!(rate_action("7", "Digit7", none), Some(RateAction::Set(7)));
        assert_eq!(rate_action("0", "Numpad0", none), Some(RateAction::Set(10)));
        assert_eq!(
            rate_action("Enter", "Enter", none),
            Some(RateAction::Commit)
        );
        assert_eq!(rate_action(" ", "Space", none), Some(RateAction::Commit));
        assert_eq!(
            rate_action("z", "KeyZ", Modifiers { ctrl: true, ..none }),
            Some(RateAction::Move(SessionMove::Undo))
        );
        assert_eq!(
            rate_action("1", "Digit1", Modifiers { alt: true, ..none }),
            None
        );
    }

    #[test]
    fn adjusting_clamps_to_one_to_ten_in_tenths() {
        assert_eq!(adjust(5.5, 1), 5.6);
        assert_eq!(adjust(5.5, -10), 4.5);
        assert_eq!(adjust(9.5, 10), 10.0);
        assert_eq!(adjust(1.05, -1), 1.0);
        assert_eq!(adjust(1.0, -10), 1.0);
        // A prediction with more decimals starts from its nearest tenth.
        assert_eq!(adjust(6.2371, 0), 6.2);
        assert_eq!(adjust(0.3, 0), 1.0);
    }
}
