//! The tablet's door: an HTTP server on the local network that serves a browser the same Yew
//! UI, the same commands (`crates/protocol`), the app's events and the library's images, over
//! the one [`App`] the desktop window uses. It listens only between [`Server::start`] and
//! [`Server::stop`].
//!
//! Pairing: each start draws a random token, shown in the pairing address (in the URL's
//! fragment, which browsers never send) and its QR code. The UI keeps it and sends it in the
//! `Authorization` header of every command and of the event stream; a request without it, with
//! another one, or after the pairing expired is refused (401), and so is any request that says
//! it comes from another origin (403): no cookie is set and no CORS header is ever sent, so no
//! other web page can act for the user. Images are read by `<img>` elements, which cannot send
//! a header: their addresses carry a second random key instead, handed to a paired UI
//! ([`routes::session`]), valid for the same pairing and for images only. Only library images
//! are served, by content hash ([`App::serve_image`]); the UI's files are served by their
//! exact names from [`Assets`]; request bodies are limited ([`ServerOptions::max_body`]).

mod assets;
mod devices;
mod dispatch;
mod events;
mod gate;
mod host;
mod limits;
mod listen;
mod pairing;
mod routes;
mod sign_in;

pub use assets::{Assets, DirAssets};
pub use dispatch::DEVICE_RATER;
pub use events::EventHub;
pub use limits::Limits;

use image_scorer_core::App;
use pairing::Pairing;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// How a server is started.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// The address to listen on: every interface (the local network) by default; tests use
    /// the loopback address.
    pub bind: IpAddr,
    /// The port to ask for first; when it is taken, any free one. 0: any free one.
    pub port: u16,
    /// How long a pairing stays valid after the start.
    pub lifetime: Duration,
    /// The largest request body accepted, in bytes.
    pub max_body: usize,
    /// A team server: devices sign in as raters of the team's accounts
    /// ([`image_scorer_core::app::team`]) instead of holding the pairing.
    pub team: bool,
    /// Serve HTTPS with this certificate chain and key (PEM files) instead of plain HTTP.
    pub tls: Option<Tls>,
    /// Names the server answers to besides this machine's own addresses and `localhost` (a
    /// team server's DNS name); a request for any other `Host` is refused.
    pub host_names: Vec<String>,
    /// What a stranger can make the door hold.
    pub limits: Limits,
}

/// The PEM files of an HTTPS server.
#[derive(Debug, Clone)]
pub struct Tls {
    /// The certificate chain, the server's own first.
    pub cert: std::path::PathBuf,
    /// Its private key.
    pub key: std::path::PathBuf,
}

impl Default for ServerOptions {
    fn default() -> Self {
        Self {
            bind: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            port: 8765,
            lifetime: Duration::from_secs(12 * 3600),
            max_body: 256 * 1024,
            team: false,
            tls: None,
            host_names: Vec::new(),
            limits: Limits::default(),
        }
    }
}

/// A running server; see the crate.
pub struct Server {
    address: SocketAddr,
    https: bool,
    pairing: Arc<Pairing>,
    admission: Arc<limits::Admission>,
    streams: Arc<limits::Streams>,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

/// What a door needs to run a server: the app, its events, the UI's files.
#[derive(Clone)]
pub(crate) struct Door {
    pub app: App,
    pub events: EventHub,
    pub assets: Arc<dyn Assets>,
    pub gate: gate::Gate,
    pub stopped: watch::Receiver<bool>,
    pub hosts: Arc<host::Hosts>,
    pub admission: Arc<limits::Admission>,
    pub streams: Arc<limits::Streams>,
}

impl Server {
    /// Starts listening with a new pairing. `events` must be fed every event of `app` (the
    /// door's sink sends each one there too); `assets` holds the UI's built files.
    pub async fn start(
        app: App,
        events: EventHub,
        assets: Arc<dyn Assets>,
        options: ServerOptions,
    ) -> std::io::Result<Server> {
        let listener = match tokio::net::TcpListener::bind((options.bind, options.port)).await {
            Ok(l) => l,
            Err(_) if options.port != 0 => tokio::net::TcpListener::bind((options.bind, 0)).await?,
            Err(e) => return Err(e),
        };
        let address = listener.local_addr()?;
        let pairing = Arc::new(Pairing::new(options.lifetime)?);
        let (stop, stopped) = watch::channel(false);
        let gate = if options.team {
            gate::Gate::Team(app.team(), Arc::default())
        } else {
            gate::Gate::Pairing(pairing.clone(), Arc::default())
        };
        let tls = options.tls.as_ref().map(listen::tls_acceptor).transpose()?;
        let admission = limits::Admission::new(options.limits.clone());
        let streams = Arc::new(limits::Streams::default());
        let door = Door {
            app,
            events,
            assets,
            gate,
            stopped: stopped.clone(),
            hosts: Arc::new(host::Hosts::new(&options.host_names)),
            admission: admission.clone(),
            streams: streams.clone(),
        };
        let router = routes::router(door, options.max_body);
        let task = tokio::spawn(listen::serve(
            listener,
            router,
            admission.clone(),
            tls,
            stopped,
        ));
        Ok(Server {
            address,
            https: options.tls.is_some(),
            pairing,
            admission,
            streams,
            stop,
            task,
        })
    }

