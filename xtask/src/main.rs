//! `cargo xtask`: every step of setting up, building, testing and bundling Image Scorer, in Rust,
//! so the README's two commands work the same on a fresh Debian machine and in CI.
//!
//! ```text
//! cargo xtask setup            install what is missing (idempotent, quick when present)
//! cargo xtask run [FOLDER]     build the UI and the app, start it (on FOLDER)
//! cargo xtask test [--no-bundle]
//!                              fmt, clippy, every crate's tests, UI tests in headless Chromium,
//!                              end-to-end tests in the real webview, and the installed .deb
//! cargo xtask bundle           build the .deb
//! cargo xtask house            no file over 500 lines, no function over 150 outside tests
//! cargo xtask bench library    indexing and watcher benchmarks
//! cargo xtask bench ranking    the ranking's update and choice at the size of a large library
//! cargo xtask bench personal   a rater's own model: one more rating's refit at 20k ratings
//! ```

mod bench;
mod exec;
mod house;
mod setup;
mod tasks;
mod ui;

use std::process::ExitCode;

fn main() -> ExitCode {
    ci_builds_once();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (command, rest) = match args.split_first() {
        Some((c, r)) => (c.as_str(), r),
        None => ("help", &[][..]),
    };
    let result = match command {
        "setup" => setup::setup(setup::Needs::all()),
        "run" => tasks::run(rest.first().map(String::as_str)),
        "test" => tasks::test(tasks::TestOptions::parse(rest)),
        "bundle" => tasks::bundle().map(|deb| println!("{}", deb.display())),
        "ui" => setup::setup(setup::Needs::RUN).and_then(|()| ui::build()),
        "bench" => bench::bench(rest),
        "house" => house::check(),
        "help" | "--help" | "-h" => {
            println!("{}", USAGE);
            Ok(())
        }
        other => Err(format!("unknown command “{other}”\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("\nxtask: {e}");
            ExitCode::FAILURE
        }
    }
}

/// CI builds a clean checkout once: incremental compilation's caches would only take disk
/// (several GiB for this workspace) and time. Set before any child starts; a value the caller
/// set is kept.
fn ci_builds_once() {
    let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    if ci && std::env::var_os("CARGO_INCREMENTAL").is_none() {
        std::env::set_var("CARGO_INCREMENTAL", "0");
    }
}

const USAGE: &str = "usage: cargo xtask <command>
  setup              install what is missing (apt packages, wasm target, pinned cargo tools)
  run [FOLDER]       build the UI and the app, then start it (on FOLDER if given)
  test [--no-bundle] fmt, clippy, all tests (unit, UI in Chromium, end-to-end in the webview),
                     then build, install and test the .deb (skip with --no-bundle)
  bundle             build the .deb (installs tauri-cli if missing)
  ui                 build the UI into ui/dist (what image-scorer-cli serve --ui serves)
  house              the house rules alone: no file over 500 lines, no function over 150
  bench library      indexing throughput against sha1sum, watcher pickup latency
  bench score        keypress-to-next-image latency on the Score page, in the webview
  bench inference    the embedding pipeline against its parts and against Python
  bench ranking      the ranking's update and next-set choice at 20k images, 100k judgements
  bench personal     a rater's own model: one more rating's refit at 20k ratings of 768-d
  bench gallery      the gallery at 100,000 images: pages, sort changes, the webview's screen
  bench similarity   find-similar and near-duplicate pairs at 100,000 embeddings
  bench team         a team server's judgements with 40 devices: PostgreSQL (1 and 2 serve
                     processes) against SQLite (1): round trip p50/p95, judgements per second";
