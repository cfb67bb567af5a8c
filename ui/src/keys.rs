//! The keyboard: the keys that work on every page, and the [`KeyTable`] from which each page's
//! key handling, help and button titles are made; each page's table is in a module of its own.

use crate::route::Route;

mod preference;
mod rate;
mod ratings;
mod score;
mod session;
mod similarity;
pub use preference::{PreferenceAction, PREFERENCE_KEYS};
pub use rate::{adjust, rate_action, RateAction, RATE_KEYS};
pub use ratings::{RatingsAction, RATINGS_KEYS};
pub use score::{score_action, ScoreAction, SCORE_KEYS};
pub use session::SessionMove;
pub use similarity::{SimilarityAction, FIND_SIMILAR_KEY, SIMILARITY_KEYS};

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
    /// Show or hide sharing with a tablet on the local network (Ctrl+Shift+S).
    Share,
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
    /// Alt alone (page navigation).
    pub const ALT: Self = Self {
        alt: true,
        ctrl: false,
        shift: false,
        meta: false,
    };

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
    if m.ctrl && m.shift && !m.alt && !m.meta && key.eq_ignore_ascii_case("s") {
        return Some(GlobalAction::Share);
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

/// A key, as a binding of a [`KeyTable`] matches it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// `KeyboardEvent.key`, with or without Shift, without Ctrl, Alt or the Windows key.
    Plain(&'static str),
    /// The key without Shift.
    Unshifted(&'static str),
    /// The key with Shift.
    Shift(&'static str),
    /// The letter with Ctrl (either case).
    Ctrl(&'static str),
    /// A digit on the number row or the numpad: 1-9, and 0 for 10.
    Digits,
}

impl Key {
    /// Whether the key press (`key`, `code`, modifiers) is this key; for [`Key::Digits`], the
    /// value 1-10 of the digit pressed.
    fn matches(self, key: &str, code: &str, m: Modifiers) -> Option<u8> {
        if m.alt || m.meta {
            return None;
        }
        let hit = match self {
            Key::Ctrl(letter) => m.ctrl && key.eq_ignore_ascii_case(letter),
            _ if m.ctrl => false,
            Key::Plain(k) => key == k,
            Key::Unshifted(k) => !m.shift && key == k,
            Key::Shift(k) => m.shift && key == k,
            Key::Digits => {
                let digit = digit_key(code, m).or_else(|| {
                    Some(key)
                        .filter(|k| k.len() == 1)
                        .and_then(|d| d.parse::<u8>().ok())
                })?;
                return Some(if digit == 0 { 10 } else { digit });
            }
        };
        hit.then_some(0)
    }

    /// How the key is written on screen.
    pub fn label(self) -> String {
        let name = |k: &str| {
            match k {
                " " => "Space",
                "ArrowLeft" => "←",
                "ArrowRight" => "→",
                "ArrowUp" => "↑",
                "ArrowDown" => "↓",
                "PageUp" => "Page Up",
                "PageDown" => "Page Down",
                other => other,
            }
            .to_owned()
        };
        match self {
            Key::Plain(k) | Key::Unshifted(k) => name(k),
            Key::Shift(k) => format!("Shift+{}", name(k)),
            Key::Ctrl(k) => format!("Ctrl+{}", k.to_uppercase()),
            Key::Digits => "1 – 9, 0".to_owned(),
        }
    }
}

/// What a binding does.
#[derive(Debug, Clone, Copy)]
pub enum Does<A: 'static> {
    /// This action.
    Act(A),
    /// The action for the digit's value, 1-10.
    Digit(fn(u8) -> A),
}

/// One line of a page's key table: the keys, what they do, and what the help says.
#[derive(Debug, Clone, Copy)]
pub struct Binding<A: 'static> {
    /// The keys, in the order the help lists them.
    pub keys: &'static [Key],
    /// The action.
    pub does: Does<A>,
    /// Other ways to do it, for the help ("click").
    pub also: &'static str,
    /// What it does, for the help; empty to leave it out of the help.
    pub help: &'static str,
}

/// A page's keys: the one table from which its key handling, its help overlay and its buttons'
/// titles are made.
#[derive(Debug, Clone, Copy)]
pub struct KeyTable<A: 'static> {
    /// The bindings; the first that matches a key press wins.
    pub bindings: &'static [Binding<A>],
}

impl<A: Copy + PartialEq + 'static> KeyTable<A> {
    /// The action for a key press, if any. `key` is `KeyboardEvent.key`, `code` is
    /// `KeyboardEvent.code` (digits are read from it, whatever the layout).
    pub fn action(&self, key: &str, code: &str, m: Modifiers) -> Option<A> {
        self.bindings.iter().find_map(|b| {
            let value = b.keys.iter().find_map(|k| k.matches(key, code, m))?;
            Some(match b.does {
                Does::Act(a) => a,
                Does::Digit(f) => f(value),
            })
        })
    }

    /// The keys that do `action`, as the help and the buttons write them.
    pub fn keys_of(&self, action: A) -> String {
        for b in self.bindings {
            match b.does {
                Does::Act(a) if a == action => {
                    let mut keys: Vec<String> = b.keys.iter().map(|k| k.label()).collect();
                    if !b.also.is_empty() {
                        keys.push(b.also.to_owned());
                    }
                    return keys.join(", ");
                }
                Does::Digit(f) => {
                    if let Some(v) = (1..=10).find(|v| f(*v) == action) {
                        return if v == 10 { "0".into() } else { v.to_string() };
                    }
                }
                Does::Act(_) => {}
            }
        }
        String::new()
    }

    /// What the help says `action` does (empty when it is not listed).
    pub fn help_of(&self, action: A) -> &'static str {
        self.bindings
            .iter()
            .find(|b| match b.does {
                Does::Act(a) => a == action,
                Does::Digit(f) => (1..=10).any(|v| f(v) == action),
            })
            .map_or("", |b| b.help)
    }

    /// A button's title: its label and its keys.
    pub fn title(&self, label: &str, action: A) -> String {
        match self.keys_of(action) {
            keys if keys.is_empty() => label.to_owned(),
            keys => format!("{label} ({keys})"),
        }
    }

    /// The help's rows: (keys, what they do), then the keys every page has.
    pub fn help_rows(&self) -> Vec<(String, String)> {
        let mut rows: Vec<(String, String)> = self
            .bindings
            .iter()
            .filter(|b| !b.help.is_empty())
            .map(|b| {
                let mut keys: Vec<String> = b.keys.iter().map(|k| k.label()).collect();
                if !b.also.is_empty() {
                    keys.push(b.also.to_owned());
                }
                (keys.join(", "), b.help.to_owned())
            })
            .collect();
        let last = Route::ALL.len();
        rows.push((format!("Alt+1 … Alt+{last}"), "switch pages".into()));
        rows
    }
}

