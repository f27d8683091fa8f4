/**
 * arp-svc's rule over intent, read-only: which ports are in a distributed router's ARP table.
 * Other services ask arp-svc for the tables ({@code GetArpTables}) instead of repeating the rule.
 */
package io.dvr.arp.store;
