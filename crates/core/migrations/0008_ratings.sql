-- Imports: judgements brought in from another tool's database or from another machine's export.

-- An image known only by its content hash (from an imported file) until a file with that content
-- appears: its ratings are kept and attach to the file then. Such a row has seen = 0 and no
-- size, format or status of its own yet; indexing a file of it fills them in.
ALTER TABLE images ADD COLUMN seen INTEGER NOT NULL DEFAULT 1;

-- Each import: which file (its name), of which format, when, and its report (JSON).
CREATE TABLE imports (
    id      INTEGER PRIMARY KEY,
    source  TEXT NOT NULL,
    format  TEXT NOT NULL,
    created TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    report  TEXT NOT NULL DEFAULT '{}'
);

-- The import a judgement came from (NULL: made in this app). Undo never takes back an imported
-- judgement: it is the rater's last key press that undo is for.
ALTER TABLE judgements ADD COLUMN import_id INTEGER REFERENCES imports (id);

-- Imports keep their judgements' own times, so "newest" is by time, then by id; an import asks
-- whether a rater already has a judgement at a time.
CREATE INDEX judgements_rater_created ON judgements (rater_id, created);

-- An image's present files by path: the first file's name (the views' MIN(rel_path)) and "has a
-- file present" are one index seek each, and the gallery reads every present file in image order
-- without touching the table.
CREATE INDEX files_image_present ON files (image_id, present, rel_path, root_id);

-- Raters that came from another tool, by their key there (the old tool's user hash), so that a
-- second import of the same file, or of a newer copy, finds the rater even after a rename.
CREATE TABLE rater_sources (
    source   TEXT    NOT NULL,
    key      TEXT    NOT NULL,
    rater_id INTEGER NOT NULL REFERENCES raters (id),
    PRIMARY KEY (source, key)
);

-- The one rule for an image's current score by a rater, now by time: their newest score event
-- that is not undone (an imported score from last year does not replace this morning's).
DROP VIEW current_scores;
CREATE VIEW current_scores AS
SELECT image_id, rater_id, value, id AS judgement_id, created
  FROM (SELECT s.image_id, s.rater_id, s.value, s.id, s.created,
               ROW_NUMBER() OVER (PARTITION BY s.image_id, s.rater_id
                                  ORDER BY s.created DESC, s.id DESC) AS n
          FROM score_events s)
 WHERE n = 1;
