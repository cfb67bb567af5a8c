//! `cargo xtask bench <name>`: the benchmarks, each in the build users run (release), each
//! ending with its goal lines.

use crate::exec::{self, cargo, root, run as sh, step};
use crate::setup::{setup, Needs};
use crate::tasks::{
    build_app, build_app_in, build_ui, fixtures, models, python_env, CLI_PACKAGE, E2E_PACKAGE,
};
use std::process::Command;

/// `cargo xtask bench <name>`: run a benchmark in release mode and print its figures.
pub fn bench(args: &[String]) -> Result<(), String> {
    match args.first().map(String::as_str) {
        Some("library") => step("bench library", || {
            sh(cargo()
                .args([
                    "run",
                    "--release",
                    "-p",
                    "image-scorer-core",
                    "--example",
                    "bench_library",
                    "--",
                ])
                .arg(fixtures())
                .args(&args[1..]))
        }),
        Some("ranking") => step("bench ranking", || {
            sh(cargo()
                .args([
                    "run",
                    "--release",
                    "-p",
                    "image-scorer-ranking",
                    "--example",
                    "bench_ranking",
                    "--",
                ])
                .args(&args[1..]))
        }),
        Some("personal") => step("bench personal", || {
            sh(cargo()
                .args([
                    "run",
                    "--release",
                    "-p",
                    "image-scorer-personal",
                    "--example",
                    "bench_personal",
                    "--",
                ])
                .args(&args[1..]))
        }),
        Some("score") => {
            setup(Needs {
                test: true,
                bundle: false,
            })?;
            build_ui()?;
            // What users run; `--debug-too` also measures the debug build, to compare.
            let release = build_app_in("release")?;
            let debug = if args.iter().any(|a| a == "--debug-too") {
                Some(build_app()?)
            } else {
                None
            };
            step("bench score", || {
                sh(cargo().args(["build", "-p", E2E_PACKAGE, "--bin", "bench_score"]))?;
                let mut bench = Command::new("xvfb-run");
                bench
                    .current_dir(root())
                    .args(["-a", "-s", "-screen 0 1280x800x24"])
                    .arg(root().join("target/debug/bench_score"))
                    .args(&args[1..])
                    .env("IMAGE_SCORER_APP", release)
                    .env("IMAGE_SCORER_FIXTURES", fixtures())
                    .env("TAURI_DRIVER", exec::cargo_bin().join("tauri-driver"));
                if let Some(debug) = debug {
                    bench.env("IMAGE_SCORER_APP_DEBUG", debug);
                }
                sh(&mut bench)
            })
        }
        Some("gallery") => step("bench gallery", || bench_gallery(&args[1..])),
        Some("team") => step("bench team", || bench_team(&args[1..])),
        Some("queue") => step("bench queue", || {
            // PostgreSQL comes from Debian's package, as in the tests.
            setup(Needs {
                test: true,
                bundle: false,
            })?;
            sh(core_example("bench_queue")
                .arg(root().join("target/bench-queue"))
                .args(&args[1..]))
        }),
        Some("inference") => step("bench inference", bench_inference),
        Some("similarity") => step("bench similarity", bench_similarity),
        Some("million") => step("bench million", || bench_million(&args[1..])),
        other => Err(format!(
            "unknown benchmark {other:?}; available: library, score, inference, ranking, \
             similarity, gallery, personal, team, queue, million"
        )),
    }
}

/// The gallery benchmark: the core's part (a synthetic library of 100,000 images, kept in
/// `target/bench-gallery` for later runs; pages and sort changes through the app's commands),
/// then the webview's (the release app opened on it). The goal lines of both end the output.
fn bench_gallery(args: &[String]) -> Result<(), String> {
    let dir = root().join("target/bench-gallery");
    // The core's figures as they come; its goal lines held for the end.
    let mut goals = Vec::new();
    run_holding_goals(
        core_example("bench_gallery").arg(&dir).args(args),
        &mut goals,
    )?;
    sh(&mut webview_gallery(&dir, "")?)?;
    for line in goals {
        println!("{line}");
    }
    Ok(())
}

/// The million-image benchmark: find-similar on 1M embeddings (`bench_million`, [ROWS] from
/// `args`), then the app core on a library of 1,000,000 files made once in
/// `target/bench-million` (`bench_gallery` at that size: indexing against sha1sum, the gallery,
/// the Score page's queue, exports, peak memory), then the release app in the webview on it
/// (the Score page's first image, the gallery's first screen, scrolled to its end). The goal
/// lines of all three end the output.
fn bench_million(args: &[String]) -> Result<(), String> {
    let mut goals = Vec::new();
    let mut similar = core_example("bench_million");
    similar.args(args);
    run_holding_goals(&mut similar, &mut goals)?;
    let dir = root().join("target/bench-million");
    let mut library = core_example("bench_gallery");
    library.arg(&dir).arg("1000000");
    run_holding_goals(&mut library, &mut goals)?;
    // The release app in the webview on the same library.
    run_holding_goals(&mut webview_gallery(&dir, "million_")?, &mut goals)?;
    for line in goals {
        println!("{line}");
    }
    Ok(())
}

