-- Owner: notification. Append-only status history with Digipoort codes, per-certificate fetch cursors,
-- and the retour-afzender notices for senders.
CREATE TABLE status_history (
  seq                  bigserial   PRIMARY KEY,
  status_id            text        NOT NULL UNIQUE,
  kenmerk              text        NOT NULL,
  berichtsoort         text        NOT NULL,
  sender_oin           text        NOT NULL,
  aanleverkenmerk      text,
  belanghebbende_nummer text       NOT NULL,
  belanghebbende_type  text        NOT NULL,
  statuscode           text        NOT NULL,
  statusomschrijving   text        NOT NULL,
  tijdstempel_status   timestamptz NOT NULL,
  foutcode             text,
  foutbeschrijving     text,
  statusdetails        text,
  final                boolean     NOT NULL,
  recorded_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX status_history_by_kenmerk ON status_history (kenmerk, seq);

CREATE FUNCTION status_history_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'status_history is append-only';
END;
$$;
CREATE TRIGGER status_history_append_only BEFORE UPDATE OR DELETE ON status_history
  FOR EACH ROW EXECUTE FUNCTION status_history_is_append_only();

CREATE TABLE status_cursors (
  client_fingerprint text   NOT NULL,
  kenmerk            text   NOT NULL,
  last_seq           bigint NOT NULL,
  PRIMARY KEY (client_fingerprint, kenmerk)
);

CREATE TABLE returned_messages (
  event_id         uuid        PRIMARY KEY,
  kenmerk          text        NOT NULL,
  berichtsoort     text        NOT NULL,
  sender_oin       text        NOT NULL,
  aanleverkenmerk  text,
  recipient_id     text        NOT NULL,
  foutcode         text        NOT NULL,
  foutbeschrijving text        NOT NULL,
  returned_at      timestamptz NOT NULL
);
CREATE INDEX returned_messages_by_sender ON returned_messages (sender_oin, returned_at);
