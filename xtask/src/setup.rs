//! Installing what the project needs, idempotently: each item is checked first and installed only
//! when missing or at the wrong version.

use crate::exec::{self, cargo_bin, is_root, output, run, step};
use std::process::Command;

/// What a task needs installed.
#[derive(Debug, Clone, Copy)]
pub struct Needs {
    /// Tools to run the tests (Xvfb, WebKitWebDriver, Chromium, tauri-driver).
    pub test: bool,
    /// The Tauri CLI (from npm), to build the .deb.
    pub bundle: bool,
}

impl Needs {
    /// Only what building and running the app needs.
    pub const RUN: Needs = Needs {
        test: false,
        bundle: false,
    };

    /// Everything.
    pub fn all() -> Needs {
        Needs {
            test: true,
            bundle: true,
        }
    }
}

/// Debian packages to build and run the app (Tauri v2 on WebKitGTK 4.1).
const BUILD_PACKAGES: &[&str] = &[
    "build-essential",
    "pkg-config",
    "libwebkit2gtk-4.1-dev",
    "librsvg2-dev",
];
/// Debian packages for the tests: a virtual display, the WebKit and Chromium WebDrivers.
const TEST_PACKAGES: &[&str] = &[
    "xvfb",
    "xauth",
    "webkit2gtk-driver",
    "chromium",
    "chromium-driver",
    // Virtual environments for the model export scripts' tests.
    "python3-venv",
    // Reference encoders: the tests write AVIF and JPEG XL files with them and check that the
    // app decodes them to the pixels they were made from.
    "libavif-bin",
    "libjxl-tools",
    // The hostile corpus: an animated WebP (img2webp) and a CMYK JPEG (Pillow).
    "webp",
    "python3-pil",
    // The team server's store on PostgreSQL: the tests run a real server of their own
    // (crates/pgtest: initdb in a temporary folder, a Unix socket, stopped afterwards).
    "postgresql",
];

/// What a build from a clean checkout writes under `target/`: `cargo xtask test` with CI=true
/// left 11.2 GiB (the app and its tests in debug, the UI for wasm32, the .deb in release);
/// `cargo xtask run` builds a part of that (the UI and the app in debug).
const COLD_TEST_GIB: f64 = 12.0;
const COLD_RUN_GIB: f64 = 5.0;

/// Says how much disk is free where the build goes, and warns, before a build stops halfway on
/// "No space left on device", when a build from scratch would not fit.
fn disk_space(needs: Needs) {
    let target = exec::root().join("target");
    let at = if target.exists() {
        target
    } else {
        exec::root()
    };
    let Some(free) = output(Command::new("df").args(["-Pk"]).arg(&at)).and_then(|out| {
        let line = out.lines().nth(1)?;
        let kib: f64 = line.split_whitespace().nth(3)?.parse().ok()?;
        Some(kib / (1024.0 * 1024.0))
    }) else {
        println!("cannot tell the free space of {} (df)", at.display());
        return;
    };
    let need = if needs.test {
        COLD_TEST_GIB
    } else {
        COLD_RUN_GIB
    };
    println!("{free:.1} GiB free under {}", at.display());
    if free < need {
        println!(
            "warning: a build from a clean checkout writes about {need:.0} GiB under target/; \
             with {free:.1} GiB free it may stop with \"No space left on device\" \
             (an earlier build's target/ needs less)"
        );
    }
}

/// A cargo-installed tool at a pinned version.
struct Tool {
    krate: &'static str,
    version: String,
    /// `--locked` where the tool's own lockfile builds here (see RECIPES.md).
    locked: bool,
    /// How long compiling it takes on a fresh two-core machine, for the progress line.
    takes: &'static str,
}

/// Installs whatever `needs` asks for that is missing.
pub fn setup(needs: Needs) -> Result<(), String> {
    step("setup: disk space", || {
        disk_space(needs);
        Ok(())
    })?;
    step("setup: Debian packages", || {
        let mut wanted: Vec<&str> = BUILD_PACKAGES.to_vec();
        if needs.test {
            wanted.extend(TEST_PACKAGES);
        }
        apt_install(&wanted)
    })?;
    step("setup: wasm32 target", || rust_target(WASM_TARGET))?;
    if needs.test {
        // The tests check that the crates a mobile build shares keep compiling for Android.
        step("setup: Android target (checks only)", || {
            rust_target(ANDROID_TARGET)
        })?;
    }
    step("setup: cargo tools", || {
        let mut tools = vec![Tool {
            krate: "wasm-bindgen-cli",
            version: locked_version("wasm-bindgen")?,
            locked: false,
            takes: "about 5 minutes",
        }];
        if needs.test {
            tools.push(Tool {
                krate: "tauri-driver",
                version: "2.1.0".into(),
                locked: true,
                takes: "about 3 minutes",
            });
        }
        cargo_install(&tools)
    })?;
    if needs.bundle {
        step("setup: Tauri CLI (npm)", tauri_cli)?;
    }
    step("setup: ONNX Runtime library", onnxruntime)?;
    // Children (wasm-bindgen, cargo tauri, tests) find the tools even where ~/.cargo/bin is not on PATH.
    prepend_path(&cargo_bin());
    Ok(())
}

