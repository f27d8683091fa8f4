-- The MTU of each network (Neutron's network mtu): tunnelled networks lose 50 bytes to VXLAN.

ALTER TABLE networks ADD COLUMN mtu integer NOT NULL DEFAULT 1450 CHECK (mtu BETWEEN 68 AND 65535);
UPDATE networks SET mtu = 1500 WHERE router_external;
