//! `queue-rule`: the team queue's rule, shown and set; and the team's progress under it, as
//! `stats` prints it.

use clap::Args;
use image_scorer_core::App;
use image_scorer_protocol::commands::{GetQueueRule, SetQueueRule};
use image_scorer_protocol::TeamProgress;

/// The options of `queue-rule`; each left out keeps what the rule has now.
#[derive(Debug, Args)]
pub struct QueueRuleArgs {
    /// Different raters wanted for every image (1: a lone rater's queue, as before).
    #[arg(long, value_name = "N")]
    overlap: Option<u32>,
    /// Ask for more raters while an image's scores have a standard deviation above this.
    #[arg(long, value_name = "POINTS", conflicts_with = "no_spread")]
    spread: Option<f64>,
    /// Turn the disagreement rule off.
    #[arg(long)]
    no_spread: bool,
    /// How many raters a disagreed-on image is wanted from, at most.
    #[arg(long, value_name = "N")]
    max_raters: Option<u32>,
    /// How long an image handed out stays reserved for its rater.
    #[arg(long, value_name = "SECONDS")]
    lease_seconds: Option<u32>,
}

/// Shows the rule, after setting what `args` change.
pub async fn queue_rule(app: &App, args: QueueRuleArgs) -> Result<(), String> {
    let mut rule = app.call(GetQueueRule {}).await.map_err(|e| e.message)?;
    let before = rule;
    if let Some(overlap) = args.overlap {
        rule.overlap = overlap;
        rule.max_raters = rule.max_raters.max(overlap);
    }
    if let Some(spread) = args.spread {
        rule.spread = Some(spread);
    }
    if args.no_spread {
        rule.spread = None;
    }
    if let Some(max) = args.max_raters {
        rule.max_raters = max;
    }
    if let Some(lease) = args.lease_seconds {
        rule.lease_seconds = lease;
    }
    if rule != before {
        rule = app
            .call(SetQueueRule { rule })
            .await
            .map_err(|e| e.message)?;
    }
    println!("{}", rule.describe());
    Ok(())
}

/// The team's lines of `stats`.
pub fn print_progress(team: &TeamProgress) {
    println!("team queue: {}", team.rule.describe());
    println!("  {}", team.summary());
}
