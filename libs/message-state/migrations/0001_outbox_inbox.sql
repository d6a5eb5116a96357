-- Shared messaging mechanics, used by every service through @poort/message-state.
-- outbox: events written in the same transaction as the effect that causes them, relayed to Kafka afterwards.
CREATE TABLE outbox (
  id          bigserial PRIMARY KEY,
  source      text        NOT NULL,
  topic       text        NOT NULL,
  message_key text        NOT NULL,
  value       text        NOT NULL,
  headers     jsonb       NOT NULL DEFAULT '{}',
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX outbox_by_source ON outbox (source, id);

-- inbox: which (consumer, idempotency key) pairs have had their effect; makes at-least-once delivery idempotent.
CREATE TABLE inbox (
  consumer        text        NOT NULL,
  idempotency_key text        NOT NULL,
  handled_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer, idempotency_key)
);
