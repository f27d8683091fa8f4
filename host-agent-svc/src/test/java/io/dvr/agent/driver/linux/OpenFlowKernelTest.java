package io.dvr.agent.driver.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dvr.agent.fixtures.SeedTopology;
import io.dvr.agent.model.Flow;
import io.dvr.agent.reconcile.Operation;
import io.dvr.agent.reconcile.Plan;
import io.dvr.agent.render.HostRenderer;
import io.dvr.agent.render.Names;
import io.dvr.proto.v1.HostRouters;
import io.dvr.proto.v1.RouterInfo;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Flow bundles over an OpenFlow connection to a real ovs-vswitchd (a labnet host's, reached by its
 * bridges' management sockets as the agent reaches them): every flow the renderers write is
 * installed as {@code ovs-ofctl --bundle} installs it, a refused flow changes nothing and is named,
 * every flow the encoder's checks refuse the switch refuses too, delete_strict removes exactly our
 * flow. Needs what {@link LinuxHostKernelTest} needs; skipped
 * otherwise, saying why.
 */
class OpenFlowKernelTest {
  private static final long COOKIE = Names.FLOW_COOKIE;
  @RegisterExtension
  static final LabHostExtension LAB = new LabHostExtension();

  private static void bridge(String name) {
    LAB.sh("ovs-vsctl", "--may-exist", "add-br", name, "--", "set", "Bridge", name, "datapath_type=netdev",
        "fail_mode=secure");
  }

  /** A flow OVS takes, and one it refuses on arrival: nw_dst with neither ip nor arp before it (the prerequisite). */
  private static final Flow ADDED = new Flow(1, 2, "ip,dl_vlan=12,nw_dst=10.9.0.0/16", "strip_vlan,output:7", COOKIE);
  private static final Flow REFUSED = new Flow(1, 3, "dl_vlan=12,nw_dst=10.9.0.0/16", "drop", COOKIE);

  private static OpenFlowConnection connection(String bridge) {
    return new OpenFlowConnection(bridge, FlowInstaller.managementSocket(LAB.lab().ovsRunDir(), bridge), Duration.ofSeconds(10));
  }

  /** A connection that leaves OpenFlow's rules to the switch: what the switch does with a flow the checks refuse. */
  private static OpenFlowConnection unchecked(String bridge) {
    return new OpenFlowConnection(bridge, FlowInstaller.managementSocket(LAB.lab().ovsRunDir(), bridge),
        Duration.ofSeconds(10), false);
  }

  /** The flow lines of {@code dump-flows --no-stats} (the header line, which names no flow, left out). */
  private static List<String> dump(String bridge) {
    return LAB.sh("ovs-ofctl", "-O", "OpenFlow13", "--no-stats", "--no-names", "dump-flows", bridge).lines()
        .filter(l -> !l.startsWith("OFPST_FLOW")).toList();
  }

  private static void ofctlBundle(String bridge, List<FlowMods.Change> changes) {
    LAB.shell().run(Command.of("ovs-ofctl", "-O", "OpenFlow13", "--bundle", "add-flows", bridge, "-")
        .withStdin(String.join("\n", changes.stream().map(FlowMods.Change::line).toList()) + "\n"));
  }

  private static List<FlowMods.Change> adds(Iterable<Flow> flows) {
    List<FlowMods.Change> out = new ArrayList<>();
    flows.forEach(f -> out.add(new FlowMods.Change(FlowMods.Kind.ADD, f)));
    return out;
  }

  /**
   * Every flow the renderers write, by bridge: the seed's network node (SNAT here, handing an HA
   * router's SNAT over to compute1) and compute1 (a VM port, a floating IP), one flow per key.
   */
  static Map<String, SortedSet<Flow>> renderedFlows() {
    HostRouters network = SeedTopology.network();
    RouterInfo handingOver = network.getRouters(0).toBuilder().setHaHandover(true).setHaActiveHost("compute1").build();
    HostRouters compute1 = SeedTopology.compute1();
    List<Map<String, ? extends java.util.Collection<Flow>>> hosts = List.of(
        flowsOf(HostRenderer.render(network, SeedTopology.networkFacts())),
        flowsOf(HostRenderer.render(network.toBuilder().setRouters(0, handingOver).build(), SeedTopology.networkFacts())),
        flowsOf(HostRenderer.render(compute1, SeedTopology.compute1Facts(compute1))));
    Map<String, SortedSet<Flow>> out = new TreeMap<>();
    for (Map<String, ? extends java.util.Collection<Flow>> host : hosts) {
      host.forEach((bridge, flows) -> {
        Map<Flow.Key, Flow> byKey = new TreeMap<>(java.util.Comparator.comparing(Flow.Key::toString));
        out.getOrDefault(bridge, new TreeSet<>()).forEach(f -> byKey.put(f.key(), f));
        flows.forEach(f -> byKey.putIfAbsent(f.key(), f));
        out.put(bridge, new TreeSet<>(byKey.values()));
      });
    }
    return out;
  }

  private static Map<String, SortedSet<Flow>> flowsOf(io.dvr.agent.model.HostState state) {
    Map<String, SortedSet<Flow>> out = new TreeMap<>();
    state.bridges().forEach((name, b) -> {
      if (!b.flows().isEmpty()) {
        out.put(name, b.flows());
      }
    });
    return out;
  }

  @Test
  @DisplayName("every flow the renderers write, sent as one bundle over the connection, dumps as the same flows"
      + " sent with ovs-ofctl --bundle into another bridge, and reads back as rendered; so does deleting them all;"
      + " on OpenFlow 1.4 and on 1.3")
  void everyRenderedFlowAsOvsOfctlInstallsIt() throws Exception {
    Map<String, SortedSet<Flow>> rendered = renderedFlows();
    String all = rendered.values().stream().flatMap(SortedSet::stream).map(f -> f.match() + " " + f.actions())
        .reduce("", (a, b) -> a + "\n" + b);
    // The shapes the renderers write, all of them here.
    for (String shape : List.of("in_port=", "dl_src=", "/01:00:00:00:00:00", "tun_id=0x", "arp,", "ip,tun_id",
        "ip,dl_vlan", "nw_dst=", "NORMAL", "drop", "resubmit(,", "output:", "strip_vlan", "mod_dl_src:",
        "set_tunnel:", "mod_vlan_vid:", "learn(")) {
      assertThat(all).as("the rendered flows hold " + shape).contains(shape);
    }
    // A bridge allowing OpenFlow 1.4 gets its bundles as 1.4's own messages; one allowing up to 1.3, as OVS's
    // extension of 1.3 (what ovs-ofctl -O OpenFlow13 --bundle sends).
    for (int version : List.of(OpenFlowMessages.OF14, OpenFlowMessages.OF13)) {
      for (Map.Entry<String, SortedSet<Flow>> e : rendered.entrySet()) {
        String over = "of" + version + e.getKey().substring(3);
        String byProcess = "cli" + version + e.getKey().substring(3);
        bridge(over);
        bridge(byProcess);
        if (version == OpenFlowMessages.OF13) {
          LAB.sh("ovs-vsctl", "set", "Bridge", over, "protocols=OpenFlow10,OpenFlow13");
        }
        try (OpenFlowConnection c = connection(over)) {
          c.bundle(adds(e.getValue()));
          assertThat(c.version()).isEqualTo(version);
          ofctlBundle(byProcess, adds(e.getValue()));
          assertThat(dump(over)).hasSize(e.getValue().size()).isEqualTo(dump(byProcess));
          assertThat(new TreeSet<>(FlowText.parseDump(String.join("\n", dump(over))))).isEqualTo(e.getValue());

          List<FlowMods.Change> deletes = e.getValue().stream()
              .map(f -> new FlowMods.Change(FlowMods.Kind.DELETE_STRICT, f)).toList();
          c.bundle(deletes);
          assertThat(dump(over)).isEmpty();
          assertThat(c.bundles()).isEqualTo(2);
        } finally {
          LAB.sh("ovs-vsctl", "--if-exists", "del-br", over, "--", "--if-exists", "del-br", byProcess);
        }
      }
    }
  }

  @Test
  @DisplayName("a bundle holding one flow the switch would refuse changes nothing, the error names that flow, and the"
      + " connection takes the next bundle")
  void refusedFlowChangesNothing() throws Exception {
    bridge("ofbad");
    Flow kept = new Flow(1, 4, "dl_vlan=12,dl_dst=fa:16:3e:00:00:01", "strip_vlan,output:7", COOKIE);
    try (OpenFlowConnection c = connection("ofbad")) {
      c.bundle(adds(List.of(kept)));
      List<String> before = dump("ofbad");
      assertThat(before).hasSize(1);
      List<FlowMods.Change> bundle = List.of(new FlowMods.Change(FlowMods.Kind.ADD, ADDED),
          new FlowMods.Change(FlowMods.Kind.DELETE_STRICT, kept), new FlowMods.Change(FlowMods.Kind.ADD, REFUSED));
      assertThatThrownBy(() -> c.bundle(bundle)).isInstanceOf(OpenFlowConnection.OpenFlowErrorException.class)
          .hasMessageContaining("ofbad").hasMessageContaining(FlowText.addLine(REFUSED))
          .hasMessageContaining("nothing of it").hasMessageNotContaining(FlowText.addLine(ADDED))
          .satisfies(e -> System.err.println("OpenFlowKernelTest: " + e.getMessage()));
      assertThat(dump("ofbad")).isEqualTo(before);

      c.bundle(adds(List.of(ADDED)));
      assertThat(dump("ofbad")).hasSize(2);
    } finally {
      LAB.sh("ovs-vsctl", "--if-exists", "del-br", "ofbad");
    }
  }

  /** Flows of the encoder's words that OpenFlow forbids, each beside the nearest one it allows. */
  static final List<Flow[]> FORBIDDEN_AND_ALLOWED = List.of(
      new Flow[] {new Flow(1, 3, "dl_vlan=12,nw_dst=10.9.0.0/16", "drop", COOKIE),
          new Flow(1, 3, "ip,dl_vlan=12,nw_dst=10.9.0.0/16", "drop", COOKIE)},
      new Flow[] {new Flow(1, 3, "dl_type=0x86dd,nw_src=10.9.0.1", "drop", COOKIE),
          new Flow(1, 3, "dl_type=0x0800,nw_src=10.9.0.1", "drop", COOKIE)},
      new Flow[] {new Flow(1, 3, "in_port=65280", "drop", COOKIE), new Flow(1, 3, "in_port=65279", "drop", COOKIE)},
      new Flow[] {new Flow(1, 3, "dl_vlan=12", "output:65280", COOKIE), new Flow(1, 3, "dl_vlan=12", "output:65279", COOKIE)},
      new Flow[] {new Flow(2, 3, "dl_vlan=12", "goto_table:2", COOKIE), new Flow(2, 3, "dl_vlan=12", "goto_table:3", COOKIE)},
      new Flow[] {new Flow(2, 3, "dl_vlan=12", "goto_table:1", COOKIE), new Flow(2, 3, "dl_vlan=12", "resubmit(,1)", COOKIE)},
      new Flow[] {new Flow(1, 3, "dl_dst=fa:16:3e:00:00:01", "strip_vlan,output:7", COOKIE),
          new Flow(1, 3, "dl_vlan=12,dl_dst=fa:16:3e:00:00:01", "strip_vlan,output:7", COOKIE)},
      new Flow[] {new Flow(1, 3, "dl_vlan=12", "strip_vlan,strip_vlan,output:7", COOKIE),
          new Flow(1, 3, "dl_vlan=12", "strip_vlan,mod_vlan_vid:5,strip_vlan,output:7", COOKIE)});

  @Test
  @DisplayName("every flow the encoder's checks refuse, the switch refuses too when it is sent unchecked, and the"
      + " nearest flow they allow the switch takes: the checks stand in for the switch's rules, no stricter")
  void checksRefuseWhatTheSwitchRefuses() throws Exception {
    bridge("ofrule");
    try (OpenFlowConnection checked = connection("ofrule"); OpenFlowConnection unchecked = unchecked("ofrule")) {
      for (Flow[] pair : FORBIDDEN_AND_ALLOWED) {
        Flow forbidden = pair[0];
        List<FlowMods.Change> bundle = adds(List.of(forbidden));
        assertThatThrownBy(() -> checked.bundle(bundle)).as(forbidden.toString())
            .isInstanceOf(OpenFlowConnection.OpenFlowErrorException.class).hasMessageContaining("would refuse")
            .hasMessageContaining(FlowText.addLine(forbidden));
        assertThatThrownBy(() -> unchecked.bundle(bundle)).as(forbidden.toString())
            .isInstanceOf(OpenFlowConnection.OpenFlowErrorException.class).hasMessageContaining("OpenFlow error")
            .satisfies(e -> System.err.println("OpenFlowKernelTest: the switch: " + e.getMessage()));
        assertThat(dump("ofrule")).as(forbidden.toString()).isEmpty();

        checked.bundle(adds(List.of(pair[1])));
        assertThat(dump("ofrule")).as(pair[1].toString()).hasSize(1);
        checked.bundle(List.of(new FlowMods.Change(FlowMods.Kind.DELETE_STRICT, pair[1])));
      }
    } finally {
      LAB.sh("ovs-vsctl", "--if-exists", "del-br", "ofrule");
    }
  }

  @Test
  @DisplayName("one round trip: a flow refused on arrival that no check caught is left out by the switch and the rest"
      + " committed; the error names that flow and says the rest was committed")
  void refusalOnArrivalCommitsTheRest() throws Exception {
    bridge("ofarr");
    try (OpenFlowConnection unchecked = unchecked("ofarr")) {
      assertThatThrownBy(() -> unchecked.bundle(adds(List.of(ADDED, REFUSED))))
          .isInstanceOf(OpenFlowConnection.OpenFlowErrorException.class).hasMessageContaining("committed the rest")
          .hasMessageContaining(FlowText.addLine(REFUSED)).hasMessageNotContaining(FlowText.addLine(ADDED));
      assertThat(FlowText.parseDump(String.join("\n", dump("ofarr")))).containsExactly(ADDED);
    } finally {
      LAB.sh("ovs-vsctl", "--if-exists", "del-br", "ofarr");
    }
  }

  @Test
  @DisplayName("delete_strict by our cookie removes exactly our flow: not one of ours with a wider match or another"
      + " priority, not a foreign flow with the same table, priority and match")
  void deleteStrictRemovesExactlyOurs() throws Exception {
    bridge("ofdel");
    Flow ours = new Flow(1, 4, "dl_vlan=12,dl_dst=fa:16:3e:00:00:01", "output:7", COOKIE);
    Flow wider = new Flow(1, 4, "dl_vlan=12", "output:8", COOKIE);
    Flow otherPriority = new Flow(1, 5, "dl_vlan=12,dl_dst=fa:16:3e:00:00:01", "output:9", COOKIE);
    Flow foreign = new Flow(1, 4, "dl_vlan=13,dl_dst=fa:16:3e:00:00:01", "output:10", 0x1L);
    try (OpenFlowConnection c = connection("ofdel")) {
      ofctlBundle("ofdel", adds(List.of(ours, wider, otherPriority, foreign)));
      assertThat(dump("ofdel")).hasSize(4);
      c.bundle(List.of(new FlowMods.Change(FlowMods.Kind.DELETE_STRICT, ours), new FlowMods.Change(
          FlowMods.Kind.DELETE_STRICT, new Flow(1, 4, foreign.match(), foreign.actions(), COOKIE))));
      assertThat(FlowText.parseDump(String.join("\n", dump("ofdel")))).containsExactlyInAnyOrder(wider, otherPriority,
          foreign);
    } finally {
      LAB.sh("ovs-vsctl", "--if-exists", "del-br", "ofdel");
    }
  }

  @Test
  @DisplayName("a table's flows counted over the connection, as dump-flows lists them, on OpenFlow 1.4 and 1.3: none,"
      + " one among others, and 1,500, which the switch answers in several replies; a bridge made again is asked"
      + " over a new connection")
  void countsATablesFlows() throws Exception {
    for (int version : List.of(OpenFlowMessages.OF14, OpenFlowMessages.OF13)) {
      String bridge = "ofcount" + version;
      bridge(bridge);
      if (version == OpenFlowMessages.OF13) {
        LAB.sh("ovs-vsctl", "set", "Bridge", bridge, "protocols=OpenFlow10,OpenFlow13");
      }
      try (OpenFlowConnection c = connection(bridge)) {
        assertThat(c.flowsIn(Names.INT_CANARY)).isZero();
        assertThat(c.version()).isEqualTo(version);
        c.bundle(adds(List.of(new Flow(Names.INT_CANARY, 0, "", "drop", COOKIE), new Flow(0, 1, "", "NORMAL", COOKIE),
            new Flow(0, 2, "ip", "NORMAL", COOKIE))));
        assertThat(c.flowsIn(Names.INT_CANARY)).isEqualTo(1);
        assertThat(c.flowsIn(0)).isEqualTo(2);

        List<Flow> many = new ArrayList<>();
        for (int i = 0; i < 1_500; i++) {
          many.add(new Flow(30, 10, "ip,nw_dst=10." + (i / 250) + "." + (i % 250) + ".1", "drop", COOKIE));
        }
        c.bundle(adds(many));
        assertThat(c.flowsIn(30)).isEqualTo(1_500)
            .isEqualTo(dump(bridge).stream().filter(l -> l.contains("table=30")).count());

        LAB.sh("ovs-vsctl", "del-br", bridge);
        bridge(bridge);
        assertThat(c.flowsIn(Names.INT_CANARY)).as("the bridge made again holds no flow").isZero();
      } finally {
        LAB.sh("ovs-vsctl", "--if-exists", "del-br", bridge);
      }
    }
  }

  @Test
  @DisplayName("a bridge made again (its management socket closed the connection): the next bundle goes over a new"
      + " connection, not to the process")
  void reconnectsOnceAfterTheConnectionWasClosed() throws Exception {
    bridge("ofre");
    Flow f = new Flow(0, 1, "", "NORMAL", COOKIE);
    try (OpenFlowConnection c = connection("ofre")) {
      c.bundle(adds(List.of(f)));
      LAB.sh("ovs-vsctl", "del-br", "ofre");
      bridge("ofre");
      assertThat(dump("ofre")).isEmpty();
      c.bundle(adds(List.of(f)));
      assertThat(c.bundles()).isEqualTo(2);
      assertThat(FlowText.parseDump(String.join("\n", dump("ofre")))).containsExactly(f);
    } finally {
      LAB.sh("ovs-vsctl", "--if-exists", "del-br", "ofre");
    }
  }

  @Test
  @DisplayName("a plan's flows go over OpenFlow with no ovs-ofctl process; a host whose run directory has no socket, or"
      + " a flow the encoder does not know, sends its bundle with ovs-ofctl")
  void planOverOpenFlowElseTheProcess() throws Exception {
    bridge("ofplan");
    Flow flow = new Flow(1, 4, "dl_vlan=12,dl_dst=fa:16:3e:00:00:01", "strip_vlan,output:7", COOKIE);
    Flow unknown = new Flow(1, 3, "dl_vlan=12,dl_dst=fa:16:3e:00:00:02", "strip_vlan,output:7,move:NXM_OF_ETH_SRC[]->"
        + "NXM_OF_ETH_DST[]", COOKIE);
    try (RecordingShell recording = new RecordingShell(LAB.lab().shell())) {
      LinuxHost over = new LinuxHost("of", CommandRunner.withPool(recording.shell(), 2), LinuxOptions.defaults(), false,
          null, LAB.lab().ovsRunDir());
      try {
        over.execute(new Plan(List.of(new Operation.AddFlows("ofplan", new TreeSet<>(List.of(flow))))));
        assertThat(FlowText.parseDump(String.join("\n", dump("ofplan")))).containsExactly(flow);
        assertThat(recording.commands()).noneMatch(c -> c.startsWith("ovs-ofctl"));
        assertThat(over.flowBundlesOverOpenFlow()).isEqualTo(1);

        over.execute(new Plan(List.of(new Operation.AddFlows("ofplan", new TreeSet<>(List.of(unknown))))));
        assertThat(recording.commands()).filteredOn(c -> c.startsWith("ovs-ofctl -O OpenFlow13 --bundle")).hasSize(1);
        assertThat(FlowText.parseDump(String.join("\n", dump("ofplan")))).hasSize(2);
      } finally {
        over.close();
      }
      LinuxHost nosocket = new LinuxHost("nosocket", CommandRunner.withPool(recording.shell(), 2), LinuxOptions.defaults(),
          false, null, Path.of("/nonexistent/dvr/run"));
      try {
        nosocket.execute(new Plan(List.of(new Operation.DeleteFlows("ofplan", new TreeSet<>(List.of(flow, unknown))))));
        assertThat(recording.commands()).filteredOn(c -> c.startsWith("ovs-ofctl -O OpenFlow13 --bundle")).hasSize(2);
        assertThat(dump("ofplan")).isEmpty();
      } finally {
        nosocket.close();
      }
    } finally {
      LAB.sh("ovs-vsctl", "--if-exists", "del-br", "ofplan");
    }
  }
}
