package io.dvr.agent.driver.linux;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.agent.model.OvsPort;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The replica's tables as ovsdb-server's monitor updates (RFC 7047, as OVS 3.1 sends them) leave
 * them: the ports the agent reads, and which updates are news of a VM port.
 */
class OvsdbPortReplicaTest {
  private static final String BR_INT = "b1";
  private static final String VM_PORT = "p1";
  private static final String VM_IFACE = "i1";
  private static final String OWN_PORT = "p2";
  private static final String OWN_IFACE = "i2";

  private static JsonArray set(Object... values) {
    return new JsonArray().add("set").add(new JsonArray(List.of(values)));
  }

  private static JsonArray uuid(String u) {
    return new JsonArray().add("uuid").add(u);
  }

  private static JsonArray map(Map<String, String> m) {
    JsonArray pairs = new JsonArray();
    new java.util.TreeMap<>(m).forEach((k, v) -> pairs.add(new JsonArray().add(k).add(v)));
    return new JsonArray().add("map").add(pairs);
  }

  /** br-int with a VM port (no ofport yet, no tag) and one of the agent's plugged devices. */
  private static JsonObject initial() {
    return new JsonObject()
        .put("Bridge", new JsonObject().put(BR_INT, new JsonObject().put("new", new JsonObject().put("name", "br-int")
            .put("ports", set(uuid(VM_PORT), uuid(OWN_PORT))))))
        .put("Port", new JsonObject()
            .put(VM_PORT, new JsonObject().put("new", new JsonObject().put("name", "tapvm").put("tag", set())
                .put("interfaces", uuid(VM_IFACE))))
            .put(OWN_PORT, new JsonObject().put("new", new JsonObject().put("name", "qr-1").put("tag", 3)
                .put("interfaces", uuid(OWN_IFACE)))))
        .put("Interface", new JsonObject()
            .put(VM_IFACE, new JsonObject().put("new", new JsonObject().put("name", "tapvm").put("type", "internal")
                .put("ofport", set()).put("external_ids", map(Map.of("iface-id", "port-a"))).put("options", map(Map.of()))))
            .put(OWN_IFACE, new JsonObject().put("new", new JsonObject().put("name", "qr-1").put("type", "internal")
                .put("ofport", 7).put("external_ids", map(Map.of("dvr-ns", "qrouter-r", "dvr-dev", "qr-1")))
                .put("options", map(Map.of())))));
  }

  private static OvsPort port(OvsdbPortReplica.PortTables tables, String name) {
    return tables.ports().bridges().get("br-int").ports().values().stream().filter(p -> p.name().equals(name))
        .findFirst().orElse(null);
  }

  @Test
  @DisplayName("the first answer gives the bridges' ports as a read of the tables does: kind, tag, ofport, iface-id")
  void initialTables() {
    OvsdbPortReplica.PortTables tables = new OvsdbPortReplica.PortTables();
    assertThat(tables.apply(initial())).as("a VM port in the first answer is news").isTrue();

    OvsPort vm = port(tables, "tapvm");
    assertThat(vm.kind()).isEqualTo(OvsPort.Kind.VM);
    assertThat(vm.ifaceId()).isEqualTo("port-a");
    assertThat(vm.tag()).isEqualTo(-1);
    assertThat(vm.ofport()).isEqualTo(-1);
    OvsPort own = port(tables, "qr-1");
    assertThat(own.kind()).isEqualTo(OvsPort.Kind.PLUGGED);
    assertThat(own.tag()).isEqualTo(3);
    assertThat(own.ofport()).isEqualTo(7);
    assertThat(tables.ports().pluggedByNamespace()).isEqualTo(Map.of("qrouter-r", Map.of("qr-1", "br-int")));
  }

