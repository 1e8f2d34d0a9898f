-- Companies' own accounts sit in the chart beside the reserved ones: they
-- may hang under a parent account and be deactivated (kept with their
-- history, closed to new entries). The accounts added to the reserved
-- chart reach every existing company, after the accounts it had.
ALTER TABLE accounts
    ADD COLUMN parent_key text,
    ADD COLUMN active boolean NOT NULL DEFAULT true;

INSERT INTO accounts (company_id, account_key, name, account_type, sort_order)
SELECT c.company_id, n.key, n.name, n.kind, 100 + n.pos
FROM companies c
CROSS JOIN (VALUES
    (0, 'RETAINED_EARNINGS', 'Retained earnings', 'equity'),
    (1, 'ACCOUNTS_PAYABLE', 'Accounts payable', 'liability'),
    (2, 'INVENTORY_ADJUSTMENTS', 'Inventory shrinkage and write-offs', 'expense'),
    (3, 'SELLING_FEES', 'Marketplace commissions and referral fees', 'expense'),
    (4, 'FULFILLMENT_FEES', 'Marketplace fulfilment and storage fees', 'expense'),
    (5, 'ADVERTISING', 'Advertising billed by a sales channel', 'expense'),
    (6, 'OTHER_INCOME', 'Reimbursements and other income', 'income'),
    (7, 'UNCATEGORIZED', 'Needs review: money a rule could not place', 'asset')
) AS n(pos, key, name, kind)
ON CONFLICT (company_id, account_key) DO NOTHING;
