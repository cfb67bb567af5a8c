//! The page around a scoring session, shared by Score and Rate: its state (the session, the
//! order, the guard against judging one image twice), the moves both pages make from their own
//! keys ([`SessionMove`]), and the parts of their view that are the same.

use super::{fmt_score, stage, undo, use_session, Session, SessionAction};
use crate::hooks::use_table_keys;
use crate::keys::{KeyTable, SessionMove};
use crate::state::{use_app, Action, Model, SimilarQuery};
use image_scorer_protocol::text::count;
use image_scorer_protocol::{AppError, ScoreState};
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

/// An action of a page over the scoring session: one of the [`SessionMove`]s, or the page's
/// own (a score, a value).
pub trait SessionKeys: Copy + PartialEq + 'static {
    /// The move this action is, if it is one of the moves both pages make.
    fn session_move(self) -> Option<SessionMove>;
    /// Whether it records a judgement (its key press is timed by the benchmark).
    fn judges(self) -> bool;
}

/// A scoring page's state ([`use_scoring_page`]).
#[derive(Clone)]
pub struct ScoringPage {
    /// The queue and the image on screen.
    pub session: UseReducerHandle<Session>,
    /// "Include rated": the images the rater scored come round again.
    pub include_rated: UseStateHandle<bool>,
    /// "Teach my model": the images the rater's own model is least sure about first.
    pub teach: UseStateHandle<bool>,
    /// Set at every render, taken by a judgement: see [`super::judge`].
    pub armed: Rc<RefCell<bool>>,
    /// Shows an error in the banner.
    pub fail: Callback<AppError>,
    /// Who rates.
    pub rater: String,
    model: UseReducerHandle<Model>,
}

/// The state of a page that goes through the scoring queue (`predicted_first` on Rate).
#[hook]
pub fn use_scoring_page(predicted_first: bool) -> ScoringPage {
    let app = use_app();
    let include_rated = use_state(|| false);
    let teach = use_state(|| false);
    let session = use_session(*include_rated, predicted_first, *teach);
    let armed = use_mut_ref(|| true);
    *armed.borrow_mut() = true;
    let fail = {
        let model = app.model.clone();
        Callback::from(move |e: AppError| model.dispatch(Action::Failed(e)))
    };
    ScoringPage {
        session,
        include_rated,
        teach,
        armed,
        fail,
        rater: app.model.rater.name.clone(),
        model: app.model,
    }
}

/// The page's actions: the moves both pages make are done here, the page's own go to `own`;
/// every key `table` binds is read (Escape is left to an open panel). Returns the callback the
/// page's buttons use.
#[hook]
pub fn use_session_keys<A: SessionKeys>(
    page: &ScoringPage,
    table: &'static KeyTable<A>,
    own: Callback<A>,
) -> Callback<A> {
    let act = {
        let page = page.clone();
        Callback::from(move |action: A| match action.session_move() {
            Some(step) => page.make(step),
            None => own.emit(action),
        })
    };
    let panels_open = page.model.panel_open();
    use_table_keys(
        table,
        move |e, _| !(panels_open && e.key() == "Escape"),
        A::judges,
        act.clone(),
    );
    act
}

impl ScoringPage {
    /// Makes one of the moves both pages make.
    fn make(&self, step: SessionMove) {
        let s = &*self.session;
        match step {
            SessionMove::Back => self
                .session
                .dispatch(SessionAction::Go(s.pos.saturating_sub(1))),
            SessionMove::Skip => self.session.dispatch(SessionAction::Go(s.pos + 1)),
            SessionMove::Undo => undo(&self.session, self.rater.clone(), self.fail.clone()),
            SessionMove::Zoom => self.session.dispatch(SessionAction::Zoom(!s.zoom)),
            SessionMove::Close => {
                self.session.dispatch(SessionAction::Zoom(false));
                self.session.dispatch(SessionAction::Help(false));
            }
            SessionMove::Help => self.session.dispatch(SessionAction::Help(!s.help)),
            SessionMove::Teach => self.teach.set(!*self.teach),
            SessionMove::Similar => {
                if let Some(item) = s.items.get(s.pos) {
                    let query = SimilarQuery::Image(item.sha1.clone());
                    self.model.dispatch(Action::FindSimilar(query));
                }
            }
        }
    }

