//! Wording that both doors print: the CLI on a terminal and the UI on its pages.

use std::fmt::Display;

/// A count with its noun in the right number: "1 image", "0 images", "3 folders".
pub fn count(n: impl Display, one: &str, many: &str) -> String {
    let n = n.to_string();
    let noun = if n == "1" { one } else { many };
    format!("{n} {noun}")
}

/// A count as the subject of "is": "1 image is", "3 images are".
pub fn count_is(n: impl Display, one: &str, many: &str) -> String {
    let n = n.to_string();
    let verb = if n == "1" { "is" } else { "are" };
    format!("{} {verb}", count(&n, one, many))
}

#[cfg(test)]
mod tests {
    use super::{count, count_is};

    #[test]
    fn one_is_singular_and_every_other_count_plural() {
        assert_eq!(count(1u32, "image", "images"), "1 image");
        assert_eq!(count(0usize, "image", "images"), "0 images");
        assert_eq!(count(11i64, "image", "images"), "11 images");
        assert_eq!(count(21u64, "folder", "folders"), "21 folders");
        assert_eq!(
            count(1, "similarity judgement", "similarity judgements"),
            "1 similarity judgement"
        );
        assert_eq!(count_is(1, "image", "images"), "1 image is");
        assert_eq!(count_is(2, "image", "images"), "2 images are");
    }
}
