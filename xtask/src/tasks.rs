//! The tasks behind `cargo xtask run | test | bundle` (the benchmarks are in [`crate::bench`]).

use crate::exec::{self, cargo, is_root, root, run as sh, step};
use crate::setup::{setup, Needs};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

pub(crate) const APP_PACKAGE: &str = "image-scorer";
pub(crate) const UI_PACKAGE: &str = "image-scorer-ui";
pub(crate) const E2E_PACKAGE: &str = "image-scorer-e2e";
pub(crate) const CLI_PACKAGE: &str = "image-scorer-cli";
pub(crate) const WASM: &str = "wasm32-unknown-unknown";

/// Options of `cargo xtask test`.
#[derive(Debug, Default)]
pub struct TestOptions {
    /// Skip building, installing and testing the .deb (quicker local runs).
    pub no_bundle: bool,
}

impl TestOptions {
    /// Parses the arguments after `test`.
    pub fn parse(args: &[String]) -> Self {
        Self {
            no_bundle: args.iter().any(|a| a == "--no-bundle"),
        }
    }
}

/// `cargo xtask run [FOLDER]`: build everything and start the app.
pub fn run(folder: Option<&str>) -> Result<(), String> {
    setup(Needs::RUN)?;
    build_ui()?;
    let app = build_app()?;
    let mut command = Command::new(&app);
    if let Some(folder) = folder {
        // Relative folders are relative to where the user typed the command.
        command.arg(std::path::absolute(folder).map_err(|e| e.to_string())?);
    }
    step("run the app", || sh(&mut command))
}

/// `cargo xtask test`: every check, in the order that fails fastest.
pub fn test(options: TestOptions) -> Result<(), String> {
    let start = Instant::now();
    setup(Needs {
        test: true,
        bundle: !options.no_bundle,
    })?;
    build_ui()?;
    step("cargo fmt --check", || {
        sh(cargo().args(["fmt", "--all", "--", "--check"]))
    })?;
    step(
        "house rules (file and function lengths)",
        crate::house::check,
    )?;
    // Clippy's lints, as errors, on every target of the workspace's crates: they compile
    // through clippy's driver from here on (the unit and integration tests' build, the UI
    // tests', the end-to-end tests' and their app's).
    lint_while_building()?;
    // The core tests read the exports back in Python as trainers do (numpy, pyarrow).
    let trainer_python = step("setup: the trainers' Python (numpy, pyarrow)", || {
        python_env("trainer-python", &["numpy", "pyarrow"], false)
    })?;
    step("unit and integration tests", || {
        sh(cargo()
            .args([
                "test",
                "--workspace",
                "--exclude",
                UI_PACKAGE,
                "--exclude",
                E2E_PACKAGE,
            ])
            .env("IMAGE_SCORER_ORT", crate::setup::ort_library())
            .env("IMAGE_SCORER_MODELS", models())
            .env("IMAGE_SCORER_FIXTURES", fixtures())
            .env("IMAGE_SCORER_PYTHON", &trainer_python))
    })?;
    step("model export scripts (Python)", test_export_scripts)?;
    // What a mobile build shares with the desktop, checked for Android; core and the shell
    // need the NDK's C compiler (SQLite), which only a machine with the NDK has (docs/mobile.md).
    step(
        "cargo check for Android (protocol, ui, ranking, personal)",
        || {
            sh(without_lints(&mut cargo()).args([
                "check",
                "--target",
                crate::setup::ANDROID_TARGET,
                "-p",
                "image-scorer-protocol",
                "-p",
                UI_PACKAGE,
                "-p",
                "image-scorer-ranking",
                "-p",
                "image-scorer-personal",
            ]))
        },
    )?;
    step("UI tests in headless Chromium", || {
        sh(cargo()
            .args(["test", "-p", UI_PACKAGE, "--target", WASM])
            .env("CHROMEDRIVER", "/usr/bin/chromedriver")
            .env("WASM_BINDGEN_TEST_TIMEOUT", "120"))
    })?;
    let app = build_app_for_tests()?;
    step("end-to-end tests in the webview", || e2e(&app, None))?;
    if !options.no_bundle {
        let deb = build_deb()?;
        step("end-to-end test of the installed .deb", || {
            test_installed(&deb)
        })?;
    }
    println!(
        "\nall checks passed in {:.0} s",
        start.elapsed().as_secs_f64()
    );
    Ok(())
}