/// The gallery benchmark's webview part (`bench_gallery` of the e2e crate) on the library in
/// `dir`, its goals named with `prefix`: the setup it needs, the UI, the release app and the
/// harness built, the command that runs it under Xvfb returned.
fn webview_gallery(dir: &std::path::Path, prefix: &str) -> Result<Command, String> {
    setup(Needs {
        test: true,
        bundle: false,
    })?;
    build_ui()?;
    let release = build_app_in("release")?;
    sh(cargo().args(["build", "-p", E2E_PACKAGE, "--bin", "bench_gallery"]))?;
    let mut command = Command::new("xvfb-run");
    command
        .current_dir(root())
        .args(["-a", "-s", "-screen 0 1280x800x24"])
        .arg(root().join("target/debug/bench_gallery"))
        .arg(dir)
        .env("IMAGE_SCORER_APP", release)
        .env("TAURI_DRIVER", exec::cargo_bin().join("tauri-driver"));
    if !prefix.is_empty() {
        command.arg(prefix);
    }
    Ok(command)
}

/// Runs `command`, printing its output as it comes but for its goal lines, which are added to
/// `goals` for the end.
fn run_holding_goals(command: &mut Command, goals: &mut Vec<String>) -> Result<(), String> {
    let mut child = command
        .stdout(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    if let Some(out) = child.stdout.take() {
        for line in std::io::BufRead::lines(std::io::BufReader::new(out)) {
            let line = line.map_err(|e| e.to_string())?;
            if line.starts_with("goal: ") {
                goals.push(line);
            } else {
                println!("{line}");
            }
        }
    }
    if child.wait().map_err(|e| e.to_string())?.success() {
        Ok(())
    } else {
        Err(format!("{command:?} failed"))
    }
}

/// The team server's benchmark: the release command line's `serve` on PostgreSQL (one and two
/// processes) and on SQLite, loaded by 40 simulated devices from a release harness.
fn bench_team(args: &[String]) -> Result<(), String> {
    setup(Needs {
        test: true,
        bundle: false,
    })?;
    // One build for both binaries: their dependencies' features are unified once, so neither
    // rebuilds the other's.
    sh(cargo().args([
        "build",
        "--release",
        "-p",
        CLI_PACKAGE,
        "-p",
        E2E_PACKAGE,
        "--bin",
        CLI_PACKAGE,
        "--bin",
        "bench_team",
    ]))?;
    sh(Command::new(root().join("target/release/bench_team"))
        .current_dir(root())
        .args(args)
        .env(
            "IMAGE_SCORER_CLI",
            root().join("target/release").join(CLI_PACKAGE),
        )
        .env("IMAGE_SCORER_FIXTURES", fixtures()))
}

/// The similarity benchmark: numpy's top-k in a virtual environment of its own, with two BLAS
/// threads, then the Rust index on the same shape with two threads, which ends with the goal
/// lines.
fn bench_similarity() -> Result<(), String> {
    setup(Needs::RUN)?;
    let numpy = python_figure(
        "bench_similarity.py",
        &[],
        &[("OMP_NUM_THREADS", "2"), ("OPENBLAS_NUM_THREADS", "2")],
        "NUMPY_TOPK_P50_MS=",
    )?;
    sh(core_example("bench_similarity").arg(numpy))
}

/// Runs `crates/core/examples/<script>` with `args` and `env` in the benchmarks' Python
/// environment (Pillow, numpy), prints its output and returns the figure on its line that
/// starts with `marker`.
fn python_figure(
    script: &str,
    args: &[&std::ffi::OsStr],
    env: &[(&str, &str)],
    marker: &str,
) -> Result<String, String> {
    let python = python_env("bench-python", &["pillow", "numpy"], true)?;
    let mut command = Command::new(&python);
    command
        .arg(root().join("crates/core/examples").join(script))
        .args(args)
        .envs(env.iter().copied());
    let out = exec::output(&mut command).ok_or(format!("{script} failed"))?;
    print!("{out}");
    out.lines()
        .find_map(|l| l.strip_prefix(marker))
        .map(|v| v.trim().to_owned())
        .ok_or(format!("{script} printed no {marker}"))
}

/// `cargo run --release` of the core example `name`, its arguments to be added.
fn core_example(name: &str) -> Command {
    let mut command = cargo();
    command.args([
        "run",
        "--release",
        "-q",
        "-p",
        "image-scorer-core",
        "--example",
        name,
        "--",
    ]);
    command
}

/// The inference benchmark: the Python equivalent in a virtual environment of its own (Pillow,
/// numpy, onnxruntime from PyPI), then the Rust pipeline and its parts, which ends with the
/// goal lines (its own ratios and the ratio to Python's figure).
fn bench_inference() -> Result<(), String> {
    setup(Needs::RUN)?;
    let models = models();
    let count = "96";
    let theirs = python_figure(
        "bench_inference.py",
        &[models.as_os_str(), fixtures().as_os_str(), count.as_ref()],
        // Compare like with like: no BLAS threads beyond the two ONNX Runtime threads.
        &[("OMP_NUM_THREADS", "1")],
        "PYTHON_PIPELINE_IMAGES_PER_S=",
    )?;
    sh(core_example("bench_inference")
        .arg(crate::setup::ort_library())
        .arg(&models)
        .arg(fixtures())
        .arg(count)
        .arg(theirs))
}