    /// Whether there is nothing to score at all: no folder open, or none of its images can be
    /// shown (the page shows its empty state instead).
    pub fn nothing_to_score(&self) -> bool {
        self.model.library.roots.is_empty() || (self.session.loaded && self.session.progress.1 == 0)
    }

    /// The page's middle: "Loading…", the end of the round (`{slug}-done`), or the image on
    /// screen (`{slug}-stage`), which `zoom` zooms when clicked.
    pub fn body(&self, slug: &str, zoom: Callback<()>) -> Html {
        let (rated, total) = self.session.progress;
        match self.session.items.get(self.session.pos) {
            None if !self.session.loaded => html! { <p class="note">{ "Loading…" }</p> },
            None => html! {
                <div class="done" id={format!("{slug}-done")}>
                    <h2>{ "Nothing left in this round" }</h2>
                    <p>{ format!("You have scored {rated} of {total} images.") }</p>
                    <p class="note">{ "Back (Backspace) returns to the last image; “Include rated” goes over the scored ones again." }</p>
                </div>
            },
            Some(item) => stage(slug, &self.session, item, zoom),
        }
    }

    /// The passing note (an undo, an image that could not be saved or shown), and, where
    /// more than one person rates, whether the team still wants the image on screen.
    pub fn note(&self) -> Html {
        let s = &*self.session;
        let team = match s.items.get(s.pos) {
            Some(item)
                if self.model.rater.all.len() > 1
                    && s.state.as_ref().is_none_or(|k| k.mine.is_none()) =>
            {
                if s.wanted.contains(&item.sha1) {
                    let reserved = if s.held.contains(&item.sha1) {
                        ", reserved for you"
                    } else {
                        ""
                    };
                    let wanted = count(s.team_wanted as usize, "image", "images");
                    Some(format!("Team: {wanted} wanted from you{reserved}"))
                } else {
                    Some("Team: extra, this image has the raters it wants".to_owned())
                }
            }
            _ => None,
        };
        html! {
            <>
                if let Some(team) = team { <p class="team-note note" id="team-note">{ team }</p> }
                if let Some(note) = &s.note { <p class="score-note" id="score-note">{ note }</p> }
            </>
        }
    }

    /// The order's tick boxes, "Include rated" (`include_id`) and "Teach my model"
    /// (`teach_id`, the action `teach` of `table`).
    pub fn order_toggles<A: Copy + PartialEq + 'static>(
        &self,
        table: &KeyTable<A>,
        (include_id, teach_id): (&str, &str),
        teach: A,
        act: &Callback<A>,
    ) -> Html {
        let toggle_rated = {
            let include_rated = self.include_rated.clone();
            Callback::from(move |_| include_rated.set(!*include_rated))
        };
        html! {
            <>
                <label class="include-rated" title="Also go over images you already scored">
                    <input type="checkbox" id={include_id.to_owned()} checked={*self.include_rated} onclick={toggle_rated} />
                    { "Include rated" }
                </label>
                <label class="include-rated" title={table.title(TEACH_TITLE, teach)}>
                    <input type="checkbox" id={teach_id.to_owned()} checked={*self.teach}
                        onclick={act.reform(move |_| teach)} />
                    { "Teach my model" }
                </label>
            </>
        }
    }
}

/// "Your score: 7", or that the rater has not scored the image.
pub fn my_score(scores: Option<&ScoreState>) -> Html {
    html! {
        <span id="my-score">{ match scores.and_then(|s| s.mine) {
            Some(v) => format!("Your score: {}", fmt_score(v)),
            None => "Not scored by you".into(),
        } }</span>
    }
}

/// What the "Teach my model" order does, for its tick box.
const TEACH_TITLE: &str = "Teach my model: the images your own model is least sure about, each unlike the ones before, come first (instead of the shuffle), so each score teaches it most";
