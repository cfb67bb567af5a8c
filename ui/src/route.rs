//! The pages of the app and their URLs.

use yew::{html, Html};
use yew_router::Routable;

use crate::pages;

/// One experiment page, in navigation order. Score is the start page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Routable)]
pub enum Route {
    /// Score one image 1-10.
    #[at("/")]
    Score,
    /// Adjust the model's prediction and commit it.
    #[at("/rate")]
    Rate,
    /// Pick the best of 2 or 4.
    #[at("/preference")]
    Preference,
    /// How similar two images are; near-duplicates.
    #[at("/similarity")]
    Similarity,
    /// Every image with its score, prediction and rank.
    #[at("/ratings")]
    Ratings,
}

impl Route {
    /// Every page, in the order of the navigation bar (and of the keys Alt+1..Alt+5).
    pub const ALL: [Route; 5] = [
        Route::Score,
        Route::Rate,
        Route::Preference,
        Route::Similarity,
        Route::Ratings,
    ];

    /// The page's name in the navigation bar.
    pub fn title(self) -> &'static str {
        match self {
            Route::Score => "Score",
            Route::Rate => "Rate",
            Route::Preference => "Preference",
            Route::Similarity => "Similarity",
            Route::Ratings => "Ratings",
        }
    }

    /// A stable name for element ids and tests (`nav-score`, `page-score`, …).
    pub fn slug(self) -> &'static str {
        match self {
            Route::Score => "score",
            Route::Rate => "rate",
            Route::Preference => "preference",
            Route::Similarity => "similarity",
            Route::Ratings => "ratings",
        }
    }

    /// The page's position in the navigation bar, from 1 (its key is Alt+position).
    pub fn position(self) -> usize {
        Route::ALL.iter().position(|r| *r == self).unwrap_or(0) + 1
    }
}

/// Renders the page for `route` (used by the router's `Switch`).
pub fn switch(route: Route) -> Html {
    match route {
        Route::Score => html! { <pages::Score /> },
        Route::Rate => html! { <pages::Rate /> },
        Route::Preference => html! { <pages::Preference /> },
        Route::Similarity => html! { <pages::Similarity /> },
        Route::Ratings => html! { <pages::Ratings /> },
    }
}
