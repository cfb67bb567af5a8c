//! Downloading a model pack's `.zip`: with resume, at most a capped number of bytes, only over
//! https (whose redirects may not lead to plain http) or over http with a SHA-256, trusting the
//! public certificate authorities and those an organisation adds ([`ROOTS_VARIABLE`]).

use super::pack_install::{fault, size, Progress};
use crate::{CoreError, Result};
use sha2::Digest;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The environment variable naming a PEM file of certificate authorities that pack downloads
/// trust besides the public ones: an organisation's own, for its internal pack server.
pub const ROOTS_VARIABLE: &str = "IMAGE_SCORER_PACK_ROOTS";

/// The TLS configuration of a download: the public roots and the certificates in `roots`.
fn tls_config(roots: &Path) -> Result<Arc<rustls::ClientConfig>> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::CertificateDer;
    let unreadable = |e: &dyn std::fmt::Display| {
        fault(format!(
            "the certificates in {} ({ROOTS_VARIABLE}) could not be read: {e}",
            roots.display()
        ))
    };
    let mut store = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let mut added = 0;
    for cert in CertificateDer::pem_file_iter(roots).map_err(|e| unreadable(&e))? {
        let cert = cert.map_err(|e| unreadable(&e))?;
        store.add(cert).map_err(|e| unreadable(&e))?;
        added += 1;
    }
    if added == 0 {
        return Err(unreadable(&"it holds no certificate"));
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| fault(format!("TLS could not be set up: {e}")))?
        .with_root_certificates(store)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// Downloads `url` into `downloads` (resuming a download left there before), checks its
/// SHA-256 when one is given, and returns the file. `roots`: more certificate authorities to
/// trust ([`ROOTS_VARIABLE`]). Only over https (whose redirects may not
/// lead to plain http), or over http with a SHA-256, which anyone on the way cannot forge;
/// at most `cap` bytes, or it is refused and deleted.
pub(super) fn download(
    url: &str,
    sha256: Option<&str>,
    downloads: &Path,
    cap: u64,
    roots: Option<&Path>,
    progress: &Progress,
) -> Result<PathBuf> {
    let https = url.starts_with("https://");
    if !(https || url.starts_with("http://")) {
        return Err(fault(format!("“{url}” is not an http(s) address")));
    }
    if !https && sha256.is_none_or(|s| s.trim().is_empty()) {
        return Err(fault(format!(
            "“{url}” is plain http, which anyone on the way could change: give the pack's \
             SHA-256 with it, or an https address"
        )));
    }
    std::fs::create_dir_all(downloads).map_err(|e| CoreError::io(downloads, e))?;
    let key = hex::encode(sha2::Sha256::digest(url.as_bytes()));
    let partial = downloads.join(format!("{}.partial", &key[..16]));
    let have = std::fs::metadata(&partial).map(|m| m.len()).unwrap_or(0);
    let mut agent = ureq::AgentBuilder::new()
        .timeout_connect(std::time::Duration::from_secs(20))
        .timeout_read(std::time::Duration::from_secs(60))
        .https_only(https);
    if let Some(roots) = roots {
        agent = agent.tls_config(tls_config(roots)?);
    }
    let agent = agent.build();
    let mut request = agent.get(url);
    if have > 0 {
        request = request.set("Range", &format!("bytes={have}-"));
    }
    let response = request.call().map_err(|e| match e {
        ureq::Error::Status(code, _) => fault(format!("{url} answered HTTP {code}")),
        ureq::Error::Transport(t) if https && t.to_string().contains("https_only") => fault(
            format!("{url} sent the download to a plain http address, which is refused"),
        ),
        other => fault(format!("{url} could not be reached: {other}")),
    })?;
    // 206: the rest follows; 200: the server sends it all again.
    let resumed = response.status() == 206 && have > 0;
    let length: Option<u64> = response
        .header("Content-Length")
        .and_then(|v| v.parse().ok());
    let total = length.map(|n| if resumed { n + have } else { n });
    let over = |bytes: u64| {
        let _ = std::fs::remove_file(&partial);
        fault(format!(
            "the download is larger than {} ({bytes} bytes or more), the most a pack may be; \
             it was discarded",
            size(cap)
        ))
    };
    if let Some(total) = total.filter(|t| *t > cap) {
        return Err(over(total));
    }
    let mut out = std::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .append(resumed)
        .truncate(!resumed)
        .open(&partial)
        .map_err(|e| CoreError::io(&partial, e))?;
    let mut done = if resumed { have } else { 0 };
    let mut reader = response.into_reader();
    let mut buffer = vec![0u8; 1 << 20];
    loop {
        let n = reader.read(&mut buffer).map_err(|e| {
            fault(format!(
                "the download stopped at {done} bytes ({e}); install again to resume"
            ))
        })?;
        if n == 0 {
            break;
        }
        out.write_all(&buffer[..n])
            .map_err(|e| CoreError::io(&partial, e))?;
        done += n as u64;
        if done > cap {
            drop(out);
            return Err(over(done));
        }
        progress(done, total);
    }
    out.sync_all().map_err(|e| CoreError::io(&partial, e))?;
    if let Some(total) = total.filter(|t| done < *t) {
        return Err(fault(format!(
            "the download stopped at {done} of {total} bytes; install again to resume"
        )));
    }
    if let Some(want) = sha256 {
        let mut file = std::fs::File::open(&partial).map_err(|e| CoreError::io(&partial, e))?;
        let mut hasher = sha2::Sha256::new();
        std::io::copy(&mut file, &mut hasher).map_err(|e| CoreError::io(&partial, e))?;
        let got = hex::encode(hasher.finalize());
        if !got.eq_ignore_ascii_case(want.trim()) {
            let _ = std::fs::remove_file(&partial);
            return Err(fault(format!(
                "the download's SHA-256 is {got}, not the {} given; it was discarded",
                want.trim()
            )));
        }
    }
    Ok(partial)
}
