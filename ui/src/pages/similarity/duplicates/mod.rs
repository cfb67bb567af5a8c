//! Near-duplicates: groups of images above a threshold (the model's cosine, or the perceptual
//! hash's bits, which need no model), counted live as the slider moves. A group is reviewed
//! side by side: keep one (the largest by default), mark the others as its duplicates (they
//! leave every queue; files are never touched); undo takes the mark back. The review is a
//! reducer ([`state`]); its parts are drawn in [`view`].

mod state;
mod view;

use super::no_embeddings;
use crate::api;
use crate::keys::SimilarityAction;
use crate::state::{use_app, Action};
use image_scorer_protocol::commands::{GetDuplicateGroups, MarkDuplicates, Undo};
use image_scorer_protocol::events::DuplicatesSearch;
use image_scorer_protocol::text::count_is;
use image_scorer_protocol::{AppError, DuplicateMethod, ErrorKind, JudgementKind, Undone};
use state::{Review, ReviewAction};
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

/// How many groups are fetched for review at a time.
const GROUPS: u32 = 200;

/// Properties of [`DuplicatesView`].
#[derive(Properties, PartialEq)]
pub struct DuplicatesProps {
    /// Whether its keys work.
    pub active: bool,
}

/// The near-duplicates view.
#[function_component]
pub fn DuplicatesView(props: &DuplicatesProps) -> Html {
    let app = use_app();
    let embeddings = no_embeddings(&app.model.predictor).is_none();
    let review = use_reducer(|| Review::new(embeddings));
    let fail = {
        let model = app.model.clone();
        Callback::from(move |e: AppError| model.dispatch(Action::Failed(e)))
    };
    // The app's progress while it computes the pairs of new images.
    {
        let review = review.clone();
        let held = use_mut_ref(|| None);
        use_effect_with((), move |_| {
            let kept = held.clone();
            spawn_local(async move {
                let heard = move |p| review.dispatch(ReviewAction::Searching(p));
                if let Ok(subscription) = api::listen::<DuplicatesSearch>(heard).await {
                    *kept.borrow_mut() = Some(subscription);
                }
            });
            move || drop(held.borrow_mut().take())
        });
    }
    // Answers to an older slider position are dropped.
    let asked = use_mut_ref(|| 0u32);
    {
        let (review, fail) = (review.clone(), fail.clone());
        let method = review.method;
        let deps = (
            format!("{method:?}"),
            review.reload,
            app.model.revision,
            app.model.pack_revision,
        );
        use_effect_with(deps, move |_| {
            let ticket = {
                let mut a = asked.borrow_mut();
                *a += 1;
                *a
            };
            spawn_local(async move {
                let answer = api::call(GetDuplicateGroups {
                    method,
                    limit: GROUPS,
                })
                .await;
                if *asked.borrow() != ticket {
                    return;
                }
                match answer {
                    Ok(g) => review.dispatch(ReviewAction::Arrived(g)),
                    Err(e) => fail.emit(e),
                }
            });
        });
    }
    let act = {
        let (review, fail) = (review.clone(), fail.clone());
        let rater = app.model.rater.name.clone();
        Callback::from(move |action| act(&review, &rater, &fail, action))
    };
    super::use_view_keys(props.active, owned, act.clone());
    html! {
        <>
            { view::bar(&review, &act) }
            if !embeddings && matches!(review.method, DuplicateMethod::Embedding { .. }) {
                <p class="similarity-note">{ no_embeddings(&app.model.predictor).unwrap_or_default() }</p>
            }
            if let Some(n) = &review.note {
                <p class="score-note" id="duplicates-note">{ n }</p>
            }
            if let Some(g) = review.group() {
                <p class="note" id="duplicate-position">
                    { format!("Group {} of {} · closest pair {:.3}{}", review.at() + 1, review.count(), g.closest, listed(g)) }
                </p>
            }
            { view::searching(&review) }
            { view::group(&review) }
            { view::toolbar(&act) }
        </>
    }
}

