-- The table `PgClaims` keeps its claims in: one row per event id.
-- `PgClaims::create_table` runs this file; it changes nothing when the
-- table is there already.
--
-- holder  the token of the worker handling the event; NULL once it is done
-- until   when the lease (in flight) or the time to live (done) ends, by
--         the database's clock; a row past it counts as absent
CREATE TABLE IF NOT EXISTS debitura_webhook_claims (
    id     text        PRIMARY KEY,
    holder text,
    until  timestamptz NOT NULL
);

-- For `PgClaims::sweep`, which deletes the rows past their time.
CREATE INDEX IF NOT EXISTS debitura_webhook_claims_until
    ON debitura_webhook_claims (until);
