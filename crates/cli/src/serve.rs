//! `image-scorer-cli serve`: the library for tablets and phones on the local network, through
//! the same network door the desktop app opens ([`image_scorer_server`]), until Ctrl+C.

use image_scorer_core::App;
use image_scorer_server::{DirAssets, EventHub, Server, ServerOptions};
use std::io::Write;
use std::net::IpAddr;
use std::path::Path;
use std::sync::Arc;

/// Indexes and watches the library, predicts, and serves it at `bind`:`port` with the UI in
/// `ui`; prints the pairing address and its QR code; stops at Ctrl+C (or SIGTERM).
pub async fn serve(
    app: &App,
    events: EventHub,
    ui: &Path,
    bind: IpAddr,
    port: u16,
) -> Result<(), String> {
    let assets = DirAssets::open(ui).map_err(|e| format!("the UI in {}: {e}", ui.display()))?;
    app.start();
    let options = ServerOptions {
        bind,
        port,
        ..ServerOptions::default()
    };
    let server = Server::start(app.clone(), events, Arc::new(assets), options)
        .await
        .map_err(|e| format!("cannot listen on {bind}:{port}: {e}"))?;
    println!("{}", server.qr_text());
    println!(
        "Open on the tablet (or scan the code): {}",
        server.pairing_url()
    );
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
