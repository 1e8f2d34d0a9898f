-- Store connections, raw events as received, per-order source state, sync runs.

ALTER TABLE stores
    ADD COLUMN api_base_url text,
    ADD COLUMN credentials bytea,          -- encrypted JSON: access token, webhook secret
    ADD COLUMN connected_at timestamptz;

-- Everything a source sent, kept as received and never changed. A webhook
-- is deduplicated by its id; a synced record by its id and version.
CREATE TABLE raw_events (
    company_id uuid NOT NULL REFERENCES companies ON DELETE CASCADE,
    event_id bigint GENERATED ALWAYS AS IDENTITY,
    store_id uuid NOT NULL,
    source text NOT NULL,                  -- 'shopify.webhook', 'shopify.sync'
    topic text NOT NULL,
    external_id text NOT NULL,
    body bytea NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    status text NOT NULL DEFAULT 'PENDING'
        CHECK (status IN ('PENDING', 'PROCESSED', 'IGNORED', 'FAILED')),
    error text,
    order_id text,
    attempts integer NOT NULL DEFAULT 0,
    processed_at timestamptz,
    PRIMARY KEY (company_id, event_id),
    UNIQUE (company_id, store_id, source, external_id),
    FOREIGN KEY (company_id, store_id) REFERENCES stores ON DELETE CASCADE
);
CREATE INDEX raw_events_pending ON raw_events (received_at) WHERE status = 'PENDING';
CREATE INDEX raw_events_failed ON raw_events (company_id, event_id) WHERE status = 'FAILED';

-- What storebooks knows of each order, merged from every source. `rest`
-- holds the newest REST order payload and the refunds, fulfillments and
-- transactions delivered on their own; `graphql` the newest synced node.
-- `history` is the normalized order history the posting engine reads.
CREATE TABLE order_sources (
    company_id uuid NOT NULL,
    store_id uuid NOT NULL,
    order_id text NOT NULL,
    rest jsonb,
    graphql jsonb,
    source_updated_at timestamptz,
    history jsonb,
    history_error text,
    changed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (company_id, store_id, order_id),
    FOREIGN KEY (company_id, store_id) REFERENCES stores ON DELETE CASCADE
);

CREATE TABLE processor_records (
    company_id uuid NOT NULL,
    store_id uuid NOT NULL,
    record_type text NOT NULL CHECK (record_type IN ('payout', 'balance_transaction')),
    record_id text NOT NULL,
    record jsonb NOT NULL,
    changed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (company_id, store_id, record_type, record_id),
    FOREIGN KEY (company_id, store_id) REFERENCES stores ON DELETE CASCADE
);

CREATE TABLE sync_runs (
    company_id uuid NOT NULL,
    run_id uuid NOT NULL DEFAULT gen_random_uuid(),
    store_id uuid NOT NULL,
    kind text NOT NULL CHECK (kind IN ('BACKFILL', 'INCREMENTAL')),
    status text NOT NULL DEFAULT 'QUEUED'
        CHECK (status IN ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED')),
    cursor jsonb,
    orders_synced integer NOT NULL DEFAULT 0,
    payouts_synced integer NOT NULL DEFAULT 0,
    balance_transactions_synced integer NOT NULL DEFAULT 0,
    progress text NOT NULL DEFAULT '',
    errors jsonb NOT NULL DEFAULT '[]'::jsonb,
    requested_at timestamptz NOT NULL DEFAULT now(),
    started_at timestamptz,
    finished_at timestamptz,
    PRIMARY KEY (company_id, run_id),
    FOREIGN KEY (company_id, store_id) REFERENCES stores ON DELETE CASCADE
);
-- One unfinished run per store and kind: a second request joins the first.
CREATE UNIQUE INDEX sync_runs_one_open ON sync_runs (company_id, store_id, kind)
    WHERE status IN ('QUEUED', 'RUNNING');

-- Where incremental sync resumes: the newest updated_at fully synced.
CREATE TABLE sync_state (
    company_id uuid NOT NULL,
    store_id uuid NOT NULL,
    orders_synced_through timestamptz,
    backfill_completed_at timestamptz,
    PRIMARY KEY (company_id, store_id),
    FOREIGN KEY (company_id, store_id) REFERENCES stores ON DELETE CASCADE
);
