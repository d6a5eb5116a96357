-- Owner: delivery. The worker leases each recipient's due deliveries on their own (a lane per recipient, so that one
-- recipient's backlog never fills another's room): an index per recipient in due order.
CREATE INDEX deliveries_due_by_recipient ON deliveries (recipient_id, next_attempt_at) WHERE state = 'pending';
