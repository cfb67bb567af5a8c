-- Perceptual hashes (64-bit, of the decoded pixels), computed while indexing, so look-alike
-- duplicates are found with no model installed. Keyed by content like every cache.
CREATE TABLE image_hashes (
    image_id BIGINT PRIMARY KEY REFERENCES images (id),
    hash     BIGINT NOT NULL              -- the 64 bits as a signed integer
);

-- The one rule for a duplicate flag: the newest duplicate-mark judgement (not undone) that
-- names the image decides; it is flagged when that judgement marked it as a duplicate (a later
-- mark that keeps it clears the flag).
CREATE VIEW duplicate_images AS
SELECT image_id, judgement_id
  FROM (SELECT ji.image_id, ji.role, j.id AS judgement_id,
               ROW_NUMBER() OVER (PARTITION BY ji.image_id ORDER BY j.id DESC) AS n
          FROM judgements j JOIN judgement_images ji ON ji.judgement_id = j.id
         WHERE j.kind = 'duplicate' AND NOT j.undone) AS ranked
 WHERE n = 1 AND role = 'duplicate';

-- The images that take part in the experiments' queues: those that can be shown, less those
-- marked as duplicates.
CREATE VIEW queue_images AS
SELECT s.* FROM shown_images s
 WHERE NOT EXISTS (SELECT 1 FROM duplicate_images d WHERE d.image_id = s.id);
