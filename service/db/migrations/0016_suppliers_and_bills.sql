-- Suppliers, their bills and payments (posting rule 14.1). A purchase now
-- reaches the ledger: its landed cost (freight and duties included) goes to
-- inventory, owed to its supplier or paid at once from the bank.
CREATE TABLE suppliers (
    company_id uuid NOT NULL REFERENCES companies ON DELETE CASCADE,
    supplier_id uuid NOT NULL DEFAULT gen_random_uuid(),
    name text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (company_id, supplier_id)
);
CREATE UNIQUE INDEX suppliers_name ON suppliers (company_id, lower(name));

ALTER TABLE purchases
    ADD COLUMN supplier_id uuid,
    ADD COLUMN freight bigint NOT NULL DEFAULT 0 CHECK (freight >= 0),
    ADD COLUMN duties bigint NOT NULL DEFAULT 0 CHECK (duties >= 0),
    ADD COLUMN paid_at_once boolean NOT NULL DEFAULT false,
    ADD FOREIGN KEY (company_id, supplier_id) REFERENCES suppliers (company_id, supplier_id);

CREATE TABLE bill_payments (
    company_id uuid NOT NULL REFERENCES companies ON DELETE CASCADE,
    payment_id uuid NOT NULL DEFAULT gen_random_uuid(),
    supplier_id uuid NOT NULL,
    purchase_id uuid,
    day date NOT NULL,
    amount bigint NOT NULL CHECK (amount > 0),
    reference text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (company_id, payment_id),
    FOREIGN KEY (company_id, supplier_id) REFERENCES suppliers (company_id, supplier_id),
    FOREIGN KEY (company_id, purchase_id) REFERENCES purchases (company_id, purchase_id)
);
CREATE INDEX bill_payments_supplier ON bill_payments (company_id, supplier_id, day);
