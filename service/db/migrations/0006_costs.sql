-- Costs of goods: per order line (by hand, from an inventory system, from
-- the product's own costing), purchases, restocks reported by hand.

ALTER TABLE bookkeeping_settings ADD COLUMN costing_method text NOT NULL DEFAULT 'MOVING_AVERAGE'
    CHECK (costing_method IN ('MOVING_AVERAGE', 'FIFO'));

-- A unit cost for the lines of an order that carry a SKU. MANUAL: resolved
-- by a person; INVENTORY_SYSTEM: Finale, Goflow (missing: it had none);
-- PRODUCT_COSTING: the product's moving average or FIFO cost for that sale.
CREATE TABLE line_costs (
    company_id uuid NOT NULL,
    store_id uuid NOT NULL,
    order_id text NOT NULL,
    sku text NOT NULL,
    source text NOT NULL CHECK (source IN ('MANUAL', 'INVENTORY_SYSTEM', 'PRODUCT_COSTING')),
    unit_cost bigint NOT NULL CHECK (unit_cost >= 0),
    missing boolean NOT NULL DEFAULT false,
    provider text NOT NULL DEFAULT '',
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (company_id, store_id, order_id, sku, source),
    FOREIGN KEY (company_id, store_id) REFERENCES stores ON DELETE CASCADE
);

-- Which orders carry a SKU, so a changed cost re-posts exactly those.
CREATE TABLE order_skus (
    company_id uuid NOT NULL,
    sku text NOT NULL,
    store_id uuid NOT NULL,
    order_id text NOT NULL,
    PRIMARY KEY (company_id, sku, store_id, order_id)
);

CREATE TABLE purchases (
    company_id uuid NOT NULL REFERENCES companies ON DELETE CASCADE,
    purchase_id uuid NOT NULL DEFAULT gen_random_uuid(),
    sku text NOT NULL,
    day date NOT NULL,
    units integer NOT NULL CHECK (units > 0),
    unit_cost bigint NOT NULL CHECK (unit_cost >= 0),
    reference text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (company_id, purchase_id)
);
CREATE INDEX purchases_sku ON purchases (company_id, sku, day);

ALTER TABLE products
    ADD COLUMN on_hand integer NOT NULL DEFAULT 0,
    ADD COLUMN average_cost bigint,
    ADD COLUMN inventory_value bigint NOT NULL DEFAULT 0;

-- Order lines posted at a cost of 0 for want of one, per journal version.
CREATE TABLE missing_costs (
    company_id uuid NOT NULL,
    journal_version integer NOT NULL,
    store_id uuid NOT NULL,
    order_id text NOT NULL,
    line_id text NOT NULL,
    sku text,
    order_name text NOT NULL,
    day date NOT NULL,
    channel text NOT NULL,
    quantity integer NOT NULL,
    PRIMARY KEY (company_id, journal_version, store_id, order_id, line_id)
);
CREATE INDEX missing_costs_sku ON missing_costs (company_id, journal_version, sku);

CREATE TABLE inventory_connections (
    company_id uuid NOT NULL REFERENCES companies ON DELETE CASCADE,
    provider text NOT NULL CHECK (provider IN ('FINALE', 'GOFLOW')),
    settings jsonb NOT NULL DEFAULT '{}'::jsonb,
    credentials bytea NOT NULL,
    connected_at timestamptz NOT NULL DEFAULT now(),
    last_synced_at timestamptz,
    PRIMARY KEY (company_id, provider)
);

CREATE TABLE channel_restocks (
    company_id uuid NOT NULL,
    restock_id uuid NOT NULL DEFAULT gen_random_uuid(),
    store_id uuid NOT NULL,
    channel text NOT NULL,
    period_start date NOT NULL,
    period_end date NOT NULL CHECK (period_end >= period_start),
    amount bigint NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (company_id, restock_id),
    FOREIGN KEY (company_id, store_id) REFERENCES stores ON DELETE CASCADE
);

CREATE TABLE sku_restocks (
    company_id uuid NOT NULL,
    store_id uuid NOT NULL,
    channel text NOT NULL,
    sku text NOT NULL,
    month date NOT NULL,
    units integer NOT NULL,
    unit_cost bigint NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (company_id, store_id, channel, sku, month),
    FOREIGN KEY (company_id, store_id) REFERENCES stores ON DELETE CASCADE
);
