-- What a sync run has done in figures, beside its phase name: orders read
-- of the shop's order count, Admin API queries sent and the cost points
-- they spent. And where payouts and balance transactions were last read up
-- to, so an incremental sync reads only what is new.
ALTER TABLE sync_runs
    ADD COLUMN orders_total integer,
    ADD COLUMN orders_seen integer NOT NULL DEFAULT 0,
    ADD COLUMN queries integer NOT NULL DEFAULT 0,
    ADD COLUMN query_cost integer NOT NULL DEFAULT 0;

ALTER TABLE sync_state
    ADD COLUMN payouts_cursor jsonb;
