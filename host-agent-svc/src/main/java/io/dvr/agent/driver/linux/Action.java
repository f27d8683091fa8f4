package io.dvr.agent.driver.linux;

import java.util.List;
import java.util.function.Supplier;

/**
 * One step of executing an operation. Ip lines of one namespace that follow each other are sent as
 * one {@code ip -batch}; {@code tolerated} lists stderr texts that mean "already so" (a repeat of
 * the operation) rather than failure.
 */
sealed interface Action {
  /** A line of {@code ip [-n namespace] -batch -}; an empty namespace is the host itself. */
  record Ip(String namespace, List<String> words, List<String> tolerated) implements Action {
    public Ip {
      words.forEach(Args::token);
      words = List.copyOf(words);
      tolerated = List.copyOf(tolerated);
    }

    String line() {
      return String.join(" ", words);
    }
  }

  record Exec(Command command, List<String> tolerated) implements Action {
    public Exec {
      tolerated = List.copyOf(tolerated);
    }
  }

  /**
   * ovs-vsctl commands ({@code -- add-port ...}, {@code -- --if-exists del-port ...}) for one
   * device. With batching, those of a whole plan go to Open vSwitch as one transaction after its
   * lanes: each transaction makes the userspace datapath reconfigure, which costs more the more
   * ports the bridge has; without, each runs at once as its own ovs-vsctl.
   */
  record Vsctl(List<String> commands) implements Action {
    public Vsctl {
      if (commands.isEmpty() || !commands.get(0).equals("--")) {
        throw new IllegalArgumentException("ovs-vsctl commands start with --: " + commands);
      }
      commands = List.copyOf(commands);
    }
  }

  /**
   * A plan's flow changes for one bridge, in order, as one atomic bundle: over the bridge's OpenFlow
   * connection when there is one, else {@code command} (one {@code ovs-ofctl --bundle add-flows}
   * process with the same changes as its input lines).
   */
  record Flows(String bridge, List<FlowMods.Change> changes, Command command) implements Action {
    public Flows {
      changes = List.copyOf(changes);
    }
  }

  /**
   * Actions that depend on what the host holds when the step runs (iptables-save, OVS ports);
   * {@code namespace}: the namespace whose nat table they write and nothing else of it, empty for
   * any other step (deleting a namespace takes its OVS ports).
   */
  record Deferred(String what, String namespace, Supplier<List<Action>> actions) implements Action {}

  static Ip ip(String namespace, List<String> words, String... tolerated) {
    return new Ip(namespace, words, List.of(tolerated));
  }

  static Exec exec(Command command, String... tolerated) {
    return new Exec(command, List.of(tolerated));
  }
}
