-- Owner: ingress. The message record of every accepted submission.
CREATE TABLE messages (
  kenmerk         text        PRIMARY KEY,
  berichtsoort    text        NOT NULL,
  sender_oin      text        NOT NULL,
  aanleverkenmerk text,
  envelope        jsonb       NOT NULL,
  received_at     timestamptz NOT NULL
);
CREATE INDEX messages_by_sender ON messages (sender_oin, received_at);
