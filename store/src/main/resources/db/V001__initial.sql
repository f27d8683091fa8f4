-- Intent of the DVR control plane. Uniqueness that must hold under concurrency is a constraint here.

CREATE SEQUENCE segmentation_ids AS integer START 1001 MAXVALUE 16777215;

CREATE TABLE networks (
  id              uuid PRIMARY KEY,
  name            text NOT NULL,
  router_external boolean NOT NULL DEFAULT false,
  admin_state_up  boolean NOT NULL DEFAULT true,
  segmentation_id integer NOT NULL UNIQUE DEFAULT nextval('segmentation_ids'),
  revision        bigint NOT NULL DEFAULT 1,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE subnets (
  id          uuid PRIMARY KEY,
  network_id  uuid NOT NULL REFERENCES networks(id),
  name        text NOT NULL,
  ip_version  smallint NOT NULL DEFAULT 4,
  cidr        cidr NOT NULL,
  gateway_ip  inet,
  revision    bigint NOT NULL DEFAULT 1,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX subnets_network ON subnets(network_id);

CREATE TABLE allocation_pools (
  subnet_id uuid NOT NULL REFERENCES subnets(id) ON DELETE CASCADE,
  first_ip  inet NOT NULL,
  last_ip   inet NOT NULL,
  PRIMARY KEY (subnet_id, first_ip),
  CHECK (first_ip <= last_ip)
);

CREATE TABLE ports (
  id             uuid PRIMARY KEY,
  network_id     uuid NOT NULL REFERENCES networks(id),
  name           text NOT NULL DEFAULT '',
  mac_address    macaddr NOT NULL,
  device_owner   text NOT NULL DEFAULT '',
  device_id      text NOT NULL DEFAULT '',
  binding_host   text NOT NULL DEFAULT '',
  status         text NOT NULL DEFAULT 'DOWN',
  admin_state_up boolean NOT NULL DEFAULT true,
  revision       bigint NOT NULL DEFAULT 1,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT ports_mac_address_key UNIQUE (mac_address)
);
CREATE INDEX ports_network ON ports(network_id);
CREATE INDEX ports_device ON ports(device_id);
CREATE INDEX ports_host ON ports(binding_host);

-- One row per fixed IP; the primary key is what makes an address never given twice.
CREATE TABLE ip_allocations (
  subnet_id  uuid NOT NULL REFERENCES subnets(id),
  ip_address inet NOT NULL,
  port_id    uuid NOT NULL REFERENCES ports(id) ON DELETE CASCADE,
  CONSTRAINT ip_allocations_pkey PRIMARY KEY (subnet_id, ip_address)
);
CREATE INDEX ip_allocations_port ON ip_allocations(port_id);

CREATE TABLE routers (
  id             uuid PRIMARY KEY,
  name           text NOT NULL,
  distributed    boolean NOT NULL DEFAULT true,
  admin_state_up boolean NOT NULL DEFAULT true,
  gw_network_id  uuid REFERENCES networks(id),
  gw_port_id     uuid REFERENCES ports(id),
  revision       bigint NOT NULL DEFAULT 1,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now()
);

-- A subnet is attached to a router once; its gateway port belongs to one router.
CREATE TABLE router_interfaces (
  router_id    uuid NOT NULL REFERENCES routers(id),
  subnet_id    uuid NOT NULL REFERENCES subnets(id),
  port_id      uuid NOT NULL REFERENCES ports(id),
  snat_port_id uuid REFERENCES ports(id),
  CONSTRAINT router_interfaces_pkey PRIMARY KEY (router_id, subnet_id),
  CONSTRAINT router_interfaces_port_key UNIQUE (port_id)
);
CREATE INDEX router_interfaces_subnet ON router_interfaces(subnet_id);

CREATE TABLE floating_ips (
  id                  uuid PRIMARY KEY,
  floating_network_id uuid NOT NULL REFERENCES networks(id),
  floating_port_id    uuid NOT NULL REFERENCES ports(id),
  floating_ip_address inet NOT NULL,
  port_id             uuid REFERENCES ports(id),
  fixed_ip_address    inet,
  router_id           uuid REFERENCES routers(id),
  revision            bigint NOT NULL DEFAULT 1,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT floating_ips_fixed_key UNIQUE (port_id, fixed_ip_address)
);
CREATE INDEX floating_ips_router ON floating_ips(router_id);

CREATE TABLE agents (
  id             uuid PRIMARY KEY,
  host           text NOT NULL,
  agent_type     text NOT NULL,
  agent_mode     text NOT NULL DEFAULT '',
  binary_name    text NOT NULL DEFAULT '',
  admin_state_up boolean NOT NULL DEFAULT true,
  last_heartbeat timestamptz NOT NULL DEFAULT now(),
  started_at     timestamptz NOT NULL DEFAULT now(),
  created_at     timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT agents_host_type_key UNIQUE (host, agent_type)
);

-- Transactional outbox: a row per committed change, written in the change's transaction,
-- deleted once published on the event bus.
CREATE TABLE outbox (
  id           bigserial PRIMARY KEY,
  payload      bytea NOT NULL,
  committed_at timestamptz NOT NULL DEFAULT now()
);
