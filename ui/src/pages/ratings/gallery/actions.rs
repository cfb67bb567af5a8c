//! What the gallery's keys do to the library: a score given to the selected tile, and undo.
//! Each shows at once on the tiles and is saved behind, in order ([`api::in_order`]); a score
//! that is refused is taken back from its tile.

use super::fetch::Tiles;
use super::state::ViewAction;
use crate::api;
use crate::state::{Action, Model};
use image_scorer_protocol::commands::{AddScore, Undo};
use image_scorer_protocol::{ScoreState, Undone};
use yew::prelude::*;

/// What the gallery's actions need.
#[derive(Clone)]
pub struct Context {
    /// The tiles.
    pub tiles: Tiles,
    /// The view (for its note).
    pub view: UseReducerHandle<super::state::GalleryView>,
    /// Selects a position and scrolls it into view.
    pub select: Callback<u32>,
    /// The app (for errors).
    pub model: UseReducerHandle<Model>,
    /// Who rates.
    pub rater: String,
}

impl Context {
    fn note(&self, note: String) {
        self.view.dispatch(ViewAction::Note(note));
    }

    /// The tile of `sha1` takes the scores of `state`.
    fn scored(&self, state: &ScoreState) {
        self.tiles.pages.borrow_mut().update(&state.sha1, |t| {
            t.mine = state.mine;
            t.mean = state.mean;
            t.raters = state.raters;
        });
    }
}

/// Scores the tile at `position` `value`, and selects the next one.
pub fn score(cx: &Context, position: u32, value: u8) {
    let Some(tile) = cx.tiles.pages.borrow().tile(position).cloned() else {
        return;
    };
    if tile.sha1.is_empty() || tile.problem.is_some() {
        cx.note("A file that cannot be shown cannot be scored.".into());
        return;
    }
    // The tile shows the score at once; the app's answer (or refusal) follows.
    cx.tiles
        .pages
        .borrow_mut()
        .update(&tile.sha1, |t| t.mine = Some(f64::from(value)));
    cx.tiles.redraw();
    cx.select.emit(position + 1);
    cx.note(format!("Scored “{}” {value}.", tile.name));
    let cx = cx.clone();
    api::in_order(async move {
        let save = AddScore {
            rater: cx.rater.clone(),
            sha1: tile.sha1.clone(),
            value: f64::from(value),
        };
        match api::call(save).await {
            Ok(state) => cx.scored(&state),
            Err(e) => {
                cx.tiles
                    .pages
                    .borrow_mut()
                    .update(&tile.sha1, |t| t.mine = tile.mine);
                cx.note(format!("The score of “{}” was not saved.", tile.name));
                cx.model.dispatch(Action::Failed(e));
            }
        }
        cx.tiles.redraw();
    });
}

/// Undoes the rater's last judgement: a score's tile shows its scores again and is selected.
pub fn undo(cx: &Context) {
    let cx = cx.clone();
    api::in_order(async move {
        match api::call(Undo {
            rater: cx.rater.clone(),
        })
        .await
        {
            Ok(Some(Undone {
                score: Some(state), ..
            })) => {
                cx.scored(&state);
                let at = cx.tiles.pages.borrow().position_of(&state.sha1);
                if let Some(at) = at {
                    cx.select.emit(at);
                }
                cx.note("Undid your last score.".into());
                cx.tiles.redraw();
            }
            Ok(Some(Undone { judgement, .. })) => cx.note(format!(
                "Undid your last {} (made on another page).",
                judgement.kind.noun()
            )),
            Ok(None) => cx.note("Nothing to undo.".into()),
            Err(e) => cx.model.dispatch(Action::Failed(e)),
        }
    });
}
