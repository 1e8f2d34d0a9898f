-- Entries made by hand (posting rule 15.1) and a company's opening balances
-- (posting rule 14.3). The journal is posted from these rows, so a full
-- re-post posts them again exactly as they were entered.
CREATE TABLE manual_entries (
    company_id uuid NOT NULL REFERENCES companies ON DELETE CASCADE,
    entry_id uuid NOT NULL DEFAULT gen_random_uuid(),
    store_id uuid NOT NULL,
    entry_date date NOT NULL,
    memo text NOT NULL,
    lines jsonb NOT NULL,
    refs jsonb NOT NULL DEFAULT '[]'::jsonb,
    reverses uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (company_id, entry_id),
    FOREIGN KEY (company_id, store_id) REFERENCES stores ON DELETE CASCADE,
    FOREIGN KEY (company_id, reverses) REFERENCES manual_entries (company_id, entry_id)
);
CREATE UNIQUE INDEX manual_entries_reversed_once ON manual_entries (company_id, reverses)
    WHERE reverses IS NOT NULL;

CREATE TABLE opening_balances (
    company_id uuid NOT NULL REFERENCES companies ON DELETE CASCADE,
    store_id uuid NOT NULL,
    opening_date date NOT NULL,
    lines jsonb NOT NULL DEFAULT '[]'::jsonb,
    inventory jsonb NOT NULL DEFAULT '[]'::jsonb,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (company_id),
    FOREIGN KEY (company_id, store_id) REFERENCES stores ON DELETE CASCADE
);
