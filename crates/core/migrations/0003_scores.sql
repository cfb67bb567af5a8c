-- Who is rating. Every judgement carries its rater.
CREATE TABLE raters (
    id      INTEGER PRIMARY KEY,
    name    TEXT NOT NULL UNIQUE,
    created TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

-- Scores as an append-only event log. Re-rating appends a newer event; undo sets `undone` on an
-- event. An image's current score by a rater is its newest event that is not undone.
CREATE TABLE scores (
    id        INTEGER PRIMARY KEY,
    image_id  INTEGER NOT NULL REFERENCES images (id),
    rater_id  INTEGER NOT NULL REFERENCES raters (id),
    value     REAL    NOT NULL CHECK (value >= 1.0 AND value <= 10.0),
    source    TEXT    NOT NULL CHECK (source IN ('score', 'rate')),
    predicted REAL,                              -- the prediction shown at the time, if any
    created   TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    undone    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX scores_image_rater ON scores (image_id, rater_id, id);
CREATE INDEX scores_rater ON scores (rater_id, id);