  @Test
  @DisplayName("a modify replaces the columns it names; an ofport given, a tag set on a VM port are news")
  void modifies() {
    OvsdbPortReplica.PortTables tables = new OvsdbPortReplica.PortTables();
    tables.apply(initial());
    boolean news = tables.apply(new JsonObject().put("Interface", new JsonObject().put(VM_IFACE, new JsonObject()
        .put("old", new JsonObject().put("ofport", set()))
        .put("new", new JsonObject().put("name", "tapvm").put("type", "internal").put("ofport", 5)
            .put("external_ids", map(Map.of("iface-id", "port-a"))).put("options", map(Map.of()))))));
    assertThat(news).isTrue();
    assertThat(port(tables, "tapvm").ofport()).isEqualTo(5);

    // A Port row changed alone (its tag): the interface keeps its columns.
    tables.apply(new JsonObject().put("Port", new JsonObject().put(VM_PORT, new JsonObject()
        .put("old", new JsonObject().put("tag", set())).put("new", new JsonObject().put("tag", 12)))));
    assertThat(port(tables, "tapvm").tag()).isEqualTo(12);
    assertThat(port(tables, "tapvm").ofport()).isEqualTo(5);
    assertThat(port(tables, "tapvm").ifaceId()).isEqualTo("port-a");
  }

  @Test
  @DisplayName("a plan tells the replica of a write when it may change OVSDB: ovs-vsctl, a namespace deleted;"
      + " not for ip lines, flows or a namespace's nat")
  void whichPlansWriteTheSwitchDatabase() {
    Action ipLine = new Action.Ip("qrouter-r", List.of("neigh", "replace", "10.0.0.5", "lladdr",
        "fa:16:3e:00:00:05", "dev", "qr-1", "nud", "permanent"), List.of());
    Action flows = new Action.Flows("br-int", List.of(), Command.of("ovs-ofctl", "--bundle", "add-flows", "br-int", "-"));
    Action nat = new Action.Deferred("nat of qrouter-r", "qrouter-r", List::of);
    assertThat(LinuxHost.writesSwitchDatabase(List.of(List.of(ipLine, flows), List.of(nat)))).isFalse();

    assertThat(LinuxHost.writesSwitchDatabase(List.of(List.of(ipLine), List.of(new Action.Vsctl(List.of("--", "set",
        "Port", "tapvm", "tag=3")))))).isTrue();
    assertThat(LinuxHost.writesSwitchDatabase(List.of(List.of(new Action.Deferred("delete namespace qrouter-r", "",
        List::of))))).isTrue();
    assertThat(LinuxHost.writesSwitchDatabase(List.of(List.of(new Action.Exec(Command.of("ovs-vsctl", "--may-exist",
        "add-port", "br-int", "qr-1"), List.of()))))).isTrue();
  }

  @Test
  @DisplayName("a VM port unplugged is news and leaves the bridge; the agent's own devices and tunnels are not news")
  void deletesAndOwnDevices() {
    OvsdbPortReplica.PortTables tables = new OvsdbPortReplica.PortTables();
    tables.apply(initial());
    assertThat(tables.apply(new JsonObject()
        .put("Bridge", new JsonObject().put(BR_INT, new JsonObject().put("old", new JsonObject()
            .put("ports", set(uuid(VM_PORT), uuid(OWN_PORT)))).put("new", new JsonObject().put("name", "br-int")
            .put("ports", uuid(OWN_PORT)))))
        .put("Port", new JsonObject().put(VM_PORT, new JsonObject().put("old", new JsonObject().put("name", "tapvm"))))
        .put("Interface", new JsonObject().put(VM_IFACE, new JsonObject().put("old", new JsonObject()
            .put("name", "tapvm").put("external_ids", map(Map.of("iface-id", "port-a")))))))).isTrue();
    assertThat(port(tables, "tapvm")).isNull();
    assertThat(port(tables, "qr-1")).isNotNull();

    assertThat(tables.apply(new JsonObject().put("Interface", new JsonObject().put(OWN_IFACE, new JsonObject()
        .put("old", new JsonObject().put("ofport", 7)).put("new", new JsonObject().put("name", "qr-1")
            .put("type", "internal").put("ofport", 8)
            .put("external_ids", map(Map.of("dvr-ns", "qrouter-r", "dvr-dev", "qr-1"))).put("options", map(Map.of())))))))
        .as("the agent's own device moved").isFalse();
    assertThat(tables.apply(new JsonObject().put("Interface", new JsonObject().put("i9", new JsonObject()
        .put("new", new JsonObject().put("name", "vxlan-ac1f0002").put("type", "vxlan").put("ofport", 4)
            .put("external_ids", map(Map.of("dvr-peer", "compute2")))
            .put("options", map(Map.of("remote_ip", "172.31.0.2"))))))))
        .as("a tunnel port added").isFalse();
  }
}
