-- Owner: routing. Recipients' subscriptions to message types (Digilevering-like), managed through routing's
-- subscriptions API: a subscriber (its certificate's OIN) receives, through one of its recipient profiles, every new
-- message of a berichtsoort, optionally only those for one identiteitBelanghebbende and/or identiteitOntvanger
-- (compared by nummer). Routing reads them beside the static routes of the message types.
CREATE TABLE subscriptions (
  id              uuid        PRIMARY KEY,
  subscriber_oin  text        NOT NULL,
  -- The recipient profile (recipients.yaml) that receives: how it receives is the profile's.
  recipient_id    text        NOT NULL,
  berichtsoort    text        NOT NULL,
  belanghebbende  text,
  ontvanger       text,
  format          text        NOT NULL DEFAULT 'original' CHECK (format IN ('original', 'transformed')),
  -- Bumped by every change: the ETag of the API.
  version         integer     NOT NULL DEFAULT 1,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);
-- One subscription per recipient, berichtsoort and filter: a second one would be the same.
CREATE UNIQUE INDEX subscriptions_once ON subscriptions (recipient_id, berichtsoort, coalesce(belanghebbende, ''), coalesce(ontvanger, ''));
CREATE INDEX subscriptions_by_subscriber ON subscriptions (subscriber_oin, created_at);

-- How routing knows its cached subscriptions are current: one number that every change to the table raises, in the
-- same transaction. Routing reads it (one row) once per batch and reloads the subscriptions only when it moved.
CREATE TABLE subscriptions_generation (
  only_row   boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  generation bigint  NOT NULL
);
INSERT INTO subscriptions_generation (only_row, generation) VALUES (true, 0);

CREATE FUNCTION subscriptions_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE subscriptions_generation SET generation = generation + 1;
  RETURN NULL;
END $$;

-- Per row, so that a statement that changed nothing (a duplicate refused, a stale If-Match) leaves the cache be.
CREATE TRIGGER subscriptions_changed AFTER INSERT OR UPDATE OR DELETE ON subscriptions
  FOR EACH ROW EXECUTE FUNCTION subscriptions_changed();
CREATE TRIGGER subscriptions_truncated AFTER TRUNCATE ON subscriptions
  FOR EACH STATEMENT EXECUTE FUNCTION subscriptions_changed();
