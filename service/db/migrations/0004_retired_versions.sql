-- Journal versions nobody reads any more (replaced by a full re-post, or a
-- build given up), waiting to be deleted in the background.
CREATE TABLE books_retired (
    company_id uuid NOT NULL REFERENCES companies ON DELETE CASCADE,
    journal_version integer NOT NULL,
    retired_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (company_id, journal_version)
);
