//! The open folders and their settings: exclusion patterns, and closing a folder.

use crate::api;
use crate::state::{use_app, Action};
use image_scorer_protocol::commands::{RemoveFolder, SetExcludes};
use image_scorer_protocol::Root;
use wasm_bindgen_futures::spawn_local;
use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

/// A panel under the header listing every open folder (Ctrl+Shift+O; Escape closes).
#[function_component]
pub fn FolderPanel() -> Html {
    let app = use_app();
    let close = {
        let model = app.model.clone();
        Callback::from(move |_| model.dispatch(Action::ShowFolders(false)))
    };
    let roots = &app.model.library.roots;
    html! {
        <section class="folder-panel" id="folder-panel" aria-label="Folders">
            <header>
                <h2>{ "Folders" }</h2>
                <span class="note">
                    { "Exclusion patterns: one per line, e.g. " }<code>{ "*mask*" }</code>
                    { " (names) or " }<code>{ "drafts/*.png" }</code>{ " (paths below the folder). Hidden files are always skipped." }
                </span>
                <button class="dismiss" onclick={close} title="Close (Escape)">{ "×" }</button>
            </header>
            if roots.is_empty() {
                <p class="note">{ "No folder is open. Open one with Ctrl+O." }</p>
            }
            { for roots.iter().map(|root| html! { <FolderRow key={root.id} root={root.clone()} /> }) }
        </section>
    }
}

/// Properties of [`FolderRow`].
#[derive(Properties, PartialEq)]
struct FolderRowProps {
    root: Root,
}

/// One folder: its path, its patterns (saved with the button or Ctrl+Enter), and Remove, which
/// asks once more before closing the folder.
#[function_component]
fn FolderRow(props: &FolderRowProps) -> Html {
    let app = use_app();
    let draft = use_state(|| props.root.excludes.clone());
    let confirming = use_state(|| false);
    let id = props.root.id;

    let save = {
        let draft = draft.clone();
        let model = app.model.clone();
        Callback::from(move |()| {
            let (model, patterns) = (model.clone(), (*draft).clone());
            spawn_local(async move {
                match api::call(SetExcludes {
                    root_id: id,
                    patterns,
                })
                .await
                {
                    Ok(library) => model.dispatch(Action::RootsChanged(library.roots)),
                    Err(e) => model.dispatch(Action::Failed(e)),
                }
            });
        })
    };
    let on_input = {
        let draft = draft.clone();
        Callback::from(move |e: InputEvent| {
            let area: HtmlTextAreaElement = e.target_unchecked_into();
            draft.set(area.value());
        })
    };
    let on_key = {
        let save = save.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" && e.ctrl_key() {
                e.prevent_default();
                save.emit(());
            }
        })
    };
    let remove = {
        let confirming = confirming.clone();
        let model = app.model.clone();
        Callback::from(move |_| {
            if !*confirming {
                confirming.set(true);
                return;
            }
            let model = model.clone();
            spawn_local(async move {
                match api::call(RemoveFolder { root_id: id }).await {
                    Ok(library) => model.dispatch(Action::RootsChanged(library.roots)),
                    Err(e) => model.dispatch(Action::Failed(e)),
                }
            });
        })
    };
    let changed = *draft != props.root.excludes;
    html! {
        <div class="folder-row" id={format!("folder-{id}")}>
            <div class="path" title={props.root.path.clone()}>{ &props.root.path }</div>
            <textarea class="excludes" rows="2" spellcheck="false" value={(*draft).clone()}
                oninput={on_input} onkeydown={on_key} aria-label="Exclusion patterns" />
            <div class="actions">
                <button class="save" disabled={!changed} onclick={save.reform(|_| ())}
                    title="Save the patterns and re-index (Ctrl+Enter)">{ "Save" }</button>
                <button class={classes!("remove", confirming.then_some("confirm"))} onclick={remove}
                    title="Close this folder; its images and ratings are kept">
                    { if *confirming { "Click again to close" } else { "Remove" } }
                </button>
            </div>
        </div>
    }
}
