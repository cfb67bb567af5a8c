//! Starting and stopping tauri-driver (and the WebKitWebDriver it runs) for one app.

use crate::Home;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Starts tauri-driver on free ports with `home`'s folders and waits until it and
/// WebKitWebDriver listen; returns it and its WebDriver port.
pub(crate) fn spawn_driver(tauri_driver: &Path, home: &Home) -> (Child, u16) {
    let port = free_port();
    let native_port = free_port();
    let driver = Command::new(tauri_driver)
        .args([
            "--port",
            &port.to_string(),
            "--native-port",
            &native_port.to_string(),
        ])
        .envs(home.env())
        .stdout(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", tauri_driver.display()));
    // tauri-driver listens first and starts WebKitWebDriver beside it: wait for both.
    wait_for_port(port);
    wait_for_port(native_port);
    (driver, port)
}

/// Stops tauri-driver with SIGTERM, which lets it stop WebKitWebDriver (and with it the app);
/// SIGKILL only after 5 s.
pub(crate) fn stop_driver(driver: &mut Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &driver.id().to_string()])
        .status();
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = driver.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = driver.kill();
    let _ = driver.wait();
}

pub(crate) fn required_path(var: &str, what: &str) -> PathBuf {
    let path = std::env::var_os(var)
        .map(PathBuf::from)
        .unwrap_or_else(|| panic!("{var} must name {what}; run the tests with `cargo xtask test`"));
    assert!(
        Path::new(&path).exists(),
        "{var}={} does not exist ({what})",
        path.display()
    );
    path
}

pub(crate) fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free local port")
}

pub(crate) fn wait_for_port(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "tauri-driver did not listen on {port}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}
