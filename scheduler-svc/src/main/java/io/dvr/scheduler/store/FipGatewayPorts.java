package io.dvr.scheduler.store;

import io.dvr.proto.v1.FipGatewayPortKey;
import io.dvr.proto.v1.SyncFipGatewayPortsRequest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * The FIP agent gateway (fg-) port rule, pure: each host with a floating IP of a VM bound there
 * gets one fg- port on the floating IP's external network; an fg- port whose host no longer has
 * a floating IP on its network goes (so does a second port of the same pair, kept by no one).
 */
public final class FipGatewayPorts {
  private FipGatewayPorts() {}

  /** An (external network, host) pair. */
  public record Key(UUID networkId, String host) {}

  /** An fg- port as it exists, and whether a floating IP of a VM on its host uses its network. */
  public record Existing(UUID portId, Key key, boolean inUse) {}

  /** The pairs one router's floating IPs need, and every fg- port there is. */
  public record State(List<Key> needed, List<Existing> existing) {}

  /** The fg- ports to create and to delete, and the hosts of both: they must refetch once it is done. */
  public record Change(List<Key> create, List<UUID> delete, Set<String> hosts) {
    public boolean isEmpty() {
      return create.isEmpty() && delete.isEmpty();
    }

    public SyncFipGatewayPortsRequest toRequest() {
      SyncFipGatewayPortsRequest.Builder request = SyncFipGatewayPortsRequest.newBuilder();
      create.forEach(k -> request.addCreate(FipGatewayPortKey.newBuilder()
          .setNetworkId(k.networkId().toString()).setHost(k.host())));
      delete.forEach(id -> request.addDeletePortIds(id.toString()));
      return request.build();
    }
  }

  public static Change decide(State state) {
    Set<Key> have = new HashSet<>();
    List<UUID> delete = new ArrayList<>();
    Set<String> hosts = new TreeSet<>();
    // The lowest id of a pair stays, so that two schedulers deciding at once keep the same one.
    List<Existing> existing = new ArrayList<>(state.existing());
    existing.sort(Comparator.comparing(Existing::portId));
    for (Existing port : existing) {
      boolean wanted = port.inUse() || state.needed().contains(port.key());
      if (wanted && have.add(port.key())) {
        continue;
      }
      delete.add(port.portId());
      hosts.add(port.key().host());
    }
    Set<Key> create = new LinkedHashSet<>(state.needed());
    create.removeAll(have);
    create.forEach(k -> hosts.add(k.host()));
    return new Change(List.copyOf(create), List.copyOf(delete), Set.copyOf(hosts));
  }
}
