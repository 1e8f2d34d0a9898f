-- history_posted: the order's history is its last good one (it posted as it
-- is). Kept beside the two histories so that neither a webhook's posting nor
-- a full re-post compares two JSON documents to learn it; a re-post skips
-- remembering the products and SKUs of such a history (remembered when it
-- posted).
ALTER TABLE order_sources ADD COLUMN history_posted boolean NOT NULL DEFAULT false;
UPDATE order_sources SET history_posted = true WHERE good_history = history;