fn apt_install(wanted: &[&str]) -> Result<(), String> {
    let missing: Vec<&str> = wanted
        .iter()
        .copied()
        .filter(|p| {
            output(Command::new("dpkg-query").args(["-W", "-f=${Status}", p]))
                .is_none_or(|s| !s.contains("install ok installed"))
        })
        .collect();
    if missing.is_empty() {
        println!("all {} present", wanted.len());
        return Ok(());
    }
    let list = missing.join(" ");
    if !is_root() {
        return Err(format!(
            "missing Debian packages; install them, then run this again:\n    \
             sudo apt-get update && sudo apt-get install -y {list}"
        ));
    }
    run(Command::new("apt-get")
        .args(["update", "-q"])
        .env("DEBIAN_FRONTEND", "noninteractive"))?;
    run(Command::new("apt-get")
        .args(["install", "-y", "-q", "--no-install-recommends"])
        .args(&missing)
        .env("DEBIAN_FRONTEND", "noninteractive"))
}

/// The UI's target.
const WASM_TARGET: &str = "wasm32-unknown-unknown";
/// The Android tablets' target: only `cargo check`ed here (a build needs the NDK).
pub const ANDROID_TARGET: &str = "aarch64-linux-android";

/// Adds the Rust standard library for `target` unless it is there.
fn rust_target(target: &str) -> Result<(), String> {
    let installed = output(Command::new("rustup").args(["target", "list", "--installed"]))
        .ok_or_else(|| format!("rustup is needed to add the {target} target"))?;
    if installed.lines().any(|l| l.trim() == target) {
        println!("{target} present");
        return Ok(());
    }
    run(Command::new("rustup").args(["target", "add", target]))
}

fn cargo_install(tools: &[Tool]) -> Result<(), String> {
    let list = output(exec::cargo().args(["install", "--list"])).unwrap_or_default();
    for tool in tools {
        let have = installed_version(&list, tool.krate);
        if have.as_deref().is_some_and(|v| matches(v, &tool.version)) {
            println!("{} {} present", tool.krate, have.unwrap_or_default());
            continue;
        }
        let spec = format!("{}@{}", tool.krate, tool.version);
        println!(
            "compiling {spec} from source ({} on two cores; once, then it stays installed)",
            tool.takes
        );
        let mut cmd = exec::cargo();
        cmd.arg("install");
        if tool.locked {
            cmd.arg("--locked");
        }
        run(cmd.arg(&spec))?;
    }
    Ok(())
}

/// The version `cargo install --list` shows for `krate` ("trunk v0.21.14:").
fn installed_version(list: &str, krate: &str) -> Option<String> {
    list.lines().find_map(|l| {
        let rest = l.strip_prefix(krate)?.strip_prefix(" v")?;
        Some(
            rest.trim_end_matches(':')
                .split_whitespace()
                .next()?
                .to_owned(),
        )
    })
}

/// Whether `have` satisfies `want`: an exact version, or `^MAJOR` for any release of that major.
fn matches(have: &str, want: &str) -> bool {
    match want.strip_prefix('^') {
        Some(major) => have.split('.').next() == Some(major) && !have.contains('-'),
        None => have == want,
    }
}

/// The version of `krate` that Cargo.lock pins.
fn locked_version(krate: &str) -> Result<String, String> {
    let lock = std::fs::read_to_string(exec::root().join("Cargo.lock"))
        .map_err(|e| format!("cannot read Cargo.lock: {e}"))?;
    let needle = format!("name = \"{krate}\"\nversion = \"");
    let start = lock
        .find(&needle)
        .ok_or_else(|| format!("{krate} is not in Cargo.lock"))?
        + needle.len();
    Ok(lock[start..]
        .split('"')
        .next()
        .unwrap_or_default()
        .to_owned())
}

fn prepend_path(dir: &std::path::Path) {
    let current = std::env::var_os("PATH").unwrap_or_default();
    let mut paths: Vec<_> = std::env::split_paths(&current).collect();
    if !paths.iter().any(|p| p == dir) {
        paths.insert(0, dir.to_owned());
        if let Ok(joined) = std::env::join_paths(paths) {
            // SAFETY: xtask is single-threaded here; no other thread reads the environment.
            unsafe { std::env::set_var("PATH", joined) };
        }
    }
}

/// The Tauri CLI release, prebuilt from npm (compiling tauri-cli takes about 15 minutes here).
pub const TAURI_CLI_VERSION: &str = "2.12.5";

/// The Tauri CLI that setup installs (`.cache/tauri-cli`, ignored by git).
pub fn tauri_cli_bin() -> std::path::PathBuf {
    exec::root().join(".cache/tauri-cli/node_modules/.bin/tauri")
}

