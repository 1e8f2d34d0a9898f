-- Product costing values the books' own stock movements (posting rule
-- 14.4): each order line's shipments get their exact cost, by the
-- shipment's event id, so inventory in the books equals the value of the
-- units on hand on every date.
ALTER TABLE line_costs ADD COLUMN moves jsonb;

-- The cost true-ups of units sold before they were received (the backlog
-- filled by a later receipt), as the costing computed them, so a full
-- re-post posts them again from stored rows.
ALTER TABLE products ADD COLUMN true_ups jsonb NOT NULL DEFAULT '[]'::jsonb;

-- SKUs whose sales moved since they were last costed: a worker costs them
-- again shortly after, so the books never wait for the next purchase.
CREATE TABLE recost_pending (
    company_id uuid NOT NULL REFERENCES companies ON DELETE CASCADE,
    sku text NOT NULL,
    requested_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (company_id, sku)
);
