-- Balances by year, so a balance sheet reads one row per account, store and
-- channel per year of history (then months, then days) however long it is.
CREATE TABLE yearly_balances (
    company_id uuid NOT NULL,
    journal_version integer NOT NULL,
    year date NOT NULL,
    account_key text NOT NULL,
    store_id uuid NOT NULL,
    channel text NOT NULL,
    amount bigint NOT NULL,
    PRIMARY KEY (company_id, journal_version, year, account_key, store_id, channel)
);
INSERT INTO yearly_balances
SELECT company_id, journal_version, date_trunc('year', month)::date, account_key, store_id,
       channel, sum(amount)
FROM monthly_balances GROUP BY 1, 2, 3, 4, 5, 6;
