//! A team's accounts: which raters sign in (and which of them are admins), their one-time
//! sign-in addresses and their devices. Only hashes of codes, tokens and image keys are
//! stored ([`crate::app::team`] makes and checks them); a device is found by its token's hash
//! on every request, so a revocation holds from the next request on.

use super::backend::{on_pool, on_tx, Tx};
use super::log_insert::log_time_now;
use super::Store;
use crate::Result;

/// A signed-in device with the rater it acts as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceAccount {
    /// The device's number (what `team revoke` names).
    pub device: i64,
    /// Its rater's id.
    pub rater_id: i64,
    /// Its rater's name now.
    pub rater: String,
    /// Whether the rater may change the library's settings.
    pub admin: bool,
}

/// One line of `team list`: an account and one of its devices (none: `device` is `None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountLine {
    /// The rater's name.
    pub rater: String,
    /// Whether they are an admin.
    pub admin: bool,
    /// The device's number.
    pub device: Option<i64>,
    /// The browser it signed in with (its User-Agent, cut short).
    pub agent: String,
    /// When it signed in.
    pub created_at: Option<String>,
    /// When it was revoked.
    pub revoked_at: Option<String>,
}

/// What a revocation ended.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Revoked {
    /// Devices refused from now on.
    pub devices: u64,
    /// Sign-in addresses not used yet that no longer work.
    pub sign_ins: u64,
}

impl Store {
    /// Makes `name` (a rater, made if new) an account; `admin` makes them an admin (an admin
    /// stays one when added again without it). Returns the rater's id.
    pub async fn add_account(&self, name: &str, admin: bool) -> Result<i64> {
        let rater_id = self.rater(name).await?;
        on_pool!(self, |pool| sqlx::query(
            "INSERT INTO accounts (rater_id, admin) VALUES ($1, $2)
             ON CONFLICT (rater_id) DO UPDATE SET admin = (accounts.admin OR excluded.admin)"
        )
        .bind(rater_id)
        .bind(admin)
        .execute(pool)
        .await
        .map(|d| d.rows_affected()))?;
        Ok(rater_id)
    }

    /// Records a sign-in address for `rater_id` by its code's hash, valid until `expires_at`
    /// (a log time).
    pub async fn add_sign_in(
        &self,
        rater_id: i64,
        code_hash: &str,
        expires_at: &str,
    ) -> Result<()> {
        on_pool!(self, |pool| sqlx::query(
            "INSERT INTO sign_ins (code_hash, rater_id, created_at, expires_at)
             VALUES ($1, $2, $3, $4)"
        )
        .bind(code_hash)
        .bind(rater_id)
        .bind(log_time_now())
        .bind(expires_at)
        .execute(pool)
        .await
        .map(|d| d.rows_affected()))?;
        Ok(())
    }

    /// Uses the sign-in address whose code hashes to `code_hash`, once: when it exists, is
    /// unused and has not expired, records a device with `token_hash` and `image_key_hash`
    /// for its rater, in one transaction. `None`: the address does not work (any more).
    pub async fn redeem_sign_in(
        &self,
        code_hash: &str,
        token_hash: &str,
        image_key_hash: &str,
        agent: &str,
    ) -> Result<Option<DeviceAccount>> {
        let now = log_time_now();
        let mut tx = self.write().await?;
        let rater_id: Option<i64> = on_tx!(&mut tx, |conn| sqlx::query_scalar(
            "UPDATE sign_ins SET used_at = $1
             WHERE code_hash = $2 AND used_at IS NULL AND expires_at > $1
             RETURNING rater_id"
        )
        .bind(&now)
        .bind(code_hash)
        .fetch_optional(&mut **conn)
        .await)?;
        let Some(rater_id) = rater_id else {
            return Ok(None);
        };
        let agent: String = agent.chars().take(120).collect();
        on_tx!(&mut tx, |conn| sqlx::query(
            "INSERT INTO devices (rater_id, token_hash, image_key_hash, agent, created_at)
             VALUES ($1, $2, $3, $4, $5)"
        )
        .bind(rater_id)
        .bind(token_hash)
        .bind(image_key_hash)
        .bind(&agent)
        .bind(&now)
        .execute(&mut **conn)
        .await
        .map(|d| d.rows_affected()))?;
        tx.commit().await?;
        self.device_where("d.token_hash = $1", token_hash).await
    }

    /// The live (not revoked) device whose token hashes to `token_hash`.
    pub async fn device_by_token(&self, token_hash: &str) -> Result<Option<DeviceAccount>> {
        self.device_where("d.token_hash = $1", token_hash).await
    }

    /// The live device whose image key hashes to `key_hash`.
    pub async fn device_by_image_key(&self, key_hash: &str) -> Result<Option<DeviceAccount>> {
        self.device_where("d.image_key_hash = $1", key_hash).await
    }

