-- Owner: ingress. Bulk submissions (POST /api/v1/bulk, docs/bulk.md): one row per bulk, and per item the answer the
-- bulk's stream gave it, so that GET /api/v1/bulk/{bulkId} can list every item with its kenmerk or its refusal. An
-- item is recorded after its message committed and before its answer line is written: every line a sender received
-- is here (a crash between the two loses the item's row, never its message; the sender, who got no line, sends it
-- again under its aanleverkenmerk and gets the same kenmerk). The items are ordinary messages: their statuses are
-- the status service's, joined by kenmerk when the bulk is read.
--   completed_at       when the stream ended with its summary (NULL: still streaming, or the connection broke)
--   afgebroken_*       the limit that cut the bulk short, as its summary said
CREATE TABLE bulks (
  bulk_id                     uuid        PRIMARY KEY,
  sender_oin                  text        NOT NULL,
  received_at                 timestamptz NOT NULL,
  completed_at                timestamptz,
  afgebroken_foutcode         text,
  afgebroken_foutbeschrijving text
);

-- The retention's cleanup (INGRESS_BULK_RETENTION_MS) deletes the oldest bulks first, along this index.
CREATE INDEX bulks_by_age ON bulks (received_at);

--   item_index   the item's place among the bulk's non-blank lines, from 0
--   kenmerk      the item's message (acknowledged), or NULL with foutcode and foutbeschrijving (refused)
CREATE TABLE bulk_items (
  bulk_id          uuid    NOT NULL REFERENCES bulks (bulk_id) ON DELETE CASCADE,
  item_index       integer NOT NULL,
  aanleverkenmerk  text,
  kenmerk          text,
  foutcode         text,
  foutbeschrijving text,
  PRIMARY KEY (bulk_id, item_index),
  CHECK ((kenmerk IS NULL) <> (foutcode IS NULL))
);
