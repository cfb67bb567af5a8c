//! The gallery of every image: a virtual grid (only the rows in view and one more each side are
//! in the DOM), filled page by page from the app as it scrolls ([`fetch`]); a toolbar for the
//! order and the filters; keys to move, zoom, score, undo and find look-alikes ([`actions`]).
//! The view (order, selection, zoom, note) is a reducer ([`state`]); each tile is a [`Tile`].

mod actions;
mod fetch;
mod grid;
mod scroll;
mod state;
mod tile;

use super::toolbar::Toolbar;
use crate::api;
use crate::hooks::{untimed, use_table_keys};
use crate::keys::{RatingsAction, RATINGS_KEYS};
use crate::state::{use_app, Action, Model, SimilarQuery};
use actions::Context;
use grid::{Viewport, TILE_W};
use image_scorer_protocol::text::count;
use image_scorer_protocol::{GalleryQuery, GalleryShow, GalleryTile};
use state::{GalleryView, ViewAction};
use tile::{number, Tile};
use yew::prelude::*;

/// The gallery's properties.
#[derive(Properties, PartialEq)]
pub struct GalleryProps {
    /// Whether its keys act (the page shows it, and no overlay is open).
    pub active: bool,
    /// Show the detail view of this image.
    pub on_detail: Callback<String>,
    /// A page action its keys ask for (the views, the help).
    pub on_page: Callback<RatingsAction>,
}

/// The gallery.
#[function_component]
pub fn Gallery(props: &GalleryProps) -> Html {
    let app = use_app();
    let view = use_reducer(GalleryView::default);
    let scroller = use_node_ref();
    let (viewport, measure) = scroll::use_viewport(&scroller);
    let full_query = GalleryQuery {
        rater: app.model.rater.name.clone(),
        ..view.query.clone()
    };
    let on_restart = {
        let (scroller, view) = (scroller.clone(), view.clone());
        Callback::from(move |()| {
            scroll::scroll_to_top(&scroller);
            view.dispatch(ViewAction::Select(0));
        })
    };
    let tiles = fetch::use_tiles(&full_query, viewport, &app.model, on_restart);
    let total = tiles.pages.borrow().total;
    // Moves the selection and scrolls its row into view.
    let select = {
        let (view, scroller) = (view.clone(), scroller.clone());
        Callback::from(move |position: u32| {
            if total > 0 {
                let position = position.min(total - 1);
                view.dispatch(ViewAction::Select(position));
                scroll::scroll_into_view(&scroller, viewport, position, total);
            }
        })
    };
    let cx = Context {
        tiles: tiles.clone(),
        view: view.clone(),
        select: select.clone(),
        model: app.model.clone(),
        rater: app.model.rater.name.clone(),
    };
    let selected_tile = tiles.pages.borrow().tile(view.selected).cloned();
    let act = {
        let (props_detail, on_page) = (props.on_detail.clone(), props.on_page.clone());
        let tile = selected_tile.clone();
        Callback::from(move |action: RatingsAction| {
            act(
                &cx,
                viewport,
                tile.as_ref(),
                action,
                &props_detail,
                &on_page,
            )
        })
    };
    let active = props.active;
    use_table_keys(&RATINGS_KEYS, move |_, _| active, untimed, act.clone());

    let columns = viewport.columns();
    let offset = viewport.offset(total);
    let on_zoom = {
        let (select, view) = (select.clone(), view.clone());
        Callback::from(move |position: u32| {
            select.emit(position);
            view.dispatch(ViewAction::Zoom(true));
        })
    };
    let on_similar = find_similar(&app.model);
    let held = tiles.pages.borrow();
    let drawn = viewport.drawn(total).map(|position| {
        html! {
            <Tile key={position} {position} {columns} {offset} tile={held.tile(position).cloned()}
                selected={position == view.selected} on_select={select.clone()}
                on_zoom={on_zoom.clone()} on_detail={props.on_detail.clone()}
                on_similar={on_similar.clone()} />
        }
    });
    let on_query = {
        let view = view.clone();
        Callback::from(move |q: GalleryQuery| view.dispatch(ViewAction::Query(q)))
    };
    let empty = (total == 0 && held.order != 0).then(|| {
        if app.model.library.roots.is_empty() {
            "No images yet: open a folder (Ctrl+O). Imports and exports work without one (e)."
        } else {
            "No image matches these filters."
        }
    });
    html! {
        <div class="gallery-view">
            <Toolbar query={view.query.clone()} on_change={on_query} count={shown(view.query.show, total)} />
            <p class="note gallery-note" id="gallery-note" aria-live="polite">{ view.note.clone() }</p>
            <div class="gallery-scroll" id="gallery" ref={scroller} onscroll={measure.reform(|_: Event| ())} tabindex="-1">
                <div class="gallery-space" style={format!("height: {}px; width: {}px", viewport.space_height(total), f64::from(columns) * TILE_W)}>
                    { for drawn }
                </div>
                if let Some(empty) = empty {
                    <p class="note gallery-empty">{ empty }</p>
                }
            </div>
            if view.zoom {
                { zoomed(selected_tile.as_ref(), &act) }
            }
        </div>
    }
}

