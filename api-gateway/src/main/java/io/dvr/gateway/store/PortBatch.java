package io.dvr.gateway.store;

import io.dvr.common.grpc.ApiError;
import io.dvr.common.model.DeviceOwners;
import io.dvr.common.net.Ipv4;
import io.dvr.common.net.MacAddress;
import io.dvr.common.net.ReservedIpv4;
import io.dvr.proto.v1.ChangeKind;
import io.dvr.proto.v1.FixedIp;
import io.dvr.proto.v1.Port;
import io.dvr.proto.v1.ResourceType;
import io.dvr.store.Tx;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.random.RandomGenerator;
import java.util.stream.Collectors;

/**
 * Creates many ports in one transaction with a handful of statements, however many ports there are:
 * their subnets read at once, addresses taken from the {@link AddressAllocator} in memory, one
 * multi-row insert of the ports and one of their addresses (both {@code ON CONFLICT DO NOTHING}),
 * the quota counted once per project, the routers of their subnets read at once.
 *
 * <p>Each port fails alone: one whose id, MAC or exact address is taken, whose subnet is
 * exhausted, or that would take its project past its port quota, gets its own error and leaves
 * nothing behind (its rows are deleted in the same transaction); the others are made. A port that
 * drew a random MAC or an automatic address another port holds draws again.
 */
final class PortBatch {
  static final String PORT_MAC_BASE = "fa:16:3e";
  private static final int MAC_TRIES = 16;
  /** Rounds of inserting automatic addresses refused as taken; each round refuses at least one address. */
  private static final int ADDRESS_ROUNDS = 64;
  private static final RandomGenerator RANDOM = new SecureRandom();

  private final Tx tx;
  private final AddressAllocator addresses;
  private final QuotaStore quotas;
  private final List<NewPort> ports;
  private final ApiError[] errors;
  private final MacAddress[] macs;
  private final int[] macTries;
  /** Per port, its addresses in request order (null: not allocated yet). */
  private final Ipv4[][] ips;
  /** Per port, which of its addresses are in ip_allocations now. */
  private final boolean[][] stored;
  private final boolean[] inserted;
  /** Per port, the row its insert returned ({@link Mapping#PORT_ROW_COLUMNS}). */
  private final Row[] rows;
  private Map<UUID, SubnetInfo> subnets = Map.of();
  /** The exact addresses of this batch ("subnet/address"): never an automatic candidate of it. */
  private final Set<String> exact = new java.util.HashSet<>();

  private PortBatch(Tx tx, AddressAllocator addresses, QuotaStore quotas, List<NewPort> ports) {
    this.tx = tx;
    this.addresses = addresses;
    this.quotas = quotas;
    this.ports = ports;
    int n = ports.size();
    errors = new ApiError[n];
    macs = new MacAddress[n];
    macTries = new int[n];
    ips = new Ipv4[n][];
    stored = new boolean[n][];
    inserted = new boolean[n];
    rows = new Row[n];
    for (int i = 0; i < n; i++) {
      ips[i] = new Ipv4[ports.get(i).ips().size()];
      stored[i] = new boolean[ips[i].length];
      macs[i] = ports.get(i).mac();
    }
  }

  /** Creates the ports; per port, in order, null if it was made or the error that refused it. */
  static Future<List<ApiError>> create(Tx tx, AddressAllocator addresses, QuotaStore quotas, List<NewPort> ports) {
    return run(tx, addresses, quotas, ports, Map.of()).map(b -> java.util.Arrays.asList(b.errors));
  }

  /**
   * Creates the ports; the batch tells per port its error or, without a read-back, the port made.
   * {@code knownSubnets}: subnets this transaction read already (not read again). The routers of
   * the ports' subnets and their projects' port limits are read at the start, without waiting for
   * the answers (pipelined with what follows).
   */
  static Future<PortBatch> run(Tx tx, AddressAllocator addresses, QuotaStore quotas, List<NewPort> ports,
      Map<UUID, SubnetInfo> knownSubnets) {
    PortBatch b = new PortBatch(tx, addresses, quotas, ports);
    Future<Void> subnetsRead = b.readSubnets(knownSubnets);
    Future<Map<UUID, List<UUID>>> routersRead = b.readRouters();
    Future<Map<String, Long>> limitsRead = quotas.portLimits(tx, b.userProjects());
    return subnetsRead.compose(v -> b.allocate()).compose(v -> b.insertPorts())
        .compose(v -> b.insertAddresses(0)).compose(v -> b.dropFailed())
        .compose(v -> limitsRead).compose(b::enforceQuota).compose(v -> b.dropFailed())
        .compose(v -> routersRead).map(routers -> {
          b.record(routers);
          return b;
        });
  }

