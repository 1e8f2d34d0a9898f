-- Closing the books (posting rule 15.2): entries on or before this date
-- never change; a later re-post posts its difference on the next day.
ALTER TABLE books ADD COLUMN closed_through date;
