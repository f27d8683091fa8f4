package io.dvr.clusterit;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * What the API acknowledged during a chaos run, and so must hold afterwards. A change whose call
 * failed may or may not have happened (the reply may be what was lost): its object is no longer
 * judged, neither present nor absent.
 */
final class Acknowledged {
  /** VM port id to the host it was last acknowledged on. */
  final Map<String, String> ports = new LinkedHashMap<>();
  final Set<String> deletedPorts = new HashSet<>();
  /** Floating IP id to the port it was last acknowledged on ("" for none). */
  final Map<String, String> fips = new LinkedHashMap<>();
  final Set<String> deletedFips = new HashSet<>();
  /** Whether the toggled subnet is on the router; null while a failed call left it unknown. */
  Boolean toggledAttached = false;
  int operations;
  int failures;

  void portMoved(String id, String host) {
    ports.put(id, host);
    operations++;
  }

  void portDeleted(String id) {
    ports.remove(id);
    deletedPorts.add(id);
    // Neutron disassociates a deleted port's floating IPs.
    fips.replaceAll((fip, port) -> port.equals(id) ? "" : port);
    operations++;
  }

  void fipSet(String id, String port) {
    fips.put(id, port);
    operations++;
  }

  void fipDeleted(String id) {
    fips.remove(id);
    deletedFips.add(id);
    operations++;
  }

  /** A failed call on a port: whatever it did is unknown. */
  void portUnknown(String id) {
    ports.remove(id);
    deletedPorts.remove(id);
    fips.replaceAll((fip, port) -> port.equals(id) ? "?" : port);
    failures++;
  }

  void fipUnknown(String id) {
    fips.remove(id);
    deletedFips.remove(id);
    failures++;
  }
}