  /** The error that refused port {@code i}, or null if it was made. */
  ApiError error(int i) {
    return errors[i];
  }

  /**
   * Port {@code i} as a read would show it, from what its insert returned and the addresses it
   * took; null if it was refused, or if it is a router's SNAT or gateway port, whose binding only
   * a read of where the router's SNAT is applied tells.
   */
  Port shown(int i) {
    if (!live(i) || Mapping.boundWithSnat(ports.get(i).deviceOwner())) {
      return null;
    }
    List<FixedIp> fixedIps = new ArrayList<>();
    java.util.stream.IntStream.range(0, ips[i].length).boxed()
        .sorted(java.util.Comparator.comparing(k -> ips[i][k]))
        .forEach(k -> fixedIps.add(FixedIp.newBuilder().setSubnetId(ports.get(i).ips().get(k).subnetId().toString())
            .setIpAddress(ips[i][k].toString()).build()));
    return Mapping.port(rows[i], null, fixedIps);
  }

  private boolean live(int i) {
    return errors[i] == null;
  }

  private void fail(int i, ApiError error) {
    if (errors[i] == null) {
      errors[i] = error;
    }
  }

  private Future<Void> readSubnets(Map<UUID, SubnetInfo> known) {
    Map<UUID, SubnetInfo> found = new HashMap<>();
    UUID[] ids = requestedSubnets().filter(id -> {
      SubnetInfo s = known.get(id);
      if (s != null) {
        found.put(id, s);
      }
      return s == null;
    }).toArray(UUID[]::new);
    subnets = found;
    if (ids.length == 0) {
      return Future.succeededFuture();
    }
    return tx.all("SELECT " + SubnetInfo.COLUMNS + " WHERE s.id = ANY($1)", (Object) ids).map(rows -> {
      rows.stream().map(SubnetInfo::of).forEach(s -> found.put(s.id(), s));
      return null;
    });
  }

  /** Every subnet the ports ask an address of, once. */
  private java.util.stream.Stream<UUID> requestedSubnets() {
    return ports.stream().flatMap(p -> p.ips().stream()).map(NewPort.IpRequest::subnetId).distinct();
  }

  /** The routers with an interface on each subnet the ports ask an address of. */
  private Future<Map<UUID, List<UUID>>> readRouters() {
    UUID[] used = requestedSubnets().toArray(UUID[]::new);
    Future<List<Row>> routers = used.length == 0 ? Future.succeededFuture(List.of())
        : tx.all("SELECT subnet_id, router_id FROM router_interfaces WHERE subnet_id = ANY($1)", (Object) used);
    return routers.map(rows -> {
      Map<UUID, List<UUID>> bySubnet = new HashMap<>();
      rows.forEach(r -> bySubnet.computeIfAbsent(r.getUUID("subnet_id"), s -> new ArrayList<>()).add(r.getUUID("router_id")));
      return bySubnet;
    });
  }

  /** Checks the exact addresses and takes the automatic ones. */
  private Future<Void> allocate() {
    Future<Void> chain = Future.succeededFuture();
    for (int i = 0; i < ports.size(); i++) {
      NewPort port = ports.get(i);
      // Only a router interface port takes a subnet's gateway_ip.
      boolean routerInterface = DeviceOwners.ROUTER_INTERFACE.equals(port.deviceOwner())
          || DeviceOwners.ROUTER_INTERFACE_DISTRIBUTED.equals(port.deviceOwner());
      for (int k = 0; k < ips[i].length; k++) {
        NewPort.IpRequest req = port.ips().get(k);
        SubnetInfo subnet = subnets.get(req.subnetId());
        if (subnet == null) {
          fail(i, ApiError.notFound("subnet", req.subnetId().toString()));
        } else if (req.ip() != null) {
          ApiError refused = exactRefusal(subnet, req, routerInterface);
          if (refused != null) {
            fail(i, refused);
          } else {
            addresses.claim(subnet.id(), req.ip());
            exact.add(subnet.id() + "/" + req.ip());
            ips[i][k] = req.ip();
          }
        }
      }
    }
    for (int i = 0; i < ports.size(); i++) {
      for (int k = 0; k < ips[i].length; k++) {
        int port = i;
        int slot = k;
        chain = chain.compose(v -> live(port) && ips[port][slot] == null ? takeAutomatic(port, slot)
            : Future.succeededFuture());
      }
    }
    return chain;
  }

