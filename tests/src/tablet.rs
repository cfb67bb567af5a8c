//! A tablet's browser against the network door: `image-scorer-cli serve` on the loopback
//! address over a [`Home`]'s database, and headless Chromium (chromedriver) emulating a touch
//! screen of a given size, paired by the address the server prints. The session is an
//! [`App`], so the same waits work; taps are WebDriver touch actions.

use crate::driver::{free_port, required_path, wait_for_port};
use crate::{App, Home};
use fantoccini::actions::{InputSource, PointerAction, TouchActions, MOUSE_BUTTON_LEFT};
use fantoccini::{ClientBuilder, Locator};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The network door over a home's database: the CLI's `serve`, stopped when dropped.
pub struct Served {
    child: Child,
    /// The pairing address (with its token).
    pub url: String,
}

impl Served {
    /// Kills the server at once (SIGKILL: no chance to finish anything) and waits for it.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        terminate(&mut self.child);
    }
}

/// Stops a `serve` process as Ctrl+C or systemd would (SIGTERM) and waits for it, unless it
/// has ended already (killed).
pub(crate) fn terminate(child: &mut Child) {
    if matches!(child.try_wait(), Ok(Some(_))) {
        return;
    }
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
}

/// The built UI (`cargo xtask ui`, as `cargo xtask test` does before these tests).
fn ui_dist() -> PathBuf {
    let dist = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../ui/dist");
    assert!(
        dist.join("index.html").is_file(),
        "{} has no index.html: build the UI first (cargo xtask test does)",
        dist.display()
    );
    dist
}

impl Home {
    /// Serves this home's library on the loopback address (`image-scorer-cli serve`) and waits
    /// until it prints its pairing address.
    pub fn serve(&self) -> Served {
        let cli = required_path("IMAGE_SCORER_CLI", "the command line binary");
        let mut child = Command::new(&cli)
            .args(["serve", "--bind", "127.0.0.1", "--port", "0", "--ui"])
            .arg(ui_dist())
            .envs(self.env())
            .stdout(Stdio::piped())
            .spawn()
            .expect("image-scorer-cli serve starts");
        let stdout = child.stdout.take().expect("its output");
        let mut lines = BufReader::new(stdout).lines();
        let url = loop {
            let line = lines
                .next()
                .expect("serve printed its address before it ended")
                .expect("its output");
            if let Some(url) = line.split(": ").nth(1).filter(|u| u.starts_with("http://")) {
                break url.trim().to_owned();
            }
        };
        // The rest of its output is not read; keep the pipe open by moving it away.
        std::thread::spawn(move || for _ in lines {});
        Served { child, url }
    }
}

impl App {
    /// Opens `url` in headless Chromium emulating a `width` x `height` touch screen, and waits
    /// until the UI has loaded.
    pub async fn tablet(url: &str, width: u32, height: u32) -> App {
        let chromedriver = std::env::var_os("CHROMEDRIVER")
            .map(PathBuf::from)
            .unwrap_or_else(|| "/usr/bin/chromedriver".into());
        let port = free_port();
        let driver = Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", chromedriver.display()));
        wait_for_port(port);
        let capabilities = serde_json::json!({
            "goog:chromeOptions": {
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                         format!("--window-size={width},{height}")],
                "mobileEmulation": {
                    "deviceMetrics": { "width": width, "height": height, "pixelRatio": 1.0, "touch": true }
                }
            }
        });
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities.as_object().unwrap().clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("a Chromium session");
        let app = App { client, driver };
        app.client
            .goto(url)
            .await
            .expect("the pairing address opens");
        app.wait_for(Locator::Css("#folders, #no-folders"))
            .await
            .expect("the UI loaded over the network");
        app
    }

    /// Taps the element `css` (a touch: down and up at its centre).
    pub async fn tap(&self, css: &str) {
        self.tap_at(Locator::Css(css)).await;
    }

    /// Taps the button of `toolbar` (an element id) whose text starts with `label`.
    pub async fn tap_button(&self, toolbar: &str, label: &str) {
        let xpath =
            format!("//*[@id='{toolbar}']//button[starts-with(normalize-space(.), '{label}')]");
        self.tap_at(Locator::XPath(&xpath)).await;
    }

    /// Swipes a finger `dx` CSS pixels sideways across the middle of the element `css`, in
    /// 150 ms.
    pub async fn swipe(&self, css: &str, dx: f64) {
        let element = self
            .wait_for(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("nothing to swipe at {css}: {e}"));
        let touch = TouchActions::new("finger".into())
            .then(PointerAction::MoveToElement {
                element: element.clone(),
                duration: None,
                x: 0.0,
                y: 0.0,
            })
            .then(PointerAction::Down {
                button: MOUSE_BUTTON_LEFT,
            })
            .then(PointerAction::MoveToElement {
                element,
                duration: Some(Duration::from_millis(150)),
                x: dx,
                y: 0.0,
            })
            .then(PointerAction::Up {
                button: MOUSE_BUTTON_LEFT,
            });
        self.client.perform_actions(touch).await.unwrap();
    }

    /// Taps the element `at`.
    pub async fn tap_at(&self, at: Locator<'_>) {
        let element = self
            .wait_for(at)
            .await
            .unwrap_or_else(|e| panic!("nothing to tap at {at:?}: {e}"));
        let touch = TouchActions::new("finger".into())
            .then(PointerAction::MoveToElement {
                element,
                duration: None,
                x: 0.0,
                y: 0.0,
            })
            .then(PointerAction::Down {
                button: MOUSE_BUTTON_LEFT,
            })
            .then(PointerAction::Pause {
                duration: Duration::from_millis(40),
            })
            .then(PointerAction::Up {
                button: MOUSE_BUTTON_LEFT,
            });
        self.client.perform_actions(touch).await.unwrap();
    }
}
