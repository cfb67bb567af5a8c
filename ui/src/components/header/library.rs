//! The open folders (a click manages them) and the library's counts: the images that can be
//! rated, the files that cannot (a click lists them), and indexing as it goes.

use crate::state::{use_app, Action};
use yew::prelude::*;

/// The open folders, each as its parent and its name (the name stays readable when a long
/// parent is cut short).
#[function_component]
pub fn Folders() -> Html {
    let app = use_app();
    let model = &*app.model;
    let roots = &model.library.roots;
    let manage = {
        let model = app.model.clone();
        let shown = model.folders_panel;
        Callback::from(move |_| model.dispatch(Action::ShowFolders(!shown)))
    };
    if !model.loaded {
        return html! { <span class="muted">{ "Loading…" }</span> };
    }
    if roots.is_empty() {
        return html! { <span class="muted" id="no-folders">{ "No folder open" }</span> };
    }
    html! {
        <ul class="folders" id="folders" aria-label="Open folders" onclick={manage}
            title="Manage folders (Ctrl+Shift+O)">
            { for roots.iter().map(|r| {
                let (parent, name) = split_path(&r.path);
                html! {
                    <li class="folder" title={r.path.clone()} key={r.id}>
                        <span class="parent">{ parent }</span>
                        <span class="name">{ name }</span>
                    </li>
                }
            }) }
        </ul>
    }
}

/// How many images can be rated, how many files cannot, and indexing's progress.
#[function_component]
pub fn LibraryStatus() -> Html {
    let app = use_app();
    let model = &*app.model;
    if !model.loaded || model.library.roots.is_empty() {
        return html! {};
    }
    let counts = &model.library.counts;
    let show_problems = {
        let model = app.model.clone();
        let shown = model.problems_panel;
        Callback::from(move |_| model.dispatch(Action::ShowProblems(!shown)))
    };
    let scanning = model
        .scanning
        .iter()
        .fold((0, 0), |(done, all), s| (done + s.hashed, all + s.to_hash));
    let indexing = format!("Indexing {} / {}", scanning.0, scanning.1);
    html! {
        <div class="library-status">
            <span id="image-count" title="Images that can be rated">
                { match counts.ok { 1 => "1 image".to_owned(), n => format!("{n} images") } }
            </span>
            if counts.unreadable > 0 {
                <button id="unreadable-count" class="warn plain" onclick={show_problems}
                    title="Files that are damaged, not images, or in a format this build cannot show: click for the list">
                    { format!("{} unreadable", counts.unreadable) }
                </button>
            }
            if !model.scanning.is_empty() {
                <span id="scan-progress" class="scanning" title={indexing.clone()}>
                    <progress max={scanning.1.max(1).to_string()} value={scanning.0.to_string()} />
                    <span class="scan-text">{ indexing }</span>
                </span>
            }
        </div>
    }
}

/// Splits a folder path into its parent (with the trailing separator) and its name, so the name
/// stays readable when a long parent is cut short on screen.
fn split_path(path: &str) -> (&str, &str) {
    match path.trim_end_matches('/').rfind('/') {
        Some(i) if i + 1 < path.len() => path.split_at(i + 1),
        _ => ("", path),
    }
}

#[cfg(test)]
mod tests {
    use super::split_path;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn splits_parent_and_name() {
        assert_eq!(split_path("/home/me/My Photos"), ("/home/me/", "My Photos"));
        assert_eq!(split_path("/photos"), ("/", "photos"));
        assert_eq!(split_path("/"), ("", "/"));
        assert_eq!(split_path("relative"), ("", "relative"));
    }
}
