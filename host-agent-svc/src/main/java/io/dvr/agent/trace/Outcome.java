package io.dvr.agent.trace;

/** How one copy of the packet ends on a host: delivered, dropped, or handed to another host. */
public sealed interface Outcome {

  /** Reached its destination: a VM port, the external network, a namespace's own address. */
  record Delivered(String where) implements Outcome {}

  /** Went no further; {@code reason} names the state that stopped it. */
  record Dropped(String reason) implements Outcome {}

  /** Left through a tunnel: the next leg starts on {@code host}, arriving from this one. */
  record Handoff(String host, Packet packet) implements Outcome {}
}
