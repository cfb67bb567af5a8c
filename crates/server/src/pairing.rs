//! One pairing: the token the UI sends in a header, the key its image addresses carry, when they
//! expire, and the checks every request passes.

use axum::http::{header, HeaderMap, StatusCode};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// A refusal: the status and a sentence for the user.
pub(crate) type Refusal = (StatusCode, &'static str);

pub(crate) struct Pairing {
    token: String,
    image_key: String,
    expires: Instant,
    revoked: AtomicBool,
}

impl Pairing {
    /// A new pairing valid for `lifetime`, with 128 random bits each for the token and the key.
    pub fn new(lifetime: Duration) -> std::io::Result<Self> {
        Ok(Self {
            token: random_hex()?,
            image_key: random_hex()?,
            expires: Instant::now() + lifetime,
            revoked: AtomicBool::new(false),
        })
    }

    pub fn token(&self) -> &str {
        &self.token
    }

    pub fn image_key(&self) -> &str {
        &self.image_key
    }

    /// Seconds left before it expires.
    pub fn seconds_left(&self) -> u64 {
        self.expires
            .saturating_duration_since(Instant::now())
            .as_secs()
    }

    /// Ends it: every check fails from now on.
    pub fn revoke(&self) {
        self.revoked.store(true, Ordering::Release);
    }

    pub fn is_revoked(&self) -> bool {
        self.revoked.load(Ordering::Acquire)
    }

    fn check_live(&self) -> Result<(), Refusal> {
        if self.is_revoked() {
            return Err((
                StatusCode::UNAUTHORIZED,
                "The desktop stopped sharing its library.",
            ));
        }
        if Instant::now() >= self.expires {
            return Err((
                StatusCode::UNAUTHORIZED,
                "This pairing has expired: scan the code the desktop shows now.",
            ));
        }
        Ok(())
    }

    /// A command or the event stream: from this server's own page (no `Origin`, or this
    /// host's), with `Authorization: Bearer <token>`.
    pub fn check_call(&self, headers: &HeaderMap) -> Result<(), Refusal> {
        same_origin(headers)?;
        let token = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        match token {
            Some(t) if equal(t.as_bytes(), self.token.as_bytes()) => self.check_live(),
            Some(_) => Err((
                StatusCode::UNAUTHORIZED,
                "This device's pairing is not valid.",
            )),
            None => Err((
                StatusCode::UNAUTHORIZED,
                "Pair this device first: scan the code the desktop shows.",
            )),
        }
    }

    /// An image: the address's key.
    pub fn check_image(&self, headers: &HeaderMap, key: Option<&str>) -> Result<(), Refusal> {
        same_origin(headers)?;
        match key {
            Some(k) if equal(k.as_bytes(), self.image_key.as_bytes()) => self.check_live(),
            _ => Err((StatusCode::UNAUTHORIZED, "This image address is not valid.")),
        }
    }
}

/// Refuses a request that names another origin than the host it was sent to. Browsers send
/// `Origin` with every cross-origin request (and with same-origin POSTs); a request without it
/// comes from this server's own page or from a program that is not a browser, which the token
/// holds back.
pub(crate) fn same_origin(headers: &HeaderMap) -> Result<(), Refusal> {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return Ok(());
    };
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let origin = origin.to_str().ok();
    match (origin, host) {
        (Some(o), Some(h))
            if o.strip_prefix("http://") == Some(h) || o.strip_prefix("https://") == Some(h) =>
        {
            Ok(())
        }
        _ => Err((
            StatusCode::FORBIDDEN,
            "Requests from other web pages are refused.",
        )),
    }
}

/// Compares in time that does not depend on where the two differ.
fn equal(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// 128 random bits from the operating system, in hex.
fn random_hex() -> std::io::Result<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| std::io::Error::other(e.to_string()))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in pairs {
            h.insert(name.clone(), HeaderValue::from_str(value).unwrap());
        }
        h
    }

    #[test]
    fn a_call_needs_the_token_and_this_origin() {
        let p = Pairing::new(Duration::from_secs(60)).unwrap();
        assert_eq!(p.token().len(), 32);
        assert_ne!(p.token(), p.image_key());
        let bearer = format!("Bearer {}", p.token());
        let host = (header::HOST, "10.0.0.2:8765");
        assert!(p
            .check_call(&headers(&[host.clone(), (header::AUTHORIZATION, &bearer)]))
            .is_ok());
        let same = (header::ORIGIN, "http://10.0.0.2:8765");
        assert!(p
            .check_call(&headers(&[
                host.clone(),
                same,
                (header::AUTHORIZATION, &bearer)
            ]))
            .is_ok());
        let other = (header::ORIGIN, "http://evil.example");
        assert_eq!(
            p.check_call(&headers(&[
                host.clone(),
                other,
                (header::AUTHORIZATION, &bearer)
            ]))
            .unwrap_err()
            .0,
            StatusCode::FORBIDDEN
        );
        let wrong = format!("Bearer {}", p.image_key());
        assert_eq!(
            p.check_call(&headers(&[host.clone(), (header::AUTHORIZATION, &wrong)]))
                .unwrap_err()
                .0,
            StatusCode::UNAUTHORIZED
        );
        assert!(p.check_call(&headers(std::slice::from_ref(&host))).is_err());
        p.revoke();
        assert!(p
            .check_call(&headers(&[host, (header::AUTHORIZATION, &bearer)]))
            .is_err());
    }

    #[test]
    fn an_expired_pairing_is_refused() {
        let p = Pairing::new(Duration::ZERO).unwrap();
        let bearer = format!("Bearer {}", p.token());
        let refused = p
            .check_call(&headers(&[(header::AUTHORIZATION, &bearer)]))
            .unwrap_err();
        assert!(refused.1.contains("expired"), "{refused:?}");
        assert!(p
            .check_image(&HeaderMap::new(), Some(p.image_key()))
            .is_err());
    }
}
