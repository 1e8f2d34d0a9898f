-- Products, by SKU: first seen on an order line or a channel's catalog.
CREATE TABLE products (
    company_id uuid NOT NULL REFERENCES companies ON DELETE CASCADE,
    sku text NOT NULL,
    title text NOT NULL DEFAULT '',
    channel_unit_cost bigint,     -- the channel's own cost (Shopify's), a last resort
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (company_id, sku)
);