    /// The address and port it listens on.
    pub fn local_address(&self) -> SocketAddr {
        self.address
    }

    /// The pairing token (what the QR code carries).
    pub fn token(&self) -> &str {
        self.pairing.token()
    }

    /// The address a device on the network opens: this machine's address on the local network
    /// (the loopback address when it listens there, or when there is no network), the port,
    /// and the token in the fragment.
    pub fn pairing_url(&self) -> String {
        format!("{}/#pair={}", self.base_url(), self.pairing.token())
    }

    /// The address a device on the network opens, without a pairing: this machine's address
    /// on the local network (the loopback address when it listens there, or when there is no
    /// network) and the port.
    pub fn base_url(&self) -> String {
        let host = match self.address.ip() {
            ip if ip.is_unspecified() => lan_address().unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST)),
            ip => ip,
        };
        let host = match host {
            IpAddr::V6(v6) => format!("[{v6}]"),
            IpAddr::V4(v4) => v4.to_string(),
        };
        let scheme = if self.https { "https" } else { "http" };
        format!("{scheme}://{host}:{}", self.address.port())
    }

    /// The pairing address as a QR code, an SVG document.
    pub fn qr_svg(&self) -> String {
        qr_svg(&self.pairing_url())
    }

    /// The pairing address as a QR code drawn with text (a terminal's).
    pub fn qr_text(&self) -> String {
        match qrcode::QrCode::new(self.pairing_url().as_bytes()) {
            Ok(code) => code
                .render::<qrcode::render::unicode::Dense1x2>()
                .quiet_zone(true)
                .build(),
            Err(e) => format!("(no QR code: {e})"),
        }
    }

    /// How many devices are following the app's events now.
    pub fn sessions(&self) -> usize {
        self.streams.count()
    }

    /// The devices paired now, first paired first.
    pub fn devices(&self) -> Vec<image_scorer_protocol::PairedDevice> {
        self.pairing.devices.list()
    }

    /// Unpairs device `id`: its credential stops working at once and its event stream ends
    /// within a second; whether it was paired.
    pub fn unpair(&self, id: u32) -> bool {
        self.pairing.devices.remove(id)
    }

    /// How many connections are open now.
    pub fn connections(&self) -> usize {
        self.admission.open()
    }

    /// Stops listening and ends every session: the pairing is forgotten, event streams end,
    /// and connections still open after a second are cut.
    pub async fn stop(self) {
        self.pairing.revoke();
        let _ = self.stop.send(true);
        let mut task = self.task;
        if tokio::time::timeout(Duration::from_secs(1), &mut task)
            .await
            .is_err()
        {
            task.abort();
            let _ = task.await;
        }
    }
}

/// The first IPv4 address of this machine on a network (not the loopback), if any.
fn lan_address() -> Option<IpAddr> {
    let interfaces = if_addrs::get_if_addrs().ok()?;
    interfaces
        .iter()
        .filter(|i| !i.is_loopback())
        .map(|i| i.ip())
        .find(IpAddr::is_ipv4)
}

/// `text` as a QR code in SVG.
fn qr_svg(text: &str) -> String {
    match qrcode::QrCode::new(text.as_bytes()) {
        Ok(code) => code
            .render::<qrcode::render::svg::Color>()
            .min_dimensions(220, 220)
            .quiet_zone(true)
            .build(),
        Err(e) => format!("<!-- no QR code: {e} -->"),
    }
}
