//! `image-scorer-cli serve`: the library for tablets and phones on the local network, through
//! the same network door the desktop app opens ([`image_scorer_server`]), until Ctrl+C; on
//! PostgreSQL (or with `--team`) a team server whose raters sign in.

use image_scorer_core::App;
use image_scorer_server::{DirAssets, EventHub, Limits, Server, ServerOptions, Tls};
use std::io::Write;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Where the .deb installs the built UI.
const INSTALLED_UI: &str = "/usr/share/image-scorer/ui";

/// `serve`'s options.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// The built UI (default: ui/dist, which `cargo xtask ui` builds, else the one the .deb
    /// installs in /usr/share/image-scorer/ui).
    #[arg(long, value_name = "DIR")]
    ui: Option<PathBuf>,
    /// The address to listen on (every interface: the local network).
    #[arg(long, default_value = "0.0.0.0")]
    bind: IpAddr,
    /// The port to ask for (when taken, any free one).
    #[arg(long, default_value_t = 8765)]
    port: u16,
    /// A team server (the default on PostgreSQL): raters sign in as themselves.
    #[arg(long)]
    team: bool,
    /// Where raters reach this server (for instance https://scorer.example.org behind a reverse
    /// proxy); `team add-rater` puts it in the sign-in addresses. Default: this machine's
    /// address and port.
    #[arg(long, value_name = "URL")]
    public_address: Option<String>,
    /// A name this server answers to besides its own addresses and localhost (its DNS name;
    /// the public address's is added by itself). Requests for any other name are refused, so
    /// a web page cannot reach it through a name of its own (DNS rebinding). Repeatable.
    #[arg(long = "host-name", value_name = "NAME")]
    host_names: Vec<String>,
    /// Serve HTTPS with this certificate chain (PEM; with --tls-key).
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The certificate's private key (PEM).
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// The most connections open at once (three quarters of them for addresses no device
    /// came from lately); beyond it a connection is answered 503.
    #[arg(long, value_name = "N", default_value_t = Limits::default().connections)]
    max_connections: usize,
    /// The most connections from one address devices come from (behind a reverse proxy every
    /// device comes from the proxy's).
    #[arg(long, value_name = "N", default_value_t = Limits::default().per_device_address)]
    max_per_address: usize,
    /// The most pages following the app's events at once (one per open page).
    #[arg(long, value_name = "N", default_value_t = Limits::default().streams)]
    max_event_streams: usize,
}

impl ServeArgs {
    /// The door's caps with what the options change.
    fn limits(&self) -> Limits {
        Limits::sized(
            self.max_connections,
            self.max_per_address,
            self.max_event_streams,
        )
    }
}

/// Indexes and watches the library, predicts, and serves it with the UI; prints the pairing
/// address and its QR code (or, on a team server, how raters sign in); stops at Ctrl+C (or
/// SIGTERM).
pub async fn serve(app: &App, events: EventHub, args: ServeArgs) -> Result<(), String> {
    let limits = args.limits();
    let ServeArgs {
        ui,
        bind,
        port,
        team,
        public_address,
        mut host_names,
        tls_cert,
        tls_key,
        ..
    } = args;
    if let Some(host) = public_address.as_deref().and_then(host_of) {
        host_names.push(host);
    }
    let tls = match (tls_cert, tls_key) {
        (Some(cert), Some(key)) => Some(Tls { cert, key }),
        _ => None,
    };
    let team = team || app.store().is_postgres();
    let ui = ui.unwrap_or_else(|| {
        [Path::new("ui/dist"), Path::new(INSTALLED_UI)]
            .into_iter()
            .find(|dir| dir.join("index.html").is_file())
            .unwrap_or(Path::new("ui/dist"))
            .to_owned()
    });
    let assets = DirAssets::open(&ui).map_err(|e| format!("the UI in {}: {e}", ui.display()))?;
    app.start();
    let options = ServerOptions {
        bind,
        port,
        team,
        tls,
        host_names,
        limits,
        ..ServerOptions::default()
    };
    let server = Server::start(app.clone(), events, Arc::new(assets), options)
        .await
        .map_err(|e| format!("cannot listen on {bind}:{port}: {e}"))?;
    if team {
        let behind_proxy = public_address
            .as_deref()
            .is_some_and(|a| a.starts_with("https://"));
        if !server.base_url().starts_with("https://") && !bind.is_loopback() && !behind_proxy {
            eprintln!(
                "image-scorer-cli: warning: plain HTTP. Sign-in addresses, tokens, images and \
                 scores cross the network readable (and changeable) by anyone on its path; serve \
                 HTTPS with --tls-cert and --tls-key, or bind to 127.0.0.1 behind a reverse proxy \
                 (docs/team.md)."
            );
        }
        let address = public_address.unwrap_or_else(|| server.base_url());
        app.store()
            .set_setting(
                image_scorer_core::app::settings::TEAM_ADDRESS,
                address.trim_end_matches('/'),
            )
            .await
            .map_err(|e| e.to_string())?;
        println!("Team server at {address}.");
        println!(
            "Raters sign in with the address `image-scorer-cli team add-rater NAME` prints \
             (one per device)."
        );
    } else {
        println!("{}", server.qr_text());
        println!(
            "Open on the tablet (or scan the code): {}",
            server.pairing_url()
        );
    }
    println!("Listening on {}; Ctrl+C stops.", server.local_address());
    let _ = std::io::stdout().flush();
    stopped().await;
    server.stop().await;
    println!("Stopped: nothing listens any more.");
    Ok(())
}

/// Resolves at Ctrl+C or SIGTERM.
async fn stopped() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// The host name of the address `url` (`https://name:port/path` → `name`).
fn host_of(url: &str) -> Option<String> {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let name = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next()?,
        None => host.split(':').next()?,
    };
    (!name.is_empty()).then(|| name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[test]
    fn the_public_addresss_host_is_answered_to() {
        assert_eq!(
            host_of("https://scorer.example.org").as_deref(),
            Some("scorer.example.org")
        );
        assert_eq!(
            host_of("https://scorer.example.org:8443/team").as_deref(),
            Some("scorer.example.org")
        );
        assert_eq!(
            host_of("http://[fd00::2]:8765/").as_deref(),
            Some("fd00::2")
        );
        assert_eq!(host_of("https://"), None);
    }

    #[derive(Parser)]
    struct Line {
        #[command(flatten)]
        serve: ServeArgs,
    }

    #[test]
    fn the_caps_are_the_doors_unless_the_options_change_them() {
        let plain = Line::parse_from(["serve"]).serve.limits();
        let defaults = Limits::default();
        assert_eq!(
            (
                plain.connections,
                plain.stranger_connections,
                plain.per_stranger
            ),
            (
                defaults.connections,
                defaults.stranger_connections,
                defaults.per_stranger
            )
        );
        assert_eq!(
            (plain.per_device_address, plain.streams),
            (defaults.per_device_address, defaults.streams)
        );
        let line = [
            "serve",
            "--max-connections",
            "2000",
            "--max-per-address",
            "1500",
            "--max-event-streams",
            "300",
        ];
        let big = Line::parse_from(line).serve.limits();
        assert_eq!(
            (
                big.connections,
                big.stranger_connections,
                big.per_device_address,
                big.streams
            ),
            (2000, 1500, 1500, 300)
        );
        // A cap on one address above the cap in all means the cap in all.
        let small =
            Line::parse_from(["serve", "--max-connections", "8", "--max-per-address", "50"])
                .serve
                .limits();
        assert_eq!(
            (
                small.per_device_address,
                small.stranger_connections,
                small.per_stranger
            ),
            (8, 6, 6)
        );
    }
}
