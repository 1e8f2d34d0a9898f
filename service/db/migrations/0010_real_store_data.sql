-- Real stores' data (posting rules 13.2 and 13.5).
--
-- good_history: the last history of an order that posted. A newer history
-- that cannot post yet (a refund whose sale has not arrived) posts this one
-- instead, so the order keeps its last good entries while it waits.
ALTER TABLE order_sources ADD COLUMN good_history jsonb;
UPDATE order_sources SET good_history = history WHERE history IS NOT NULL;

-- Orders whose missing part is to be fetched again from the channel, with
-- the attempts made, so the wait is visible and bounded.
CREATE TABLE order_refetches (
    company_id uuid NOT NULL,
    store_id uuid NOT NULL,
    order_id text NOT NULL,
    reason text NOT NULL,
    requested_at timestamptz NOT NULL DEFAULT now(),
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error text,
    PRIMARY KEY (company_id, store_id, order_id),
    FOREIGN KEY (company_id, store_id) REFERENCES stores ON DELETE CASCADE
);
CREATE INDEX order_refetches_due ON order_refetches (next_attempt_at);

-- Each store's payment gateways and what the books take them for:
-- PROCESSOR (money held by a processor until paid out), OFFLINE (money that
-- reaches the bank directly, posted once a deposit is linked) or GIFT_CARD.
-- DEFAULT rows come from what the channel said the first time the gateway
-- was seen and wait for review; MERCHANT rows are the merchant's choice and
-- are what posting applies.
CREATE TABLE store_gateways (
    company_id uuid NOT NULL,
    store_id uuid NOT NULL,
    gateway text NOT NULL,
    name text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('PROCESSOR', 'OFFLINE', 'GIFT_CARD')),
    set_by text NOT NULL CHECK (set_by IN ('DEFAULT', 'MERCHANT')),
    first_seen_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (company_id, store_id, gateway),
    FOREIGN KEY (company_id, store_id) REFERENCES stores ON DELETE CASCADE
);

-- What really shipped is the fulfilment status; when the books recognise
-- the order (placed date, or its last fulfilment) is shown apart.
ALTER TABLE order_summaries ADD COLUMN recognized_on date;
