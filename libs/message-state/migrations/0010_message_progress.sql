-- Owner: notification. Where each message stands: its latest status, kept with each status recorded, so that the
-- sweeper finds messages without progress past their deadline with an index scan instead of reading the history.
CREATE TABLE message_progress (
  kenmerk               text        PRIMARY KEY,
  berichtsoort          text        NOT NULL,
  sender_oin            text        NOT NULL,
  aanleverkenmerk       text,
  belanghebbende_nummer text        NOT NULL,
  belanghebbende_type   text        NOT NULL,
  last_statuscode       text        NOT NULL,
  last_status_at        timestamptz NOT NULL,
  -- Nothing more is expected: a final status, or delivered (400).
  done                  boolean     NOT NULL,
  reported_stuck_at     timestamptz
);
CREATE INDEX message_progress_waiting ON message_progress (last_status_at) WHERE NOT done AND reported_stuck_at IS NULL;
