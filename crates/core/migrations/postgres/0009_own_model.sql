-- Whether the prediction on screen (`shown_prediction`) came from the rater's own model.
ALTER TABLE judgements ADD COLUMN shown_own BOOLEAN NOT NULL DEFAULT FALSE;
