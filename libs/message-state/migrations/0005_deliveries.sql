-- Owner: delivery. One row per (message, recipient); the retry schedule lives here so it survives restarts.
CREATE TABLE deliveries (
  kenmerk         text        NOT NULL,
  recipient_id    text        NOT NULL,
  recipient_count int         NOT NULL,
  envelope        jsonb       NOT NULL,
  payload         jsonb       NOT NULL,
  state           text        NOT NULL CHECK (state IN ('pending', 'delivered', 'refused', 'expired')),
  attempts        int         NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL,
  deadline        timestamptz NOT NULL,
  last_error      text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (kenmerk, recipient_id)
);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE state = 'pending';
