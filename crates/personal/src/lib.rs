//! A rater's own model of their scores, learned while they rate: ridge regression on a model
//! pack's embeddings (on top of the pack's head where it has one), its penalty chosen by
//! generalised cross-validation, its quality by k-fold cross-validation as ratings grow, and the
//! images that would teach it most. Pure computation: the app feeds it embeddings and scores.
//!
//! **Invariant:** a model after any sequence of ratings, re-ratings and removals equals the
//! model fitted from scratch on the ratings that remain (to rounding).

mod cv;
mod error;
mod gcv;
mod linalg;
mod ridge;
mod teach;

pub use cv::{checkpoints, cross_validate, learning_curve, Quality, FOLDS, MIN_RATINGS};
pub use error::{PersonalError, Result};
pub use gcv::{choose as choose_penalty, curve as gcv_curve};
pub use ridge::{Rated, Ridge};
pub use teach::{teach_order, variances, Pick};
