//! The house rules `cargo xtask test` checks first: no source file over 500 lines, and no
//! function over 150 lines outside tests (function components included, which clippy's
//! `too_many_lines` does not see through their macro). A long file or function is split into
//! parts named for what they do.

use crate::exec::root;
use std::path::Path;
use std::process::Command;

/// The most lines a source file may have.
pub const MAX_FILE_LINES: usize = 500;
/// The most lines a function may have outside tests.
pub const MAX_FN_LINES: usize = 150;

/// The files the rules apply to: sources tracked by git.
const SOURCES: &[&str] = &["rs", "css", "html", "py", "sh", "ts", "js"];

/// Checks both rules over the tree; the error lists every place that breaks one.
pub fn check() -> Result<(), String> {
    let listed = Command::new("git")
        .current_dir(root())
        .args(["ls-files", "-z"])
        .output()
        .map_err(|e| format!("cannot list the sources with git: {e}"))?;
    let mut broken = Vec::new();
    for name in listed.stdout.split(|b| *b == 0).filter(|n| !n.is_empty()) {
        let name = String::from_utf8_lossy(name).into_owned();
        let ext = name.rsplit_once('.').map_or("", |(_, e)| e);
        if !SOURCES.contains(&ext) {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(root().join(&name)) else {
            continue; // deleted in the working tree, or not text
        };
        let lines = text.lines().count();
        if lines > MAX_FILE_LINES {
            broken.push(format!("{name}: {lines} lines (at most {MAX_FILE_LINES})"));
        }
        if ext == "rs" && !is_test_path(&name) {
            for (line, fn_name, length) in long_functions(&text) {
                broken.push(format!(
                    "{name}:{line}: fn {fn_name} is {length} lines (at most {MAX_FN_LINES})"
                ));
            }
        }
    }
    if broken.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "the house rules are broken:\n  {}",
            broken.join("\n  ")
        ))
    }
}

/// Whether a file is a test, a benchmark or an example (or the end-to-end test crate).
fn is_test_path(name: &str) -> bool {
    let path = Path::new(name);
    name.starts_with("tests/")
        || path.components().any(|c| {
            matches!(
                c.as_os_str().to_str(),
                Some("tests" | "examples" | "benches")
            )
        })
}

/// The functions of `text` (before its `#[cfg(test)]` module) longer than [`MAX_FN_LINES`]:
/// (line, name, lines).
fn long_functions(text: &str) -> Vec<(usize, String, usize)> {
    let code = match text.find("#[cfg(test)]\nmod tests") {
        Some(at) => &text[..at],
        None => text,
    };
    let lines: Vec<&str> = code.lines().collect();
    let mut long = Vec::new();
    for (start, line) in lines.iter().enumerate() {
        let Some(name) = fn_name(line) else { continue };
        if let Some(end) = body_end(&lines, start) {
            let length = end - start + 1;
            if length > MAX_FN_LINES {
                long.push((start + 1, name, length));
            }
        }
    }
    long
}

/// The name of the function a line starts, if it does (`pub async fn name(`, …).
fn fn_name(line: &str) -> Option<String> {
    let mut words = line.split_whitespace().peekable();
    while let Some(word) = words.next() {
        match word {
            w if w.starts_with("pub") => {}
            "async" | "const" | "unsafe" | "extern" => {}
            "fn" => {
                let name: String = words
                    .next()?
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                return (!name.is_empty()).then_some(name);
            }
            _ => return None,
        }
    }
    None
}

/// The line where the body of the function starting at `start` closes; `None` for a
/// declaration without a body. Braces in strings, characters and comments are skipped.
fn body_end(lines: &[&str], start: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut opened = false;
    for (k, line) in lines.iter().enumerate().skip(start) {
        let mut chars = line.chars().peekable();
        let mut in_string = false;
        while let Some(c) = chars.next() {
            match c {
                '\\' if in_string => {
                    chars.next();
                }
                '"' => in_string = !in_string,
                _ if in_string => {}
                '/' if chars.peek() == Some(&'/') => break,
                '\'' => {
                    // A character literal ('{', '\'') or a lifetime ('a): skip a literal.
                    let rest: String = chars.clone().take(3).collect();
                    if rest.starts_with('\\') {
                        chars.nth(2);
                    } else if rest.chars().nth(1) == Some('\'') {
                        chars.nth(1);
                    }
                }
                ';' if !opened && depth == 0 => return None,
                '{' => {
                    depth += 1;
                    opened = true;
                }
                '}' => {
                    depth = depth.saturating_sub(1);
                    if opened && depth == 0 {
                        return Some(k);
                    }
                }
                _ => {}
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn functions_are_measured_from_their_line_to_their_closing_brace() {
        let text = "/// A doc.\npub async fn short(a: &str) -> char {\n    let b = '{';\n    \"}\".len();\n    'x'\n}\n\nfn declared();\n";
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(fn_name(lines[1]).as_deref(), Some("short"));
        assert_eq!(body_end(&lines, 1), Some(5));
        assert_eq!(body_end(&lines, 7), None);
        assert_eq!(fn_name("    let f = |x| x;"), None);

        let body: String = (0..MAX_FN_LINES).map(|_| "    x += 1;\n").collect();
        let long = format!("fn long() {{\n{body}}}\n#[cfg(test)]\nmod tests {{\n    fn tested() {{\n{body}}}\n}}\n");
        assert_eq!(
            long_functions(&long),
            vec![(1, "long".to_owned(), MAX_FN_LINES + 2)]
        );
    }

    #[test]
    fn tests_examples_and_benches_are_left_out() {
        assert!(is_test_path("crates/core/tests/app.rs"));
        assert!(is_test_path("tests/src/lib.rs"));
        assert!(is_test_path("crates/core/examples/bench_gallery.rs"));
        assert!(!is_test_path("crates/core/src/app/mod.rs"));
    }
}
