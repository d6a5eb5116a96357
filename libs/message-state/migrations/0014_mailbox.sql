-- Owner: delivery. Pull recipients: a message for a recipient whose profile says `pull` is parked in the mailbox of
-- the recipient's OIN instead of pushed; its delivery waits as 'parked' until a certificate of that OIN fetches it.
ALTER TABLE deliveries DROP CONSTRAINT deliveries_state_check;
ALTER TABLE deliveries ADD CONSTRAINT deliveries_state_check CHECK (state IN ('pending', 'parked', 'delivered', 'refused', 'expired'));

-- One row per parked (message, recipient): what the OphaalService answers with, the content by reference to the
-- payload store (the rendition the route asked for). Visible only while its delivery is parked or delivered.
CREATE TABLE mailbox (
  kenmerk                 text        NOT NULL,
  recipient_id            text        NOT NULL,
  owner_oin               text        NOT NULL,
  berichtsoort            text        NOT NULL,
  belanghebbende_nummer   text        NOT NULL,
  belanghebbende_type     text        NOT NULL,
  tijdstempel_aangeleverd timestamptz NOT NULL,
  envelope                jsonb       NOT NULL,
  payload                 jsonb       NOT NULL,
  -- The envelope's attachments when the profile wants them, otherwise none.
  attachments             jsonb       NOT NULL,
  parked_at               timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (kenmerk, recipient_id)
);
CREATE INDEX mailbox_owner ON mailbox (owner_oin, tijdstempel_aangeleverd, kenmerk);

-- Which certificate fetched what (getNieuwe* returns what this certificate has not fetched before).
CREATE TABLE mailbox_fetches (
  certificate_fingerprint text        NOT NULL,
  kenmerk                 text        NOT NULL,
  recipient_id            text        NOT NULL,
  fetched_at              timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (certificate_fingerprint, kenmerk, recipient_id)
);
