//! The gallery's toolbar: the order and the filters, as the page's query.

use crate::state::use_app;
use image_scorer_protocol::{GalleryQuery, GalleryShow, GallerySort, Presence};
use web_sys::HtmlSelectElement;
use yew::prelude::*;

/// The toolbar's properties.
#[derive(Properties, PartialEq)]
pub struct ToolbarProps {
    /// The query shown.
    pub query: GalleryQuery,
    /// A changed query.
    pub on_change: Callback<GalleryQuery>,
    /// How many images match, in words.
    pub count: String,
}

/// Whether larger values come first when the order starts (a name reads A to Z).
fn largest_first(sort: GallerySort) -> bool {
    sort != GallerySort::Name
}

fn presence_name(p: Presence) -> &'static str {
    match p {
        Presence::Any => "any",
        Presence::With => "with",
        Presence::Without => "without",
    }
}

fn presence(name: &str) -> Presence {
    match name {
        "with" => Presence::With,
        "without" => Presence::Without,
        _ => Presence::Any,
    }
}

/// A `<select>`'s `onchange`: its new value given to `apply`.
fn on_select(apply: impl Fn(String) + 'static) -> Callback<Event> {
    Callback::from(move |e: Event| {
        if let Some(select) = e.target_dyn_into::<HtmlSelectElement>() {
            apply(select.value());
        }
    })
}

/// The toolbar.
#[function_component]
pub fn Toolbar(props: &ToolbarProps) -> Html {
    let app = use_app();
    let q = &props.query;
    let change = |edit: fn(&mut GalleryQuery, String)| {
        let query = q.clone();
        let on_change = props.on_change.clone();
        on_select(move |value| {
            let mut next = query.clone();
            edit(&mut next, value);
            on_change.emit(next);
        })
    };
    let reverse = {
        let query = q.clone();
        let on_change = props.on_change.clone();
        Callback::from(move |_: MouseEvent| {
            on_change.emit(GalleryQuery {
                descending: !query.descending,
                ..query.clone()
            })
        })
    };
    let direction = match (q.sort, q.descending) {
        (GallerySort::Name, false) => "A → Z",
        (GallerySort::Name, true) => "Z → A",
        (GallerySort::Newest, true) => "newest first",
        (GallerySort::Newest, false) => "oldest first",
        (GallerySort::Rank, true) => "best first",
        (GallerySort::Rank, false) => "worst first",
        (_, true) => "highest first",
        (_, false) => "lowest first",
    };
    let folder = q.folder.map_or(String::new(), |f| f.to_string());
    let rated_by = q.rated_by.clone().unwrap_or_default();
    html! {
        <div class="gallery-toolbar" id="gallery-toolbar">
            <label>{ "Sort " }
                <select id="gallery-sort" onchange={change(|q, v| {
                    if let Some(sort) = GallerySort::parse(&v) {
                        q.sort = sort;
                        q.descending = largest_first(sort);
                    }
                })}>
                    { for GallerySort::ALL.iter().map(|s| html! {
                        <option value={s.as_str()} selected={*s == q.sort}>{ s.label() }</option>
                    }) }
                </select>
            </label>
            <button id="gallery-direction" onclick={reverse} title="Reverse the order (r)">{ direction }</button>
            <label>{ "Show " }
                <select id="gallery-show" onchange={change(|q, v| {
                    q.show = match v.as_str() {
                        "duplicates" => GalleryShow::Duplicates,
                        "unreadable" => GalleryShow::Unreadable,
                        "review" => GalleryShow::NeedsReview,
                        _ => GalleryShow::All,
                    };
                })}>
                    <option value="all" selected={q.show == GalleryShow::All}>{ "every image" }</option>
                    <option value="duplicates" selected={q.show == GalleryShow::Duplicates}>{ "marked duplicates" }</option>
                    <option value="unreadable" selected={q.show == GalleryShow::Unreadable}>{ "unreadable files" }</option>
                    <option value="review" selected={q.show == GalleryShow::NeedsReview}
                        title="Images whose raters disagree more than the team queue's rule allows">{ "needs review" }</option>
                </select>
            </label>
            <label>{ "Folder " }
                <select id="gallery-folder" onchange={change(|q, v| q.folder = v.parse().ok())}>
                    <option value="" selected={folder.is_empty()}>{ "all" }</option>
                    { for app.model.library.roots.iter().map(|r| {
                        let name = r.path.rsplit('/').next().unwrap_or(&r.path).to_owned();
                        html! { <option value={r.id.to_string()} title={r.path.clone()} selected={folder == r.id.to_string()}>{ name }</option> }
                    }) }
                </select>
            </label>
            <label>{ "Scored " }
                <select id="gallery-rated" onchange={change(|q, v| q.rated = presence(&v))}>
                    <option value="any" selected={q.rated == Presence::Any}>{ "or not" }</option>
                    <option value="with" selected={q.rated == Presence::With}>{ "yes" }</option>
                    <option value="without" selected={q.rated == Presence::Without}>{ "no" }</option>
                </select>
            </label>
            <label>{ "by " }
                <select id="gallery-rated-by" onchange={change(|q, v| q.rated_by = (!v.is_empty()).then_some(v))}>
                    <option value="" selected={rated_by.is_empty()}>{ "anyone" }</option>
                    { for app.model.rater.all.iter().map(|r| html! {
                        <option value={r.clone()} selected={rated_by == *r}>{ r.clone() }</option>
                    }) }
                </select>
            </label>
            <label>{ "Predicted " }
                <select id="gallery-predicted" onchange={change(|q, v| q.predicted = presence(&v))}>
                    { for [Presence::Any, Presence::With, Presence::Without].iter().map(|p| html! {
                        <option value={presence_name(*p)} selected={*p == q.predicted}>{
                            match p { Presence::Any => "or not", Presence::With => "yes", Presence::Without => "no" }
                        }</option>
                    }) }
                </select>
            </label>
            <span class="note" id="gallery-count">{ props.count.clone() }</span>
        </div>
    }
}
