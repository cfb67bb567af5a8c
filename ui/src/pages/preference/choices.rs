//! What the Preference page's keys do: a choice (saved in order behind the page, which has
//! moved on), undo, the settings, zoom and the panels.

use super::state::{sha1s, Pref, PrefAction};
use crate::api;
use crate::components::mark;
use crate::keys::PreferenceAction;
use crate::state::{Action, Model, SimilarQuery};
use image_scorer_protocol::commands::{RecordComparison, SetPreference, Undo};
use image_scorer_protocol::{
    AppError, ComparisonOutcome, ErrorKind, JudgementKind, SetChoice, Undone,
};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

/// What the page's actions need.
#[derive(Clone)]
pub struct Choices {
    /// The page's state.
    pub state: UseReducerHandle<Pref>,
    /// Who chooses.
    pub rater: String,
    /// Set at every render, taken by a choice: a second key press handled before the page
    /// showed the next set would judge the same set twice, and is dropped instead.
    pub armed: Rc<RefCell<bool>>,
    /// Shows an error in the banner.
    pub fail: Callback<AppError>,
    /// The app (for "find similar").
    pub model: UseReducerHandle<Model>,
}

/// What a choice is called in a note ("Your pick of image 2", "Your tie").
fn what(outcome: ComparisonOutcome, winner: Option<usize>) -> String {
    match (outcome, winner) {
        (ComparisonOutcome::Pick, Some(w)) => format!("Your pick of image {}", w + 1),
        (ComparisonOutcome::Tie, _) => "Your “equally good”".into(),
        _ => "Your “none of these”".into(),
    }
}

impl Choices {
    /// Does `action`.
    pub fn act(&self, action: PreferenceAction) {
        let s = &*self.state;
        let size = s.current.as_ref().map_or(0, Vec::len);
        let flip = |by: usize| {
            if let Some(z) = s.zoom.filter(|_| size > 0) {
                self.state.dispatch(PrefAction::Zoom(Some((z + by) % size)));
            }
        };
        match action {
            PreferenceAction::Pick(n) => self.choose(ComparisonOutcome::Pick, Some(n as usize - 1)),
            PreferenceAction::Left if s.zoom.is_some() => flip(size.saturating_sub(1)),
            PreferenceAction::Right if s.zoom.is_some() => flip(1),
            PreferenceAction::Left if size == 2 => self.choose(ComparisonOutcome::Pick, Some(0)),
            PreferenceAction::Right if size == 2 => self.choose(ComparisonOutcome::Pick, Some(1)),
            PreferenceAction::Left | PreferenceAction::Right => {}
            PreferenceAction::Tie => self.choose(ComparisonOutcome::Tie, None),
            PreferenceAction::Neither => self.choose(ComparisonOutcome::None, None),
            PreferenceAction::Skip => {
                if let Some(set) = &s.current {
                    self.state.dispatch(PrefAction::Skipped(sha1s(set)));
                }
            }
            PreferenceAction::Undo => self.undo(),
            PreferenceAction::Zoom => self.state.dispatch(PrefAction::Zoom(match s.zoom {
                Some(_) => None,
                None => (size > 0).then_some(0),
            })),
            PreferenceAction::Close => self.close(),
            PreferenceAction::Mode | PreferenceAction::Order => self.change_settings(action),
            PreferenceAction::Ranking => self.state.dispatch(PrefAction::Ranking(!s.ranking)),
            PreferenceAction::Help => self.state.dispatch(PrefAction::Help(!s.help)),
            PreferenceAction::Similar => {
                let zoomed = s
                    .zoom
                    .zip(s.current.as_ref())
                    .and_then(|(z, set)| set.get(z));
                if let Some(item) = zoomed {
                    let query = SimilarQuery::Image(item.sha1.clone());
                    self.model.dispatch(Action::FindSimilar(query));
                }
            }
        }
    }

    /// Records the choice on the set on screen; the next set shows at once.
    fn choose(&self, outcome: ComparisonOutcome, winner: Option<usize>) {
        let Some(set) = self.state.current.clone() else {
            return;
        };
        if winner.is_some_and(|w| w >= set.len())
            || !std::mem::replace(&mut *self.armed.borrow_mut(), false)
        {
            return;
        }
        let images = sha1s(&set);
        let request = RecordComparison {
            rater: self.rater.clone(),
            images: images.clone(),
            outcome,
            winner: winner.map(|w| w as u32),
        };
        self.state.dispatch(PrefAction::Judged(images));
        let (state, fail) = (self.state.clone(), self.fail.clone());
        api::in_order(async move {
            mark("trial-invoke");
            let answer = api::call(request).await;
            mark("trial-reply");
            match answer {
                Ok(saved) => state.dispatch(PrefAction::Saved(saved.comparisons)),
                // An image left the library while its set was on screen: nothing was
                // recorded, and the page has moved on.
                Err(e) if e.kind == ErrorKind::NotFound => state.dispatch(PrefAction::Note(
                    format!("{} was not recorded: {}", what(outcome, winner), e.message),
                )),
                Err(e) => {
                    state.dispatch(PrefAction::NotSaved {
                        set,
                        what: what(outcome, winner),
                    });
                    fail.emit(e);
                }
            }
        });
    }

    /// Undoes the rater's last judgement: a comparison's set comes back.
    fn undo(&self) {
        let (state, fail, rater) = (self.state.clone(), self.fail.clone(), self.rater.clone());
        api::in_order(async move {
            match api::call(Undo { rater }).await {
                Ok(Some(Undone { judgement, .. }))
                    if judgement.kind == JudgementKind::Comparison =>
                {
                    let mut images = judgement.images;
                    images.sort_by_key(|i| i.position);
                    state.dispatch(PrefAction::Undone(
                        images.into_iter().map(|i| i.sha1).collect(),
                    ));
                }
                Ok(Some(Undone { judgement, .. })) => state.dispatch(PrefAction::Note(format!(
                    "Undid your last {} (made on another page).",
                    judgement.kind.noun()
                ))),
                Ok(None) => state.dispatch(PrefAction::Note("Nothing to undo.".into())),
                Err(e) => fail.emit(e),
            }
        });
    }

    /// Closes what is open: the zoom, else the help, else the ranking.
    fn close(&self) {
        let s = &*self.state;
        if s.zoom.is_some() {
            self.state.dispatch(PrefAction::Zoom(None));
        } else if s.help {
            self.state.dispatch(PrefAction::Help(false));
        } else {
            self.state.dispatch(PrefAction::Ranking(false));
        }
    }

    /// Best of 2 or 4 (`Mode`), or telling or random sets (`Order`): shown at once, and
    /// remembered by the app.
    fn change_settings(&self, action: PreferenceAction) {
        let mut next = self.state.settings.unwrap_or_default();
        if action == PreferenceAction::Mode {
            next.size = if next.size == 2 { 4 } else { 2 };
        } else {
            next.choice = match next.choice {
                SetChoice::Active => SetChoice::Random,
                SetChoice::Random => SetChoice::Active,
            };
        }
        self.state.dispatch(PrefAction::Settings(next));
        let fail = self.fail.clone();
        spawn_local(async move {
            if let Err(e) = api::call(SetPreference { settings: next }).await {
                fail.emit(e);
            }
        });
    }
}
