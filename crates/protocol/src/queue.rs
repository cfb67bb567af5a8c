//! Team queues: how many different raters each image should have (the overlap), when their
//! disagreement asks for more, and how far a team has come. The rule itself is here, pure, so
//! that the app, its tests and the pages read it one way.

use serde::{Deserialize, Serialize};

/// The library's rule for handing images out to raters: every image is wanted from `overlap`
/// different raters, and from up to `max_raters` while its scores spread (their standard
/// deviation) more than `spread` points. An image handed out is reserved for its rater for
/// `lease_seconds`, renewed each time their page claims the images ahead (as they move on).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct QueueRule {
    /// Different raters wanted for every image (1 keeps a lone rater's queue as it was).
    pub overlap: u32,
    /// The disagreement rule: an image whose scores' standard deviation exceeds this is wanted
    /// from more raters; `None` turns the rule off.
    pub spread: Option<f64>,
    /// How many raters a disagreed-on image is wanted from, at most.
    pub max_raters: u32,
    /// How long an image handed out stays reserved for its rater.
    pub lease_seconds: u32,
}

impl Default for QueueRule {
    fn default() -> Self {
        QueueRule {
            overlap: 1,
            spread: None,
            max_raters: 1,
            lease_seconds: 300,
        }
    }
}

/// Where an image stands under a [`QueueRule`], from its current scores.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Fewer than `overlap` raters so far.
    Under,
    /// Its scores spread more than the rule allows and it has fewer than `max_raters`.
    Disputed,
    /// Its scores spread more than the rule allows, but `max_raters` have scored it: a
    /// person should look at it.
    Unsettled,
    /// Enough raters.
    Done,
}

impl QueueRule {
    /// The largest overlap, `max_raters` and lease the app accepts.
    pub const MAX_RATERS: u32 = 100;
    /// The shortest lease: long enough to look at an image.
    pub const MIN_LEASE_SECONDS: u32 = 5;
    /// The longest lease.
    pub const MAX_LEASE_SECONDS: u32 = 24 * 3600;

    /// Why the rule cannot be used, if it cannot.
    pub fn problem(&self) -> Option<String> {
        let raters = 1..=Self::MAX_RATERS;
        if !raters.contains(&self.overlap) {
            return Some(format!(
                "The overlap must be 1 to {} raters.",
                Self::MAX_RATERS
            ));
        }
        if let Some(spread) = self.spread {
            if !(spread.is_finite() && spread > 0.0 && spread < 10.0) {
                return Some("The disagreement spread must be above 0 and below 10 points.".into());
            }
            if !raters.contains(&self.max_raters) || self.max_raters < self.overlap {
                return Some(format!(
                    "The most raters for a disagreed-on image must be from the overlap ({}) to {}.",
                    self.overlap,
                    Self::MAX_RATERS
                ));
            }
        }
        if !(Self::MIN_LEASE_SECONDS..=Self::MAX_LEASE_SECONDS).contains(&self.lease_seconds) {
            return Some(format!(
                "An image's reservation must last {} seconds to {} hours.",
                Self::MIN_LEASE_SECONDS,
                Self::MAX_LEASE_SECONDS / 3600
            ));
        }
        None
    }

    /// Whether `scores` spread more than the rule allows (never with fewer than two).
    pub fn disputed(&self, scores: &[f64]) -> bool {
        match (self.spread, spread(scores)) {
            (Some(limit), Some(sd)) => sd > limit,
            _ => false,
        }
    }

    /// How many different raters an image with these current scores is wanted from.
    pub fn wanted(&self, scores: &[f64]) -> u32 {
        if self.disputed(scores) {
            self.max_raters.max(self.overlap)
        } else {
            self.overlap
        }
    }

    /// Where an image with these current scores stands.
    pub fn standing(&self, scores: &[f64]) -> Standing {
        let n = scores.len() as u32;
        if n < self.overlap {
            Standing::Under
        } else if !self.disputed(scores) {
            Standing::Done
        } else if n < self.wanted(scores) {
            Standing::Disputed
        } else {
            Standing::Unsettled
        }
    }
}

impl QueueRule {
    /// The rule in a sentence, for the command line and the pages.
    pub fn describe(&self) -> String {
        let raters = |n: u32| match n {
            1 => "1 rater".to_owned(),
            n => format!("{n} different raters"),
        };
        let mut text = format!("every image is wanted from {}", raters(self.overlap));
        if let Some(spread) = self.spread {
            text.push_str(&format!(
                ", and from up to {} while its scores spread more than {spread} points (standard deviation)",
                raters(self.max_raters)
            ));
        }
        text.push_str(&format!(
            "; an image handed out is reserved for {} s",
            self.lease_seconds
        ));
        text
    }
}

