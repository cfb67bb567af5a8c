//! A team's sign-in: one-time sign-in codes for the raters an admin adds, the token and image
//! key a device gets for one, and their checks. Codes, tokens and image keys are 128 random
//! bits from the operating system; the store keeps only their SHA-256 hashes, so a copy of
//! the database signs nobody in. The image key is derived from the token (a device asks for
//! it with its token), so it need not be stored either.

use crate::store::{AccountLine, DeviceAccount, Revoked};
use crate::{CoreError, Result, Store};
use sha2::{Digest, Sha256};
use std::time::Duration;

/// How long a sign-in address works when not used.
pub const SIGN_IN_LIFETIME: Duration = Duration::from_secs(7 * 24 * 3600);

/// A new sign-in address's code, for the rater it signs in.
#[derive(Debug, Clone)]
pub struct SignIn {
    /// The code (32 hex digits), shown once.
    pub code: String,
    /// The rater's name.
    pub rater: String,
    /// When it stops working (a log time, UTC).
    pub expires_at: String,
}

/// What a device holds once signed in.
#[derive(Debug, Clone)]
pub struct Credentials {
    /// Sent as `Authorization: Bearer` with every request.
    pub token: String,
    /// The account it acts as.
    pub account: DeviceAccount,
}

/// The team's accounts over the store. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Team {
    store: Store,
}

impl Team {
    /// The accounts of `store`.
    pub fn new(store: Store) -> Self {
        Self { store }
    }

    /// Adds the rater `name` (an admin when `admin`) and makes a sign-in code for one device,
    /// valid for `lifetime`.
    pub async fn add_rater(&self, name: &str, admin: bool, lifetime: Duration) -> Result<SignIn> {
        let rater_id = self.store.add_account(name, admin).await?;
        let code = random_hex()?;
        let expires = chrono::Utc::now()
            + chrono::Duration::from_std(lifetime)
                .map_err(|e| CoreError::InvalidInput(format!("lifetime: {e}")))?;
        let expires_at = expires.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
        self.store
            .add_sign_in(rater_id, &hash(&code), &expires_at)
            .await?;
        Ok(SignIn {
            code,
            rater: name.trim().to_owned(),
            expires_at,
        })
    }

    /// Signs a device in with `code` (once): its new credentials, or `None` when the code is
    /// unknown, used or expired.
    pub async fn sign_in(&self, code: &str, agent: &str) -> Result<Option<Credentials>> {
        let token = random_hex()?;
        let account = self
            .store
            .redeem_sign_in(&hash(code), &hash(&token), &hash(&image_key(&token)), agent)
            .await?;
        Ok(account.map(|account| Credentials { token, account }))
    }

    /// The device that holds `token`, when it is signed in and not revoked.
    pub async fn device(&self, token: &str) -> Result<Option<DeviceAccount>> {
        self.store.device_by_token(&hash(token)).await
    }

    /// The device whose image addresses carry `key`, when not revoked.
    pub async fn device_by_image_key(&self, key: &str) -> Result<Option<DeviceAccount>> {
        self.store.device_by_image_key(&hash(key)).await
    }

    /// Whether device `device` is still signed in.
    pub async fn is_live(&self, device: i64) -> Result<bool> {
        self.store.device_is_live(device).await
    }

    /// Revokes `target`: a device's number (`7` or `d7`, as `team list` shows it), else a
    /// rater's name (every device of theirs and their unused sign-in addresses).
    pub async fn revoke(&self, target: &str) -> Result<Revoked> {
        let target = target.trim();
        let number = target.strip_prefix('d').unwrap_or(target);
        if let Ok(device) = number.parse::<i64>() {
            let done = self.store.revoke_device(device).await?;
            if done.devices > 0 {
                return Ok(done);
            }
        }
        self.store.revoke_rater(target).await?.ok_or_else(|| {
            CoreError::InvalidInput(format!(
                "No rater account and no signed-in device is called “{target}” (team list shows them)."
            ))
        })
    }

    /// Every account and its devices.
    pub async fn list(&self) -> Result<Vec<AccountLine>> {
        self.store.account_lines().await
    }
}

/// The image key of the device holding `token` (what its image addresses carry).
pub fn image_key(token: &str) -> String {
    hash(&format!("image-key:{token}"))[..32].to_owned()
}

/// SHA-256 of `text`, in hex.
fn hash(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// 128 random bits from the operating system, in hex.
fn random_hex() -> Result<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)
        .map_err(|e| CoreError::Internal(format!("no random numbers: {e}")))?;
    Ok(hex::encode(bytes))
}
