package io.dvr.agent.driver.listing;

import io.dvr.agent.model.BridgeState;
import io.dvr.agent.model.Flow;
import java.util.ArrayList;
import java.util.List;

/** {@code ovs-ofctl dump-flows <bridge> --no-stats}: by table, then priority from high to low. */
public final class OfctlListing {
  private OfctlListing() {}

  public static String print(BridgeState bridge) {
    List<String> lines = new ArrayList<>();
    lines.add("NXST_FLOW reply (xid=0x4):");
    bridge.flows().stream().map(OfctlListing::line).forEach(lines::add);
    return Lines.of(lines);
  }

  static String line(Flow f) {
    List<String> match = new ArrayList<>();
    if (f.priority() != Flow.DEFAULT_PRIORITY) {
      match.add("priority=" + f.priority());
    }
    if (!f.match().isEmpty()) {
      match.add(f.match());
    }
    String head = " cookie=0x" + Long.toHexString(f.cookie()) + ", table=" + f.table() + ", ";
    return head + String.join(",", match) + (match.isEmpty() ? "" : " ") + "actions=" + f.actions();
  }
}
