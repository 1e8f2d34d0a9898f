-- The raw events of one order, newest first: a journal entry's source
-- events are read per order (the newest few of each), never by a scan of
-- the company's whole history.
CREATE INDEX raw_events_by_order ON raw_events (company_id, store_id, order_id, event_id DESC)
    WHERE order_id IS NOT NULL;
