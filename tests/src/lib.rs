//! The harness for end-to-end tests: starts the built app in the real WebKitGTK webview through
//! tauri-driver, with its own data folders, and hands back a WebDriver client.
//!
//! `IMAGE_SCORER_APP` names the binary under test (`cargo xtask test` sets it, to the debug build
//! or the installed .deb's binary); `TAURI_DRIVER` names tauri-driver. The tests need a display:
//! xtask runs them under `xvfb-run`.

mod db;
mod driver;
pub mod hostile;
pub mod tablet;
pub mod team;
mod window;

pub use db::read_db;
use driver::{required_path, spawn_driver, stop_driver};

use fantoccini::{Client, ClientBuilder, Locator};
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

/// The app's identifier (tauri.conf.json), which names its data folder.
pub const IDENTIFIER: &str = "org.imagescorer.ImageScorer";

/// The manifest of a pack over the real EfficientNet-Lite0 (`efficientnet-lite0-imagenet.onnx`
/// in the shared models): 1280-value features, no score head.
pub const EFFICIENTNET_PACK: &str = r#"
name = "EfficientNet-Lite0"
[encoder]
file = "efficientnet-lite0-imagenet.onnx"
input = "pixel_values"
output = "features"
size = 224
scale = 1.9921875
offset = -0.9921875
width = 1280
"#;

/// Isolated XDG folders for one app "installation": its database and settings live here.
pub struct Home {
    dir: PathBuf,
    /// The temporary folder `dir` is, removed with the home (none for [`Home::at`]).
    _temp: Option<tempfile::TempDir>,
    /// More environment for the app.
    extra_env: Vec<(&'static str, PathBuf)>,
}

impl Home {
    /// Fresh, empty folders.
    pub fn new() -> Self {
        let temp = tempfile::tempdir().expect("temp dir");
        let mut home = Self::at(temp.path());
        home._temp = Some(temp);
        home
    }

    /// The folders below `dir`, which stay when the home is dropped (a benchmark's library).
    pub fn at(dir: &Path) -> Self {
        for sub in ["config", "data", "cache"] {
            std::fs::create_dir_all(dir.join(sub)).unwrap();
        }
        // The app may run in another folder: its XDG folders are absolute.
        let dir = std::fs::canonicalize(dir).expect("the home's folder");
        Self {
            dir,
            _temp: None,
            extra_env: Vec::new(),
        }
    }

    /// Makes the app append every command's timing to a file of this home (see
    /// `IMAGE_SCORER_TIMINGS`); returns the file.
    pub fn record_timings(&mut self) -> PathBuf {
        let file = self.dir.as_path().join("timings.log");
        self.extra_env.push(("IMAGE_SCORER_TIMINGS", file.clone()));
        file
    }

    /// Makes the app answer its file dialogs (export, import, saving a plot) with `path`
    /// instead of showing them (WebDriver cannot reach a native dialog).
    pub fn answer_dialogs(&mut self, path: PathBuf) {
        self.extra_env.push(("IMAGE_SCORER_DIALOG_FILE", path));
    }

    /// Runs the command line (`IMAGE_SCORER_CLI`) with `args` on this home's database; its
    /// standard output, or a failure with what it printed.
    pub fn cli(&self, args: &[&str]) -> String {
        let cli = required_path("IMAGE_SCORER_CLI", "the command line binary");
        self.cli_output(Command::new(&cli).args(args), args)
    }

    /// Runs `cmd` (the command line, maybe wrapped) with this home's environment; its standard
    /// output, or a failure naming `args` with what it printed.
    pub(crate) fn cli_output(&self, cmd: &mut Command, args: &[impl std::fmt::Debug]) -> String {
        let out = cmd
            .envs(self.env())
            .output()
            .expect("the command line runs");
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "image-scorer-cli {args:?} failed:\n{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        stdout
    }

    /// A scratch folder inside this home, for photo folders the test makes.
    pub fn scratch(&self, name: &str) -> PathBuf {
        let p = self.dir.as_path().join("files").join(name);
        std::fs::create_dir_all(&p).unwrap();
        p
    }

    /// The app's database file.
    pub fn database(&self) -> PathBuf {
        self.dir
            .as_path()
            .join("data")
            .join(IDENTIFIER)
            .join("image-scorer.db")
    }

    /// A scratch folder `shoot` holding copies of the fixture photos `names`.
    pub fn photos(&self, names: &[&str]) -> PathBuf {
        let dir = self.scratch("shoot");
        for name in names {
            std::fs::copy(fixture(name), dir.join(name)).unwrap();
        }
        dir
    }

