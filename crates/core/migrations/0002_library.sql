-- Exclusion patterns per folder: one glob per line, matched against file names (or against the
-- path below the folder when the pattern has a '/'). The old tool skipped names containing "mask".
ALTER TABLE roots ADD COLUMN excludes TEXT NOT NULL DEFAULT '*mask*';

-- One row per distinct content (SHA-1 of the bytes). Ratings attach here, so they follow an
-- image across renames, moves and copies.
CREATE TABLE images (
    id         INTEGER PRIMARY KEY,
    sha1       TEXT    NOT NULL UNIQUE,         -- 40 lowercase hex digits
    width      INTEGER,                         -- from the header; NULL when unknown
    height     INTEGER,
    format     TEXT,                            -- detected from the content, not the name
    status     TEXT    NOT NULL CHECK (status IN ('ok', 'unreadable', 'unsupported')),
    error      TEXT,                            -- why it is not 'ok'
    first_seen TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

-- One row per file below a root. A file that vanished stays with present = 0.
CREATE TABLE files (
    id       INTEGER PRIMARY KEY,
    root_id  INTEGER NOT NULL REFERENCES roots (id) ON DELETE CASCADE,
    rel_path TEXT    NOT NULL,                  -- below the root, '/'-separated
    size     INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    present  INTEGER NOT NULL DEFAULT 1,
    image_id INTEGER REFERENCES images (id),    -- NULL when the file could not be read
    error    TEXT,                              -- why the file could not be read
    UNIQUE (root_id, rel_path)
);
CREATE INDEX files_image ON files (image_id);
