-- Small app settings that must survive a restart (e.g. the current rater), as text values.
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
