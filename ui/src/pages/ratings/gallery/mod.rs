//! The gallery of every image: a virtual grid (only the rows in view and one more each side are
//! in the DOM), filled page by page from the app as it scrolls; a toolbar for the order and the
//! filters; keys to move, zoom, score, undo and find look-alikes.

use super::grid::{Pages, Viewport, PAGE, TILE_H, TILE_W};
use super::toolbar::Toolbar;
use crate::api;
use crate::hooks::use_key_down;
use crate::keys::{Modifiers, RatingsAction, RATINGS_KEYS};
use crate::state::{use_app, Action, SimilarQuery};
use image_scorer_protocol::commands::{AddScore, GetGallery, Undo};
use image_scorer_protocol::text::count;
use image_scorer_protocol::{GalleryQuery, GalleryShow, Undone};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use web_sys::{HtmlElement, KeyboardEvent};
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

/// One number of a tile, or a dash.
fn number(value: Option<f64>) -> String {
    value.map_or("–".to_owned(), |v| format!("{v:.1}"))
}

/// The gallery.
#[function_component]
pub fn Gallery(props: &GalleryProps) -> Html {
    let app = use_app();
    let rater = app.model.rater.name.clone();
    let query = use_state(|| GalleryQuery {
        sort: image_scorer_protocol::GallerySort::Newest,
        descending: true,
        ..GalleryQuery::default()
    });
    let pages = use_mut_ref(Pages::default);
    // Bumped whenever `pages` changes, so the grid draws again.
    let drawn = use_state(|| 0u32);
    let viewport = use_state(Viewport::default);
    let selected = use_state(|| 0u32);
    let zoom = use_state(|| false);
    let note = use_state(String::new);
    let scroller = use_node_ref();
    let full_query = GalleryQuery {
        rater: rater.clone(),
        ..(*query).clone()
    };

    // Asks the app for pages of tiles.
    let fetch = {
        let pages = pages.clone();
        let drawn = drawn.clone();
        let model = app.model.clone();
        Rc::new(
            move |query: GalleryQuery, positions: std::ops::Range<u32>, how: Fetch| {
                let wanted = match how {
                    Fetch::Fresh => {
                        pages.borrow_mut().restart();
                        vec![positions.start / PAGE]
                    }
                    Fetch::Again => Pages::covering(positions),
                    Fetch::Missing => pages.borrow().missing(positions),
                };
                let epoch = pages.borrow().epoch;
                for index in wanted {
                    pages.borrow_mut().asked.insert(index);
                    let (pages, drawn, model, query) =
                        (pages.clone(), drawn.clone(), model.clone(), query.clone());
                    spawn_local(async move {
                        let answer = api::call(GetGallery {
                            query,
                            start: index * PAGE,
                            limit: PAGE,
                            refresh: how == Fetch::Fresh,
                        })
                        .await;
                        if pages.borrow().epoch != epoch {
                            return; // for a query no longer shown
                        }
                        match answer {
                            Ok(page) => {
                                pages.borrow_mut().receive(page);
                                drawn.set(*drawn + 1);
                            }
                            Err(e) => {
                                pages.borrow_mut().asked.remove(&index);
                                model.dispatch(Action::Failed(e));
                            }
                        }
                    });
                }
            },
        )
    };
    // A new query or rater: the order again, from the top.
    {
        let fetch = fetch.clone();
        let scroller = scroller.clone();
        let selected = selected.clone();
        use_effect_with(
            (full_query.clone(), app.model.rater_revision),
            move |(q, _)| {
                if let Some(el) = scroller.cast::<HtmlElement>() {
                    el.set_scroll_top(0);
                }
                selected.set(0);
                fetch(q.clone(), 0..PAGE, Fetch::Fresh);
            },
        );
    }
    {
        // The library changed: the app computes the order again when next asked, and the
        // pages in view follow it.
        let fetch = fetch.clone();
        let q = full_query.clone();
        let viewport = *viewport;
        let pages = pages.clone();
        let seen = use_mut_ref(|| app.model.revision);
        use_effect_with(app.model.revision, move |revision| {
            if *seen.borrow() != *revision {
                *seen.borrow_mut() = *revision;
                let total = pages.borrow().total.max(1);
                fetch(q, viewport.drawn(total), Fetch::Again);
            }
        });
    }
    // The pages the visible rows need.
    {
        let fetch = fetch.clone();
        let q = full_query.clone();
        let total = pages.borrow().total;
        let range = viewport.drawn(total);
        use_effect_with((range.clone(), pages.borrow().order), move |_| {
            if !range.is_empty() {
                fetch(q, range, Fetch::Missing);
            }
        });
    }
    // The viewport: measured after each draw, on scroll and on resize.
    let measure = {
        let scroller = scroller.clone();
        let viewport = viewport.clone();
        Callback::from(move |_: ()| {
            if let Some(el) = scroller.cast::<HtmlElement>() {
                // Never more than the window shows, whatever the box claims.
                let window_height = web_sys::window()
                    .and_then(|w| w.inner_height().ok())
                    .and_then(|h| h.as_f64())
                    .unwrap_or(f64::MAX);
                let now = Viewport {
                    top: f64::from(el.scroll_top()),
                    height: f64::from(el.client_height()).min(window_height),
                    width: f64::from(el.client_width()),
                };
                if now != *viewport {
                    viewport.set(now);
                }
            }
        })
    };
    {
        let measure = measure.clone();
        use_effect(move || {
            measure.emit(());
        });
    }
    {
        let measure = measure.clone();
        use_effect_with((), move |_| {
            let listener = Closure::<dyn Fn()>::new(move || measure.emit(()));
            let window = web_sys::window().expect("a window");
            let _ = window
                .add_event_listener_with_callback("resize", listener.as_ref().unchecked_ref());
            move || {
                let _ = window.remove_event_listener_with_callback(
                    "resize",
                    listener.as_ref().unchecked_ref(),
                );
            }
        });
    }
    let on_scroll = measure.reform(|_: Event| ());

    // Moves the selection and scrolls its row into view.
    let select = {
        let selected = selected.clone();
        let scroller = scroller.clone();
        let viewport = *viewport;
        let pages = pages.clone();
        Callback::from(move |position: u32| {
            let total = pages.borrow().total;
            if total == 0 {
                return;
            }
            let position = position.min(total - 1);
            selected.set(position);
            if let Some(el) = scroller.cast::<HtmlElement>() {
                let top = viewport.scrolled_to(position);
                if (top - viewport.top).abs() > 0.5 {
                    el.set_scroll_top(top as i32);
                }
            }
        })
    };
    let score = {
        let pages = pages.clone();
        let drawn = drawn.clone();
        let model = app.model.clone();
        let rater = rater.clone();
        let select = select.clone();
        let note = note.clone();
        Callback::from(move |(position, value): (u32, u8)| {
            let Some(tile) = pages.borrow().tile(position).cloned() else {
                return;
            };
            if tile.sha1.is_empty() || tile.problem.is_some() {
                note.set("A file that cannot be shown cannot be scored.".into());
                return;
            }
            // The tile shows the score at once; the app's answer (or refusal) follows.
            pages
                .borrow_mut()
                .update(&tile.sha1, |t| t.mine = Some(f64::from(value)));
            drawn.set(*drawn + 1);
            select.emit(position + 1);
            note.set(format!("Scored “{}” {value}.", tile.name));
            let (pages, drawn, model, rater, note) = (
                pages.clone(),
                drawn.clone(),
                model.clone(),
                rater.clone(),
                note.clone(),
            );
            api::in_order(async move {
                let save = AddScore {
                    rater,
                    sha1: tile.sha1.clone(),
                    value: f64::from(value),
                };
                match api::call(save).await {
                    Ok(state) => pages.borrow_mut().update(&tile.sha1, |t| {
                        t.mine = state.mine;
                        t.mean = state.mean;
                        t.raters = state.raters;
                    }),
                    Err(e) => {
                        pages
                            .borrow_mut()
                            .update(&tile.sha1, |t| t.mine = tile.mine);
                        note.set(format!("The score of “{}” was not saved.", tile.name));
                        model.dispatch(Action::Failed(e));
                    }
                }
                drawn.set(*drawn + 1);
            });
        })
    };
    let undo = {
        let pages = pages.clone();
        let drawn = drawn.clone();
        let model = app.model.clone();
        let rater = rater.clone();
        let select = select.clone();
        let note = note.clone();
        Callback::from(move |()| {
            let (pages, drawn, model, rater, select, note) = (
                pages.clone(),
                drawn.clone(),
                model.clone(),
                rater.clone(),
                select.clone(),
                note.clone(),
            );
            api::in_order(async move {
                match api::call(Undo { rater }).await {
                    Ok(Some(Undone {
                        score: Some(state), ..
                    })) => {
                        pages.borrow_mut().update(&state.sha1, |t| {
                            t.mine = state.mine;
                            t.mean = state.mean;
                            t.raters = state.raters;
                        });
                        let at = pages.borrow().position_of(&state.sha1);
                        if let Some(at) = at {
                            select.emit(at);
                        }
                        note.set("Undid your last score.".into());
                        drawn.set(*drawn + 1);
                    }
                    Ok(Some(Undone { judgement, .. })) => note.set(format!(
                        "Undid your last {} (made on another page).",
                        judgement.kind.noun()
                    )),
                    Ok(None) => note.set("Nothing to undo.".into()),
                    Err(e) => model.dispatch(Action::Failed(e)),
                }
            });
        })
    };

    let selected_tile = pages.borrow().tile(*selected).cloned();
    let act = {
        let select = select.clone();
        let selected = *selected;
        let viewport = *viewport;
        let zoom = zoom.clone();
        let score = score.clone();
        let undo = undo.clone();
        let query = query.clone();
        let model = app.model.clone();
        let on_detail = props.on_detail.clone();
        let on_page = props.on_page.clone();
        let total = pages.borrow().total;
        let tile = selected_tile.clone();
        Callback::from(move |action: RatingsAction| {
            let columns = viewport.columns();
            let screen = columns * viewport.rows_on_screen();
            let shown = tile
                .as_ref()
                .filter(|t| !t.sha1.is_empty() && t.problem.is_none());
            match action {
                RatingsAction::Step(d) => select.emit(
                    selected
                        .saturating_add_signed(d)
                        .min(total.saturating_sub(1)),
                ),
                RatingsAction::Up => select.emit(selected.saturating_sub(columns)),
                RatingsAction::Down if selected + columns < total => {
                    select.emit(selected + columns)
                }
                RatingsAction::Down => {}
                RatingsAction::PageUp => select.emit(selected.saturating_sub(screen)),
                RatingsAction::PageDown => select.emit(selected + screen),
                RatingsAction::First => select.emit(0),
                RatingsAction::Last => select.emit(total.saturating_sub(1)),
                RatingsAction::Zoom => zoom.set(!*zoom && shown.is_some()),
                RatingsAction::Close => zoom.set(false),
                RatingsAction::Score(v) => score.emit((selected, v)),
                RatingsAction::Undo => undo.emit(()),
                RatingsAction::Detail => {
                    if let Some(t) = tile.as_ref().filter(|t| !t.sha1.is_empty()) {
                        on_detail.emit(t.sha1.clone());
                    }
                }
                RatingsAction::FindSimilar => {
                    if let Some(t) = shown {
                        model.dispatch(Action::FindSimilar(SimilarQuery::Image(t.sha1.clone())));
                    }
                }
                RatingsAction::Reverse => query.set(GalleryQuery {
                    descending: !query.descending,
                    ..(*query).clone()
                }),
                other => on_page.emit(other),
            }
        })
    };
    {
        let act = act.clone();
        let active = props.active;
        use_key_down(Callback::from(move |e: KeyboardEvent| {
            if !active {
                return;
            }
            if let Some(action) = RATINGS_KEYS.action(&e.key(), &e.code(), Modifiers::of(&e)) {
                e.prevent_default();
                act.emit(action);
            }
        }));
    }

    let total = pages.borrow().total;
    let columns = viewport.columns();
    let rows = total.div_ceil(columns);
    let range = viewport.drawn(total);
    let show = query.show;
    let tiles = range.clone().map(|position| {
        let held = pages.borrow();
        let tile = held.tile(position);
        let x = f64::from(position % columns) * TILE_W;
        let y = f64::from(position / columns) * TILE_H;
        let style = format!("transform: translate({x}px, {y}px)");
        let class = classes!(
            "tile",
            (position == *selected).then_some("selected"),
            tile.is_none().then_some("loading"),
            tile.is_some_and(|t| t.duplicate).then_some("duplicate")
        );
        let pick = select.reform(move |_: MouseEvent| position);
        let Some(tile) = tile else {
            return html! { <figure key={position} class={class} style={style} onclick={pick}></figure> };
        };
        let open = {
            let on_detail = props.on_detail.clone();
            let sha1 = tile.sha1.clone();
            Callback::from(move |e: MouseEvent| {
                e.stop_propagation();
                on_detail.emit(sha1.clone());
            })
        };
        let zoom_in = {
            let zoom = zoom.clone();
            let select = select.clone();
            Callback::from(move |_: MouseEvent| {
                select.emit(position);
                zoom.set(true);
            })
        };
        let find = {
            let model = app.model.clone();
            let sha1 = tile.sha1.clone();
            Callback::from(move |e: MouseEvent| {
                e.stop_propagation();
                model.dispatch(Action::FindSimilar(SimilarQuery::Image(sha1.clone())));
            })
        };
        let numbers = format!(
            "★ {} · μ {} · #{}",
            number(tile.mine),
            number(tile.mean),
            tile.rank.map_or("–".to_owned(), |r| r.to_string())
        );
        let own = tile.own.map(|o| format!("my model {o:.1}"));
        let predictions = match &own {
            Some(own) => format!("p {} · {own}", number(tile.predicted)),
            None => format!("p {}", number(tile.predicted)),
        };
        let title = format!(
            "{}: my score {}, mean {} of {}, prediction {}{}, rank {}, {}{}",
            tile.name,
            number(tile.mine),
            number(tile.mean),
            count(tile.raters, "rater", "raters"),
            number(tile.predicted),
            tile.own.map_or(String::new(), |o| format!(", my model's prediction {o:.1}")),
            tile.rank.map_or("–".to_owned(), |r| r.to_string()),
            count(tile.judgements, "judgement", "judgements"),
            if tile.duplicate { ", marked as a duplicate" } else { "" }
        );
        html! {
            <figure key={position} class={class} style={style} data-sha1={tile.sha1.clone()}
                data-position={position.to_string()} title={title} onclick={pick} ondblclick={zoom_in}>
                if let Some(problem) = &tile.problem {
                    <div class="tile-problem">{ problem.clone() }</div>
                } else {
                    <img src={api::thumbnail_url(&tile.sha1)} alt={tile.name.clone()} width="160" height="160" />
                }
                <figcaption><span class="tile-name">{ tile.name.clone() }</span><span class="tile-numbers">{ numbers }</span><span class="tile-predictions">{ predictions }</span></figcaption>
                if tile.problem.is_none() {
                    <button class="tile-similar" title="Find the images most like this one (Shift+F)" onclick={find}>{ "≈" }</button>
                }
                if !tile.sha1.is_empty() {
                    <button class="tile-info" title="Everything known of it (i)" onclick={open}>{ "i" }</button>
                }
            </figure>
        }
    });
    let shown = match show {
        GalleryShow::Unreadable => {
            format!("{} that cannot be shown", count(total, "file", "files"))
        }
        GalleryShow::Duplicates => {
            format!("{} marked as duplicates", count(total, "image", "images"))
        }
        GalleryShow::All => count(total, "image", "images"),
    };
    let on_query = {
        let query = query.clone();
        Callback::from(move |q: GalleryQuery| query.set(q))
    };
    html! {
        <div class="gallery-view">
            <Toolbar query={(*query).clone()} on_change={on_query} count={shown} />
            <p class="note gallery-note" id="gallery-note" aria-live="polite">{ (*note).clone() }</p>
            <div class="gallery-scroll" id="gallery" ref={scroller} onscroll={on_scroll} tabindex="-1">
                <div class="gallery-space" style={format!("height: {}px; width: {}px", f64::from(rows) * TILE_H, f64::from(columns) * TILE_W)}>
                    { for tiles }
                </div>
                if total == 0 && pages.borrow().order != 0 {
                    <p class="note gallery-empty">{
                        if app.model.library.roots.is_empty() {
                            "No images yet: open a folder (Ctrl+O). Imports and exports work without one (e)."
                        } else {
                            "No image matches these filters."
                        }
                    }</p>
                }
            </div>
            if *zoom {
                if let Some(tile) = selected_tile.filter(|t| t.problem.is_none()) {
                    <div class="zoom gallery-zoom" id="gallery-zoom" onclick={act.reform(|_| RatingsAction::Close)}>
                        <img src={api::image_url(&tile.sha1)} alt={tile.name.clone()} />
                        <p class="zoom-caption">{ format!("{} · ★ {} · μ {} · p {}{}", tile.name, number(tile.mine), number(tile.mean), number(tile.predicted), tile.own.map_or(String::new(), |o| format!(" · my model {o:.1}"))) }</p>
                    </div>
                }
            }
        </div>
    }
}

/// How [`Gallery`] asks for pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fetch {
    /// A new query: forget every page, and have the app compute the order again.
    Fresh,
    /// Every page of the positions again (the library changed).
    Again,
    /// Only the pages not received nor asked for.
    Missing,
}
