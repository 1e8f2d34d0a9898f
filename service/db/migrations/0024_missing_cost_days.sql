-- How many order lines posted their COGS at 0 for want of a cost, per day
-- and store, per journal version: the counts a profit and loss shows, kept
-- up to date in the same transactions that change missing_costs (like the
-- balances), so a statement reads one index range of days, never the rows.
-- Keyed by day before store: a period across every store is one range.
CREATE TABLE missing_cost_days (
    company_id uuid NOT NULL,
    journal_version integer NOT NULL,
    day date NOT NULL,
    store_id uuid NOT NULL,
    lines integer NOT NULL,
    PRIMARY KEY (company_id, journal_version, day, store_id)
);

INSERT INTO missing_cost_days (company_id, journal_version, day, store_id, lines)
SELECT company_id, journal_version, day, store_id, count(*)
FROM missing_costs
GROUP BY company_id, journal_version, day, store_id;
