-- Owners: ingress and notification (WUS endpoints). wsa:MessageIDs seen per signer, for replay protection. A request
-- older than the WS-Security message age is refused anyway, so rows older than that (plus margin) can be pruned.
CREATE TABLE wus_seen_messages (
  signer_fingerprint text        NOT NULL,
  message_id         text        NOT NULL,
  seen_at            timestamptz NOT NULL,
  PRIMARY KEY (signer_fingerprint, message_id)
);
CREATE INDEX wus_seen_messages_by_age ON wus_seen_messages (seen_at);
