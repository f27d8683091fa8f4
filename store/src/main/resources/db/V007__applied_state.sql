-- The last committed change of each resource, and of each router a change names: the id of the
-- transaction that made it (pg_current_xact_id, the number host views are generations in), the
-- routers and hosts it named. Written with the outbox rows, in the change's transaction; kept
-- after a delete (a wait for the delete reads it).
CREATE TABLE changes (
  resource_id  uuid PRIMARY KEY,
  -- dvr.v1.ResourceType of the resource (a router's row moved by another resource's change: ROUTER)
  resource_type smallint NOT NULL,
  change_id    bigint NOT NULL,
  router_ids   uuid[] NOT NULL DEFAULT '{}',
  hosts        text[] NOT NULL DEFAULT '{}',
  committed_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- What each host's agent last applied (api-gateway, from dvr.gateway.host-applied): the snapshot
-- of the host part of its view, when, and the error of its last apply while that failed.
CREATE TABLE host_applied (
  host        text PRIMARY KEY,
  generation  bigint NOT NULL DEFAULT 0,
  in_progress bigint[] NOT NULL DEFAULT '{}',
  applied_at  timestamptz,
  last_error  text NOT NULL DEFAULT '',
  failed_at   timestamptz,
  reported_at timestamptz NOT NULL DEFAULT now()
);

-- Per router a host holds: the snapshot its copy was read from, and whether it holds the SNAT.
CREATE TABLE host_applied_routers (
  host        text NOT NULL REFERENCES host_applied(host) ON DELETE CASCADE,
  router_id   uuid NOT NULL,
  generation  bigint NOT NULL,
  in_progress bigint[] NOT NULL DEFAULT '{}',
  snat_here   boolean NOT NULL DEFAULT false,
  PRIMARY KEY (host, router_id)
);
CREATE INDEX host_applied_routers_router ON host_applied_routers(router_id);

-- Whether a snapshot (generation, in_progress) sees the change made by transaction change_id.
CREATE FUNCTION dvr_sees(generation bigint, in_progress bigint[], change_id bigint) RETURNS boolean
  LANGUAGE sql IMMUTABLE AS $$ SELECT change_id < generation AND NOT (change_id = ANY(in_progress)) $$;
