package io.dvr.clusterit;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.multimap.MultiMap;
import io.dvr.common.config.Settings;
import io.vertx.core.spi.cluster.NodeInfo;
import io.vertx.core.spi.cluster.RegistrationInfo;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.impl.HazelcastNodeInfo;
import io.vertx.spi.cluster.hazelcast.impl.HazelcastRegistrationInfo;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Test-only process: a stranger on the cluster's Hazelcast. No certificate, no Vert.x: a plain
 * Hazelcast member that knows the cluster name and one member's address (it is in nobody's
 * member list), and then, every {@code DVR_STRANGER_EVERY_MS}, does what Hazelcast lets any
 * member do to the event bus's routing:
 * <ul>
 *   <li>deletes every registration in {@code __vertx.subs} but its own (black-holing requests);</li>
 *   <li>registers its own consumer on {@link BusProbeMain#ECHO} and {@link BusProbeMain#NEWS}
 *       under a node id of its own (taking a round-robin share);</li>
 *   <li>rewrites every {@code __vertx.nodeInfo} entry to point at a socket it listens on;</li>
 *   <li>in turn deletes, overwrites with junk, or swaps the records in {@code dvr.bus.nodes}.</li>
 * </ul>
 * It logs {@code CONNECTION} for every connection its socket accepts (a message routed to it) and
 * {@code ROUND n} as it goes.
 */
public final class StrangerMain {
  private StrangerMain() {}

  public static void main(String[] args) throws Exception {
    Settings settings = Settings.fromEnvironment();
    ServerSocket trap = new ServerSocket(0);
    Thread accept = new Thread(() -> {
      while (true) {
        try (Socket s = trap.accept()) {
          System.out.println("CONNECTION from " + s.getRemoteSocketAddress());
        } catch (IOException e) {
          return;
        }
      }
    }, "trap");
    accept.setDaemon(true);
    accept.start();

    Config config = ConfigUtil.loadConfig().setClusterName(settings.get("cluster.name", "dvr"));
    String myNode = UUID.randomUUID().toString();
    config.getMemberAttributeConfig().setAttribute("__vertx.nodeId", myNode);
    config.setProperty("hazelcast.wait.seconds.before.join", "0");
    config.setProperty("hazelcast.logging.type", "none");
    config.getNetworkConfig().setPort(settings.getInt("cluster.port", 5701)).setPortAutoIncrement(true);
    config.getNetworkConfig().getJoin().getMulticastConfig().setEnabled(false);
    config.getNetworkConfig().getJoin().getAutoDetectionConfig().setEnabled(false);
    config.getNetworkConfig().getJoin().getTcpIpConfig().setEnabled(true)
        .setMembers(settings.getList("cluster.members", List.of()));
    HazelcastInstance hz = Hazelcast.newHazelcastInstance(config);
    System.out.println("JOINED members=" + hz.getCluster().getMembers().size() + " node=" + myNode);

    MultiMap<String, HazelcastRegistrationInfo> subs = hz.getMultiMap("__vertx.subs");
    IMap<String, HazelcastNodeInfo> nodeInfo = hz.getMap("__vertx.nodeInfo");
    IMap<String, Object> records = hz.getMap("dvr.bus.nodes");
    HazelcastNodeInfo mine = new HazelcastNodeInfo(new NodeInfo("127.0.0.1", trap.getLocalPort(), null));
    long every = settings.getLong("stranger.every-ms", 20);
    for (long round = 1; ; round++) {
      for (Map.Entry<String, HazelcastRegistrationInfo> e : subs.entrySet()) {
        if (!e.getValue().unwrap().nodeId().equals(myNode)) {
          subs.remove(e.getKey(), e.getValue());
        }
      }
      subs.put(BusProbeMain.ECHO, new HazelcastRegistrationInfo(new RegistrationInfo(myNode, 0, false)));
      subs.put(BusProbeMain.NEWS, new HazelcastRegistrationInfo(new RegistrationInfo(myNode, 1, false)));
      for (String node : nodeInfo.keySet()) {
        nodeInfo.set(node, mine);
      }
      nodeInfo.set(myNode, mine);
      List<String> keys = new ArrayList<>(records.keySet());
      switch ((int) (round % 3)) {
        case 0 -> keys.forEach(records::delete);
        case 1 -> keys.forEach(k -> records.set(k, ("junk " + k).getBytes()));
        default -> {
          // Each record under another member's key: valid signatures, wrong place.
          List<Object> values = new ArrayList<>();
          keys.forEach(k -> values.add(records.get(k)));
          for (int i = 0; i < keys.size(); i++) {
            Object v = values.get((i + 1) % keys.size());
            if (v != null) {
              records.set(keys.get(i), v);
            }
          }
        }
      }
      if (round % 25 == 0) {
        System.out.println("ROUND " + round + " subs=" + subs.size() + " records=" + keys.size());
      }
      Thread.sleep(every); // the attacker's own pace, not a wait for a condition
    }
  }
}
