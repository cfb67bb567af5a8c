//! Building the UI into `ui/dist`, which the app embeds and the network door serves: the Yew
//! crate compiled to wasm32 (release), its JavaScript glue made by wasm-bindgen (the pinned CLI),
//! the style sheet, and `index.html` with the module that starts it. This is the part of
//! trunk's work the project uses, done here so no trunk has to be compiled (about 12 minutes on
//! a fresh two-core machine); `ui/index.html` stays trunk-compatible for `trunk serve`.

use crate::exec::{cargo, root, run as sh, step};
use std::path::Path;
use std::process::Command;

const UI_BIN: &str = "image-scorer-ui";
const WASM: &str = "wasm32-unknown-unknown";

/// The module that loads the app (inline in index.html; the served page's CSP names it by hash).
const LOADER: &str = "<script type=\"module\">\n\
import init from '/image-scorer-ui.js';\n\
await init({ module_or_path: '/image-scorer-ui_bg.wasm' });\n\
</script>";

/// Builds `ui/dist` afresh.
pub fn build() -> Result<(), String> {
    step("build the UI (wasm32, wasm-bindgen)", || {
        sh(cargo().args([
            "build",
            "--release",
            "-p",
            UI_BIN,
            "--bin",
            UI_BIN,
            "--target",
            WASM,
        ]))?;
        let ui = root().join("ui");
        let dist = ui.join("dist");
        // Built into a fresh folder beside dist and swapped in, so a failed build leaves the
        // last good one.
        let fresh = ui.join(".dist-building");
        let _ = std::fs::remove_dir_all(&fresh);
        std::fs::create_dir_all(&fresh).map_err(|e| e.to_string())?;
        let wasm = root()
            .join("target")
            .join(WASM)
            .join("release")
            .join(format!("{UI_BIN}.wasm"));
        sh(Command::new("wasm-bindgen")
            .args([
                "--target",
                "web",
                "--no-typescript",
                "--out-name",
                UI_BIN,
                "--out-dir",
            ])
            .arg(&fresh)
            .arg(&wasm))?;
        std::fs::copy(ui.join("styles.css"), fresh.join("styles.css"))
            .map_err(|e| e.to_string())?;
        let template = std::fs::read_to_string(ui.join("index.html")).map_err(|e| e.to_string())?;
        std::fs::write(fresh.join("index.html"), page(&template)?).map_err(|e| e.to_string())?;
        replace(&fresh, &dist)
    })
}

/// `ui/index.html` with trunk's two directives replaced by the style sheet and the loader.
fn page(template: &str) -> Result<String, String> {
    let mut out = String::new();
    let (mut css, mut rust) = (false, false);
    for line in template.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("<link data-trunk rel=\"css\"") {
            out.push_str("    <link rel=\"stylesheet\" href=\"/styles.css\" />\n");
            css = true;
        } else if trimmed.starts_with("<link data-trunk rel=\"rust\"") {
            out.push_str(LOADER);
            out.push('\n');
            rust = true;
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    if css && rust {
        Ok(out)
    } else {
        Err(
            "ui/index.html lost its data-trunk css or rust line: the UI build cannot place the app"
                .into(),
        )
    }
}

fn replace(fresh: &Path, dist: &Path) -> Result<(), String> {
    let old = dist.with_extension("old");
    let _ = std::fs::remove_dir_all(&old);
    if dist.exists() {
        std::fs::rename(dist, &old).map_err(|e| e.to_string())?;
    }
    std::fs::rename(fresh, dist).map_err(|e| e.to_string())?;
    let _ = std::fs::remove_dir_all(&old);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_gets_the_style_sheet_and_the_loader_in_place_of_trunks_lines() {
        let template = std::fs::read_to_string(root().join("ui/index.html")).unwrap();
        let page = page(&template).unwrap();
        assert!(page.contains("<link rel=\"stylesheet\" href=\"/styles.css\" />"));
        assert!(page.contains("import init from '/image-scorer-ui.js';"));
        assert!(!page.contains("data-trunk"));
        assert!(page.contains("viewport-fit=cover"), "the rest is kept");
        assert!(super::page("<html></html>").is_err());
    }
}
