-- Whether the prediction on screen (`shown_prediction`) came from the rater's own model, learned
-- from their scores, rather than from the pack's head (`model_id` names the pack either way: the
-- own model is fitted on that pack's embeddings).
ALTER TABLE judgements ADD COLUMN shown_own INTEGER NOT NULL DEFAULT 0 CHECK (shown_own IN (0, 1));
