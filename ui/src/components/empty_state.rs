//! What a page shows before it has anything to show.

use crate::state::use_app;
use yew::prelude::*;

/// Properties of [`EmptyState`].
#[derive(Properties, PartialEq)]
pub struct EmptyStateProps {
    /// The page's stable name (`score`, `rate`, …), used in the element id.
    pub slug: AttrValue,
    /// The page's title.
    pub title: AttrValue,
    /// What the page will let the user do.
    pub purpose: AttrValue,
    /// What the page still needs once a folder is open.
    pub then: AttrValue,
}

/// An honest empty page: what it is for, and what to do first.
#[function_component]
pub fn EmptyState(props: &EmptyStateProps) -> Html {
    let app = use_app();
    let has_folder = !app.model.library.roots.is_empty();
    let open = {
        let choose = app.choose_folder.clone();
        Callback::from(move |_| choose.emit(()))
    };
    let first = if app.model.app_storage && app.model.library.counts.ok == 0 {
        html! {
            <p class="next">
                { "First, import images into the app's library: " }
                <button class="link" id="empty-import" onclick={open}>{ "Import images" }</button>
                { " (Ctrl+O), or share them to Image Scorer from another app." }
            </p>
        }
    } else if has_folder {
        html! { <p class="next">{ &props.then }</p> }
    } else {
        html! {
            <p class="next">
                { "First, open a folder of images: " }
                <button class="link" onclick={open}>{ "Open folder" }</button>
                { " (Ctrl+O), or start the app with " }<code>{ "image-scorer FOLDER" }</code>{ "." }
            </p>
        }
    };
    html! {
        <section class="page empty" id={format!("page-{}", props.slug)}>
            <h1>{ &props.title }</h1>
            <p class="purpose">{ &props.purpose }</p>
            { first }
        </section>
    }
}
