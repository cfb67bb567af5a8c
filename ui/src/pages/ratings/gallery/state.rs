//! The gallery's view as a reducer: the order and filters the person chose, the tile they
//! selected, the zoom and the passing note. The tiles themselves are the app's, held in
//! [`super::grid::Pages`] as they arrive.

use image_scorer_protocol::{GalleryQuery, GallerySort};
use std::rc::Rc;
use yew::prelude::*;

/// What the person sees of the gallery.
#[derive(Debug, Clone, PartialEq)]
pub struct GalleryView {
    /// The order and the filters (the rater is added when asking).
    pub query: GalleryQuery,
    /// The selected tile's position.
    pub selected: u32,
    /// Whether the selected image is shown at full size.
    pub zoom: bool,
    /// A passing message (a score saved or refused, an undo).
    pub note: String,
}

impl Default for GalleryView {
    fn default() -> Self {
        Self {
            query: GalleryQuery {
                sort: GallerySort::Newest,
                descending: true,
                ..GalleryQuery::default()
            },
            selected: 0,
            zoom: false,
            note: String::new(),
        }
    }
}

/// A change to the [`GalleryView`].
#[derive(Debug, Clone, PartialEq)]
pub enum ViewAction {
    /// Another order or filter: the selection goes back to the first tile.
    Query(GalleryQuery),
    /// The order reversed.
    Reverse,
    /// Select the tile at this position.
    Select(u32),
    /// Zoom the selected image, or close it.
    Zoom(bool),
    /// Say something in passing.
    Note(String),
}

impl Reducible for GalleryView {
    type Action = ViewAction;

    fn reduce(self: Rc<Self>, action: ViewAction) -> Rc<Self> {
        let mut v = (*self).clone();
        match action {
            ViewAction::Query(query) => {
                v.query = query;
                v.selected = 0;
            }
            ViewAction::Reverse => {
                v.query.descending = !v.query.descending;
                v.selected = 0;
            }
            ViewAction::Select(position) => v.selected = position,
            ViewAction::Zoom(on) => v.zoom = on,
            ViewAction::Note(note) => v.note = note,
        }
        Rc::new(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn reduce(v: GalleryView, action: ViewAction) -> GalleryView {
        (*Rc::new(v).reduce(action)).clone()
    }

    #[test]
    fn a_new_order_starts_at_the_first_tile() {
        let mut v = reduce(GalleryView::default(), ViewAction::Select(42));
        assert_eq!(v.selected, 42);
        v = reduce(v, ViewAction::Reverse);
        assert_eq!((v.query.descending, v.selected), (false, 0));
        v = reduce(v, ViewAction::Select(7));
        let query = GalleryQuery {
            sort: GallerySort::Mean,
            ..v.query.clone()
        };
        v = reduce(v, ViewAction::Query(query));
        assert_eq!((v.query.sort, v.selected), (GallerySort::Mean, 0));
    }
}
