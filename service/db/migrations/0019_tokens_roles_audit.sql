-- Tokens get a role, an expiry and a last-used time. Tokens made before
-- roles existed (with `storebooks company create`) keep full access: ADMIN.
ALTER TABLE api_tokens
    ADD COLUMN role text NOT NULL DEFAULT 'ADMIN'
        CHECK (role IN ('READ_ONLY', 'BOOKKEEPER', 'ADMIN')),
    ADD COLUMN expires_at timestamptz,
    ADD COLUMN last_used_at timestamptz;

-- A key reused with a different input is refused: the input's hash is kept.
-- Keys stored before this column existed replay as before (NULL matches any).
ALTER TABLE idempotency_keys ADD COLUMN input_hash text;

-- Who did what. Kept general: `kind` names the operation or event, `subject`
-- what it acted on, `summary` the input (secrets left out), `before` and
-- `after` the state around the change where the operation knows them.
CREATE TABLE audit_log (
    company_id uuid NOT NULL REFERENCES companies ON DELETE CASCADE,
    audit_id bigint GENERATED ALWAYS AS IDENTITY,
    token_id uuid,
    at timestamptz NOT NULL DEFAULT now(),
    kind text NOT NULL,
    subject text,
    summary jsonb NOT NULL DEFAULT '{}'::jsonb,
    before jsonb,
    after jsonb,
    PRIMARY KEY (company_id, audit_id)
);
CREATE INDEX audit_log_by_time ON audit_log (company_id, at DESC);
