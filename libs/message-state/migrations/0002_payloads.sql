-- Owner: ingress (writes), every stage reads through @poort/payload-store. Claim check for message content.
CREATE TABLE payloads (
  id         uuid        PRIMARY KEY,
  size       bigint      NOT NULL,
  sha256     text        NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Content is stored in chunks so that it can be written and read as a stream, never buffered whole.
CREATE TABLE payload_chunks (
  payload_id uuid  NOT NULL REFERENCES payloads (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
  seq        int   NOT NULL,
  data       bytea NOT NULL,
  PRIMARY KEY (payload_id, seq)
);
