-- Stock counted short, damaged or written off (posting rule 14.2): units
-- that leave inventory with no sale, at the cost of the day the costing
-- gives them (filled in by the costing, then posted).
CREATE TABLE inventory_adjustments (
    company_id uuid NOT NULL REFERENCES companies ON DELETE CASCADE,
    adjustment_id uuid NOT NULL DEFAULT gen_random_uuid(),
    sku text NOT NULL,
    day date NOT NULL,
    units integer NOT NULL CHECK (units > 0),
    reason text NOT NULL CHECK (reason IN ('SHRINKAGE', 'DAMAGE', 'WRITE_OFF')),
    note text NOT NULL DEFAULT '',
    cost bigint,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (company_id, adjustment_id)
);
CREATE INDEX inventory_adjustments_sku ON inventory_adjustments (company_id, sku, day);

-- Since when a SKU's stock has been below zero (units sold that were never
-- received): listed for a person, never hidden.
ALTER TABLE products ADD COLUMN negative_since date;
