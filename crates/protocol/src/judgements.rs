//! Judgements: one append-only log that every experiment writes. A judgement is a person's
//! verdict on one or more images (a score, a comparison, how alike two images are, a duplicate
//! mark), with what the app showed them at the time; undoing one flags it, nothing is ever
//! overwritten.

use serde::{Deserialize, Serialize};

/// What kind of judgement, i.e. which experiment made it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JudgementKind {
    /// A 1-10 score typed on the Score page.
    Score,
    /// A 1-10 value set on the Rate page, starting from the model's prediction.
    Rate,
    /// A pick among two or four images (or a tie, or "none of these").
    Comparison,
    /// How alike two images look, 1-5.
    Similarity,
    /// One image kept, the others marked as its duplicates.
    Duplicate,
    /// A 1-10 score imported from another tool.
    Imported,
}

impl JudgementKind {
    /// Every kind.
    pub const ALL: [JudgementKind; 6] = [
        JudgementKind::Score,
        JudgementKind::Rate,
        JudgementKind::Comparison,
        JudgementKind::Similarity,
        JudgementKind::Duplicate,
        JudgementKind::Imported,
    ];

    /// The name stored in the database and sent over the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            JudgementKind::Score => "score",
            JudgementKind::Rate => "rate",
            JudgementKind::Comparison => "comparison",
            JudgementKind::Similarity => "similarity",
            JudgementKind::Duplicate => "duplicate",
            JudgementKind::Imported => "imported",
        }
    }

    /// The kind called `name` ([`JudgementKind::as_str`]).
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// Whether this kind gives its image a 1-10 score (which counts as the image's current
    /// score by that rater while it is the newest).
    pub fn is_score(self) -> bool {
        matches!(
            self,
            JudgementKind::Score | JudgementKind::Rate | JudgementKind::Imported
        )
    }

    /// How people call one judgement of this kind ("score", "comparison").
    pub fn noun(self) -> &'static str {
        match self {
            JudgementKind::Score | JudgementKind::Imported => "score",
            JudgementKind::Rate => "rating",
            JudgementKind::Comparison => "comparison",
            JudgementKind::Similarity => "similarity judgement",
            JudgementKind::Duplicate => "duplicate mark",
        }
    }
}

/// The part an image plays in a judgement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImageRole {
    /// The one image a score is about.
    Subject,
    /// Shown in a comparison or a similarity pair, not picked.
    Shown,
    /// Picked as the best of a comparison.
    Winner,
    /// Kept: the original of a group of duplicates.
    Kept,
    /// Marked as a duplicate of the kept image.
    Duplicate,
}

impl ImageRole {
    /// Every role.
    pub const ALL: [ImageRole; 5] = [
        ImageRole::Subject,
        ImageRole::Shown,
        ImageRole::Winner,
        ImageRole::Kept,
        ImageRole::Duplicate,
    ];

    /// The name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            ImageRole::Subject => "subject",
            ImageRole::Shown => "shown",
            ImageRole::Winner => "winner",
            ImageRole::Kept => "kept",
            ImageRole::Duplicate => "duplicate",
        }
    }

    /// The role called `name`.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == name)
    }
}

/// How a comparison ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ComparisonOutcome {
    /// One image was picked (its role is [`ImageRole::Winner`]).
    Pick,
    /// "Equally good".
    Tie,
    /// "None of these is good": a win for nobody.
    None,
}

impl ComparisonOutcome {
    /// The name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            ComparisonOutcome::Pick => "pick",
            ComparisonOutcome::Tie => "tie",
            ComparisonOutcome::None => "none",
        }
    }

    /// The outcome called `name`.
    pub fn parse(name: &str) -> Option<Self> {
        [Self::Pick, Self::Tie, Self::None]
            .into_iter()
            .find(|o| o.as_str() == name)
    }
}

/// An image in a judgement: which, where it was on screen, and its part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JudgedImage {
    /// Its SHA-1.
    pub sha1: String,
    /// Its screen position, 0 first (left, or top-left, then reading order).
    pub position: u32,
    /// Its part.
    pub role: ImageRole,
}

/// One judgement from the log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Judgement {
    /// Its place in the log (later judgements have larger ids).
    pub id: u32,
    /// Which experiment made it.
    pub kind: JudgementKind,
    /// Who made it.
    pub rater: String,
    /// When, as an RFC 3339 UTC time with milliseconds.
    pub created: String,
    /// The images, in screen order.
    pub images: Vec<JudgedImage>,
    /// The score (1-10) or the likeness (1-5), for kinds that have a value.
    pub value: Option<f64>,
    /// How a comparison ended.
    pub outcome: Option<ComparisonOutcome>,
    /// The prediction that was on screen, if any.
    pub shown_prediction: Option<f64>,
    /// The cosine similarity that was on screen, if any.
    pub shown_cosine: Option<f64>,
    /// Whether it was undone (it then counts for nothing).
    pub undone: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for kind in JudgementKind::ALL {
            assert_eq!(JudgementKind::parse(kind.as_str()), Some(kind));
            assert_eq!(
                serde_json::to_value(kind).unwrap(),
                serde_json::json!(kind.as_str())
            );
        }
        for role in ImageRole::ALL {
            assert_eq!(ImageRole::parse(role.as_str()), Some(role));
        }
        assert_eq!(
            ComparisonOutcome::parse("tie"),
            Some(ComparisonOutcome::Tie)
        );
        assert_eq!(JudgementKind::parse("scores"), None);
        assert!(JudgementKind::Rate.is_score() && !JudgementKind::Comparison.is_score());
    }
}

/// Judgements were recorded or undone, through this app or (on a team server) another of its
/// processes: the pages that show counts and means read them again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JudgementsChanged {
    /// Whose judgements (`None`: many raters' at once, an import or a gap).
    pub rater: Option<String>,
    /// The images they were about (empty: any image).
    pub images: Vec<String>,
}
