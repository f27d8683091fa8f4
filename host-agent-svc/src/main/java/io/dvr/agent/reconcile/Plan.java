package io.dvr.agent.reconcile;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** An ordered list of operations; empty when the host already is as desired. */
public record Plan(List<Operation> operations) {
  public static final Plan EMPTY = new Plan(List.of());

  public Plan {
    operations = List.copyOf(operations);
  }

  public boolean isEmpty() {
    return operations.isEmpty();
  }

  public int size() {
    return operations.size();
  }

  /** Operations of one lane run in plan order; different lanes touch different namespaces. */
  public record Lane(SortedSet<String> namespaces, List<Operation> operations) {
    public Lane {
      namespaces = Collections.unmodifiableSortedSet(new TreeSet<>(namespaces));
      operations = List.copyOf(operations);
    }
  }

  /**
   * Splits the plan into lanes: namespaces touched by one operation (a veth pair across qrouter-
   * and fip-) share a lane. Lanes come in the order of their first operation.
   */
  public List<Lane> lanes() {
    Map<String, String> parent = new HashMap<>();
    for (Operation op : operations) {
      String first = null;
      for (String ns : new TreeSet<>(op.namespaces())) {
        parent.putIfAbsent(ns, ns);
        if (first == null) {
          first = ns;
        } else {
          parent.put(root(parent, ns), root(parent, first));
        }
      }
    }
    Map<String, List<Operation>> byRoot = new LinkedHashMap<>();
    for (Operation op : operations) {
      byRoot.computeIfAbsent(root(parent, op.namespace()), k -> new ArrayList<>()).add(op);
    }
    List<Lane> lanes = new ArrayList<>();
    byRoot.forEach((rootName, ops) -> lanes.add(new Lane(
        parent.keySet().stream().filter(ns -> root(parent, ns).equals(rootName)).collect(Collectors.toCollection(TreeSet::new)), ops)));
    return lanes;
  }

  private static String root(Map<String, String> parent, String ns) {
    String r = ns;
    while (!parent.get(r).equals(r)) {
      r = parent.get(r);
    }
    return r;
  }

  @Override
  public String toString() {
    return operations.stream().map(Object::toString).collect(Collectors.joining("\n"));
  }
}