  private static ApiError exactRefusal(SubnetInfo subnet, NewPort.IpRequest req, boolean routerInterface) {
    Ipv4 ip = req.ip();
    if (ip.equals(subnet.gateway()) && !routerInterface) {
      return ApiError.invalid(req.field(), ip, "is the gateway_ip of subnet '" + subnet.id() + "' ("
          + subnet.cidr() + "); only a router interface takes it");
    }
    var reserved = ReservedIpv4.holding(ip);
    return reserved.isPresent() ? ApiError.invalid(req.field(), ip, "is in the reserved range " + reserved.get()) : null;
  }

  private Future<Void> takeAutomatic(int i, int k) {
    SubnetInfo subnet = subnets.get(ports.get(i).ips().get(k).subnetId());
    return addresses.take(tx, subnet).transform(ar -> {
      if (ar.succeeded() && exact.contains(subnet.id() + "/" + ar.result())) {
        // Read before this batch's exact address was claimed: it is that port's, take another.
        return takeAutomatic(i, k);
      }
      if (ar.succeeded()) {
        ips[i][k] = ar.result();
      } else if (ar.cause() instanceof ApiError e) {
        fail(i, e);
      } else {
        return Future.failedFuture(ar.cause());
      }
      return Future.succeededFuture();
    });
  }

  /** Inserts the live ports not inserted yet; a random MAC that was taken is drawn again. */
  private Future<Void> insertPorts() {
    List<Integer> todo = new ArrayList<>();
    for (int i = 0; i < ports.size(); i++) {
      if (live(i) && !inserted[i]) {
        todo.add(i);
        if (ports.get(i).mac() == null) {
          macs[i] = MacAddress.random(PORT_MAC_BASE, RANDOM);
        }
      }
    }
    if (todo.isEmpty()) {
      return Future.succeededFuture();
    }
    return tx.all("INSERT INTO ports AS p (id, network_id, name, mac_address, device_owner, device_id, binding_host,"
            + " admin_state_up, project_id) SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[],"
            + " $4::text[]::macaddr[], $5::text[], $6::text[], $7::text[], $8::bool[], $9::text[])"
            + " ON CONFLICT DO NOTHING RETURNING " + Mapping.PORT_ROW_COLUMNS,
            column(todo, i -> ports.get(i).id(), UUID[]::new), column(todo, i -> ports.get(i).networkId(), UUID[]::new),
            column(todo, i -> ports.get(i).name(), String[]::new), column(todo, i -> macs[i].text(), String[]::new),
            column(todo, i -> ports.get(i).deviceOwner(), String[]::new),
            column(todo, i -> ports.get(i).deviceId(), String[]::new),
            column(todo, i -> ports.get(i).bindingHost(), String[]::new),
            column(todo, i -> ports.get(i).adminStateUp(), Boolean[]::new),
            column(todo, i -> ports.get(i).project(), String[]::new))
        .compose(returned -> {
          Map<UUID, Row> made = new HashMap<>();
          returned.forEach(r -> made.put(r.getUUID("id"), r));
          List<Integer> refused = new ArrayList<>();
          for (int i : todo) {
            // Two ports of one batch with one id: the first is made.
            Row row = made.remove(ports.get(i).id());
            if (row != null) {
              inserted[i] = true;
              rows[i] = row;
            } else {
              refused.add(i);
            }
          }
          return refused.isEmpty() ? Future.succeededFuture() : explainRefusedPorts(refused);
        });
  }

  /** Nothing was inserted for these: their id or their MAC is taken (the only unique keys of ports). */
  private Future<Void> explainRefusedPorts(List<Integer> refused) {
    return tx.all("SELECT id, mac_address::text AS mac FROM ports WHERE id = ANY($1) OR mac_address = ANY($2::text[]::macaddr[])",
            column(refused, i -> ports.get(i).id(), UUID[]::new), column(refused, i -> macs[i].text(), String[]::new))
        .compose(rows -> {
          Map<UUID, Boolean> ids = new HashMap<>();
          Map<String, UUID> macHolders = new HashMap<>();
          rows.forEach(r -> {
            ids.put(r.getUUID("id"), true);
            macHolders.put(r.getString("mac"), r.getUUID("id"));
          });
          boolean again = false;
          for (int i : refused) {
            NewPort port = ports.get(i);
            if (ids.containsKey(port.id())) {
              fail(i, Resources.idTaken("port", port.id()));
            } else if (port.mac() != null) {
              UUID holder = macHolders.get(macs[i].text());
              fail(i, ApiError.alreadyExists("mac_address '" + port.mac() + "' is already in use by port '"
                  + (holder == null ? "?" : holder.toString()) + "'"));
            } else if (++macTries[i] >= MAC_TRIES) {
              fail(i, ApiError.exhausted("no unique MAC address found under " + PORT_MAC_BASE + " after "
                  + MAC_TRIES + " tries"));
            } else {
              again = true;
            }
          }
          return again ? insertPorts() : Future.succeededFuture();
        });
  }

