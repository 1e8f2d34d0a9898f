-- Marketplaces (Amazon, TikTok Shop): a seller account or shop is a store of
-- its own (stores.platform 'amazon' or 'tiktok'); its connection lives here,
-- credentials sealed like a Shopify store's.
CREATE TABLE marketplace_accounts (
    company_id uuid NOT NULL,
    store_id uuid NOT NULL,
    marketplace text NOT NULL CHECK (marketplace IN ('amazon', 'tiktok')),
    settings jsonb NOT NULL DEFAULT '{}',
    credentials bytea NOT NULL,
    last_synced_at timestamptz,
    last_error text,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (company_id, store_id),
    FOREIGN KEY (company_id, store_id) REFERENCES stores ON DELETE CASCADE
);

-- Settlements (Amazon) and statements (TikTok Shop) in channel-neutral
-- terms: what the marketplace paid to the bank, and its lines by kind.
-- A busy seller's settlement has tens of thousands of lines, always read
-- and posted together: they are kept as one compressed JSON array
-- ([line_no, kind, amount, posted, description, order_id, sku, quantity,
-- refund, fulfillment] each), with the SKUs sold and the lines no rule
-- knows beside it for the queries that need them.
CREATE TABLE settlements (
    company_id uuid NOT NULL,
    store_id uuid NOT NULL,
    settlement_id text NOT NULL,
    marketplace text NOT NULL,
    period_start date NOT NULL,
    period_end date NOT NULL,
    deposit_date date NOT NULL,
    total bigint NOT NULL,
    currency_code char(3) NOT NULL,
    line_count integer NOT NULL,
    lines bytea NOT NULL,
    skus text[] NOT NULL DEFAULT '{}',
    review jsonb NOT NULL DEFAULT '[]',
    fingerprint text NOT NULL,
    source text NOT NULL CHECK (source IN ('API', 'UPLOAD')),
    -- The payment that carried it to the bank (TikTok Shop pays several
    -- statements at once; an Amazon settlement is its own payment).
    payout_id text,
    payout_status text NOT NULL DEFAULT 'PAID'
        CHECK (payout_status IN ('PAID', 'PROCESSING', 'FAILED')),
    imported_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (company_id, store_id, settlement_id),
    FOREIGN KEY (company_id, store_id) REFERENCES stores ON DELETE CASCADE
);
CREATE INDEX settlements_deposit ON settlements (company_id, deposit_date);
CREATE INDEX settlements_skus ON settlements USING gin (skus);

-- What the marketplace's orders API says about an order: who fulfils it
-- (Amazon AFN/MFN, TikTok FBT/FBM) and the units shipped per SKU.
CREATE TABLE marketplace_orders (
    company_id uuid NOT NULL,
    store_id uuid NOT NULL,
    order_id text NOT NULL,
    fulfillment text NOT NULL DEFAULT '',
    status text NOT NULL DEFAULT '',
    placed_at text NOT NULL DEFAULT '',
    units jsonb NOT NULL DEFAULT '[]',
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (company_id, store_id, order_id),
    FOREIGN KEY (company_id, store_id) REFERENCES stores ON DELETE CASCADE
);

-- A marketplace amount no rule knows, placed by the merchant: its
-- provider's words (e.g. "Adjustment/Misc/NewFee") and the kind they are.
CREATE TABLE settlement_mappings (
    company_id uuid NOT NULL,
    store_id uuid NOT NULL,
    description text NOT NULL,
    kind text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (company_id, store_id, description),
    FOREIGN KEY (company_id, store_id) REFERENCES stores ON DELETE CASCADE
);
