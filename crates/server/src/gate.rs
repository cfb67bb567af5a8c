//! Who is asking: the door's check before any request is read. A desktop's door lets in the
//! devices that hold its pairing ([`Pairing`]); a team server lets in signed-in devices, each
//! as its own rater ([`Team`]), found by its token in the database on every request (so a
//! revocation holds at once, whichever process made it). Wrong tokens and sign-in
//! codes are slowed down per address ([`Throttle`]).

use crate::pairing::{same_origin, Pairing, Refusal};
use axum::http::{header, HeaderMap, StatusCode};
use image_scorer_core::app::team::{image_key, Team};
use image_scorer_core::store::DeviceAccount;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How a door lets devices in.
#[derive(Clone)]
pub(crate) enum Gate {
    /// A desktop's pairing: one token for the devices it paired.
    Pairing(Arc<Pairing>, Arc<Throttle>),
    /// A team server's accounts.
    Team(Team, Arc<Throttle>),
}

/// A device let in.
#[derive(Debug, Clone)]
pub(crate) enum Caller {
    /// A device paired with the desktop (its number in the pairing): acts as the rater it
    /// chose first.
    Paired(Arc<Pairing>, u32),
    /// Signed in on a team server as this account, through this token.
    Member(DeviceAccount, String),
}

impl Gate {
    /// A command, the session or the event stream: from this server's own page, with
    /// `Authorization: Bearer <token>`.
    pub async fn check_call(&self, headers: &HeaderMap, peer: IpAddr) -> Result<Caller, Refusal> {
        match self {
            Gate::Pairing(pairing, throttle) => {
                throttle.check(peer)?;
                let device = throttle.record(peer, pairing.check_call(headers))?;
                Ok(Caller::Paired(pairing.clone(), device))
            }
            Gate::Team(team, throttle) => {
                same_origin(headers)?;
                throttle.check(peer)?;
                let Some(token) = bearer(headers) else {
                    return Err((
                        StatusCode::UNAUTHORIZED,
                        "Sign in first: open the sign-in address your team's admin gave you.",
                    ));
                };
                match team.device(token).await {
                    Ok(Some(account)) => {
                        throttle.succeeded(peer);
                        Ok(Caller::Member(account, token.to_owned()))
                    }
                    Ok(None) => {
                        throttle.failed(peer);
                        Err((
                            StatusCode::UNAUTHORIZED,
                            "This device is not signed in (it may have been signed out): ask \
                             your team's admin for a new sign-in address.",
                        ))
                    }
                    Err(e) => Err(unavailable(&e)),
                }
            }
        }
    }

    /// Pairs a device with the desktop's pairing code (`label`: what its browser says it
    /// is): its credential. A team server's devices sign in instead.
    pub fn pair(&self, headers: &HeaderMap, peer: IpAddr, label: &str) -> Result<String, Refusal> {
        let Gate::Pairing(pairing, throttle) = self else {
            return Err((
                StatusCode::NOT_FOUND,
                "A team server's devices sign in with the address their admin gives them.",
            ));
        };
        throttle.check(peer)?;
        let (_, credential) = throttle.record(peer, pairing.pair(headers, label))?;
        Ok(credential)
    }

    /// An image address's key.
    pub async fn check_image(
        &self,
        headers: &HeaderMap,
        key: Option<&str>,
        peer: IpAddr,
    ) -> Result<(), Refusal> {
        match self {
            // (A 128-bit key is not guessed; a tablet's stale keys after a new pairing must
            // not make its address wait.)
            Gate::Pairing(pairing, _) => pairing.check_image(headers, key),
            Gate::Team(team, throttle) => {
                same_origin(headers)?;
                throttle.check(peer)?;
                let invalid = (StatusCode::UNAUTHORIZED, "This image address is not valid.");
                let Some(key) = key else {
                    return Err(invalid);
                };
                match team.device_by_image_key(key).await {
                    Ok(Some(_)) => Ok(()),
                    Ok(None) => {
                        throttle.failed(peer);
                        Err(invalid)
                    }
                    Err(e) => Err(unavailable(&e)),
                }
            }
        }
    }

    /// The key image addresses carry for `caller`, and the seconds its access has left
    /// (`None`: until revoked).
    pub fn image_key(&self, caller: &Caller) -> (String, Option<u64>) {
        match (self, caller) {
            (Gate::Pairing(p, _), _) => (p.image_key().to_owned(), Some(p.seconds_left())),
            (Gate::Team(..), Caller::Member(_, token)) => (image_key(token), None),
            (Gate::Team(..), Caller::Paired(..)) => (String::new(), Some(0)),
        }
    }