    async fn device_where(&self, condition: &str, value: &str) -> Result<Option<DeviceAccount>> {
        let sql = format!(
            "SELECT d.id, d.rater_id, r.name, COALESCE(a.admin, FALSE)
             FROM devices d JOIN raters r ON r.id = d.rater_id
             LEFT JOIN accounts a ON a.rater_id = d.rater_id
             WHERE {condition} AND d.revoked_at IS NULL"
        );
        let row: Option<(i64, i64, String, bool)> = on_pool!(self, |pool| sqlx::query_as(&sql)
            .bind(value)
            .fetch_optional(pool)
            .await)?;
        Ok(row.map(|(device, rater_id, rater, admin)| DeviceAccount {
            device,
            rater_id,
            rater,
            admin,
        }))
    }

    /// Whether device `device` is still signed in (not revoked).
    pub async fn device_is_live(&self, device: i64) -> Result<bool> {
        let found: Option<i64> = on_pool!(self, |pool| sqlx::query_scalar(
            "SELECT id FROM devices WHERE id = $1 AND revoked_at IS NULL"
        )
        .bind(device)
        .fetch_optional(pool)
        .await)?;
        Ok(found.is_some())
    }

    /// Revokes device number `device`.
    pub async fn revoke_device(&self, device: i64) -> Result<Revoked> {
        let done = on_pool!(self, |pool| sqlx::query(
            "UPDATE devices SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL"
        )
        .bind(log_time_now())
        .bind(device)
        .execute(pool)
        .await
        .map(|d| d.rows_affected()))?;
        Ok(Revoked {
            devices: done,
            sign_ins: 0,
        })
    }

    /// Revokes every device of the rater `name` and their unused sign-in addresses; `None`
    /// when no account has that name.
    pub async fn revoke_rater(&self, name: &str) -> Result<Option<Revoked>> {
        let rater_id: Option<i64> = on_pool!(self, |pool| sqlx::query_scalar(
            "SELECT a.rater_id FROM accounts a JOIN raters r ON r.id = a.rater_id
             WHERE r.name = $1"
        )
        .bind(name.trim())
        .fetch_optional(pool)
        .await)?;
        let Some(rater_id) = rater_id else {
            return Ok(None);
        };
        let now = log_time_now();
        let mut tx = self.write().await?;
        let devices = revoke_in(
            &mut tx,
            "UPDATE devices SET revoked_at = $1 WHERE rater_id = $2 AND revoked_at IS NULL",
            &now,
            rater_id,
        )
        .await?;
        let sign_ins = revoke_in(
            &mut tx,
            "UPDATE sign_ins SET used_at = $1 WHERE rater_id = $2 AND used_at IS NULL",
            &now,
            rater_id,
        )
        .await?;
        tx.commit().await?;
        Ok(Some(Revoked { devices, sign_ins }))
    }

    /// Every account with its devices, by rater name then device.
    pub async fn account_lines(&self) -> Result<Vec<AccountLine>> {
        type Line = (
            String,
            bool,
            Option<i64>,
            Option<String>,
            Option<String>,
            Option<String>,
        );
        let rows: Vec<Line> = on_pool!(self, |pool| sqlx::query_as(
            "SELECT r.name, a.admin, d.id, d.agent, d.created_at, d.revoked_at
             FROM accounts a JOIN raters r ON r.id = a.rater_id
             LEFT JOIN devices d ON d.rater_id = a.rater_id
             ORDER BY r.name, d.id"
        )
        .fetch_all(pool)
        .await)?;
        Ok(rows
            .into_iter()
            .map(
                |(rater, admin, device, agent, created_at, revoked_at)| AccountLine {
                    rater,
                    admin,
                    device,
                    agent: agent.unwrap_or_default(),
                    created_at,
                    revoked_at,
                },
            )
            .collect())
    }

    /// Whether any account exists (a library that has a team).
    pub async fn has_accounts(&self) -> Result<bool> {
        let any: Option<i64> = on_pool!(self, |pool| sqlx::query_scalar(
            "SELECT rater_id FROM accounts LIMIT 1"
        )
        .fetch_optional(pool)
        .await)?;
        Ok(any.is_some())
    }
}

/// Runs one of [`Store::revoke_rater`]'s updates in `tx`; the rows it changed.
async fn revoke_in(tx: &mut Tx, sql: &str, now: &str, rater_id: i64) -> Result<u64> {
    Ok(on_tx!(tx, |conn| sqlx::query(sql)
        .bind(now)
        .bind(rater_id)
        .execute(&mut **conn)
        .await
        .map(|d| d.rows_affected()))?)
}