/// What part of a large group is shown (a mark names only those images).
fn listed(group: &image_scorer_protocol::DuplicateGroup) -> String {
    let shown = group.images.len();
    if group.size as usize > shown {
        format!(
            " · the {shown} largest of its {} images shown: a mark marks only these",
            group.size
        )
    } else {
        String::new()
    }
}

/// The keys this view answers to.
fn owned(action: SimilarityAction) -> bool {
    matches!(
        action,
        SimilarityAction::Digit(_)
            | SimilarityAction::Skip
            | SimilarityAction::Previous
            | SimilarityAction::Mark
            | SimilarityAction::Undo
            | SimilarityAction::Method
            | SimilarityAction::Looser
            | SimilarityAction::Stricter
    )
}

/// What a key of the view does.
fn act(
    review: &UseReducerHandle<Review>,
    rater: &str,
    fail: &Callback<AppError>,
    action: SimilarityAction,
) {
    match action {
        SimilarityAction::Digit(n) if n >= 1 => {
            review.dispatch(ReviewAction::Keep(usize::from(n) - 1))
        }
        SimilarityAction::Skip => review.dispatch(ReviewAction::Next),
        SimilarityAction::Previous => review.dispatch(ReviewAction::Previous),
        SimilarityAction::Mark => mark(review, rater, fail),
        SimilarityAction::Undo => undo(review, rater, fail),
        SimilarityAction::Method => review.dispatch(ReviewAction::Method(review.moved(None))),
        SimilarityAction::Looser | SimilarityAction::Stricter => {
            let stricter = action == SimilarityAction::Stricter;
            review.dispatch(ReviewAction::Method(review.moved(Some(stricter))))
        }
        _ => {}
    }
}

/// Keeps the chosen image of the group under review and marks the others as its duplicates.
fn mark(review: &UseReducerHandle<Review>, rater: &str, fail: &Callback<AppError>) {
    let Some(g) = review.group() else { return };
    let kept = review.kept();
    let request = MarkDuplicates {
        rater: rater.to_owned(),
        keep: g.images[kept].sha1.clone(),
        duplicates: g
            .images
            .iter()
            .enumerate()
            .filter(|(k, _)| *k != kept)
            .map(|(_, i)| i.sha1.clone())
            .collect(),
    };
    let others = g.images.len() - 1;
    let what = format!(
        "Kept {}, marked {}; undo (z) takes it back.",
        g.images[kept].name,
        if others == 1 {
            "1 as a duplicate".to_owned()
        } else {
            format!("{others} as duplicates")
        }
    );
    let (review, fail) = (review.clone(), fail.clone());
    api::in_order(async move {
        let note = match api::call(request).await {
            Ok(_) => Some(what),
            Err(e) if e.kind == ErrorKind::NotFound => Some(e.message),
            Err(e) => {
                fail.emit(e);
                None
            }
        };
        review.dispatch(ReviewAction::Changed(note));
    });
}

/// Undoes the rater's last judgement; a duplicate mark's images are back in the queues.
fn undo(review: &UseReducerHandle<Review>, rater: &str, fail: &Callback<AppError>) {
    let (review, fail, rater) = (review.clone(), fail.clone(), rater.to_owned());
    api::in_order(async move {
        match api::call(Undo { rater }).await {
            Ok(Some(Undone { judgement, .. })) => {
                review.dispatch(ReviewAction::Changed(Some(
                    if judgement.kind == JudgementKind::Duplicate {
                        format!(
                            "Undid the duplicate mark: {} back in the queues.",
                            count_is(judgement.images.len() - 1, "image", "images")
                        )
                    } else {
                        format!("Undid your last {}.", judgement.kind.noun())
                    },
                )));
            }
            Ok(None) => review.dispatch(ReviewAction::Note("Nothing to undo.".into())),
            Err(e) => fail.emit(e),
        }
    });
}
