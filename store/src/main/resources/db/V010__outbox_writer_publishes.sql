-- The writer of a change publishes its events itself right after its commit, then marks the rows
-- published. The relay takes a row only once relay_after has passed (NULL: at once), so a writer
-- that died between its commit and its publish still has its change published, a moment later.
ALTER TABLE outbox ADD COLUMN relay_after timestamptz;
