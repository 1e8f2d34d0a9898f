-- How a store SKU is made of an inventory system's products: a SKU that is
-- not the product id, a pack of several units, a bundle of several products.
-- No row: the SKU is its own product, one unit.
CREATE TABLE inventory_sku_maps (
    company_id uuid NOT NULL REFERENCES companies ON DELETE CASCADE,
    provider text NOT NULL CHECK (provider IN ('FINALE', 'GOFLOW')),
    sku text NOT NULL,
    product_id text NOT NULL,
    units integer NOT NULL CHECK (units BETWEEN 1 AND 10000),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (company_id, provider, sku, product_id)
);
