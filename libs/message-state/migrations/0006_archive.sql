-- Owner: archive. Immutable copies of every accepted message envelope and every status.
CREATE TABLE archive_messages (
  kenmerk     text        PRIMARY KEY,
  envelope    jsonb       NOT NULL,
  received_at timestamptz NOT NULL,
  archived_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE archive_statuses (
  status_id          text        PRIMARY KEY,
  kenmerk            text        NOT NULL,
  statuscode         text        NOT NULL,
  tijdstempel_status timestamptz NOT NULL,
  event              jsonb       NOT NULL,
  archived_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX archive_statuses_by_kenmerk ON archive_statuses (kenmerk, tijdstempel_status);

CREATE FUNCTION archive_is_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the archive is immutable';
END;
$$;
CREATE TRIGGER archive_messages_immutable BEFORE UPDATE OR DELETE ON archive_messages
  FOR EACH ROW EXECUTE FUNCTION archive_is_immutable();
CREATE TRIGGER archive_statuses_immutable BEFORE UPDATE OR DELETE ON archive_statuses
  FOR EACH ROW EXECUTE FUNCTION archive_is_immutable();
