//! What the pair view's keys do: a likeness judgement (the next pair shows at once, the
//! judgement is saved behind it), and undo, which brings a judged pair back.

use super::state::{Pairs, PairsAction};
use super::LIKENESS;
use crate::api;
use crate::state::{Action, Model, SimilarQuery};
use image_scorer_protocol::commands::{RecordLikeness, Undo};
use image_scorer_protocol::{
    AppError, ErrorKind, JudgementKind, PairKind, QueueItem, SimilarityPair, Undone,
};
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

/// Judged pairs remembered for undo.
const JUDGED_KEPT: usize = 50;

/// What the view's actions need.
#[derive(Clone)]
pub struct Likeness {
    /// The view's state.
    pub state: UseReducerHandle<Pairs>,
    /// The pairs judged on this visit, newest last: an undo brings its pair back with names.
    pub judged: Rc<RefCell<Vec<SimilarityPair>>>,
    /// Asks for everyone's judgements again (the plot).
    pub refresh: Callback<()>,
    /// Who judges.
    pub rater: String,
    /// Shows an error in the banner.
    pub fail: Callback<AppError>,
    /// The app (for the active pack and "find similar").
    pub model: UseReducerHandle<Model>,
}

impl Likeness {
    /// Records that the pair on screen looks `value` (1-5) alike.
    pub fn judge(&self, value: u8) {
        let Some(shown) = self.state.pair.clone() else {
            return;
        };
        let request = RecordLikeness {
            rater: self.rater.clone(),
            images: shown.images.iter().map(|i| i.sha1.clone()).collect(),
            value: u32::from(value),
            cosine: shown.cosine,
        };
        self.state.dispatch(PairsAction::Judged);
        {
            let mut judged = self.judged.borrow_mut();
            judged.push(shown);
            let excess = judged.len().saturating_sub(JUDGED_KEPT);
            judged.drain(..excess);
        }
        let this = self.clone();
        api::in_order(async move {
            match api::call(request).await {
                Ok(_) => this.refresh.emit(()),
                Err(e) if matches!(e.kind, ErrorKind::NotFound | ErrorKind::InvalidInput) => {
                    this.state.dispatch(PairsAction::Note(format!(
                        "Your “{}” was not recorded: {}",
                        LIKENESS[usize::from(value) - 1],
                        e.message
                    )))
                }
                Err(e) => this.fail.emit(e),
            }
        });
    }

    /// The library images most like the left image of the pair.
    pub fn find_similar(&self) {
        if let Some(p) = &self.state.pair {
            let query = SimilarQuery::Image(p.images[0].sha1.clone());
            self.model.dispatch(Action::FindSimilar(query));
        }
    }

    /// Undoes the rater's last judgement: a likeness judgement's pair comes back.
    pub fn undo(&self) {
        let this = self.clone();
        api::in_order(async move {
            let rater = this.rater.clone();
            match api::call(Undo { rater }).await {
                Ok(Some(Undone { judgement, .. }))
                    if judgement.kind == JudgementKind::Similarity =>
                {
                    let mut images = judgement.images;
                    images.sort_by_key(|i| i.position);
                    let sha1s: Vec<String> = images.into_iter().map(|i| i.sha1).collect();
                    let back = this.shown(&sha1s, judgement.shown_cosine);
                    let value = judgement.value.unwrap_or(0.0) as usize;
                    let what = LIKENESS.get(value.wrapping_sub(1)).copied().unwrap_or("");
                    let note = format!("Undid your “{what}”: judge the pair again.");
                    this.state.dispatch(PairsAction::Back(back, note));
                    this.refresh.emit(());
                }
                Ok(Some(Undone { judgement, .. })) => {
                    this.state.dispatch(PairsAction::Note(format!(
                        "Undid your last {} (made elsewhere).",
                        judgement.kind.noun()
                    )))
                }
                Ok(None) => this
                    .state
                    .dispatch(PairsAction::Note("Nothing to undo.".into())),
                Err(e) => this.fail.emit(e),
            }
        });
    }

    /// The pair of `sha1s` as it was shown (names and all) when judged on this visit, else
    /// rebuilt from the judgement (without names).
    fn shown(&self, sha1s: &[String], cosine: Option<f64>) -> SimilarityPair {
        let mut judged = self.judged.borrow_mut();
        let at = judged
            .iter()
            .rposition(|p| p.images.iter().map(|i| &i.sha1).eq(sha1s.iter()));
        match at {
            Some(at) => judged.remove(at),
            None => SimilarityPair {
                images: sha1s
                    .iter()
                    .map(|sha1| QueueItem {
                        name: String::new(),
                        sha1: sha1.clone(),
                    })
                    .collect(),
                cosine: cosine.unwrap_or(f64::NAN),
                kind: self.state.kind,
                model: self.model.predictor.active.clone().unwrap_or_default(),
            },
        }
    }

    /// Pairs of `kind` from now on.
    pub fn kind(&self, kind: PairKind) {
        self.state.dispatch(PairsAction::Kind(kind));
    }
}
