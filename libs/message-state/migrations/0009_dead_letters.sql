-- Owner: the pipeline (every stage writes its own). Events a stage could not handle even after its retries, kept
-- with the reason for operators to list and re-drive once the cause is fixed. The dead-letter topics carry the same
-- events for tools that read Kafka; this table is what the re-drive works from.
CREATE TABLE dead_letters (
  id               bigserial   PRIMARY KEY,
  stage            text        NOT NULL,
  topic            text        NOT NULL,
  kenmerk          text,
  message_key      text,
  value            text        NOT NULL,
  headers          jsonb       NOT NULL,
  reason           text        NOT NULL,
  dead_lettered_at timestamptz NOT NULL DEFAULT now(),
  redriven_at      timestamptz,
  redrive_count    integer     NOT NULL DEFAULT 0
);
CREATE INDEX dead_letters_open ON dead_letters (topic, dead_lettered_at) WHERE redriven_at IS NULL;
CREATE INDEX dead_letters_by_kenmerk ON dead_letters (kenmerk);
