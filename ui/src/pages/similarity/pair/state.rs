//! The pair view as a reducer: the pair on screen and how pairs are drawn, what the rater is
//! told in passing, and everyone's likeness judgements for the plot.

use image_scorer_protocol::{LikenessSummary, PairKind, SimilarityPair};
use std::rc::Rc;
use yew::prelude::*;

/// The pair view's state.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Pairs {
    /// The pair on screen (`None`: fewer than two images have an embedding).
    pub pair: Option<SimilarityPair>,
    /// Random pairs, or an image and one of its nearest neighbours.
    pub kind: PairKind,
    /// Whether the app answered once.
    pub loaded: bool,
    /// A passing message.
    pub note: Option<String>,
    /// Bumped to ask for another pair of the current kind.
    pub ask: u32,
    /// Everyone's likeness judgements with the active pack's cosine.
    pub summary: LikenessSummary,
}

/// A change to [`Pairs`].
#[derive(Debug, Clone, PartialEq)]
pub enum PairsAction {
    /// The app's pair (or none).
    Arrived(Option<SimilarityPair>),
    /// The app could not give a pair (the error is shown): the pair on screen stays.
    NotArrived,
    /// Pairs of this kind from now on: another one at once.
    Kind(PairKind),
    /// The pair on screen was judged: another one, and the note goes.
    Judged,
    /// Another pair (the one on screen was skipped).
    Another,
    /// A pair comes back (an undo), saying so.
    Back(SimilarityPair, String),
    /// Say something in passing.
    Note(String),
    /// Everyone's judgements, again.
    Summary(LikenessSummary),
}

impl Reducible for Pairs {
    type Action = PairsAction;

    fn reduce(self: Rc<Self>, action: PairsAction) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            PairsAction::Arrived(pair) => {
                s.pair = pair;
                s.loaded = true;
            }
            PairsAction::NotArrived => s.loaded = true,
            PairsAction::Kind(kind) => {
                s.kind = kind;
                s.ask = s.ask.wrapping_add(1);
            }
            PairsAction::Judged => {
                s.note = None;
                s.ask = s.ask.wrapping_add(1);
            }
            PairsAction::Another => s.ask = s.ask.wrapping_add(1),
            PairsAction::Back(pair, note) => {
                s.pair = Some(pair);
                s.note = Some(note);
            }
            PairsAction::Note(note) => s.note = Some(note),
            PairsAction::Summary(summary) => s.summary = summary,
        }
        Rc::new(s)
    }
}