/// From here on, the workspace's own crates compile through clippy's driver with its lints as
/// errors (what `cargo clippy --all-targets -- -D warnings` checks), so that the tests' build
/// is the lint: `cargo clippy` would check every dependency a second time, the longest step
/// of a fresh checkout after the build itself. Dependencies compile as they always do; the
/// builds that ship (the .deb) and the check for Android leave the driver out
/// ([`without_lints`]).
fn lint_while_building() -> Result<(), String> {
    let sysroot = exec::output(Command::new("rustc").args(["--print", "sysroot"]))
        .ok_or("rustc --print sysroot failed")?;
    let driver = PathBuf::from(sysroot.trim()).join("bin/clippy-driver");
    if !driver.exists() {
        return Err(format!(
            "{} is missing: `rustup component add clippy`",
            driver.display()
        ));
    }
    std::env::set_var("RUSTC_WORKSPACE_WRAPPER", driver);
    // How cargo-clippy hands its arguments to the driver.
    std::env::set_var(
        "CLIPPY_ARGS",
        "-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__",
    );
    Ok(())
}

/// `command` without clippy's driver ([`lint_while_building`]).
fn without_lints(command: &mut Command) -> &mut Command {
    command
        .env_remove("RUSTC_WORKSPACE_WRAPPER")
        .env_remove("CLIPPY_ARGS")
}

/// Runs models/export/test_export.py in a virtual environment of its own (numpy, onnx,
/// safetensors, onnxruntime from PyPI).
fn test_export_scripts() -> Result<(), String> {
    let python = python_env("export-python", &["numpy", "onnx", "safetensors"], true)?;
    sh(Command::new(&python)
        .arg(root().join("models/export/test_export.py"))
        .arg(models()))
}

