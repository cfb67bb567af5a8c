//! One tile of the gallery: the thumbnail (or why the file cannot be shown), the name, the
//! scores and predictions, and its buttons; placed at its position in the grid.

use super::grid::{TILE_H, TILE_W};
use crate::api;
use image_scorer_protocol::text::count;
use image_scorer_protocol::GalleryTile;
use yew::prelude::*;

/// One number of a tile, or a dash.
pub fn number(value: Option<f64>) -> String {
    value.map_or("–".to_owned(), |v| format!("{v:.1}"))
}

/// The properties of [`Tile`].
#[derive(Properties, PartialEq)]
pub struct TileProps {
    /// Its position in the order.
    pub position: u32,
    /// Tiles per row.
    pub columns: u32,
    /// How far it is drawn from its place in the grid (see `Viewport::offset`).
    pub offset: f64,
    /// What the app sent of it (`None` while its page loads).
    pub tile: Option<GalleryTile>,
    /// Whether it is the selected one.
    pub selected: bool,
    /// A click selects it.
    pub on_select: Callback<u32>,
    /// A double click zooms it.
    pub on_zoom: Callback<u32>,
    /// Its `i` button: everything known of the image.
    pub on_detail: Callback<String>,
    /// Its `≈` button: the images most like it.
    pub on_similar: Callback<String>,
}

/// A tile of the gallery.
#[function_component]
pub fn Tile(props: &TileProps) -> Html {
    let position = props.position;
    let x = f64::from(position % props.columns) * TILE_W;
    let y = f64::from(position / props.columns) * TILE_H + props.offset;
    let style = format!("transform: translate({x}px, {y}px)");
    let tile = props.tile.as_ref();
    let class = classes!(
        "tile",
        props.selected.then_some("selected"),
        tile.is_none().then_some("loading"),
        tile.is_some_and(|t| t.duplicate).then_some("duplicate")
    );
    let pick = props.on_select.reform(move |_: MouseEvent| position);
    let Some(tile) = tile else {
        return html! { <figure {class} {style} onclick={pick}></figure> };
    };
    let stopped = |on: &Callback<String>| {
        let (on, sha1) = (on.clone(), tile.sha1.clone());
        Callback::from(move |e: MouseEvent| {
            e.stop_propagation();
            on.emit(sha1.clone());
        })
    };
    let own = tile.own.map(|o| format!("my model {o:.1}"));
    let numbers = format!(
        "★ {} · μ {} · #{}",
        number(tile.mine),
        number(tile.mean),
        tile.rank.map_or("–".to_owned(), |r| r.to_string())
    );
    let predictions = match &own {
        Some(own) => format!("p {} · {own}", number(tile.predicted)),
        None => format!("p {}", number(tile.predicted)),
    };
    html! {
        <figure {class} {style} data-sha1={tile.sha1.clone()}
            data-position={position.to_string()} title={title(tile)} onclick={pick}
            ondblclick={props.on_zoom.reform(move |_: MouseEvent| position)}>
            if let Some(problem) = &tile.problem {
                <div class="tile-problem">{ problem.clone() }</div>
            } else {
                <img src={api::thumbnail_url(&tile.sha1)} alt={tile.name.clone()} width="160" height="160" />
            }
            <figcaption><span class="tile-name">{ tile.name.clone() }</span><span class="tile-numbers">{ numbers }</span><span class="tile-predictions">{ predictions }</span></figcaption>
            if tile.problem.is_none() {
                <button class="tile-similar" title="Find the images most like this one (Shift+F)" onclick={stopped(&props.on_similar)}>{ "≈" }</button>
            }
            if !tile.sha1.is_empty() {
                <button class="tile-info" title="Everything known of it (i)" onclick={stopped(&props.on_detail)}>{ "i" }</button>
            }
        </figure>
    }
}

/// What a tile says in its title: every number, spelled out.
fn title(tile: &GalleryTile) -> String {
    format!(
        "{}: my score {}, mean {} of {}, prediction {}{}, rank {}, {}{}",
        tile.name,
        number(tile.mine),
        number(tile.mean),
        count(tile.raters, "rater", "raters"),
        number(tile.predicted),
        tile.own
            .map_or(String::new(), |o| format!(", my model's prediction {o:.1}")),
        tile.rank.map_or("–".to_owned(), |r| r.to_string()),
        count(tile.judgements, "judgement", "judgements"),
        if tile.duplicate {
            ", marked as a duplicate"
        } else {
            ""
        }
    )
}
