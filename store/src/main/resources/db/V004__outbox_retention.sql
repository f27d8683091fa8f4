-- An outbox row is kept a short while after it was published (published_at set) and deleted then:
-- a relay that dies right after publishing may not have got the event out of its process, so the
-- next relay to start publishes the rows still kept once more (receivers tolerate repeats).

ALTER TABLE outbox ADD COLUMN published_at timestamptz;
CREATE INDEX outbox_pending ON outbox (id) WHERE published_at IS NULL;
CREATE INDEX outbox_published ON outbox (published_at) WHERE published_at IS NOT NULL;
