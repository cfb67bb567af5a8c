-- A team's accounts: raters who sign in on a server, their devices and their one-time sign-in
-- addresses. Tokens and codes are kept only as SHA-256 hashes (hex): the database never holds
-- what a device sends.
CREATE TABLE accounts (
    rater_id INTEGER PRIMARY KEY REFERENCES raters (id),
    admin    INTEGER NOT NULL DEFAULT 0 CHECK (admin IN (0, 1))
);

-- One row per one-time sign-in address; `used_at` is set when a device signs in with it.
CREATE TABLE sign_ins (
    code_hash  TEXT    PRIMARY KEY,
    rater_id   INTEGER NOT NULL REFERENCES raters (id),
    created_at TEXT    NOT NULL,
    expires_at TEXT    NOT NULL,
    used_at    TEXT
);

-- A signed-in device: its token (sent as `Authorization: Bearer`) and its image key (in image
-- addresses, which cannot carry a header). Revoked devices stay listed, refused.
CREATE TABLE devices (
    id             INTEGER PRIMARY KEY,
    rater_id       INTEGER NOT NULL REFERENCES raters (id),
    token_hash     TEXT    NOT NULL UNIQUE,
    image_key_hash TEXT    NOT NULL UNIQUE,
    agent          TEXT    NOT NULL DEFAULT '',
    created_at     TEXT    NOT NULL,
    revoked_at     TEXT
);
CREATE INDEX devices_by_rater ON devices (rater_id);
