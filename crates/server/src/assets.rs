//! The UI's built files, served by their exact names: the desktop door hands over the files
//! embedded in the app; the CLI a folder (`ui/dist`).

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The UI's files by name (`index.html`, `styles.css`, …, no leading slash).
pub trait Assets: Send + Sync + 'static {
    /// The bytes and the content type of the file `name`, if the UI has one by that name.
    fn get(&self, name: &str) -> Option<(Cow<'static, [u8]>, String)>;
}

/// The files directly in a folder, listed once when it is opened: a name is looked up in that
/// list, so no path a request spells reaches the file system.
pub struct DirAssets {
    files: HashMap<String, PathBuf>,
}

impl DirAssets {
    /// The files of `dir` (`ui/dist` after `cargo xtask ui`).
    pub fn open(dir: &Path) -> std::io::Result<Self> {
        let mut files = HashMap::new();
        for entry in std::fs::read_dir(dir)? {
            let entry = entry?;
            if entry.file_type()?.is_file() {
                if let Some(name) = entry.file_name().to_str() {
                    files.insert(name.to_owned(), entry.path());
                }
            }
        }
        if !files.contains_key("index.html") {
            return Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!(
                    "{} has no index.html: build the UI first (cargo xtask ui)",
                    dir.display()
                ),
            ));
        }
        Ok(Self { files })
    }
}

impl Assets for DirAssets {
    fn get(&self, name: &str) -> Option<(Cow<'static, [u8]>, String)> {
        let path = self.files.get(name)?;
        let bytes = std::fs::read(path).ok()?;
        Some((Cow::Owned(bytes), content_type(name).to_owned()))
    }
}

/// Whether `name` (a request's path segment, already percent-decoded) can only name a file
/// directly in the UI's folder, whatever resolves it: not empty, no `/` or `\\`, no `..`, no
/// leading `.`, no `%` (what a second encoding leaves), no `:` and no control character. The
/// door refuses any other name before an [`Assets`] sees it, in every build: a development
/// build's resolver reads the name from disk.
pub fn plain_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 255
        && !name.starts_with('.')
        && !name.contains("..")
        && !name
            .chars()
            .any(|c| matches!(c, '/' | '\\' | '%' | ':') || c.is_control())
}

/// The content type of a UI file, by its extension.
pub fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next().unwrap_or_default() {
        "html" => "text/html; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "json" => "application/json",
        _ => "application/octet-stream",
    }
}

/// The Content-Security-Policy of the served page `html`: its own origin only, no inline
/// script but the page's own loader (named by its SHA-256, so an injected script would not
/// run), WebAssembly compiled from its own files, no plugins, no framing by another page, no
/// form sent anywhere. Inline style attributes stay allowed (the gallery places its tiles with
/// them).
pub fn content_security_policy(html: &str) -> String {
    use base64::Engine;
    use sha2::Digest;
    let hashes: Vec<String> = inline_scripts(html)
        .iter()
        .map(|script| {
            let digest = sha2::Sha256::digest(script.as_bytes());
            format!(
                "'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(digest)
            )
        })
        .collect();
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{}{}; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'none'; frame-ancestors 'none'",
        if hashes.is_empty() { "" } else { " " },
        hashes.join(" ")
    )
}

/// The text of every `<script>` element of `html` without a `src` (what a hash in a CSP names:
/// the characters between the tags, exactly).
pub fn inline_scripts(html: &str) -> Vec<&str> {
    let mut scripts = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        let after = &rest[start..];
        let Some(open_end) = after.find('>') else {
            break;
        };
        let tag = &after[..open_end];
        let body = &after[open_end + 1..];
        let Some(close) = body.find("</script") else {
            break;
        };
        if !tag.contains(" src=") && !tag.contains(" src =") {
            scripts.push(&body[..close]);
        }
        rest = &body[close..];
    }
    scripts
}

#[cfg(test)]
mod csp_tests {
    use super::*;

    #[test]
    fn only_plain_names_reach_the_assets() {
        for name in [
            "index.html",
            "ui_bg.wasm",
            "image-scorer-1a2b.js",
            "icon.png",
        ] {
            assert!(plain_name(name), "{name}");
        }
        for name in [
            "",
            "../etc/passwd",
            "..",
            "a/../../b",
            "..\\windows",
            "sub/index.html",
            ".env",
            ".git",
            "%2e%2e%2fsecret",
            "c:secret",
            "index.html\0",
            "x\ny",
        ] {
            assert!(!plain_name(name), "{name:?}");
        }
    }

    #[test]
    fn the_inline_loader_is_named_by_its_hash_and_nothing_else_inline_runs() {
        let html = "<html><head><script type=\"module\">\nimport init from '/ui.js';\n</script>\
                    <script src=\"/x.js\"></script><script>alert(1)</script></head></html>";
        assert_eq!(
            inline_scripts(html),
            ["\nimport init from '/ui.js';\n", "alert(1)"]
        );
        let csp = content_security_policy(html);
        // The hashes as `openssl dgst -sha256 -binary | base64` gives them.
        assert_eq!(
            csp,
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval' \
             'sha256-i3Yng8fH+ogG3sSogflvmy9ANe3xVKDXHZ1ngrETUcM=' \
             'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='; \
             style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; \
             object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
        );
        assert!(content_security_policy("<html></html>")
            .contains("script-src 'self' 'wasm-unsafe-eval';"));
    }
}
