-- The images that are not 'ok', and one index fewer on files (PostgreSQL's dialect of
-- ../0012_unreadable.sql).
CREATE INDEX images_not_ok ON images (id) WHERE status <> 'ok';
DROP INDEX files_image;
