-- Owner: routing. A subscription may ask for a rendition by its transformation's name (e.g. ubl-invoice-to-cii) that
-- its message type offers subscribers, besides the original and the type's own rendition ('transformed'). Which names
-- a type offers is configuration, checked by the subscriptions API; the table keeps only their shape. The release
-- before this one, rolled back to, delivers the original to such a subscription.
ALTER TABLE subscriptions DROP CONSTRAINT subscriptions_format_check;
ALTER TABLE subscriptions ADD CONSTRAINT subscriptions_format_check CHECK (format ~ '^[a-z0-9-]{1,80}$');