pub(crate) const fn bind<A>(keys: &'static [Key], action: A, help: &'static str) -> Binding<A> {
    Binding {
        keys,
        does: Does::Act(action),
        also: "",
        help,
    }
}

/// The digit of a key on the numpad, or on the number row without Shift, read from `code`
/// (which does not depend on the keyboard layout).
fn digit_key(code: &str, m: Modifiers) -> Option<u8> {
    code.strip_prefix("Numpad")
        .filter(|d| d.len() == 1)
        .or_else(|| code.strip_prefix("Digit").filter(|_| !m.shift))
        .and_then(|d| d.parse::<u8>().ok())
}

/// How the key of [`GlobalAction::GoTo`] for `route` is written on screen.
pub fn page_key_label(route: Route) -> String {
    format!("Alt+{}", route.position())
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    const ALT: Modifiers = Modifiers::ALT;

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
    fn ctrl_shift_s_shows_sharing() {
        let ctrl_shift = Modifiers {
            ctrl: true,
            shift: true,
            ..Modifiers::default()
        };
        assert_eq!(
            global_action("S", "KeyS", ctrl_shift),
            Some(GlobalAction::Share)
        );
        let ctrl = Modifiers {
            ctrl: true,
            ..Modifiers::default()
        };
        assert_eq!(global_action("s", "KeyS", ctrl), None);
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
    fn the_tables_make_the_help_and_the_titles() {
        assert_eq!(
            SCORE_KEYS.title("Skip ›", ScoreAction::Move(SessionMove::Skip)),
            "Skip › (Space, →, s, u, j)"
        );
        assert_eq!(SCORE_KEYS.title("10", ScoreAction::Score(10)), "10 (0)");
        assert_eq!(
            SCORE_KEYS.title("Zoom", ScoreAction::Move(SessionMove::Zoom)),
            "Zoom (Enter, click)"
        );
        assert_eq!(
            RATE_KEYS.title("++", RateAction::Adjust(10)),
            "++ (Page Up, Shift+↑, ])"
        );
        assert_eq!(
            RATE_KEYS.keys_of(RateAction::Move(SessionMove::Undo)),
            "Ctrl+Z, z"
        );
        assert_eq!(RATE_KEYS.help_of(RateAction::Adjust(1)), "value + 0.1");
        let help = SCORE_KEYS.help_rows();
        assert!(help.contains(&(
            "1 – 9, 0".into(),
            "score 1 – 9, 0 scores 10 (top row or numpad)".into()
        )));
        assert!(
            help.iter().all(|(_, what)| !what.is_empty()),
            "Close is not listed"
        );
        assert_eq!(help.last().unwrap().0, "Alt+1 … Alt+5");
        // Every action a key does is listed: the help and the handling are one table.
        for (key, code) in [("b", "KeyB"), ("j", "KeyJ"), ("p", "KeyP"), ("?", "Slash")] {
            let action = score_action(key, code, Modifiers::default()).unwrap();
            assert!(SCORE_KEYS.keys_of(action).contains(key), "{key}");
        }
    }

    #[test]
    fn labels_match_positions() {
        assert_eq!(page_key_label(Route::Score), "Alt+1");
        assert_eq!(page_key_label(Route::Ratings), "Alt+5");
    }
}
