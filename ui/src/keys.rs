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
    if m.ctrl && !m.alt && !m.meta && key.eq_ignore_ascii_case("o") {
        return Some(if m.shift {
            GlobalAction::ManageFolders
        } else {
            GlobalAction::OpenFolder
        });
    }
    None
}

/// How the key of [`GlobalAction::GoTo`] for `route` is written on screen.
pub fn page_key_label(route: Route) -> String {
    format!("Alt+{}", route.position())
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

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
    fn labels_match_positions() {
        assert_eq!(page_key_label(Route::Score), "Alt+1");
        assert_eq!(page_key_label(Route::Ratings), "Alt+5");
    }
}
