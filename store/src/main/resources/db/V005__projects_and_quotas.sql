-- Projects (Neutron's project_id) on every resource, and quotas per project.
-- Rows from before projects existed belong to project 'admin': the project of the bootstrap
-- admin token, so that an upgraded lab keeps its resources under the token it already uses.

ALTER TABLE networks ADD COLUMN project_id text NOT NULL DEFAULT 'admin';
ALTER TABLE subnets ADD COLUMN project_id text NOT NULL DEFAULT 'admin';
ALTER TABLE routers ADD COLUMN project_id text NOT NULL DEFAULT 'admin';
ALTER TABLE floating_ips ADD COLUMN project_id text NOT NULL DEFAULT 'admin';
-- A port takes its project at creation; the fg- ports of the system belong to none ('').
ALTER TABLE ports ADD COLUMN project_id text NOT NULL DEFAULT 'admin';
UPDATE ports SET project_id = '' WHERE device_owner = 'network:floatingip_agent_gateway';
-- api-gateway names the project of every row it writes; the default only covers old rows
-- (and rows other services' tests write directly).

CREATE INDEX networks_project ON networks(project_id);
CREATE INDEX subnets_project ON subnets(project_id);
CREATE INDEX routers_project ON routers(project_id);
CREATE INDEX floating_ips_project ON floating_ips(project_id);
CREATE INDEX ports_project ON ports(project_id);

-- Limits set by an admin; a project without a row for a resource has the default (-1: unlimited).
CREATE TABLE quotas (
  project_id  text NOT NULL,
  resource    text NOT NULL CHECK (resource IN ('network', 'subnet', 'port', 'router', 'floatingip')),
  quota_limit bigint NOT NULL CHECK (quota_limit >= -1),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (project_id, resource)
);
