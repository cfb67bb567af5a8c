-- The images that are not 'ok' (unreadable, unsupported), found without reading every image:
-- the library's counts ask for them each time the library changes (store/files.rs, counts).
CREATE INDEX images_not_ok ON images (id) WHERE status <> 'ok';
-- files_image_present (image_id, present, rel_path, root_id) serves every lookup by image;
-- this one only cost a write for each file indexed.
DROP INDEX files_image;
