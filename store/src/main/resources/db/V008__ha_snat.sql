-- Highly available SNAT (issue 15). An HA router's SNAT lives on several dvr_snat hosts, one
-- active (holds the qg-/sg- addresses), the others standby; the database is the one authority on
-- which, and the agents hold their active routers only under a lease (snat_leases).
ALTER TABLE routers ADD COLUMN ha boolean NOT NULL DEFAULT false;

-- Several hosts per router for an HA router; still exactly one for the others (the partial
-- unique index below), as the scheduler writes them.
ALTER TABLE router_snat_bindings DROP CONSTRAINT router_snat_bindings_pkey;
ALTER TABLE router_snat_bindings ADD PRIMARY KEY (router_id, host);
-- 'active' / 'standby' on an HA router's hosts, null on a non-HA router's one host.
ALTER TABLE router_snat_bindings ADD COLUMN ha_state text
  CHECK (ha_state IS NULL OR ha_state IN ('active', 'standby'));
-- The router's epoch when this row got its role: the router's epoch is the highest of its rows.
ALTER TABLE router_snat_bindings ADD COLUMN ha_epoch bigint NOT NULL DEFAULT 0;
-- Set on the old active of a make-before-break move (drain, l3-agent-router-remove): it keeps its
-- addresses until the new active's renewal says it claimed them, or the drain times out.
ALTER TABLE router_snat_bindings ADD COLUMN draining_since timestamptz;
CREATE UNIQUE INDEX router_snat_bindings_one_host ON router_snat_bindings(router_id) WHERE ha_state IS NULL;
-- One active per router, the draining old active aside.
CREATE UNIQUE INDEX router_snat_bindings_one_active ON router_snat_bindings(router_id)
  WHERE ha_state = 'active' AND draining_since IS NULL;

-- l3-agent-router-remove: the scheduler does not place the router's SNAT on the host again until
-- l3-agent-router-add puts it back.
CREATE TABLE router_snat_exclusions (
  router_id uuid NOT NULL REFERENCES routers(id) ON DELETE CASCADE,
  host      text NOT NULL,
  PRIMARY KEY (router_id, host)
);

-- Each dvr_snat host's SNAT lease (scheduler-svc's): renewed by its agent, in database time; the
-- HA routers whose addresses it said it holds at its last renewal.
CREATE TABLE snat_leases (
  host              text PRIMARY KEY,
  expires_at        timestamptz NOT NULL,
  renewed_at        timestamptz NOT NULL,
  active_router_ids uuid[] NOT NULL DEFAULT '{}'
);
