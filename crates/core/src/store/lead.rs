//! Which process runs the library's background work (indexing, watching, hashing, embedding)
//! when several serve one PostgreSQL database: the one that holds a session advisory lock,
//! on a connection of its own. The lock goes with its connection: when that process dies or
//! loses the server, another takes it. On SQLite the one process always leads.

use super::backend::Pool;
use super::Store;
use crate::Result;
use sqlx::Connection;

/// The advisory lock's key ("IMGSCORE" in ASCII).
const LEAD_KEY: i64 = 0x494d_4753_434f_5245;

/// The right to run the background work, while held.
pub enum Lead {
    /// The only process on a SQLite file.
    Sole,
    /// The connection holding the lock.
    Held(sqlx::PgConnection),
}

impl Store {
    /// Takes the lead when no other process holds it; `None` when one does.
    pub async fn try_lead(&self) -> Result<Option<Lead>> {
        let Pool::Postgres(pool) = self.pool() else {
            return Ok(Some(Lead::Sole));
        };
        let mut conn = sqlx::PgConnection::connect_with(&pool.connect_options()).await?;
        let got: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
            .bind(LEAD_KEY)
            .fetch_one(&mut conn)
            .await?;
        if got {
            Ok(Some(Lead::Held(conn)))
        } else {
            let _ = conn.close().await;
            Ok(None)
        }
    }
}

impl Lead {
    /// Whether the lead is still held (its connection still answers).
    pub async fn holds(&mut self) -> bool {
        match self {
            Lead::Sole => true,
            Lead::Held(conn) => {
                let answer = tokio::time::timeout(std::time::Duration::from_secs(5), conn.ping());
                matches!(answer.await, Ok(Ok(())))
            }
        }
    }
}
