//! The gallery's tiles, asked of the app page by page: from the top for a new order, again
//! for the pages in view when the library changed, and whatever the rows in view still lack.

use super::grid::{Pages, Viewport, PAGE};
use crate::api;
use crate::state::{Action, Model};
use image_scorer_protocol::commands::GetGallery;
use image_scorer_protocol::GalleryQuery;
use std::cell::RefCell;
use std::ops::Range;
use std::rc::Rc;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

/// How pages are asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fetch {
    /// A new query: forget every page, and have the app compute the order again.
    Fresh,
    /// Every page of the positions again (the library changed).
    Again,
    /// Only the pages not received nor asked for.
    Missing,
}

/// The tiles received so far, and what draws the grid again when more arrive.
#[derive(Clone)]
pub struct Tiles {
    /// The pages of tiles, by order.
    pub pages: Rc<RefCell<Pages>>,
    /// Bumped whenever `pages` changes, so the grid draws again.
    pub drawn: UseStateHandle<u32>,
    model: UseReducerHandle<Model>,
}

impl Tiles {
    /// Draws the grid again (the pages changed).
    pub fn redraw(&self) {
        self.drawn.set(*self.drawn + 1);
    }

    /// Asks the app for the pages of `positions` in the order of `query`, as `how` says.
    pub fn fetch(&self, query: &GalleryQuery, positions: Range<u32>, how: Fetch) {
        let wanted = match how {
            Fetch::Fresh => {
                self.pages.borrow_mut().restart();
                vec![positions.start / PAGE]
            }
            Fetch::Again => Pages::covering(positions),
            Fetch::Missing => self.pages.borrow().missing(positions),
        };
        let epoch = self.pages.borrow().epoch;
        for index in wanted {
            self.pages.borrow_mut().asked.insert(index);
            let (tiles, query) = (self.clone(), query.clone());
            spawn_local(async move {
                let answer = api::call(GetGallery {
                    query,
                    start: index * PAGE,
                    limit: PAGE,
                    refresh: how == Fetch::Fresh,
                })
                .await;
                if tiles.pages.borrow().epoch != epoch {
                    return; // for a query no longer shown
                }
                match answer {
                    Ok(page) => {
                        tiles.pages.borrow_mut().receive(page);
                        tiles.redraw();
                    }
                    Err(e) => {
                        tiles.pages.borrow_mut().asked.remove(&index);
                        tiles.model.dispatch(Action::Failed(e));
                    }
                }
            });
        }
    }
}

/// The tiles of `query` (the rater's) for the rows `viewport` shows: from the top when the
/// query or the rater changes (`on_restart` then, to scroll back up), the pages in view again
/// when the library changes, the missing ones as the view moves.
#[hook]
pub fn use_tiles(
    query: &GalleryQuery,
    viewport: Viewport,
    model: &UseReducerHandle<Model>,
    on_restart: Callback<()>,
) -> Tiles {
    let tiles = Tiles {
        pages: use_mut_ref(Pages::default),
        drawn: use_state(|| 0u32),
        model: model.clone(),
    };
    {
        let tiles = tiles.clone();
        use_effect_with((query.clone(), model.rater_revision), move |(q, _)| {
            on_restart.emit(());
            tiles.fetch(q, 0..PAGE, Fetch::Fresh);
        });
    }
    {
        // The app computes the order again when next asked, and the pages in view follow it.
        let tiles = tiles.clone();
        let q = query.clone();
        let seen = use_mut_ref(|| model.revision);
        use_effect_with(model.revision, move |revision| {
            if *seen.borrow() != *revision {
                *seen.borrow_mut() = *revision;
                let total = tiles.pages.borrow().total.max(1);
                tiles.fetch(&q, viewport.drawn(total), Fetch::Again);
            }
        });
    }
    {
        let tiles_now = tiles.clone();
        let q = query.clone();
        let total = tiles.pages.borrow().total;
        let range = viewport.drawn(total);
        use_effect_with((range.clone(), tiles.pages.borrow().order), move |_| {
            if !range.is_empty() {
                tiles_now.fetch(&q, range, Fetch::Missing);
            }
        });
    }
    tiles
}
