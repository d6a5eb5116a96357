-- Owner: delivery. The status a recipient reported for its delivery with zetStatus (500 or 510, domain.md 1.8): kept
-- with the delivery so that the same report twice records one status and a contradicting second one is refused.
ALTER TABLE deliveries
  ADD COLUMN recipient_statuscode   text CHECK (recipient_statuscode IN ('500', '510')),
  ADD COLUMN recipient_foutcode     text,
  ADD COLUMN recipient_reported_at  timestamptz;
