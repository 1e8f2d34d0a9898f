-- PayPal and Stripe accounts a store is paid through, and their syncs.
-- Credentials are sealed by the application (never stored in clear).
CREATE TABLE processor_accounts (
    company_id uuid NOT NULL,
    account_id uuid NOT NULL DEFAULT gen_random_uuid(),
    processor text NOT NULL CHECK (processor IN ('paypal', 'stripe')),
    store_id uuid NOT NULL,
    settings jsonb NOT NULL DEFAULT '{}'::jsonb,
    credentials bytea NOT NULL,
    cursor jsonb,
    connected_at timestamptz NOT NULL DEFAULT now(),
    last_synced_at timestamptz,
    PRIMARY KEY (company_id, account_id),
    UNIQUE (company_id, processor, store_id),
    FOREIGN KEY (company_id, store_id) REFERENCES stores ON DELETE CASCADE
);

CREATE TABLE processor_sync_runs (
    company_id uuid NOT NULL,
    run_id uuid NOT NULL DEFAULT gen_random_uuid(),
    account_id uuid NOT NULL,
    status text NOT NULL DEFAULT 'QUEUED'
        CHECK (status IN ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED')),
    records_synced integer NOT NULL DEFAULT 0,
    payouts_synced integer NOT NULL DEFAULT 0,
    needs_review integer NOT NULL DEFAULT 0,
    progress text NOT NULL DEFAULT '',
    errors jsonb NOT NULL DEFAULT '[]'::jsonb,
    requested_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    started_at timestamptz,
    finished_at timestamptz,
    PRIMARY KEY (company_id, run_id),
    FOREIGN KEY (company_id, account_id) REFERENCES processor_accounts ON DELETE CASCADE
);

CREATE INDEX processor_sync_runs_by_account
    ON processor_sync_runs (company_id, account_id, requested_at DESC);
-- At most one run queued or running per account.
CREATE UNIQUE INDEX processor_sync_runs_one_open
    ON processor_sync_runs (company_id, account_id) WHERE status IN ('QUEUED', 'RUNNING');
