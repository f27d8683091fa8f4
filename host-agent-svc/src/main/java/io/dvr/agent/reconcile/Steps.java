package io.dvr.agent.reconcile;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** Collects operations by step; the plan is the steps in declaration order. */
final class Steps {
  /**
   * Creations parent first (a port's tag right after its device), then replacements, then
   * deletions child first, then tunnel ports, flows, and last the tunnel ports no flow leads to.
   * A device's sysctls come before its link goes up: with IPv6 turned off there, the device sends
   * nothing of IPv6 when it comes up (an HA standby's SNAT devices must stay silent).
   */
  enum Step {
    CREATE_NAMESPACE, DELETE_TO_RECREATE, CREATE_DEVICE, SET_PORT_TAG, SET_SYSCTL, SET_LINK, ADD_ADDRESS, REPLACE_ROUTE,
    ADD_RULE, REPLACE_NEIGHBOUR, REPLACE_NAT, REMOVE_NEIGHBOUR, REMOVE_RULE, REMOVE_ROUTE, REMOVE_ADDRESS, DELETE_DEVICE,
    DELETE_NAMESPACE, ADD_TUNNEL_PORT, ADD_FLOWS, DELETE_FLOWS, DELETE_TUNNEL_PORT
  }

  private final Map<Step, List<Operation>> byStep = new EnumMap<>(Step.class);

  void add(Step step, Operation op) {
    byStep.computeIfAbsent(step, k -> new ArrayList<>()).add(op);
  }

  Plan plan() {
    List<Operation> all = new ArrayList<>();
    byStep.values().forEach(all::addAll);
    return new Plan(all);
  }
}
