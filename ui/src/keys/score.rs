//! The Score page's keys.

use super::{bind, Binding, Does, Key, KeyTable, Modifiers, SessionMove};

/// An action on the Score page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScoreAction {
    /// One of the moves both scoring pages make.
    Move(SessionMove),
    /// Give this score, 1-10.
    Score(u8),
    /// Show or hide the model's prediction.
    Prediction,
}

/// The Score page's keys: 1-9 and 0 (= 10) on the top row or the numpad; Backspace, Left,
/// `-`, `b`, `d`, `f` go back; Space, Right, `s`, `u`, `j` skip; Ctrl+Z and `z` undo; Enter
/// zooms; Escape closes; `?` shows the keys; `p` shows the prediction.
pub const SCORE_KEYS: KeyTable<ScoreAction> = KeyTable {
    bindings: &[
        Binding {
            keys: &[Key::Digits],
            does: Does::Digit(ScoreAction::Score),
            also: "",
            help: "score 1 – 9, 0 scores 10 (top row or numpad)",
        },
        bind(
            &[Key::Ctrl("z"), Key::Plain("z")],
            ScoreAction::Move(SessionMove::Undo),
            "undo the last score (or your last judgement of another kind)",
        ),
        bind(
            &[
                Key::Plain("Backspace"),
                Key::Plain("ArrowLeft"),
                Key::Plain("-"),
                Key::Plain("b"),
                Key::Plain("d"),
                Key::Plain("f"),
            ],
            ScoreAction::Move(SessionMove::Back),
            "back to the previous image, to score it again",
        ),
        bind(
            &[
                Key::Plain(" "),
                Key::Plain("ArrowRight"),
                Key::Plain("s"),
                Key::Plain("u"),
                Key::Plain("j"),
            ],
            ScoreAction::Move(SessionMove::Skip),
            "skip",
        ),
        Binding {
            keys: &[Key::Plain("Enter")],
            does: Does::Act(ScoreAction::Move(SessionMove::Zoom)),
            also: "click",
            help: "zoom; Escape closes",
        },
        bind(
            &[Key::Plain("Escape")],
            ScoreAction::Move(SessionMove::Close),
            "",
        ),
        bind(
            &[Key::Plain("p")],
            ScoreAction::Prediction,
            "show or hide the model's prediction",
        ),
        bind(
            &[Key::Shift("F")],
            ScoreAction::Move(SessionMove::Similar),
            "find the library images most like the image on screen",
        ),
        bind(
            &[Key::Plain("t")],
            ScoreAction::Move(SessionMove::Teach),
            "order: teach my model (what it is least sure about first), or shuffled",
        ),
        bind(
            &[Key::Plain("?")],
            ScoreAction::Move(SessionMove::Help),
            "this help",
        ),
    ],
};

/// The Score page's action for a key press (see [`SCORE_KEYS`]).
pub fn score_action(key: &str, code: &str, m: Modifiers) -> Option<ScoreAction> {
    SCORE_KEYS.action(key, code, m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    const ALT: Modifiers = Modifiers::ALT;

    #[test]
    fn score_keys_cover_both_digit_rows_and_the_old_letters() {
        let none = Modifiers::default();
        assert_eq!(
            score_action("7", "Digit7", none),
            Some(ScoreAction::Score(7))
        );
        assert_eq!(
            score_action("0", "Digit0", none),
            Some(ScoreAction::Score(10))
        );
        assert_eq!(
            score_action("3", "Numpad3", none),
            Some(ScoreAction::Score(3))
        );
        assert_eq!(
            score_action("0", "Numpad0", none),
            Some(ScoreAction::Score(10))
        );
        for k in ["Backspace", "ArrowLeft", "-", "b", "d", "f"] {
            assert_eq!(
                score_action(k, "", none),
                Some(ScoreAction::Move(SessionMove::Back)),
                "{k}"
            );
        }
        for k in [" ", "ArrowRight", "s", "u", "j"] {
            assert_eq!(
                score_action(k, "", none),
                Some(ScoreAction::Move(SessionMove::Skip)),
                "{k}"
            );
        }
        let ctrl = Modifiers { ctrl: true, ..none };
        assert_eq!(
            score_action("z", "KeyZ", ctrl),
            Some(ScoreAction::Move(SessionMove::Undo))
        );
        assert_eq!(
            score_action("z", "KeyZ", none),
            Some(ScoreAction::Move(SessionMove::Undo))
        );
        assert_eq!(
            score_action(
                "?",
                "Slash",
                Modifiers {
                    shift: true,
                    ..none
                }
            ),
            Some(ScoreAction::Move(SessionMove::Help))
        );
        // Alt+digit is page navigation, Ctrl+digit nothing.
        assert_eq!(score_action("1", "Digit1", ALT), None);
        assert_eq!(score_action("1", "Digit1", ctrl), None);
        assert_eq!(score_action("x", "KeyX", none), None);
    }
}
