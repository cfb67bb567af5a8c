-- Images handed out by the team queue (app/queue.rs): reserved for one rater until a time, so
-- that two raters do not spend their time on an image that wants one more rating. A lease
-- past its time counts for nothing and is cleared by the next claim of its image.
CREATE TABLE leases (
    image_id INTEGER NOT NULL REFERENCES images (id),
    rater_id INTEGER NOT NULL REFERENCES raters (id),
    until_ms INTEGER NOT NULL,              -- Unix time in milliseconds
    PRIMARY KEY (image_id, rater_id)
);
CREATE INDEX leases_by_time ON leases (until_ms);
