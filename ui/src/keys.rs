//! The keyboard map for keys that work on every page. Page-specific keys live with their page.

use crate::route::Route;

/// An action bound to a key everywhere in the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GlobalAction {
    /// Show a page (Alt+1 … Alt+5, in navigation order).
    GoTo(Route),
    /// Open a folder with the system picker (Ctrl+O).
    OpenFolder,
    /// Show or hide the open folders and their settings (Ctrl+Shift+O).
    ManageFolders,
    /// Show or hide the model packs and the embedding job (Ctrl+M).
    ManageModels,
}

/// The modifier keys held with a key press.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Modifiers {
    /// Alt (Option on a Mac).
    pub alt: bool,
    /// Control.
    pub ctrl: bool,
    /// Shift.
    pub shift: bool,
    /// The Windows / Command key.
    pub meta: bool,
}

impl Modifiers {
    /// The modifiers held with `event`.
    pub fn of(event: &web_sys::KeyboardEvent) -> Self {
        Self {
            alt: event.alt_key(),
            ctrl: event.ctrl_key(),
            shift: event.shift_key(),
            meta: event.meta_key(),
        }
    }
}

/// The global action for a key press, if any. `key` is `KeyboardEvent.key`, `code` is
/// `KeyboardEvent.code`; the digit is read from `code` too, because Alt+digit types other
/// characters on some layouts.
pub fn global_action(key: &str, code: &str, m: Modifiers) -> Option<GlobalAction> {
    if m.alt && !m.ctrl && !m.meta && !m.shift {
        let digit = code
            .strip_prefix("Digit")
            .or_else(|| code.strip_prefix("Numpad"))
            .or(Some(key))
            .and_then(|d| d.parse::<usize>().ok())?;
        return Route::ALL
            .get(digit.checked_sub(1)?)
            .map(|r| GlobalAction::GoTo(*r));
    }
    if m.ctrl && !m.alt && !m.meta && !m.shift && key.eq_ignore_ascii_case("m") {
        return Some(GlobalAction::ManageModels);
    }
    if m.ctrl && !m.alt && !m.meta && key.eq_ignore_ascii_case("o") {
        return Some(if m.shift {
            GlobalAction::ManageFolders
        } else {
            GlobalAction::OpenFolder
        });
    }
    None
}

/// An action on the Score page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScoreAction {
    /// Give this score, 1-10.
    Score(u8),
    /// Back to the previous image, to re-rate it.
    Back,
    /// Skip this image.
    Skip,
    /// Undo the last score.
    Undo,
    /// Show the image as large as possible, or go back.
    Zoom,
    /// Close what is open (zoom, help).
    Close,
    /// Show every key.
    Help,
    /// Show or hide the model's prediction.
    Prediction,
}

/// The Score page's action for a key press: 1-9 and 0 (= 10) on the top row or the numpad;
/// Backspace, Left, `-`, `b`, `d`, `f` go back; Space, Right, `s`, `u`, `j` skip; Ctrl+Z and
/// `z` undo; Enter zooms; Escape closes; `?` shows the keys.
pub fn score_action(key: &str, code: &str, m: Modifiers) -> Option<ScoreAction> {
    if m.alt || m.meta {
        return None;
    }
    if m.ctrl {
        return key.eq_ignore_ascii_case("z").then_some(ScoreAction::Undo);
    }
    let digit = digit_key(code, m).or_else(|| {
        Some(key)
            .filter(|k| k.len() == 1)
            .and_then(|d| d.parse::<u8>().ok())
    });
    if let Some(d) = digit {
        return Some(ScoreAction::Score(if d == 0 { 10 } else { d }));
    }
    Some(match key {
        "Backspace" | "ArrowLeft" | "-" | "b" | "d" | "f" => ScoreAction::Back,
        " " | "ArrowRight" | "s" | "u" | "j" => ScoreAction::Skip,
        "z" => ScoreAction::Undo,
        "Enter" => ScoreAction::Zoom,
        "Escape" => ScoreAction::Close,
        "?" => ScoreAction::Help,
        "p" => ScoreAction::Prediction,
        _ => return None,
    })
}

/// The digit of a key on the numpad, or on the number row without Shift, read from `code`
/// (which does not depend on the keyboard layout).
fn digit_key(code: &str, m: Modifiers) -> Option<u8> {
    code.strip_prefix("Numpad")
        .filter(|d| d.len() == 1)
        .or_else(|| code.strip_prefix("Digit").filter(|_| !m.shift))
        .and_then(|d| d.parse::<u8>().ok())
}

/// An action on the Rate page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateAction {
    /// Change the value by this many tenths (±1 or ±10).
    Adjust(i8),
    /// Set the value to this whole number, 1-10.
    Set(u8),
    /// Record the value (with the prediction shown) and move on.
    Commit,
    /// Back to the previous image.
    Back,
    /// Skip this image.
    Skip,
    /// Undo the last score.
    Undo,
    /// Show the image as large as possible, or go back.
    Zoom,
    /// Close what is open (zoom, help).
    Close,
    /// Show every key.
    Help,
}