impl TeamProgress {
    /// The figures in a sentence, for `stats` and the Ratings page.
    pub fn summary(&self) -> String {
        let images = self.done + self.under + self.disputed + self.unsettled;
        let mut text = format!(
            "{} of {images} images have the raters they want, {} have fewer than {}",
            self.done, self.under, self.rule.overlap
        );
        if self.rule.spread.is_some() {
            text.push_str(&format!(
                "; disagreed on: {} want more raters, {} have {} and still disagree (needs review)",
                self.disputed, self.unsettled, self.rule.max_raters
            ));
        }
        text.push_str(&format!(
            "; {} ratings still wanted, {} images reserved now",
            self.wanted, self.leased
        ));
        text
    }
}

/// The scores' sample standard deviation; `None` below two scores.
pub fn spread(scores: &[f64]) -> Option<f64> {
    let n = scores.len();
    if n < 2 {
        return None;
    }
    let mean = scores.iter().sum::<f64>() / n as f64;
    let ss: f64 = scores.iter().map(|s| (s - mean).powi(2)).sum();
    Some((ss / (n - 1) as f64).sqrt())
}

/// What a [`ClaimImages`](crate::commands::ClaimImages) got.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claimed {
    /// The images now reserved for the rater, in the order asked.
    pub held: Vec<String>,
    /// Images the rater need not score: others have them in hand or done, or the rater
    /// scored them already. The page moves them behind the images still wanted.
    pub covered: Vec<String>,
}

/// How far a team has come under its [`QueueRule`]: the Ratings page's and `stats`'s
/// figures. Counts are of the images that can be scored.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TeamProgress {
    /// The rule they are counted under.
    pub rule: QueueRule,
    /// Images with enough raters.
    pub done: u32,
    /// Images with fewer than `overlap` raters.
    pub under: u32,
    /// Images whose raters disagree, wanted from more.
    pub disputed: u32,
    /// Images whose raters disagree although `max_raters` scored them: "needs review".
    pub unsettled: u32,
    /// Ratings still wanted to bring every image to its rule (at the counts of now).
    pub wanted: u32,
    /// Images reserved for a rater at the moment.
    pub leased: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(overlap: u32, spread: Option<f64>, max_raters: u32) -> QueueRule {
        QueueRule {
            overlap,
            spread,
            max_raters,
            ..QueueRule::default()
        }
    }

    #[test]
    fn an_image_stands_by_its_count_and_its_spread() {
        let r = rule(2, Some(1.5), 4);
        assert_eq!(r.standing(&[]), Standing::Under);
        assert_eq!(r.standing(&[3.0]), Standing::Under);
        // 7 and 8: sd 0.71, agreed.
        assert_eq!(r.standing(&[7.0, 8.0]), Standing::Done);
        // 3 and 8: sd 3.5, two more wanted.
        assert_eq!(r.standing(&[3.0, 8.0]), Standing::Disputed);
        assert_eq!(r.wanted(&[3.0, 8.0]), 4);
        // A third near the first pulls the spread under the rule: done with three.
        assert_eq!(r.standing(&[7.0, 8.0, 7.0]), Standing::Done);
        assert_eq!(r.standing(&[3.0, 8.0, 2.0, 9.0]), Standing::Unsettled);
        // Without the rule, only the count matters.
        assert_eq!(rule(2, None, 2).standing(&[1.0, 10.0]), Standing::Done);
    }

    #[test]
    fn a_rule_out_of_bounds_says_why() {
        assert!(QueueRule::default().problem().is_none());
        assert!(rule(0, None, 0).problem().unwrap().contains("overlap"));
        assert!(rule(3, Some(1.0), 2)
            .problem()
            .unwrap()
            .contains("most raters"));
        assert!(rule(1, Some(-1.0), 2).problem().unwrap().contains("spread"));
        let short = QueueRule {
            lease_seconds: 1,
            ..QueueRule::default()
        };
        assert!(short.problem().unwrap().contains("reservation"));
        assert_eq!(spread(&[5.0]), None);
        assert!((spread(&[3.0, 8.0]).unwrap() - 3.5355).abs() < 1e-3);
    }
}
