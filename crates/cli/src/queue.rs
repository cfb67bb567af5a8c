//! `queue-rule`: the team queue's rule, shown and set; and the team's progress under it, as
//! `stats` prints it.

use clap::Args;
use image_scorer_core::App;
use image_scorer_protocol::commands::{GetQueueRule, SetQueueRule};
use image_scorer_protocol::{QueueRule, TeamProgress};

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
    println!("{}", describe(&rule));
    Ok(())
}

/// The rule in a sentence.
fn describe(rule: &QueueRule) -> String {
    let raters = |n: u32| {
        if n == 1 {
            "1 rater".to_owned()
        } else {
            format!("{n} different raters")
        }
    };
    let mut text = format!("every image is wanted from {}", raters(rule.overlap));
    if let Some(spread) = rule.spread {
        text.push_str(&format!(
            ", and from up to {} while its scores spread more than {spread} points (standard deviation)",
            raters(rule.max_raters)
        ));
    }
    text.push_str(&format!(
        "; an image handed out is reserved for {} s",
        rule.lease_seconds
    ));
    text
}

/// The team's lines of `stats`.
pub fn print_progress(team: &TeamProgress) {
    println!("team queue: {}", describe(&team.rule));
    let images = team.done + team.under + team.disputed + team.unsettled;
    let mut line = format!(
        "  {} of {images} images have their raters, {} have fewer than {}",
        team.done, team.under, team.rule.overlap
    );
    if team.rule.spread.is_some() {
        line.push_str(&format!(
            "; disagreed on: {} want more raters, {} have {} and still disagree (needs review)",
            team.disputed, team.unsettled, team.rule.max_raters
        ));
    }
    println!("{line}");
    println!(
        "  {} ratings still wanted; {} images reserved for a rater now",
        team.wanted, team.leased
    );
}
