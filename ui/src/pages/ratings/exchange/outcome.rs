//! What the last export or import said, as the view shows it.

use image_scorer_protocol::text::{count, count_is};
use image_scorer_protocol::{ExportSummary, ImportReport, OwnModelExported, Skipped};
use yew::prelude::*;

/// What the last export or import said.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// An export was written.
    Exported(ExportSummary),
    /// A file was imported.
    Imported(ImportReport),
    /// The rater's own model was written.
    ModelExported(OwnModelExported),
    /// Something is being done.
    Working(&'static str),
}

fn skipped(list: &[Skipped], verb: &str) -> Html {
    html! {
        <ul class="skipped">
            { for list.iter().map(|s| html! { <li>{ format!("{verb} {}: {}", s.count, s.reason) }</li> }) }
        </ul>
    }
}

/// The outcome in words: the files written, what came in, what was left out and why.
pub fn view(outcome: Option<&Outcome>) -> Html {
    match outcome {
        None => html! {},
        Some(Outcome::Working(what)) => html! { <p class="note">{ *what }</p> },
        Some(Outcome::Exported(s)) => html! {
            <>
                <p id="export-summary">{ format!("{} written to {}", count(s.rows, "row", "rows"), s.files.join(", ")) }</p>
                { skipped(&s.skipped, "left out") }
            </>
        },
        Some(Outcome::ModelExported(m)) => html! {
            <p id="own-model-summary">{ format!("Your model from {} written to {} (input “{}”, output “{}”{}).",
                count(m.ratings, "score", "scores"), m.files.join(", "), m.input, m.output,
                if m.over_head { ", the pack's head plus your difference from it" } else { "" }) }</p>
        },
        Some(Outcome::Imported(r)) => html! {
            <>
                <p id="import-summary">{ format!("{}: {} and {} added{}{}", r.source, count(r.scores, "score", "scores"), count(r.comparisons, "comparison", "comparisons"),
                    if r.raters.is_empty() { String::new() } else { format!(" by {}", r.raters.join(", ")) },
                    if r.already > 0 { format!("; {} already here", r.already) } else { String::new() }) }</p>
                if r.absent_images > 0 {
                    <p class="note">{ format!("{} not in the library yet: their judgements attach when a file with their content appears.", count_is(r.absent_images, "image", "images")) }</p>
                }
                { skipped(&r.skipped, "skipped") }
            </>
        },
    }
}
