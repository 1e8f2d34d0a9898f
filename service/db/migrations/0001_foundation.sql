-- Tenancy, auth, settings, job records and the journal.
-- Every table carries company_id first in its primary key, so the schema
-- can later be distributed by company without a rewrite.

CREATE TABLE companies (
    company_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api_tokens (
    company_id uuid NOT NULL REFERENCES companies ON DELETE CASCADE,
    token_id uuid NOT NULL DEFAULT gen_random_uuid(),
    token_hash bytea NOT NULL,
    label text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz,
    PRIMARY KEY (company_id, token_id)
);
-- Authentication finds a token by its hash alone, before the company is known.
CREATE UNIQUE INDEX api_tokens_hash ON api_tokens (token_hash);

CREATE TABLE stores (
    company_id uuid NOT NULL REFERENCES companies ON DELETE CASCADE,
    store_id uuid NOT NULL DEFAULT gen_random_uuid(),
    name text NOT NULL,
    platform text NOT NULL DEFAULT 'shopify',
    shop_domain text,
    timezone text NOT NULL DEFAULT 'UTC',
    currency_code char(3) NOT NULL DEFAULT 'USD',
    fulfillment_tracking text NOT NULL DEFAULT 'ORDER_PLACED_DATE'
        CHECK (fulfillment_tracking IN ('ORDER_PLACED_DATE', 'ORDER_FULFILLED_DATE')),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (company_id, store_id)
);
CREATE UNIQUE INDEX stores_shop_domain ON stores (shop_domain) WHERE shop_domain IS NOT NULL;

CREATE TABLE accounts (
    company_id uuid NOT NULL REFERENCES companies ON DELETE CASCADE,
    account_key text NOT NULL,
    name text NOT NULL,
    account_type text NOT NULL
        CHECK (account_type IN ('asset', 'liability', 'equity', 'income', 'expense')),
    sort_order integer NOT NULL,
    PRIMARY KEY (company_id, account_key)
);

-- `version` counts changes; `posted_version` is the version the books were
-- last fully posted under. The books are current when the two are equal.
CREATE TABLE bookkeeping_settings (
    company_id uuid PRIMARY KEY REFERENCES companies ON DELETE CASCADE,
    accounting_basis text NOT NULL DEFAULT 'CASH' CHECK (accounting_basis IN ('CASH', 'ACCRUAL')),
    version integer NOT NULL DEFAULT 1,
    posted_version integer NOT NULL DEFAULT 1,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- One row per background job, written in the same transaction as the change
-- that asked for it: the queue may lose a message, this table does not.
CREATE TABLE jobs (
    company_id uuid NOT NULL REFERENCES companies ON DELETE CASCADE,
    job_id text NOT NULL,
    kind text NOT NULL,
    status text NOT NULL DEFAULT 'QUEUED'
        CHECK (status IN ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED')),
    payload jsonb NOT NULL DEFAULT '{}'::jsonb,
    attempts integer NOT NULL DEFAULT 0,
    error text,
    enqueued_at timestamptz NOT NULL DEFAULT now(),
    started_at timestamptz,
    finished_at timestamptz,
    PRIMARY KEY (company_id, job_id)
);
CREATE INDEX jobs_unfinished ON jobs (company_id, enqueued_at) WHERE status IN ('QUEUED', 'RUNNING');

CREATE TABLE idempotency_keys (
    company_id uuid NOT NULL REFERENCES companies ON DELETE CASCADE,
    idempotency_key text NOT NULL,
    operation text NOT NULL,
    result jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (company_id, idempotency_key)
);

-- The journal. Amounts are integer minor units of the entry's currency,
-- debit positive and credit negative, so an entry balances when its lines
-- sum to zero.
CREATE TABLE journal_entries (
    company_id uuid NOT NULL REFERENCES companies ON DELETE CASCADE,
    entry_id bigint GENERATED ALWAYS AS IDENTITY,
    journal_version integer NOT NULL DEFAULT 1,
    entry_key text NOT NULL,
    entry_date date NOT NULL,
    store_id uuid,
    order_id text,
    event_id text NOT NULL DEFAULT '',
    rule text NOT NULL,
    memo text NOT NULL DEFAULT '',
    currency_code char(3) NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (company_id, entry_id),
    UNIQUE (company_id, journal_version, entry_key)
);

CREATE TABLE journal_lines (
    company_id uuid NOT NULL,
    entry_id bigint NOT NULL,
    line_no smallint NOT NULL,
    account_key text NOT NULL,
    amount bigint NOT NULL,
    entry_date date NOT NULL,
    store_id uuid,
    channel text,
    order_id text,
    sku text,
    processor text,
    PRIMARY KEY (company_id, entry_id, line_no),
    FOREIGN KEY (company_id, entry_id) REFERENCES journal_entries ON DELETE CASCADE
);

-- Balance guarantee. Lines are written a whole entry at a time, so each
-- statement that adds or removes lines must add or remove a balanced set
-- per entry; then every entry balances after every statement, and so after
-- every commit. A statement-level check over the transition table costs one
-- aggregate per statement instead of one query per line, which keeps bulk
-- COPY of millions of lines fast.
CREATE FUNCTION journal_lines_check_balance() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    bad record;
BEGIN
    SELECT company_id, entry_id, sum(amount) AS total INTO bad
    FROM changed_lines GROUP BY company_id, entry_id HAVING sum(amount) <> 0 LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'journal entry % of company % does not balance: lines % by %',
            bad.entry_id, bad.company_id, lower(TG_OP), bad.total
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER journal_lines_balanced_insert
    AFTER INSERT ON journal_lines
    REFERENCING NEW TABLE AS changed_lines
    FOR EACH STATEMENT EXECUTE FUNCTION journal_lines_check_balance();

CREATE TRIGGER journal_lines_balanced_delete
    AFTER DELETE ON journal_lines
    REFERENCING OLD TABLE AS changed_lines
    FOR EACH STATEMENT EXECUTE FUNCTION journal_lines_check_balance();

-- Posted lines are never edited: a change is a re-post that replaces them.
CREATE FUNCTION journal_lines_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'journal lines are immutable; re-post the entry instead'
        USING ERRCODE = 'check_violation';
END $$;

CREATE TRIGGER journal_lines_no_update
    BEFORE UPDATE ON journal_lines
    FOR EACH ROW EXECUTE FUNCTION journal_lines_immutable();
