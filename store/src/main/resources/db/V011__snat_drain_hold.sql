-- A drain that timed out (the new host never claimed) is tried again only after another
-- snat.drain-timeout-ms. The hold was each scheduler-svc instance's memory, so a second instance
-- started the drain again at once; kept here, on the old active's row, every instance obeys it.
ALTER TABLE router_snat_bindings ADD COLUMN drain_held_until timestamptz;