/// The Rate page's action for a key press: Down / `-` and Up / `+` / `=` change the value by
/// 0.1; Page Down / Shift+Down / `[` and Page Up / Shift+Up / `]` by 1.0; digits set it (0 is
/// 10); Enter or Space commits; Backspace / Left go back; Right / `s` skip; Ctrl+Z / `z` undo;
/// `x` zooms; Escape closes; `?` shows the keys.
pub fn rate_action(key: &str, code: &str, m: Modifiers) -> Option<RateAction> {
    if m.alt || m.meta {
        return None;
    }
    if m.ctrl {
        return key.eq_ignore_ascii_case("z").then_some(RateAction::Undo);
    }
    if let Some(d) = digit_key(code, m) {
        return Some(RateAction::Set(if d == 0 { 10 } else { d }));
    }
    Some(match (key, m.shift) {
        ("ArrowDown", true) | ("PageDown", _) | ("[", _) => RateAction::Adjust(-10),
        ("ArrowDown", false) | ("-", _) => RateAction::Adjust(-1),
        ("ArrowUp", false) | ("+", _) | ("=", _) => RateAction::Adjust(1),
        ("ArrowUp", true) | ("PageUp", _) | ("]", _) => RateAction::Adjust(10),
        ("Enter", _) | (" ", _) => RateAction::Commit,
        ("Backspace", _) | ("ArrowLeft", _) => RateAction::Back,
        ("ArrowRight", _) | ("s", _) => RateAction::Skip,
        ("z", _) => RateAction::Undo,
        ("x", _) => RateAction::Zoom,
        ("Escape", _) => RateAction::Close,
        ("?", _) => RateAction::Help,
        _ => return None,
    })
}

/// `value` changed by `tenths` tenths, clamped to 1.0-10.0 and kept to one decimal.
pub fn adjust(value: f64, tenths: i8) -> f64 {
    let tenths_now = (value * 10.0).round() as i64 + i64::from(tenths);
    (tenths_now.clamp(10, 100) as f64) / 10.0
}

/// How the key of [`GlobalAction::GoTo`] for `route` is written on screen.
pub fn page_key_label(route: Route) -> String {
    format!("Alt+{}", route.position())
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
            Some(RateAction::Undo)
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

    const ALT: Modifiers = Modifiers {
        alt: true,
        ctrl: false,
        shift: false,
        meta: false,
    };

    #[test]
    fn alt_digits_go_to_pages_in_nav_order() {
        for (i, route) in Route::ALL.iter().enumerate() {
            let n = (i + 1).to_string();
            assert_eq!(
                global_action(&n, &format!("Digit{n}"), ALT),
                Some(GlobalAction::GoTo(*route))
            );
        }
        // A layout where Alt+1 types "¡": the code still says Digit1.
        assert_eq!(
            global_action("¡", "Digit1", ALT),
            Some(GlobalAction::GoTo(Route::Score))
        );
    }

    #[test]
    fn plain_digits_and_out_of_range_are_not_global() {
        // Plain digits are scores on the Score page: never navigation.
        assert_eq!(global_action("1", "Digit1", Modifiers::default()), None);
        assert_eq!(global_action("6", "Digit6", ALT), None);
        assert_eq!(global_action("0", "Digit0", ALT), None);
    }

    #[test]
    fn ctrl_o_opens_a_folder() {
        let ctrl = Modifiers {
            ctrl: true,
            ..Modifiers::default()
        };
        assert_eq!(
            global_action("o", "KeyO", ctrl),
            Some(GlobalAction::OpenFolder)
        );
        assert_eq!(global_action("o", "KeyO", Modifiers::default()), None);
        let ctrl_shift = Modifiers {
            ctrl: true,
            shift: true,
            ..Modifiers::default()
        };
        assert_eq!(
            global_action("O", "KeyO", ctrl_shift),
            Some(GlobalAction::ManageFolders)
        );
    }

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
            assert_eq!(score_action(k, "", none), Some(ScoreAction::Back), "{k}");
        }
        for k in [" ", "ArrowRight", "s", "u", "j"] {
            assert_eq!(score_action(k, "", none), Some(ScoreAction::Skip), "{k}");
        }
        let ctrl = Modifiers { ctrl: true, ..none };
        assert_eq!(score_action("z", "KeyZ", ctrl), Some(ScoreAction::Undo));
        assert_eq!(score_action("z", "KeyZ", none), Some(ScoreAction::Undo));
        assert_eq!(
            score_action(
                "?",
                "Slash",
                Modifiers {
                    shift: true,
                    ..none
                }
            ),
            Some(ScoreAction::Help)
        );
        // Alt+digit is page navigation, Ctrl+digit nothing.
        assert_eq!(score_action("1", "Digit1", ALT), None);
        assert_eq!(score_action("1", "Digit1", ctrl), None);
        assert_eq!(score_action("x", "KeyX", none), None);
    }

    #[test]
    fn labels_match_positions() {
        assert_eq!(page_key_label(Route::Score), "Alt+1");
        assert_eq!(page_key_label(Route::Ratings), "Alt+5");
    }
}