    /// Installs a model pack called `name` in the app's packs folder: `manifest` as its
    /// `pack.toml`, and links to the shared `models` (from [`models_dir`]).
    pub fn install_pack(&self, name: &str, manifest: &str, models: &[&str]) -> PathBuf {
        let dir = self
            .dir
            .as_path()
            .join("data")
            .join(IDENTIFIER)
            .join("packs")
            .join(name);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("pack.toml"), manifest).unwrap();
        for model in models {
            let source = models_dir().join(model);
            assert!(
                source.is_file(),
                "model {} is missing (set IMAGE_SCORER_MODELS)",
                source.display()
            );
            std::os::unix::fs::symlink(&source, dir.join(model)).unwrap();
        }
        dir
    }

    pub(crate) fn env(&self) -> Vec<(&'static str, PathBuf)> {
        let mut env = vec![
            ("XDG_CONFIG_HOME", self.dir.as_path().join("config")),
            ("XDG_DATA_HOME", self.dir.as_path().join("data")),
            ("XDG_CACHE_HOME", self.dir.as_path().join("cache")),
        ];
        env.extend(self.extra_env.iter().cloned());
        env
    }
}

impl Default for Home {
    fn default() -> Self {
        Self::new()
    }
}

/// How long starting the app and opening a WebDriver session on it may take.
const SESSION_TIMEOUT: Duration = Duration::from_secs(60);

/// A running app with a WebDriver session on its main window.
pub struct App {
    /// The WebDriver client.
    pub client: Client,
    driver: Child,
}

impl App {
    /// Starts the app under test (`IMAGE_SCORER_APP`) with `args`, in `home`, and waits until
    /// its UI has loaded.
    pub async fn start(home: &Home, args: &[&str]) -> App {
        let app = required_path("IMAGE_SCORER_APP", "the app binary under test");
        Self::start_binary(&app, home, args).await
    }

