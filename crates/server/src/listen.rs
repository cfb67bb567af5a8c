//! The door's connections: each one accepted is admitted by [`Admission`] or refused at once
//! (a short 503 in plain HTTP, a closed connection under TLS), then served as HTTP/1.1 by hyper
//! with a deadline on each request's head (which also closes a connection that sends nothing),
//! over TLS when the server has a certificate. Stop ends them all: each finishes the answer it
//! is sending, within a second.

use crate::limits::{Admission, Admitted};
use axum::extract::ConnectInfo;
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;

/// The largest request head (request line and headers) read, in bytes.
const LARGEST_HEAD: usize = 64 * 1024;

/// What a connection over the caps is told, in plain HTTP.
const BUSY: &[u8] =
    b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n\
Retry-After: 5\r\nConnection: close\r\nContent-Length: 75\r\n\r\n\
This server has too many connections open just now: try again in a moment.\n";

/// Accepts connections on `listener` until `stopped`, serving `router` on each admitted one.
pub(crate) async fn serve(
    listener: TcpListener,
    router: Router,
    admission: Arc<Admission>,
    tls: Option<TlsAcceptor>,
    mut stopped: watch::Receiver<bool>,
) {
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = until_stopped(&mut stopped) => return,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            // Out of file descriptors, or the peer gave up: the app keeps what it has; the
            // next accept is tried a moment later.
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let Some(place) = admission.admit(peer.ip()) else {
            if tls.is_none() {
                // Into the socket's empty send buffer: never waits.
                let _ = stream.try_write(BUSY);
            }
            continue;
        };
        let _ = stream.set_nodelay(true);
        let head_time = admission.limits().head_time;
        let connection = Connection {
            peer,
            router: router.clone(),
            head_time,
            stopped: stopped.clone(),
            _place: place,
        };
        let tls = tls.clone();
        tokio::spawn(async move {
            match tls {
                None => connection.serve(stream).await,
                Some(acceptor) => {
                    let handshake = tokio::time::timeout(head_time, acceptor.accept(stream));
                    if let Ok(Ok(stream)) = handshake.await {
                        connection.serve(stream).await;
                    }
                }
            }
        });
    }
}

/// Returns when the server is stopped (or gone).
async fn until_stopped(stopped: &mut watch::Receiver<bool>) {
    let _ = stopped.wait_for(|stop| *stop).await;
}

/// One admitted connection.
struct Connection {
    peer: SocketAddr,
    router: Router,
    head_time: Duration,
    stopped: watch::Receiver<bool>,
    _place: Admitted,
}

impl Connection {
    async fn serve(mut self, io: impl AsyncRead + AsyncWrite + Unpin + Send + 'static) {
        let (peer, router) = (self.peer, self.router.clone());
        let service = hyper::service::service_fn(move |mut request| {
            request.extensions_mut().insert(ConnectInfo(peer));
            tower::ServiceExt::oneshot(router.clone(), request)
        });
        let connection = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(self.head_time)
            .max_buf_size(LARGEST_HEAD)
            .serve_connection(TokioIo::new(io), service);
        tokio::pin!(connection);
        tokio::select! {
            _ = connection.as_mut() => {}
            () = until_stopped(&mut self.stopped) => {
                connection.as_mut().graceful_shutdown();
                let _ = tokio::time::timeout(Duration::from_secs(1), connection).await;
            }
        }
    }
}

/// The TLS acceptor of the PEM files `tls` (ring's cryptography, HTTP/1.1), or why not,
/// naming the file.
pub(crate) fn tls_acceptor(tls: &crate::Tls) -> std::io::Result<TlsAcceptor> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    for file in [&tls.cert, &tls.key] {
        if !file.is_file() {
            return Err(std::io::Error::other(format!(
                "{} is not a file",
                file.display()
            )));
        }
    }
    let unusable = |e: &dyn std::fmt::Display| {
        std::io::Error::other(format!(
            "the certificate {} or the key {} cannot be used: {e}",
            tls.cert.display(),
            tls.key.display()
        ))
    };
    let certs = CertificateDer::pem_file_iter(&tls.cert)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|e| unusable(&e))?;
    let key = PrivateKeyDer::from_pem_file(&tls.key).map_err(|e| unusable(&e))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| unusable(&e))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| unusable(&e))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}
