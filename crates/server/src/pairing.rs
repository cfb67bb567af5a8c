//! One pairing: the code a device pairs with (the QR code's token), the credential each device
//! gets for it ([`Devices`]) and sends in a header, the key image addresses carry, when they
//! expire, and the checks every request passes.

use crate::devices::Devices;
use axum::http::{header, HeaderMap, StatusCode};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// A refusal: the status and a sentence for the user.
pub(crate) type Refusal = (StatusCode, &'static str);

/// (Its `Debug` names no secret.)
pub(crate) struct Pairing {
    token: String,
    image_key: String,
    expires: Instant,
    revoked: AtomicBool,
    pub devices: Devices,
}

impl std::fmt::Debug for Pairing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pairing")
            .field("seconds_left", &self.seconds_left())
            .field("revoked", &self.is_revoked())
            .finish_non_exhaustive()
    }
}

impl Pairing {
    /// A new pairing valid for `lifetime`, with 128 random bits each for the token and the key.
    pub fn new(lifetime: Duration) -> std::io::Result<Self> {
        Ok(Self {
            token: random_hex()?,
            image_key: random_hex()?,
            expires: Instant::now() + lifetime,
            revoked: AtomicBool::new(false),
            devices: Devices::default(),
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

    /// Pairs a new device described by `label`: from this server's own page, with
    /// `Authorization: Bearer <the pairing's code>`; its number and credential.
    pub fn pair(&self, headers: &HeaderMap, label: &str) -> Result<(u32, String), Refusal> {
        same_origin(headers)?;
        match bearer(headers) {
            Some(t) if equal(t.as_bytes(), self.token.as_bytes()) => self.check_live()?,
            Some(_) => {
                return Err((
                    StatusCode::UNAUTHORIZED,
                    "This pairing code is not valid (sharing may have been restarted): scan \
                     the code the desktop shows now.",
                ))
            }
            None => {
                return Err((
                    StatusCode::UNAUTHORIZED,
                    "Pair this device first: scan the code the desktop shows.",
                ))
            }
        }
        let token = random_hex().map_err(|_| {
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "The desktop could not draw a credential for this device.",
            )
        })?;
        match self.devices.add(label, token.clone()) {
            Some(id) => Ok((id, token)),
            None => Err((
                StatusCode::TOO_MANY_REQUESTS,
                "The desktop has as many devices paired as it takes: unpair one in its Share \
                 panel first.",
            )),
        }
    }

    /// A command or the event stream: from this server's own page (no `Origin`, or this
    /// host's), with `Authorization: Bearer <a paired device's credential>`; the device.
    pub fn check_call(&self, headers: &HeaderMap) -> Result<u32, Refusal> {
        same_origin(headers)?;
        match bearer(headers) {
            Some(t) => match self.devices.find(t) {
                Some(device) => self.check_live().map(|()| device),
                None => Err((
                    StatusCode::UNAUTHORIZED,
                    "This device is not paired (it may have been unpaired, or sharing \
                     restarted): scan the code the desktop shows.",
                )),
            },
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

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
}

/// Compares in time that does not depend on where the two differ.
pub(crate) fn equal(a: &[u8], b: &[u8]) -> bool {
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
    fn a_device_pairs_with_the_code_and_calls_with_its_own_credential() {
        let p = Pairing::new(Duration::from_secs(60)).unwrap();
        assert_eq!(p.token().len(), 32);
        assert_ne!(p.token(), p.image_key());
        let code = format!("Bearer {}", p.token());
        let host = (header::HOST, "10.0.0.2:8765");
        let (device, credential) = p
            .pair(
                &headers(&[host.clone(), (header::AUTHORIZATION, &code)]),
                "tablet",
            )
            .unwrap();
        assert_ne!(credential, p.token());
        let mine = format!("Bearer {credential}");
        assert_eq!(
            p.check_call(&headers(&[host.clone(), (header::AUTHORIZATION, &mine)])),
            Ok(device)
        );
        let same = (header::ORIGIN, "http://10.0.0.2:8765");
        assert!(p
            .check_call(&headers(&[
                host.clone(),
                same,
                (header::AUTHORIZATION, &mine)
            ]))
            .is_ok());
        let other = (header::ORIGIN, "http://evil.example");
        assert_eq!(
            p.check_call(&headers(&[
                host.clone(),
                other.clone(),
                (header::AUTHORIZATION, &mine)
            ]))
            .unwrap_err()
            .0,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            p.pair(
                &headers(&[host.clone(), other, (header::AUTHORIZATION, &code)]),
                "x"
            )
            .unwrap_err()
            .0,
            StatusCode::FORBIDDEN
        );
        // The code pairs; it does not call. Nor does the image key.
        for wrong in [&code, &format!("Bearer {}", p.image_key())] {
            assert_eq!(
                p.check_call(&headers(&[host.clone(), (header::AUTHORIZATION, wrong)]))
                    .unwrap_err()
                    .0,
                StatusCode::UNAUTHORIZED
            );
        }
        assert!(p.check_call(&headers(std::slice::from_ref(&host))).is_err());
        // Unpaired: refused at once, the other device goes on.
        let (other_device, other_credential) = p
            .pair(
                &headers(&[host.clone(), (header::AUTHORIZATION, &code)]),
                "phone",
            )
            .unwrap();
        assert!(p.devices.remove(device));
        assert!(p
            .check_call(&headers(&[host.clone(), (header::AUTHORIZATION, &mine)]))
            .is_err());
        let theirs = format!("Bearer {other_credential}");
        assert_eq!(
            p.check_call(&headers(&[host.clone(), (header::AUTHORIZATION, &theirs)])),
            Ok(other_device)
        );
        p.revoke();
        assert!(p
            .check_call(&headers(&[host, (header::AUTHORIZATION, &theirs)]))
            .is_err());
    }

    #[test]
    fn an_expired_pairing_is_refused() {
        let p = Pairing::new(Duration::ZERO).unwrap();
        let bearer = format!("Bearer {}", p.token());
        let refused = p
            .pair(&headers(&[(header::AUTHORIZATION, &bearer)]), "tablet")
            .unwrap_err();
        assert!(refused.1.contains("expired"), "{refused:?}");
        assert!(p
            .check_image(&HeaderMap::new(), Some(p.image_key()))
            .is_err());
    }
}
