//! The Ratings page's keys.

use super::{bind, Binding, Does, Key, KeyTable};

/// An action on the Ratings page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RatingsAction {
    /// Move the selection by this many tiles in reading order (±1: left and right).
    Step(i32),
    /// Move the selection up a row.
    Up,
    /// Move the selection down a row.
    Down,
    /// Up a screenful.
    PageUp,
    /// Down a screenful.
    PageDown,
    /// The first tile.
    First,
    /// The last tile.
    Last,
    /// Show the selected image at full size (or close it).
    Zoom,
    /// Show everything known of the selected image.
    Detail,
    /// Score the selected image 1-10.
    Score(u8),
    /// Undo your last judgement (of any page).
    Undo,
    /// The images most like the selected one.
    FindSimilar,
    /// Reverse the order.
    Reverse,
    /// The gallery.
    GalleryView,
    /// The numbers and the plots.
    PlotsView,
    /// Export and import.
    ExportView,
    /// Close the zoom, the detail or the help.
    Close,
    /// Show every key.
    Help,
}

/// The Ratings page's keys: arrows, Page Up / Down, Home / End move the selection; Enter zooms,
/// `i` shows the detail; 1-9 and 0 score the selected image; Backspace, Ctrl+Z or `z` undo;
/// Shift+F finds its look-alikes; `r` reverses the order; `g`, `v`, `e` the views.
pub const RATINGS_KEYS: KeyTable<RatingsAction> = KeyTable {
    bindings: &[
        bind(
            &[Key::Plain("ArrowRight")],
            RatingsAction::Step(1),
            "next image",
        ),
        bind(
            &[Key::Plain("ArrowLeft")],
            RatingsAction::Step(-1),
            "previous image",
        ),
        bind(
            &[Key::Plain("ArrowDown")],
            RatingsAction::Down,
            "down a row",
        ),
        bind(&[Key::Plain("ArrowUp")], RatingsAction::Up, "up a row"),
        bind(
            &[Key::Plain("PageDown")],
            RatingsAction::PageDown,
            "down a screen",
        ),
        bind(
            &[Key::Plain("PageUp")],
            RatingsAction::PageUp,
            "up a screen",
        ),
        bind(
            &[Key::Plain("Home")],
            RatingsAction::First,
            "the first image",
        ),
        bind(&[Key::Plain("End")], RatingsAction::Last, "the last image"),
        Binding {
            keys: &[Key::Digits],
            does: Does::Digit(RatingsAction::Score),
            also: "",
            help: "score the selected image 1 – 9, 0 scores 10",
        },
        Binding {
            keys: &[Key::Plain("Enter")],
            does: Does::Act(RatingsAction::Zoom),
            also: "double-click",
            help: "show it at full size (again: close)",
        },
        Binding {
            keys: &[Key::Plain("i")],
            does: Does::Act(RatingsAction::Detail),
            also: "the i button",
            help: "everything known of it: files, judgements, predictions, neighbours",
        },
        bind(
            &[Key::Plain("Backspace"), Key::Ctrl("z"), Key::Plain("z")],
            RatingsAction::Undo,
            "undo your last judgement",
        ),
        Binding {
            keys: &[Key::Shift("F")],
            does: Does::Act(RatingsAction::FindSimilar),
            also: "≈",
            help: "find the images most like it",
        },
        bind(
            &[Key::Plain("r")],
            RatingsAction::Reverse,
            "reverse the order",
        ),
        bind(
            &[Key::Plain("g")],
            RatingsAction::GalleryView,
            "the gallery",
        ),
        bind(
            &[Key::Plain("v")],
            RatingsAction::PlotsView,
            "numbers and plots",
        ),
        bind(
            &[Key::Plain("e")],
            RatingsAction::ExportView,
            "export and import",
        ),
        bind(&[Key::Plain("Escape")], RatingsAction::Close, ""),
        bind(&[Key::Plain("?")], RatingsAction::Help, "show these keys"),
    ],
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::Modifiers;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn the_gallery_keys_score_move_and_find() {
        let none = Modifiers::default();
        let act = |key: &str, code: &str, m| RATINGS_KEYS.action(key, code, m);
        assert_eq!(act("7", "Digit7", none), Some(RatingsAction::Score(7)));
        assert_eq!(act("0", "Numpad0", none), Some(RatingsAction::Score(10)));
        assert_eq!(
            act("ArrowDown", "ArrowDown", none),
            Some(RatingsAction::Down)
        );
        let shift = Modifiers {
            shift: true,
            ..none
        };
        assert_eq!(act("F", "KeyF", shift), Some(RatingsAction::FindSimilar));
        assert_eq!(act("f", "KeyF", none), None);
        assert_eq!(
            RATINGS_KEYS.title("Zoom", RatingsAction::Zoom),
            "Zoom (Enter, double-click)"
        );
    }
}
