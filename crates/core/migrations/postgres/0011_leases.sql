-- Images handed out by the team queue (PostgreSQL's dialect of ../0011_leases.sql).
CREATE TABLE leases (
    image_id BIGINT NOT NULL REFERENCES images (id),
    rater_id BIGINT NOT NULL REFERENCES raters (id),
    until_ms BIGINT NOT NULL,
    PRIMARY KEY (image_id, rater_id)
);
CREATE INDEX leases_by_time ON leases (until_ms);