/// What one of the gallery's keys does, on the tile `tile` selected in `viewport`.
fn act(
    cx: &Context,
    viewport: Viewport,
    tile: Option<&GalleryTile>,
    action: RatingsAction,
    on_detail: &Callback<String>,
    on_page: &Callback<RatingsAction>,
) {
    let view = &cx.view;
    let (selected, total) = (view.selected, cx.tiles.pages.borrow().total);
    let columns = viewport.columns();
    let screen = columns * viewport.rows_on_screen();
    let shown = tile.filter(|t| !t.sha1.is_empty() && t.problem.is_none());
    let select = |position: u32| cx.select.emit(position);
    match action {
        RatingsAction::Step(d) => select(
            selected
                .saturating_add_signed(d)
                .min(total.saturating_sub(1)),
        ),
        RatingsAction::Up => select(selected.saturating_sub(columns)),
        RatingsAction::Down if selected + columns < total => select(selected + columns),
        RatingsAction::Down => {}
        RatingsAction::PageUp => select(selected.saturating_sub(screen)),
        RatingsAction::PageDown => select(selected + screen),
        RatingsAction::First => select(0),
        RatingsAction::Last => select(total.saturating_sub(1)),
        RatingsAction::Zoom => view.dispatch(ViewAction::Zoom(!view.zoom && shown.is_some())),
        RatingsAction::Close => view.dispatch(ViewAction::Zoom(false)),
        RatingsAction::Score(v) => actions::score(cx, selected, v),
        RatingsAction::Undo => actions::undo(cx),
        RatingsAction::Detail => {
            if let Some(t) = tile.filter(|t| !t.sha1.is_empty()) {
                on_detail.emit(t.sha1.clone());
            }
        }
        RatingsAction::FindSimilar => {
            if let Some(t) = shown {
                find_similar(&cx.model).emit(t.sha1.clone());
            }
        }
        RatingsAction::Reverse => view.dispatch(ViewAction::Reverse),
        other => on_page.emit(other),
    }
}

/// Shows the library images most like the image `sha1`.
fn find_similar(model: &UseReducerHandle<Model>) -> Callback<String> {
    let model = model.clone();
    Callback::from(move |sha1: String| {
        model.dispatch(Action::FindSimilar(SimilarQuery::Image(sha1)))
    })
}

/// How many tiles the filters let through, in words.
fn shown(show: GalleryShow, total: u32) -> String {
    match show {
        GalleryShow::Unreadable => {
            format!("{} that cannot be shown", count(total, "file", "files"))
        }
        GalleryShow::Duplicates => {
            format!("{} marked as duplicates", count(total, "image", "images"))
        }
        GalleryShow::NeedsReview => {
            format!("{} whose raters disagree", count(total, "image", "images"))
        }
        GalleryShow::All => count(total, "image", "images"),
    }
}

/// The selected image at full size (a click closes it).
fn zoomed(tile: Option<&GalleryTile>, act: &Callback<RatingsAction>) -> Html {
    let Some(tile) = tile.filter(|t| t.problem.is_none()) else {
        return html! {};
    };
    let own = tile
        .own
        .map_or(String::new(), |o| format!(" · my model {o:.1}"));
    html! {
        <div class="zoom gallery-zoom" id="gallery-zoom" onclick={act.reform(|_| RatingsAction::Close)}>
            <img src={api::image_url(&tile.sha1)} alt={tile.name.clone()} />
            <p class="zoom-caption">{ format!("{} · ★ {} · μ {} · p {}{own}", tile.name, number(tile.mine), number(tile.mean), number(tile.predicted)) }</p>
        </div>
    }
}