  /**
   * Inserts the addresses of the inserted ports, in (subnet, address) order so that two batches
   * never wait for each other crosswise. A taken exact address fails its port; a taken automatic
   * one is replaced by the next candidate and inserted in the next round.
   */
  private Future<Void> insertAddresses(int round) {
    List<int[]> todo = new ArrayList<>();
    for (int i = 0; i < ports.size(); i++) {
      for (int k = 0; k < ips[i].length; k++) {
        if (live(i) && inserted[i] && !stored[i][k] && ips[i][k] != null) {
          todo.add(new int[] {i, k});
        }
      }
    }
    if (todo.isEmpty()) {
      return Future.succeededFuture();
    }
    return tx.all("INSERT INTO ip_allocations(subnet_id, ip_address, port_id)"
            + " SELECT s, a::inet, p FROM unnest($1::uuid[], $2::text[], $3::uuid[]) AS t(s, a, p) ORDER BY s, a::inet"
            + " ON CONFLICT DO NOTHING RETURNING subnet_id, host(ip_address) AS ip, port_id",
            todo.stream().map(t -> subnetOf(t)).toArray(UUID[]::new),
            todo.stream().map(t -> ips[t[0]][t[1]].toString()).toArray(String[]::new),
            todo.stream().map(t -> ports.get(t[0]).id()).toArray(UUID[]::new))
        .compose(rows -> {
          Set<String> made = rows.stream().map(r -> r.getUUID("subnet_id") + "/" + r.getString("ip") + "/"
              + r.getUUID("port_id")).collect(Collectors.toSet());
          List<int[]> takenExact = new ArrayList<>();
          List<int[]> outOfRounds = new ArrayList<>();
          Future<Void> retakes = Future.succeededFuture();
          boolean again = false;
          for (int[] t : todo) {
            int i = t[0];
            int k = t[1];
            if (made.contains(subnetOf(t) + "/" + ips[i][k] + "/" + ports.get(i).id())) {
              stored[i][k] = true;
            } else if (ports.get(i).ips().get(k).ip() != null) {
              takenExact.add(t);
            } else if (round + 1 >= ADDRESS_ROUNDS) {
              outOfRounds.add(t);
            } else {
              // Another instance (or an older port) holds it: this pool now knows, take the next.
              ips[i][k] = null;
              again = true;
              retakes = retakes.compose(v -> takeAutomatic(i, k));
            }
          }
          boolean more = again;
          Future<Void> retaken = retakes;
          return explainTakenAddresses(takenExact).compose(v -> failOutOfRounds(outOfRounds)).compose(v -> retaken)
              .compose(v -> more ? insertAddresses(round + 1) : Future.succeededFuture());
        });
  }

  /**
   * Fails the ports whose automatic address was taken by others in every round: the subnet is full
   * when its allocations, read again now, leave nothing free (the last candidates were others'),
   * else the request is worth retrying. Each subnet is read once, however many of its ports ran out.
   */
  private Future<Void> failOutOfRounds(List<int[]> outOfRounds) {
    Future<Void> chain = Future.succeededFuture();
    Map<UUID, Future<Boolean>> exhausted = new HashMap<>();
    for (int[] t : outOfRounds) {
      SubnetInfo subnet = subnets.get(subnetOf(t));
      chain = chain.compose(v -> exhausted.computeIfAbsent(subnet.id(), id -> addresses.exhausted(tx, subnet)))
          .map(full -> {
            fail(t[0], full ? AddressAllocator.exhausted(subnet) : ApiError.unavailable(
                "no free address found on subnet '" + subnet.id() + "' after " + ADDRESS_ROUNDS
                    + " tries; retry the request"));
            return null;
          });
    }
    return chain;
  }

  private UUID subnetOf(int[] t) {
    return ports.get(t[0]).ips().get(t[1]).subnetId();
  }