    /// Whether `caller` may still follow the event stream.
    pub async fn still_in(&self, caller: &Caller) -> bool {
        match (self, caller) {
            (Gate::Pairing(p, _), Caller::Paired(_, device)) => {
                !p.is_revoked() && p.seconds_left() > 0 && p.devices.contains(*device)
            }
            (Gate::Pairing(..), Caller::Member(..)) => false,
            // A database that does not answer for a moment does not end the stream.
            (Gate::Team(team, _), Caller::Member(account, _)) => {
                team.is_live(account.device).await.unwrap_or(true)
            }
            (Gate::Team(..), Caller::Paired(..)) => false,
        }
    }
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
}

fn unavailable(error: &image_scorer_core::CoreError) -> Refusal {
    eprintln!("image-scorer: cannot check a device: {error}");
    (
        StatusCode::SERVICE_UNAVAILABLE,
        "The server cannot reach its database just now: try again in a moment.",
    )
}

/// Wrong tokens and codes, per address: after [`Throttle::FREE`] failures each further one
/// makes the address wait (doubling, up to [`Throttle::LONGEST`]) before it is heard again;
/// a success forgets its failures. Holds at most [`Throttle::ADDRESSES`] addresses (the
/// oldest are forgotten).
#[derive(Default)]
pub(crate) struct Throttle {
    addresses: Mutex<HashMap<IpAddr, Failures>>,
}

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    until: Instant,
}

impl Throttle {
    /// Failures an address may have before it waits.
    const FREE: u32 = 5;
    /// The first wait.
    const FIRST: Duration = Duration::from_millis(250);
    /// The longest wait.
    const LONGEST: Duration = Duration::from_secs(60);
    /// Addresses remembered.
    const ADDRESSES: usize = 10_000;

    /// Refuses an address that must still wait.
    pub fn check(&self, peer: IpAddr) -> Result<(), Refusal> {
        let addresses = self.addresses.lock().unwrap_or_else(|e| e.into_inner());
        match addresses.get(&peer) {
            Some(f) if f.until > Instant::now() => Err((
                StatusCode::TOO_MANY_REQUESTS,
                "Too many refused requests from this address: wait a little and try again.",
            )),
            _ => Ok(()),
        }
    }

    /// Counts a wrong token or code from `peer`.
    pub fn failed(&self, peer: IpAddr) {
        let mut addresses = self.addresses.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        if addresses.len() >= Self::ADDRESSES && !addresses.contains_key(&peer) {
            if let Some(oldest) = addresses
                .iter()
                .min_by_key(|(_, f)| f.until)
                .map(|(a, _)| *a)
            {
                addresses.remove(&oldest);
            }
        }
        let entry = addresses.entry(peer).or_insert(Failures {
            count: 0,
            until: now,
        });
        entry.count += 1;
        if entry.count > Self::FREE {
            let doublings = (entry.count - Self::FREE - 1).min(16);
            let wait = (Self::FIRST * 2u32.pow(doublings)).min(Self::LONGEST);
            entry.until = now + wait;
        }
    }

    /// Counts `checked` for `peer` and hands it on: a success forgets its failures, a wrong
    /// token or code (401) is one more.
    pub fn record<T>(&self, peer: IpAddr, checked: Result<T, Refusal>) -> Result<T, Refusal> {
        match &checked {
            Ok(_) => self.succeeded(peer),
            Err((StatusCode::UNAUTHORIZED, _)) => self.failed(peer),
            Err(_) => {}
        }
        checked
    }

    /// Forgets `peer`'s failures.
    pub fn succeeded(&self, peer: IpAddr) {
        let mut addresses = self.addresses.lock().unwrap_or_else(|e| e.into_inner());
        addresses.remove(&peer);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_waits_after_its_free_failures_and_others_do_not() {
        let throttle = Throttle::default();
        let guesser: IpAddr = "10.0.0.9".parse().unwrap();
        let other: IpAddr = "10.0.0.2".parse().unwrap();
        for _ in 0..Throttle::FREE {
            assert!(throttle.check(guesser).is_ok());
            throttle.failed(guesser);
        }
        assert!(throttle.check(guesser).is_ok(), "five are free");
        throttle.failed(guesser);
        assert_eq!(
            throttle.check(guesser).unwrap_err().0,
            StatusCode::TOO_MANY_REQUESTS
        );
        assert!(throttle.check(other).is_ok());
        throttle.succeeded(guesser);
        assert!(throttle.check(guesser).is_ok());
    }
}
