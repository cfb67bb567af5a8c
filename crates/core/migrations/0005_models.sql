-- Model packs seen, keyed by a hash of their files: a changed model is a new model.
CREATE TABLE models (
    id   INTEGER PRIMARY KEY,
    hash TEXT    NOT NULL UNIQUE,
    name TEXT    NOT NULL
);

-- Caches keyed by content and model: nothing is computed twice.
CREATE TABLE embeddings (
    image_id INTEGER NOT NULL REFERENCES images (id),
    model_id INTEGER NOT NULL REFERENCES models (id),
    vector   BLOB    NOT NULL,                -- little-endian f32
    PRIMARY KEY (image_id, model_id)
);

CREATE TABLE predictions (
    image_id INTEGER NOT NULL REFERENCES images (id),
    model_id INTEGER NOT NULL REFERENCES models (id),
    score    REAL    NOT NULL,
    PRIMARY KEY (image_id, model_id)
);