/// The Python of the virtual environment `.cache/<name>`, made once with `packages` (and, with
/// `onnxruntime`, the onnxruntime release whose library the app uses), from PyPI.
pub(crate) fn python_env(
    name: &str,
    packages: &[&str],
    onnxruntime: bool,
) -> Result<PathBuf, String> {
    let venv = root().join(".cache").join(name);
    let python = venv.join("bin/python");
    let ready = venv.join(".installed");
    if !ready.is_file() {
        sh(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
        let mut install = Command::new(&python);
        install
            .args(["-m", "pip", "install", "--quiet"])
            .args(packages);
        if onnxruntime {
            install.arg(format!("onnxruntime=={}", crate::setup::ORT_VERSION));
        }
        sh(&mut install)?;
        std::fs::write(&ready, b"").map_err(|e| e.to_string())?;
    }
    Ok(python)
}

/// `cargo xtask bundle`: build the release .deb and return its path.
pub fn bundle() -> Result<PathBuf, String> {
    setup(Needs {
        test: false,
        bundle: true,
    })?;
    build_ui()?;
    build_deb()
}

/// Builds the release .deb from the UI already in `ui/dist`.
fn build_deb() -> Result<PathBuf, String> {
    step("bundle the .deb", || {
        // The .deb ships the command line beside the app (tauri.conf.json's deb files).
        sh(without_lints(&mut cargo()).args(["build", "--release", "-p", CLI_PACKAGE]))?;
        sh(
            without_lints(&mut Command::new(crate::setup::tauri_cli_bin()))
                .current_dir(root().join("src-tauri"))
                .args(["build", "--ci", "--bundles", "deb"]),
        )?;
        newest_file(&root().join("target/release/bundle/deb"), "deb")
    })
}

/// Builds the UI into `ui/dist`, which the app embeds.
pub(crate) fn build_ui() -> Result<(), String> {
    crate::ui::build()
}

/// Builds the app (debug), puts ONNX Runtime beside it (where the app looks first, as in the
/// .deb) and returns the binary's path.
pub(crate) fn build_app() -> Result<PathBuf, String> {
    build_app_in("debug")
}

/// [`build_app`] with the end-to-end tests' hooks (the `e2e` feature: the file dialogs
/// answered by `IMAGE_SCORER_DIALOG_FILE`), which no other build has.
pub(crate) fn build_app_for_tests() -> Result<PathBuf, String> {
    build_app_with("debug", &["e2e"])
}

/// Builds the app in `profile` (`debug` or `release`) with ONNX Runtime beside it.
pub(crate) fn build_app_in(profile: &str) -> Result<PathBuf, String> {
    build_app_with(profile, &[])
}

/// [`build_app_in`] with these features of the app's crate.
fn build_app_with(profile: &str, features: &[&str]) -> Result<PathBuf, String> {
    step(&format!("build the app ({profile})"), || {
        let mut build = cargo();
        build.args(["build", "-p", APP_PACKAGE]);
        if profile == "release" {
            build.arg("--release");
        }
        if !features.is_empty() {
            build.args(["--features", &features.join(",")]);
        }
        sh(&mut build)?;
        let dir = root().join("target").join(profile);
        let library = crate::setup::ort_library();
        let beside = dir.join(library.file_name().ok_or("no library name")?);
        if !beside.exists() {
            std::fs::copy(&library, &beside)
                .map_err(|e| format!("cannot copy ONNX Runtime beside the app: {e}"))?;
        }
        Ok(dir.join(APP_PACKAGE))
    })
}

/// Runs the end-to-end tests against the binary `app` under a virtual display. `filter`
/// selects tests by name.
fn e2e(app: &Path, filter: Option<&str>) -> Result<(), String> {
    sh(&mut e2e_command(app, filter)?)
}

/// The command of [`e2e`].
fn e2e_command(app: &Path, filter: Option<&str>) -> Result<Command, String> {
    // Build first, so compiling does not happen inside the virtual display's time; the
    // command line too (the Ratings test compares its export with the app's).
    sh(cargo().args(["test", "-p", E2E_PACKAGE, "--no-run"]))?;
    sh(cargo().args(["build", "-p", CLI_PACKAGE]))?;
    let cli = root().join("target/debug").join(CLI_PACKAGE);
    let mut command = Command::new("xvfb-run");
    command
        .current_dir(root())
        .args(["-a", "-s", "-screen 0 1280x800x24"])
        .arg(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args(["test", "-p", E2E_PACKAGE, "--"])
        .args(filter)
        .args(["--test-threads=1"])
        .env("IMAGE_SCORER_APP", app)
        .env("IMAGE_SCORER_CLI", cli)
        .env("IMAGE_SCORER_MODELS", models())
        .env("TAURI_DRIVER", exec::cargo_bin().join("tauri-driver"));
    Ok(command)
}

/// Installs `deb` with apt (which pulls its dependencies), runs the installed binary through the
/// end-to-end smoke test, and removes the package again.
fn test_installed(deb: &Path) -> Result<(), String> {
    if !is_root() {
        return Err(format!(
            "installing the .deb needs root; run as root, or pass --no-bundle and install {} by hand",
            deb.display()
        ));
    }
    sh(Command::new("apt-get")
        .args(["install", "-y", "-q", "--reinstall"])
        .arg(deb)
        .env("DEBIAN_FRONTEND", "noninteractive"))?;
    let installed = PathBuf::from("/usr/bin").join(APP_PACKAGE);
    let result = e2e_command(&installed, Some("installed_"))
        .and_then(|mut command| sh(command.env("IMAGE_SCORER_INSTALLED", "1")))
        .and_then(|()| {
            // The command line is installed beside it and finds the bundled ONNX Runtime.
            sh(Command::new(PathBuf::from("/usr/bin").join(CLI_PACKAGE)).arg("--version"))
        });
    let removed = sh(Command::new("apt-get")
        .args(["remove", "-y", "-q", APP_PACKAGE])
        .env("DEBIAN_FRONTEND", "noninteractive"));
    result.and(removed)
}

/// The most recently modified `*.ext` in `dir`.
fn newest_file(dir: &Path, ext: &str) -> Result<PathBuf, String> {
    std::fs::read_dir(dir)
        .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == ext))
        .max_by_key(|p| p.metadata().and_then(|m| m.modified()).ok())
        .ok_or_else(|| format!("no .{ext} in {}", dir.display()))
}

/// The shared models: `IMAGE_SCORER_MODELS`, else `../shared/models`.
pub(crate) fn models() -> PathBuf {
    std::env::var_os("IMAGE_SCORER_MODELS")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("../shared/models"))
}

/// The shared photo fixtures: `IMAGE_SCORER_FIXTURES`, else `../shared/fixtures/images`.
pub(crate) fn fixtures() -> PathBuf {
    std::env::var_os("IMAGE_SCORER_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("../shared/fixtures/images"))
}
