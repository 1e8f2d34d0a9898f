-- Exports to accounting systems: summary journals with the entries each
-- line sums, which storebooks account goes to which account there, the
-- connection (tokens sealed with the service's key), and what was pushed.

-- One summary entry per period (day, month or payout), store, channel and
-- currency; lines: [{"account", "amount", "entryIds": [...]}].
CREATE TABLE summary_journals (
    company_id uuid NOT NULL REFERENCES companies ON DELETE CASCADE,
    summary_key text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('DAY', 'MONTH', 'PAYOUT')),
    period text NOT NULL,
    entry_date date NOT NULL,
    store_id uuid,
    channel text NOT NULL,
    currency_code char(3) NOT NULL,
    journal_version integer NOT NULL,
    fingerprint text NOT NULL,
    lines jsonb NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (company_id, summary_key)
);
CREATE INDEX summary_journals_date ON summary_journals (company_id, kind, entry_date);

CREATE TABLE export_account_maps (
    company_id uuid NOT NULL REFERENCES companies ON DELETE CASCADE,
    target text NOT NULL CHECK (target IN ('QBO', 'XERO')),
    account_key text NOT NULL,
    remote_account text NOT NULL,
    remote_name text NOT NULL DEFAULT '',
    PRIMARY KEY (company_id, target, account_key)
);

CREATE TABLE export_connections (
    company_id uuid NOT NULL REFERENCES companies ON DELETE CASCADE,
    target text NOT NULL CHECK (target IN ('QBO', 'XERO')),
    settings jsonb NOT NULL DEFAULT '{}'::jsonb,
    credentials bytea NOT NULL,
    connected_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (company_id, target)
);

-- A summary's copy in the accounting system: PUSHED with its remote id
-- and version, or FAILED with the reason (retried on the next push).
CREATE TABLE summary_pushes (
    company_id uuid NOT NULL,
    target text NOT NULL CHECK (target IN ('QBO', 'XERO')),
    summary_key text NOT NULL,
    status text NOT NULL CHECK (status IN ('PUSHED', 'FAILED')),
    remote_id text,
    remote_version text,
    pushed_fingerprint text,
    pushed_lines jsonb,
    attempts integer NOT NULL DEFAULT 0,
    error text,
    pushed_at timestamptz,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (company_id, target, summary_key),
    FOREIGN KEY (company_id, summary_key) REFERENCES summary_journals ON DELETE CASCADE
);
