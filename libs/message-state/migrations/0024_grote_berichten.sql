-- Owner: ingress. Digikoppeling Grote Berichten, sender side (docs/grote-berichten.md): a large file is announced
-- (POST /api/v1/grote-berichten), uploaded in byte ranges (PUT) into staged parts, and once every byte is there and its
-- SHA-256 matches, written into the payload store as the content of an ordinary message (kenmerk) in the same
-- transaction as the message itself; then the parts are deleted.
--   status        open (parts arriving), voltooid (its message exists: kenmerk), verlopen (expired before it was
--                 complete; parts deleted), mislukt (checksum or size did not match: foutcode; parts deleted)
--   announcement  the announce request as parsed (envelope fields and bestand), from which the message is made
--   fingerprint   SHA-256 of that request in canonical form: the same aanleverkenmerk with another file is refused
CREATE TABLE grote_berichten_uploads (
  upload_id       uuid        PRIMARY KEY,
  sender_oin      text        NOT NULL,
  aanleverkenmerk text,
  fingerprint     text        NOT NULL,
  announcement    jsonb       NOT NULL,
  grootte         bigint      NOT NULL CHECK (grootte > 0),
  sha256          text        NOT NULL,
  status          text        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'voltooid', 'verlopen', 'mislukt')),
  kenmerk         text,
  foutcode        text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  expires_at      timestamptz NOT NULL,
  finished_at     timestamptz,
  CHECK ((status = 'voltooid') = (kenmerk IS NOT NULL))
);

-- Idempotent announcement per (sender, aanleverkenmerk).
CREATE UNIQUE INDEX grote_berichten_uploads_by_key ON grote_berichten_uploads (sender_oin, aanleverkenmerk) WHERE aanleverkenmerk IS NOT NULL;
-- The sweeper finds the open uploads past their expiry along this index.
CREATE INDEX grote_berichten_uploads_open_by_expiry ON grote_berichten_uploads (expires_at) WHERE status = 'open';

-- The bytes received so far: rows of at most 1 MiB that never overlap (a later PUT over received bytes trims or
-- replaces what it covers: the newest bytes win). start is the offset of the row's first byte in the file.
CREATE TABLE upload_parts (
  upload_id uuid   NOT NULL REFERENCES grote_berichten_uploads (upload_id) ON DELETE CASCADE,
  start     bigint NOT NULL,
  data      bytea  NOT NULL,
  PRIMARY KEY (upload_id, start)
);
-- Parts are written once and read once; compressing them (the content is often already compressed) is wasted work.
ALTER TABLE upload_parts ALTER COLUMN data SET STORAGE EXTERNAL;