  private Future<Void> explainTakenAddresses(List<int[]> taken) {
    if (taken.isEmpty()) {
      return Future.succeededFuture();
    }
    return tx.all("SELECT a.subnet_id, host(a.ip_address) AS ip, a.port_id FROM ip_allocations a"
            + " JOIN unnest($1::uuid[], $2::text[]) AS t(s, ip) ON a.subnet_id = t.s AND a.ip_address = t.ip::inet",
            taken.stream().map(this::subnetOf).toArray(UUID[]::new),
            taken.stream().map(t -> ips[t[0]][t[1]].toString()).toArray(String[]::new))
        .map(rows -> {
          Map<String, UUID> holders = new HashMap<>();
          rows.forEach(r -> holders.put(r.getUUID("subnet_id") + "/" + r.getString("ip"), r.getUUID("port_id")));
          for (int[] t : taken) {
            Ipv4 ip = ips[t[0]][t[1]];
            UUID holder = holders.get(subnetOf(t) + "/" + ip);
            fail(t[0], ApiError.alreadyExists(ports.get(t[0]).ips().get(t[1]).field() + " '" + ip
                + "' is already in use on subnet '" + subnetOf(t) + "' by port '"
                + (holder == null ? "?" : holder.toString()) + "'"));
            // It was never this port's: nothing to give back.
            ips[t[0]][t[1]] = null;
          }
          return null;
        });
  }

  /** Deletes what failed ports left (their addresses go with them) and gives their addresses back. */
  private Future<Void> dropFailed() {
    List<Integer> drop = new ArrayList<>();
    for (int i = 0; i < ports.size(); i++) {
      if (!live(i) && inserted[i]) {
        drop.add(i);
        inserted[i] = false;
      }
    }
    for (int i = 0; i < ports.size(); i++) {
      if (!live(i)) {
        for (int k = 0; k < ips[i].length; k++) {
          if (ips[i][k] != null) {
            addresses.giveBack(ports.get(i).ips().get(k).subnetId(), ips[i][k]);
            ips[i][k] = null;
            stored[i][k] = false;
          }
        }
      }
    }
    return drop.isEmpty() ? Future.succeededFuture()
        : tx.query("DELETE FROM ports WHERE id = ANY($1)", (Object) column(drop, i -> ports.get(i).id(), UUID[]::new))
            .mapEmpty();
  }

  /** The projects of the ports a user asked for (a router's own ports count against no quota). */
  private List<String> userProjects() {
    return ports.stream().filter(NewPort::userPort).map(NewPort::project).distinct().toList();
  }

  /**
   * The user's ports count against their project's port quota ({@code limits}: {@link
   * QuotaStore#portLimits}): those past it are refused, last first.
   */
  private Future<Void> enforceQuota(Map<String, Long> limits) {
    Map<String, List<Integer>> byProject = new LinkedHashMap<>();
    for (int i = 0; i < ports.size(); i++) {
      if (live(i) && ports.get(i).userPort()) {
        byProject.computeIfAbsent(ports.get(i).project(), p -> new ArrayList<>()).add(i);
      }
    }
    if (byProject.isEmpty()) {
      return Future.succeededFuture();
    }
    return quotas.overPortQuota(tx, byProject.keySet(), limits).map(over -> {
      over.forEach((project, excess) -> {
        List<Integer> made = byProject.get(project);
        for (int n = 0; n < Math.min(excess.excess(), made.size()); n++) {
          fail(made.get(made.size() - 1 - n), ApiError.exhausted("quota exceeded for port: "
              + (excess.held() - Math.min(excess.excess(), made.size())) + " of " + excess.limit()
              + " in project " + project));
        }
      });
      return null;
    });
  }

  /** One event per port made, naming the routers on its subnets ({@code bySubnet}) and its host. */
  private void record(Map<UUID, List<UUID>> bySubnet) {
    for (int i = 0; i < ports.size(); i++) {
      if (live(i)) {
        NewPort port = ports.get(i);
        List<UUID> onSubnets = port.ips().stream().map(NewPort.IpRequest::subnetId).distinct()
            .flatMap(s -> bySubnet.getOrDefault(s, List.of()).stream()).distinct().toList();
        List<io.dvr.proto.v1.PortAddress> addresses = new ArrayList<>();
        for (int k = 0; k < ips[i].length; k++) {
          addresses.add(PortEventFacts.address(port.ips().get(k).subnetId(), ips[i][k].toString()));
        }
        tx.changed(ResourceType.RESOURCE_TYPE_PORT, port.id(), 1, ChangeKind.CHANGE_KIND_CREATED,
            port.networkId(), onSubnets, List.of(port.bindingHost()),
            PortEventFacts.of(macs[i].text(), port.deviceOwner(), port.bindingHost(),
                this.rows[i].getString("status"), addresses, bySubnet));
      }
    }
  }

  private static <T> T[] column(List<Integer> rows, java.util.function.IntFunction<T> value,
      java.util.function.IntFunction<T[]> array) {
    T[] out = array.apply(rows.size());
    for (int j = 0; j < rows.size(); j++) {
      out[j] = value.apply(rows.get(j));
    }
    return out;
  }
}
