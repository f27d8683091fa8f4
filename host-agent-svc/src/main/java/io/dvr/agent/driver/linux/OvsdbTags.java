package io.dvr.agent.driver.linux;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A plan's OVS transaction when it only sets VLAN tags ({@code -- set Port NAME tag=N}, what a port
 * bound to the host or a VM plugged needs), done as ovs-vsctl does it but over the session with
 * ovsdb-server: one transaction that fails as a whole when a port is not there, {@code next_cfg}
 * raised in it, then the wait until ovs-vswitchd has taken it ({@code cur_cfg}). Any other
 * command keeps the transaction an ovs-vsctl process.
 */
final class OvsdbTags {
  private OvsdbTags() {}

  /** The tags of these ovs-vsctl commands by port, in order; empty when any command is not a tag set. */
  static Optional<Map<String, Integer>> of(List<String> commands) {
    Map<String, Integer> tags = new LinkedHashMap<>();
    int i = 0;
    while (i < commands.size()) {
      if (i + 5 > commands.size() || !commands.get(i).equals("--") || !commands.get(i + 1).equals("set")
          || !commands.get(i + 2).equals("Port") || !commands.get(i + 4).startsWith("tag=")) {
        return Optional.empty();
      }
      try {
        tags.put(commands.get(i + 3), Integer.parseInt(commands.get(i + 4).substring("tag=".length())));
      } catch (NumberFormatException e) {
        return Optional.empty();
      }
      i += 5;
    }
    return tags.isEmpty() ? Optional.empty() : Optional.of(tags);
  }

  /**
   * Each port must be there (a wait that cannot wait: ovs-vsctl's "no row" aborts the whole
   * transaction), then its tag, then {@code next_cfg} raised and read back.
   */
  static JsonArray operations(Map<String, Integer> tags) {
    JsonArray ops = new JsonArray();
    tags.forEach((port, tag) -> {
      JsonArray where = new JsonArray().add(new JsonArray().add("name").add("==").add(port));
      ops.add(new JsonObject().put("op", "wait").put("table", "Port").put("timeout", 0).put("where", where)
          .put("columns", new JsonArray().add("name")).put("until", "==")
          .put("rows", new JsonArray().add(new JsonObject().put("name", port))));
      ops.add(new JsonObject().put("op", "update").put("table", "Port").put("where", where)
          .put("row", new JsonObject().put("tag", tag)));
    });
    ops.add(new JsonObject().put("op", "mutate").put("table", "Open_vSwitch").put("where", new JsonArray())
        .put("mutations", new JsonArray().add(new JsonArray().add("next_cfg").add("+=").add(1))));
    ops.add(new JsonObject().put("op", "select").put("table", "Open_vSwitch").put("where", new JsonArray())
        .put("columns", new JsonArray().add("next_cfg")));
    return ops;
  }

  /**
   * Sets the tags and waits until ovs-vswitchd has reconfigured for them ({@code cur_cfg} reaches
   * the {@code next_cfg} this transaction raised), at most {@code timeoutMillis}. The server holds
   * each wait: a transaction whose {@code wait} ends when {@code cur_cfg} is no longer the value
   * last read, and reads the new one. Not {@code until "=="} on our {@code next_cfg}: another
   * client's raise can carry {@code cur_cfg} past it. Blocking.
   */
  static void apply(OvsdbSession session, Map<String, Integer> tags, long timeoutMillis) {
    JsonArray results = session.transact(operations(tags));
    long next = results.getJsonObject(results.size() - 1).getJsonArray("rows").getJsonObject(0).getLong("next_cfg");
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
    long current = curCfg(session.transact(new JsonArray().add(selectCurCfg())), 0);
    while (current < next) {
      long left = (deadline - System.nanoTime()) / 1_000_000;
      if (left <= 0) {
        throw new OvsdbSession.OvsdbErrorException("ovs-vswitchd did not take the tags " + tags + " (next_cfg "
            + next + ", cur_cfg " + current + ") within " + timeoutMillis + " ms");
      }
      // Half the call's own time limit at most, so the server's "timed out" comes before ours.
      long hold = Math.max(1, Math.min(left, timeoutMillis / 2));
      try {
        current = curCfg(session.transact(new JsonArray().add(curCfgChangedFrom(current, hold)).add(selectCurCfg())), 1);
      } catch (OvsdbSession.OvsdbErrorException e) {
        if (!String.valueOf(e.getMessage()).contains("timed out")) {
          throw e;
        }
        // cur_cfg did not move within this hold: the deadline decides whether to wait again.
      }
    }
  }

  private static JsonObject selectCurCfg() {
    return new JsonObject().put("op", "select").put("table", "Open_vSwitch").put("where", new JsonArray())
        .put("columns", new JsonArray().add("cur_cfg"));
  }

  /** A wait the server holds until {@code cur_cfg} is no longer {@code current}, at most {@code holdMillis}. */
  static JsonObject curCfgChangedFrom(long current, long holdMillis) {
    return new JsonObject().put("op", "wait").put("table", "Open_vSwitch").put("where", new JsonArray())
        .put("timeout", holdMillis).put("columns", new JsonArray().add("cur_cfg")).put("until", "!=")
        .put("rows", new JsonArray().add(new JsonObject().put("cur_cfg", current)));
  }

  private static long curCfg(JsonArray results, int index) {
    return results.getJsonObject(index).getJsonArray("rows").getJsonObject(0).getLong("cur_cfg");
  }
}
