package io.dvr.agent.reconcile;

import io.dvr.agent.model.BridgeState;
import io.dvr.agent.model.Flow;
import io.dvr.agent.reconcile.Operation.AddFlows;
import io.dvr.agent.reconcile.Operation.DeleteFlows;
import io.dvr.agent.reconcile.Steps.Step;
import io.dvr.agent.render.Names;
import java.util.HashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeSet;

/** Diffs bridges: adds what differs, deletes stale flows with our cookie, leaves other flows alone. */
final class FlowDiff {
  private FlowDiff() {}

  static void diff(SortedMap<String, BridgeState> desired, SortedMap<String, BridgeState> observed, Steps steps) {
    SortedSet<String> bridges = new TreeSet<>(desired.keySet());
    bridges.addAll(observed.keySet());
    for (String bridge : bridges) {
      SortedSet<Flow> want = desired.containsKey(bridge) ? desired.get(bridge).flows() : new TreeSet<>();
      SortedSet<Flow> have = observed.containsKey(bridge) ? observed.get(bridge).flows() : new TreeSet<>();
      Map<Flow.Key, Flow> haveByKey = new HashMap<>();
      have.forEach(f -> haveByKey.put(f.key(), f));
      Map<Flow.Key, Flow> wantByKey = new HashMap<>();
      want.forEach(f -> wantByKey.put(f.key(), f));
      SortedSet<Flow> add = new TreeSet<>();
      want.stream().filter(f -> !f.equals(haveByKey.get(f.key()))).forEach(add::add);
      SortedSet<Flow> delete = new TreeSet<>();
      have.stream().filter(f -> f.cookie() == Names.FLOW_COOKIE && !wantByKey.containsKey(f.key()))
          .forEach(delete::add);
      if (!add.isEmpty()) {
        steps.add(Step.ADD_FLOWS, new AddFlows(bridge, add));
      }
      if (!delete.isEmpty()) {
        steps.add(Step.DELETE_FLOWS, new DeleteFlows(bridge, delete));
      }
    }
  }
}