/// Installs `@tauri-apps/cli` at [`TAURI_CLI_VERSION`] from npm unless it is there already.
fn tauri_cli() -> Result<(), String> {
    let bin = tauri_cli_bin();
    let have = output(Command::new(&bin).arg("--version"));
    if have
        .as_deref()
        .is_some_and(|v| v.split_whitespace().last() == Some(TAURI_CLI_VERSION))
    {
        println!("tauri-cli {TAURI_CLI_VERSION} present");
        return Ok(());
    }
    if output(Command::new("npm").arg("--version")).is_none() {
        apt_install(&["nodejs", "npm"])?;
    }
    let prefix = exec::root().join(".cache/tauri-cli");
    std::fs::create_dir_all(&prefix).map_err(|e| e.to_string())?;
    run(Command::new("npm")
        .args([
            "install",
            "--no-audit",
            "--no-fund",
            "--loglevel=error",
            "--prefix",
        ])
        .arg(&prefix)
        .arg(format!("@tauri-apps/cli@{TAURI_CLI_VERSION}")))
}

/// The ONNX Runtime release the app loads at run time (`ort` with `load-dynamic`, API 30).
pub const ORT_VERSION: &str = "1.31.1";

/// Where setup keeps the ONNX Runtime shared library (ignored by git).
pub fn ort_library() -> std::path::PathBuf {
    exec::root()
        .join(".cache/onnxruntime")
        .join(format!("libonnxruntime.so.{ORT_VERSION}"))
}

/// Fetches the ONNX Runtime shared library from the onnxruntime wheel on PyPI (it holds the
/// plain C-API library) unless it is already there.
fn onnxruntime() -> Result<(), String> {
    let lib = ort_library();
    if lib.is_file() {
        println!("{} present", lib.display());
        return Ok(());
    }
    if output(Command::new("python3").args(["-m", "pip", "--version"])).is_none() {
        apt_install(&["python3-pip"])?;
    }
    let dir = lib.parent().expect("a cache folder").to_owned();
    let wheels = dir.join("wheel");
    std::fs::create_dir_all(&wheels).map_err(|e| e.to_string())?;
    let platform = format!("manylinux_2_28_{}", std::env::consts::ARCH);
    run(Command::new("python3")
        .args([
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            "--only-binary=:all:",
        ])
        .args(["--platform", &platform, "--python-version", "3.11"])
        .arg(format!("onnxruntime=={ORT_VERSION}"))
        .arg("-d")
        .arg(&wheels))?;
    let wheel = std::fs::read_dir(&wheels)
        .map_err(|e| e.to_string())?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|x| x == "whl"))
        .ok_or("pip downloaded no onnxruntime wheel")?;
    let member = format!("onnxruntime/capi/libonnxruntime.so.{ORT_VERSION}");
    // A wheel is a zip file; Python's zipfile reads it without another tool.
    run(Command::new("python3")
        .args([
            "-c",
            "import sys, zipfile; open(sys.argv[3], 'wb').write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]))",
        ])
        .arg(&wheel)
        .arg(&member)
        .arg(&lib))?;
    let _ = std::fs::remove_dir_all(&wheels);
    println!("{} fetched", lib.display());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_versions_from_cargo_install_list() {
        let list = "tauri-driver v2.1.0:\n    tauri-driver\ntrunk v0.21.14:\n    trunk\n\
                    tauri-cli v2.9.1:\n    cargo-tauri\n";
        assert_eq!(installed_version(list, "trunk").as_deref(), Some("0.21.14"));
        assert_eq!(
            installed_version(list, "tauri-cli").as_deref(),
            Some("2.9.1")
        );
        assert_eq!(installed_version(list, "tauri").as_deref(), None);
        assert_eq!(installed_version(list, "wasm-bindgen-cli"), None);
    }

    #[test]
    fn version_requirements() {
        assert!(matches("0.21.14", "0.21.14"));
        assert!(!matches("0.22.0", "0.21.14"));
        assert!(matches("2.9.1", "^2"));
        assert!(!matches("3.0.0", "^2"));
        assert!(!matches("2.0.0-rc.1", "^2"));
    }

    #[test]
    fn the_deb_ships_the_onnx_runtime_that_setup_fetches() {
        let conf =
            std::fs::read_to_string(crate::exec::root().join("src-tauri/tauri.conf.json")).unwrap();
        let name = format!("libonnxruntime.so.{ORT_VERSION}");
        assert!(
            conf.contains(&format!("\"/usr/lib/image-scorer/{name}\""))
                && conf.contains(&format!("\"../.cache/onnxruntime/{name}\"")),
            "src-tauri/tauri.conf.json must ship {name} in /usr/lib/image-scorer"
        );
    }

    #[test]
    fn wasm_bindgen_is_pinned_in_the_lockfile() {
        let v = locked_version("wasm-bindgen").unwrap();
        assert!(v.starts_with("0.2."), "{v}");
    }
}
