-- Bank accounts, their imported statement lines, and how each line is
-- explained: matched to a processor payout, linked to orders, or
-- categorised. Every posting a line causes is made from these rows, so a
-- full re-post posts it again exactly as it was decided.
CREATE TABLE bank_accounts (
    company_id uuid NOT NULL REFERENCES companies ON DELETE CASCADE,
    bank_account_id uuid NOT NULL DEFAULT gen_random_uuid(),
    account_key text NOT NULL,
    name text NOT NULL,
    currency_code text NOT NULL,
    opening_date date NOT NULL,
    opening_balance bigint NOT NULL DEFAULT 0,
    csv_mapping jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (company_id, bank_account_id),
    UNIQUE (company_id, account_key)
);

CREATE TABLE bank_lines (
    company_id uuid NOT NULL,
    line_id uuid NOT NULL DEFAULT gen_random_uuid(),
    bank_account_id uuid NOT NULL,
    posted_date date NOT NULL,
    amount bigint NOT NULL,
    description text NOT NULL DEFAULT '',
    payee text NOT NULL DEFAULT '',
    dedupe_key text NOT NULL,
    import_id uuid NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (company_id, line_id),
    UNIQUE (company_id, bank_account_id, dedupe_key),
    FOREIGN KEY (company_id, bank_account_id) REFERENCES bank_accounts ON DELETE CASCADE
);
CREATE INDEX bank_lines_by_date ON bank_lines (company_id, bank_account_id, posted_date);

-- One explanation per line at most (a line with none is unexplained).
-- kind: PAYOUT (matched to a processor payout), LINK (linked to orders),
-- STORE_CASH (cash payment received for store orders), TRANSFER (from or
-- to another own bank account), TRANSFER_SIDE (the other side of a
-- transfer already posted), ACCOUNT (categorised to any account).
CREATE TABLE bank_explanations (
    company_id uuid NOT NULL,
    line_id uuid NOT NULL,
    kind text NOT NULL CHECK (kind IN
        ('PAYOUT', 'LINK', 'STORE_CASH', 'TRANSFER', 'TRANSFER_SIDE', 'ACCOUNT')),
    store_id uuid,
    account_key text,
    processor text,
    payout_id text,
    other_line_id uuid,
    rule_id uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (company_id, line_id),
    FOREIGN KEY (company_id, line_id) REFERENCES bank_lines ON DELETE CASCADE
);
CREATE UNIQUE INDEX bank_explanations_payout_once ON bank_explanations
    (company_id, processor, payout_id) WHERE kind = 'PAYOUT';

-- The orders a deposit is linked to (order action "link payment"): what
-- reached the bank for each, and the difference to the named account.
CREATE TABLE deposit_links (
    company_id uuid NOT NULL,
    line_id uuid NOT NULL,
    store_id uuid NOT NULL,
    order_id text NOT NULL,
    amount bigint NOT NULL,
    difference bigint NOT NULL DEFAULT 0,
    difference_account text NOT NULL DEFAULT 'BANK_FEES',
    deposit_date date NOT NULL,
    PRIMARY KEY (company_id, line_id, store_id, order_id),
    FOREIGN KEY (company_id, line_id) REFERENCES bank_lines ON DELETE CASCADE
);
CREATE INDEX deposit_links_by_order ON deposit_links (company_id, store_id, order_id);

-- Saved categorisation rules: a payee text and optionally an exact amount.
CREATE TABLE bank_rules (
    company_id uuid NOT NULL REFERENCES companies ON DELETE CASCADE,
    rule_id uuid NOT NULL DEFAULT gen_random_uuid(),
    bank_account_id uuid,
    payee_contains text NOT NULL,
    amount bigint,
    account_key text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (company_id, rule_id)
);

-- The closing balance a statement file gave, per account and date: what a
-- bank reconciliation compares the books with.
CREATE TABLE bank_statement_balances (
    company_id uuid NOT NULL,
    bank_account_id uuid NOT NULL,
    statement_date date NOT NULL,
    closing_balance bigint NOT NULL,
    PRIMARY KEY (company_id, bank_account_id, statement_date),
    FOREIGN KEY (company_id, bank_account_id) REFERENCES bank_accounts ON DELETE CASCADE
);
