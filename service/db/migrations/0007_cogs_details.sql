-- What each COGS line of the journal is made of (units, unit cost, where the
-- cost came from), for the COGS report; per journal version.
CREATE TABLE cogs_details (
    company_id uuid NOT NULL,
    journal_version integer NOT NULL,
    store_id uuid NOT NULL,
    order_id text NOT NULL,
    entry_key text NOT NULL,
    sku text NOT NULL,
    day date NOT NULL,
    channel text NOT NULL,
    order_name text NOT NULL,
    quantity integer NOT NULL,
    unit_cost bigint NOT NULL,
    amount bigint NOT NULL,
    cost_source text NOT NULL,
    PRIMARY KEY (company_id, journal_version, store_id, order_id, entry_key, sku)
);
CREATE INDEX cogs_details_day ON cogs_details (company_id, journal_version, day);
