package io.dvr.agent.trace;

/** Where the packet enters the host. */
public sealed interface Ingress {

  /** Sent by the VM of a port bound to this host. */
  record FromVm(String portId) implements Ingress {}

  /** Arrives through the tunnel from another host. */
  record FromTunnel(String peerHost) implements Ingress {}

  /** Arrives from the external network (br-ex), sent to whoever answers ARP for its destination. */
  record FromExternal() implements Ingress {}
}
