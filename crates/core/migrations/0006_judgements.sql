-- Every judgement of every experiment, as one append-only log: scores, ratings, comparisons,
-- similarity judgements, duplicate marks, imported scores. Undo sets `undone`; nothing else is
-- ever updated, and current state (an image's score, a ranking, a duplicate flag) is derived.
CREATE TABLE judgements (
    id               INTEGER PRIMARY KEY,
    kind             TEXT    NOT NULL CHECK (kind IN ('score', 'rate', 'comparison', 'similarity',
                                                     'duplicate', 'imported')),
    rater_id         INTEGER NOT NULL REFERENCES raters (id),
    created          TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    value            REAL,              -- a score 1-10 (score, rate, imported) or a likeness 1-5
    outcome          TEXT    CHECK (outcome IN ('pick', 'tie', 'none')),   -- comparisons
    shown_prediction REAL,              -- the prediction on screen, if any
    shown_cosine     REAL,              -- the cosine similarity on screen, if any
    model_id         INTEGER REFERENCES models (id),   -- whose prediction or cosine was shown
    undone           INTEGER NOT NULL DEFAULT 0,
    CHECK (kind NOT IN ('score', 'rate', 'imported') OR (value >= 1.0 AND value <= 10.0)),
    CHECK (kind <> 'similarity' OR (value >= 1.0 AND value <= 5.0)),
    CHECK ((kind = 'comparison') = (outcome IS NOT NULL))
);

-- The images a judgement is about, with their screen position and their part in it.
CREATE TABLE judgement_images (
    judgement_id INTEGER NOT NULL REFERENCES judgements (id),
    position     INTEGER NOT NULL,      -- 0 first: left, or top-left then reading order
    image_id     INTEGER NOT NULL REFERENCES images (id),
    role         TEXT    NOT NULL CHECK (role IN ('subject', 'shown', 'winner', 'kept', 'duplicate')),
    PRIMARY KEY (judgement_id, position)
);
CREATE INDEX judgement_images_image ON judgement_images (image_id, judgement_id);
CREATE INDEX judgements_rater ON judgements (rater_id, id);

-- The scores made so far move into the log with their ids, so their order is kept.
INSERT INTO judgements (id, kind, rater_id, created, value, shown_prediction, undone)
    SELECT id, source, rater_id, created, value, predicted, undone FROM scores ORDER BY id;
INSERT INTO judgement_images (judgement_id, position, image_id, role)
    SELECT id, 0, image_id, 'subject' FROM scores ORDER BY id;
DROP TABLE scores;

-- The one rule for an image that can be shown (and so rated): it decodes, and a file of it is
-- present below an open folder (closing a folder deletes its files). `name` is the path of its
-- first present file below its folder.
CREATE VIEW shown_images AS
SELECT i.id, i.sha1, i.width, i.height, i.format,
       (SELECT MIN(f.rel_path) FROM files f WHERE f.image_id = i.id AND f.present = 1) AS name
  FROM images i
 WHERE i.status = 'ok'
   AND EXISTS (SELECT 1 FROM files f WHERE f.image_id = i.id AND f.present = 1);

-- Judgements that give an image a 1-10 score, not undone.
CREATE VIEW score_events AS
SELECT j.id, ji.image_id, j.rater_id, j.value, j.kind, j.created, j.shown_prediction
  FROM judgements j JOIN judgement_images ji ON ji.judgement_id = j.id
 WHERE j.kind IN ('score', 'rate', 'imported') AND j.undone = 0;

-- The one rule for an image's current score by a rater: their newest score event that is not
-- undone. (Query it by image_id or rater_id: SQLite then reads only that partition.)
CREATE VIEW current_scores AS
SELECT image_id, rater_id, value, id AS judgement_id
  FROM (SELECT s.image_id, s.rater_id, s.value, s.id,
               ROW_NUMBER() OVER (PARTITION BY s.image_id, s.rater_id ORDER BY s.id DESC) AS n
          FROM score_events s)
 WHERE n = 1;
