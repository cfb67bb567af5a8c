//! The times of imported judgements, read as SQLite reads a time (ISO 8601 with a `T` or a
//! space, optional fractional seconds, `Z` or an offset) or as seconds (or milliseconds) since
//! 1970, and written as the log writes its own: `2024-05-01T12:00:00.000Z`, in UTC. One rule for
//! both readers: the old tool's database applies it in its own query, a JSONL file through an
//! in-memory SQLite.

use crate::Result;

/// The SQL expression that turns the value `x` into a log time, or NULL when it cannot be read
/// as one (or lies outside 2000-2200: no rating is older).
pub fn normalised(x: &str) -> String {
    const FORMAT: &str = "'%Y-%m-%dT%H:%M:%fZ'";
    // A number, or a text of digits (and one dot): seconds since 1970, or milliseconds when it
    // is too large for seconds. Other texts: SQLite's own time syntax.
    let epoch = format!(
        "strftime({FORMAT}, CAST({x} AS REAL) / iif(abs(CAST({x} AS REAL)) > 1e11, 1000.0, 1.0), 'unixepoch')"
    );
    let parsed = format!(
        "CASE
           WHEN typeof({x}) IN ('integer', 'real') THEN {epoch}
           WHEN typeof({x}) = 'text' AND trim({x}) <> '' AND trim({x}) NOT GLOB '*[^0-9.]*' THEN {epoch}
           WHEN typeof({x}) = 'text' THEN strftime({FORMAT}, trim({x}))
         END"
    );
    format!("(SELECT iif(t BETWEEN '2000' AND '2200', t, NULL) FROM (SELECT {parsed} AS t))")
}

/// Reads times outside a database (a JSONL file's) by the same rule, on an in-memory SQLite.
pub struct TimeReader {
    db: rusqlite::Connection,
}

impl TimeReader {
    /// A reader.
    pub fn new() -> Result<Self> {
        Ok(Self {
            db: rusqlite::Connection::open_in_memory()?,
        })
    }

    /// The log time of `value` (a JSON string or number), or `None` when it is not a time.
    pub fn read(&self, value: &serde_json::Value) -> Result<Option<String>> {
        let sql = format!("SELECT {}", normalised("?1"));
        let mut query = self.db.prepare_cached(&sql)?;
        let out = match value {
            serde_json::Value::String(s) => query.query_row([s], |r| r.get(0))?,
            serde_json::Value::Number(n) => match n.as_f64() {
                Some(f) => query.query_row([f], |r| r.get(0))?,
                None => None,
            },
            _ => None,
        };
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn times_in_every_usual_spelling_become_log_times() {
        let r = TimeReader::new().unwrap();
        let read = |v: serde_json::Value| r.read(&v).unwrap();
        let noon = Some("2024-05-01T12:00:00.000Z".to_owned());
        assert_eq!(read(json!("2024-05-01 12:00:00")), noon);
        assert_eq!(read(json!("2024-05-01T12:00:00Z")), noon);
        assert_eq!(read(json!("2024-05-01T14:00:00+02:00")), noon);
        assert_eq!(read(json!(" 2024-05-01T12:00:00.000Z ")), noon);
        assert_eq!(read(json!(1714564800)), noon);
        assert_eq!(read(json!(1714564800000_i64)), noon);
        assert_eq!(read(json!("1714564800")), noon);
        assert_eq!(
            read(json!("2024-05-01T12:00:00.250Z")),
            Some("2024-05-01T12:00:00.250Z".to_owned())
        );
        for bad in [
            json!(""),
            json!("yesterday"),
            json!(null),
            json!("99999"),
            json!(true),
        ] {
            assert_eq!(read(bad.clone()), None, "{bad}");
        }
    }
}
