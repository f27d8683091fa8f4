-- Control plane state: DVR host MACs and where routers live.

CREATE TABLE dvr_host_macs (
  host        text PRIMARY KEY,
  mac_address macaddr NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT dvr_host_macs_mac_key UNIQUE (mac_address)
);

-- The hosts that carry a distributed router (compute ports on its subnets, or its SNAT).
CREATE TABLE router_host_bindings (
  router_id uuid NOT NULL REFERENCES routers(id) ON DELETE CASCADE,
  host      text NOT NULL,
  PRIMARY KEY (router_id, host)
);
CREATE INDEX router_host_bindings_host ON router_host_bindings(host);

-- The one dvr_snat host holding a router's snat- namespace.
CREATE TABLE router_snat_bindings (
  router_id uuid PRIMARY KEY REFERENCES routers(id) ON DELETE CASCADE,
  host      text NOT NULL
);
CREATE INDEX router_snat_bindings_host ON router_snat_bindings(host);

-- Underlay address a host agent tunnels from (VXLAN local_ip).
ALTER TABLE agents ADD COLUMN tunnel_ip text NOT NULL DEFAULT '';
