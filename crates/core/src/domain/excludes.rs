//! Exclusion patterns of a folder.

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

/// The patterns a new folder starts with: the old tool skipped names containing "mask".
pub const DEFAULT_EXCLUDES: &str = "*mask*";

/// Compiled exclusion globs. A pattern without `/` is matched against each file and folder name;
/// one with `/` against the path below the root. Matching ignores case.
#[derive(Debug, Clone)]
pub struct Excludes {
    names: GlobSet,
    paths: GlobSet,
}

impl Excludes {
    /// Compiles `patterns`, one per line; blank lines and lines starting with `#` are ignored.
    /// A malformed pattern is an error naming it.
    pub fn parse(patterns: &str) -> Result<Self, String> {
        let mut names = GlobSetBuilder::new();
        let mut paths = GlobSetBuilder::new();
        for line in patterns.lines().map(str::trim) {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let glob = GlobBuilder::new(line)
                .case_insensitive(true)
                .literal_separator(true)
                .build()
                .map_err(|e| format!("The exclusion pattern “{line}” is not valid: {e}"))?;
            if line.contains('/') {
                paths.add(glob);
            } else {
                names.add(glob);
            }
        }
        Ok(Self {
            names: names.build().map_err(|e| e.to_string())?,
            paths: paths.build().map_err(|e| e.to_string())?,
        })
    }

    /// No exclusions at all.
    pub fn none() -> Self {
        Self::parse("").expect("empty patterns compile")
    }

    /// Whether the entry `name` at `rel_path` (below the root, '/'-separated) is excluded.
    pub fn excludes(&self, name: &str, rel_path: &str) -> bool {
        self.names.is_match(name) || self.paths.is_match(rel_path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_skips_masks_in_any_case() {
        let e = Excludes::parse(DEFAULT_EXCLUDES).unwrap();
        assert!(e.excludes("cat_mask.png", "a/cat_mask.png"));
        assert!(e.excludes("MASKS", "MASKS"));
        assert!(!e.excludes("cat.png", "masks-not-here/cat.png"));
    }

    #[test]
    fn path_patterns_match_below_the_root() {
        let e = Excludes::parse("# comment\n\nraw/*.png\n*.tmp.png").unwrap();
        assert!(e.excludes("a.png", "raw/a.png"));
        assert!(!e.excludes("a.png", "raw/deeper/a.png"));
        assert!(e.excludes("x.tmp.png", "deep/x.tmp.png"));
    }

    #[test]
    fn a_bad_pattern_is_named() {
        let err = Excludes::parse("ok*\n[unclosed").unwrap_err();
        assert!(err.contains("[unclosed"), "{err}");
    }
}
