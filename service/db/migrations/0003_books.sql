-- Journal versions, balances by day and month, order actions, channel statuses.

-- Entry ids come in blocks of 1024 from one sequence: a writer reserves as
-- many blocks as it needs with plain nextval calls, which never wait on
-- another writer and never hand out the same id twice.
ALTER TABLE journal_entries ALTER COLUMN entry_id DROP IDENTITY;
CREATE SEQUENCE journal_entry_blocks;
ALTER TABLE journal_entries ALTER COLUMN entry_id SET DEFAULT nextval('journal_entry_blocks') * 1024;

-- `subject` says what an entry was posted for ("order:<store>:<order id>",
-- "processor:<store>:<record>"); a re-post replaces a subject's entries.
ALTER TABLE journal_entries ADD COLUMN subject text NOT NULL DEFAULT '';
ALTER TABLE journal_entries DROP CONSTRAINT journal_entries_company_id_journal_version_entry_key_key;
-- Keys are stable per subject (two stores may both have an order #1001).
CREATE UNIQUE INDEX journal_entries_key ON journal_entries
    (company_id, journal_version, subject, entry_key);
CREATE INDEX journal_entries_order ON journal_entries (company_id, journal_version, order_id)
    WHERE order_id IS NOT NULL;
CREATE INDEX journal_entries_date ON journal_entries (company_id, journal_version, entry_date, entry_id);

ALTER TABLE journal_lines ADD COLUMN journal_version integer NOT NULL DEFAULT 1;
CREATE INDEX journal_lines_account ON journal_lines
    (company_id, journal_version, account_key, entry_date, entry_id);

-- Which journal version readers see, and the one being built by a full
-- re-post. Readers never see a version being built, so they see the old
-- books or the new, never a mix.
CREATE TABLE books (
    company_id uuid PRIMARY KEY REFERENCES companies ON DELETE CASCADE,
    current_version integer NOT NULL DEFAULT 1,
    next_version integer NOT NULL DEFAULT 2,
    building_version integer,
    build_settings_version integer,
    build_started_at timestamptz,
    build_cursor text,
    build_job_id text
);
INSERT INTO books (company_id) SELECT company_id FROM companies;

-- Subjects changed while a full re-post was building; they are re-posted
-- into the new version in the same transaction that switches to it.
CREATE TABLE books_dirty (
    company_id uuid NOT NULL REFERENCES companies ON DELETE CASCADE,
    subject text NOT NULL,
    PRIMARY KEY (company_id, subject)
);

-- Net amount (debit positive) per account, store, channel and day, kept
-- by the difference of every re-post: statements read these, never lines.
CREATE TABLE daily_balances (
    company_id uuid NOT NULL,
    journal_version integer NOT NULL,
    day date NOT NULL,
    account_key text NOT NULL,
    store_id uuid NOT NULL,
    channel text NOT NULL,
    amount bigint NOT NULL,
    PRIMARY KEY (company_id, journal_version, day, account_key, store_id, channel)
);
-- The same by month, so a balance sheet sums at most a few rows per month
-- of history instead of one per day.
CREATE TABLE monthly_balances (
    company_id uuid NOT NULL,
    journal_version integer NOT NULL,
    month date NOT NULL,
    account_key text NOT NULL,
    store_id uuid NOT NULL,
    channel text NOT NULL,
    amount bigint NOT NULL,
    PRIMARY KEY (company_id, journal_version, month, account_key, store_id, channel)
);

-- Order actions (POSTING.md section 3): one status per order, with a date
-- for the balance-closing ones.
CREATE TABLE order_overrides (
    company_id uuid NOT NULL,
    store_id uuid NOT NULL,
    order_id text NOT NULL,
    status text NOT NULL CHECK (status IN
        ('INCLUDED', 'VOID', 'GIVEAWAY', 'COGS_ONLY', 'UNCOLLECTIBLE', 'OVERCOLLECTED', 'EXCLUDED')),
    action_date date,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (company_id, store_id, order_id),
    FOREIGN KEY (company_id, store_id) REFERENCES stores ON DELETE CASCADE
);

CREATE TABLE channel_statuses (
    company_id uuid NOT NULL,
    store_id uuid NOT NULL,
    source text NOT NULL,
    status text NOT NULL CHECK (status IN ('INCLUDED', 'EXCLUDED', 'COGS_ONLY', 'SALES_ONLY')),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (company_id, store_id, source),
    FOREIGN KEY (company_id, store_id) REFERENCES stores ON DELETE CASCADE
);

-- What the order list shows, refreshed with every re-post of the order;
-- per journal version, since statuses and balances depend on the settings.
CREATE TABLE order_summaries (
    company_id uuid NOT NULL,
    journal_version integer NOT NULL,
    store_id uuid NOT NULL,
    order_id text NOT NULL,
    name text NOT NULL,
    placed_at timestamptz NOT NULL,
    source text NOT NULL,
    currency_code char(3) NOT NULL,
    total bigint NOT NULL,
    open_balance bigint NOT NULL,
    payment_status text NOT NULL,
    fulfillment_status text NOT NULL,
    books_status text NOT NULL,
    refunded boolean NOT NULL DEFAULT false,
    missing_costs integer NOT NULL DEFAULT 0,
    posting_error text,
    PRIMARY KEY (company_id, journal_version, store_id, order_id),
    FOREIGN KEY (company_id, store_id) REFERENCES stores ON DELETE CASCADE
);
CREATE INDEX order_summaries_list ON order_summaries
    (company_id, journal_version, placed_at DESC, store_id, order_id);
CREATE INDEX order_summaries_name ON order_summaries (company_id, journal_version, name);
