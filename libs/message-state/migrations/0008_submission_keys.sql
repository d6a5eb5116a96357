-- Owner: ingress. Safe resubmission: the keys under which a sender may submit the same message again, per sender OIN,
-- within INGRESS_IDEMPOTENCY_WINDOW_MS. A key is claimed with INSERT … ON CONFLICT DO NOTHING in the submission's own
-- transaction, so the key and its message commit together or not at all, and a concurrent duplicate waits on the
-- primary key until the first has committed (then it answers with the first receipt) or rolled back (then it claims
-- the key itself).
--   key_kind    'aanleverkenmerk' (REST and WUS) or 'idempotency-key' (the REST Idempotency-Key header)
--   fingerprint SHA-256 of the request as parsed, in a canonical form: the same key with other content is refused
--   kenmerk     the message the key belongs to; its receipt is rebuilt from its messages row
CREATE TABLE submission_keys (
  sender_oin  text        NOT NULL,
  key_kind    text        NOT NULL CHECK (key_kind IN ('aanleverkenmerk', 'idempotency-key')),
  key         text        NOT NULL,
  fingerprint text        NOT NULL,
  -- Deferred: the key is claimed first, before the content and the message row are written in the same transaction.
  kenmerk     text        NOT NULL REFERENCES messages (kenmerk) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (sender_oin, key_kind, key)
);

-- The window's cleanup: a key older than the window no longer counts. Ingress deletes such a key when a submission
-- claims it again, and every submission also deletes a small batch of the oldest expired keys (oldest first, along
-- this index) in its own transaction, so the table holds about one window of keys without a separate job.
CREATE INDEX submission_keys_by_age ON submission_keys (created_at);
