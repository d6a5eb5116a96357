-- Owner: delivery. A parked delivery that is not fetched by its deadline (the pull recipient's retry window) ends as
-- undeliverable and leaves the mailbox: the mailbox sweeper finds those by deadline.
CREATE INDEX deliveries_parked_by_deadline ON deliveries (deadline) WHERE state = 'parked';

-- Retention: a fetched message leaves the mailbox (with its fetch records) some time after its delivery; the sweeper
-- looks among the oldest parked rows, and removes fetch records by message.
CREATE INDEX mailbox_by_parked_at ON mailbox (parked_at);
CREATE INDEX mailbox_fetches_by_message ON mailbox_fetches (kenmerk, recipient_id);
