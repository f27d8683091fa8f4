/**
 * mac-allocator-svc's table, {@code dvr_host_macs}: one unique DVR MAC per host, allocated
 * idempotently. mac-allocator-svc is its only writer and reader; others ask over the event bus.
 */
package io.dvr.macalloc.store;