    /// Starts the app binary `app` with `args`, in `home`, and waits until its UI has loaded.
    pub async fn start_binary(app: &Path, home: &Home, args: &[&str]) -> App {
        let tauri_driver = required_path("TAURI_DRIVER", "tauri-driver");
        let capabilities = serde_json::json!({
            "browserName": "wry",
            "tauri:options": { "application": app, "args": args },
        });
        let mut attempt = 0;
        let (client, driver) = loop {
            attempt += 1;
            let (mut driver, port) = spawn_driver(&tauri_driver, home);
            // An app that dies while starting leaves WebKitWebDriver waiting for it forever:
            // each attempt has a deadline, and a failed one takes its drivers down with it.
            let connected = tokio::time::timeout(
                SESSION_TIMEOUT,
                ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                    .capabilities(capabilities.as_object().unwrap().clone())
                    .connect(&format!("http://127.0.0.1:{port}")),
            )
            .await
            .map_err(|_| format!("the app did not open a window within {SESSION_TIMEOUT:?}"))
            .and_then(|r| r.map_err(|e| e.to_string()));
            match connected {
                Ok(client) => break (client, driver),
                // A loaded machine can drop the very first request, or fail to start the app
                // once (GTK once failed to initialise under xvfb-run); a real fault repeats.
                Err(e) if attempt < 3 => {
                    eprintln!("WebDriver session attempt {attempt} failed ({e}); retrying");
                    stop_driver(&mut driver);
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
                Err(e) => {
                    stop_driver(&mut driver);
                    panic!("no WebDriver session with the app after {attempt} attempts: {e}")
                }
            }
        };
        let app = App { client, driver };
        // The header's folder list (or its absence) shows once the UI has the app's first answer.
        app.wait_for(Locator::Css("#folders, #no-folders"))
            .await
            .expect("the UI loaded");
        app
    }

    /// Presses one key (a character or a [`fantoccini::key::Key`] code) on the page.
    pub async fn press(&self, key: char) {
        use fantoccini::actions::{InputSource, KeyAction, KeyActions};
        let actions = KeyActions::new("keyboard".into())
            .then(KeyAction::Down { value: key })
            .then(KeyAction::Up { value: key });
        self.client.perform_actions(actions).await.unwrap();
    }

    /// The rater in the header's field.
    pub async fn rater(&self) -> String {
        self.wait_for(Locator::Id("rater"))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap()
            .unwrap_or_default()
    }

    /// Waits (up to 10 s) for an element.
    pub async fn wait_for(
        &self,
        locator: Locator<'_>,
    ) -> Result<fantoccini::elements::Element, String> {
        self.client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(locator)
            .await
            .map_err(|e| format!("{locator:?} did not appear: {e}"))
    }

    /// The visible text of the first element matching `css`. An element the page replaced
    /// between finding and reading it (a stale reference) is found again.
    pub async fn text(&self, css: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let element = self.wait_for(Locator::Css(css)).await.unwrap();
            match element.text().await {
                Ok(text) => return text,
                Err(e) if Instant::now() < deadline => {
                    eprintln!("reading {css} again: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(e) => panic!("cannot read {css}: {e}"),
            }
        }
    }

    /// Waits (up to 10 s) until the first element matching `css` has text containing `want`;
    /// returns that text.
    pub async fn wait_for_text(&self, css: &str, want: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let text = match self.client.find(Locator::Css(css)).await {
                Ok(el) => el.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            if text.contains(want) {
                return text;
            }
            assert!(
                Instant::now() < deadline,
                "{css} shows {text:?}, never {want:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits (up to 60 s) until the attribute `name` of `css` passes `ok`; returns it.
    pub async fn wait_for_attr(&self, css: &str, name: &str, ok: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut last = None;
        loop {
            if let Ok(el) = self.client.find(Locator::Css(css)).await {
                if let Ok(Some(value)) = el.attr(name).await {
                    if ok(&value) {
                        return value;
                    }
                    last = Some(value);
                }
            }
            if Instant::now() >= deadline {
                let page = self.client.source().await.unwrap_or_default();
                let main = page.find("<main").map_or(page.as_str(), |i| &page[i..]);
                panic!(
                    "{css} [{name}] never matched (last seen: {last:?}); the page: {}",
                    &main[..main.len().min(1500)]
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits (up to 10 s) until `css` matches exactly `count` elements.
    pub async fn wait_for_count(&self, css: &str, count: usize) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let n = self
                .client
                .find_all(Locator::Css(css))
                .await
                .map(|v| v.len())
                .unwrap_or(0);
            if n == count {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{css} matches {n}, never {count}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The open folders as the header shows them: (full path from the tooltip, visible name).
    pub async fn header_folders(&self) -> Vec<(String, String)> {
        let mut folders = Vec::new();
        for li in self
            .client
            .find_all(Locator::Css("#folders .folder"))
            .await
            .unwrap()
        {
            let title = li.attr("title").await.unwrap().unwrap_or_default();
            let name = li
                .find(Locator::Css(".name"))
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            folders.push((title, name));
        }
        folders
    }

    /// Closes the session (which quits the app) and stops the drivers.
    pub async fn stop(self) {
        let _ = self.client.clone().close().await;
        // Dropping stops tauri-driver.
    }
}

impl Drop for App {
    /// Stops tauri-driver, also when a test fails half-way. SIGTERM lets it stop
    /// WebKitWebDriver (and with it the app) too; SIGKILL would leave them running.
    fn drop(&mut self) {
        stop_driver(&mut self.driver);
    }
}

/// The folder paths stored in the app's database, oldest first.
pub async fn stored_folders(home: &Home) -> Vec<String> {
    let mut conn = read_db(&home.database()).await;
    sqlx::query_scalar("SELECT path FROM roots ORDER BY id")
        .fetch_all(&mut conn)
        .await
        .expect("a roots table")
}

/// Presses `key` while holding the modifier `modifier` (a [`fantoccini::key::Key`]), as a person
/// would on a keyboard: modifier down, key down, key up, modifier up.
pub async fn press_with(client: &Client, modifier: fantoccini::key::Key, key: char) {
    use fantoccini::actions::{InputSource, KeyAction, KeyActions};
    let modifier: char = modifier.into();
    let actions = KeyActions::new("keyboard".into())
        .then(KeyAction::Down { value: modifier })
        .then(KeyAction::Down { value: key })
        .then(KeyAction::Up { value: key })
        .then(KeyAction::Up { value: modifier });
    client.perform_actions(actions).await.expect("key presses");
    client.release_actions().await.expect("keys released");
}

/// A photo from the shared fixtures (`IMAGE_SCORER_FIXTURES`, default `../shared/fixtures/images`
/// beside the repository). A missing fixture fails the test.
pub fn fixture(name: &str) -> PathBuf {
    let dir = std::env::var_os("IMAGE_SCORER_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures/images")
        });
    let path = dir.join(name);
    assert!(
        path.is_file(),
        "fixture {} is missing (set IMAGE_SCORER_FIXTURES)",
        path.display()
    );
    path
}

/// The shared models (`IMAGE_SCORER_MODELS`, default `../shared/models` beside the repository).
pub fn models_dir() -> PathBuf {
    std::env::var_os("IMAGE_SCORER_MODELS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/models"))
}

// The benchmarks' verdict lines: one definition for the core's examples and this crate.
#[path = "../../crates/core/examples/common/goal.rs"]
mod goal;
pub use goal::goal_line;

/// Every command in the app's timing file (`IMAGE_SCORER_TIMINGS`), in order: its name, start
/// and end in ms since the epoch.
pub fn read_timings(file: &Path) -> Vec<(String, f64, f64)> {
    std::fs::read_to_string(file)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| {
            let mut f = l.split_whitespace();
            let name = f.next()?.to_owned();
            Some((name, f.next()?.parse().ok()?, f.next()?.parse().ok()?))
        })
        .collect()
}
