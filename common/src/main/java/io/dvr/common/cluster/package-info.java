/**
 * Who may take part in the clustered event bus. Guarantees, unless {@code insecure=true}: the bus
 * speaks only TLS and both ends show a certificate of the cluster CA (a process without one can
 * neither send nor receive); a member routes messages only to members that published a record
 * signed with such a certificate, so a process that joins Hazelcast with the cluster name alone
 * (Hazelcast's open-source edition authenticates no member) cannot take, drop or redirect messages
 * by writing Vert.x's maps. Missing key material is a start-up error naming the setting.
 */
package io.dvr.common.cluster;
