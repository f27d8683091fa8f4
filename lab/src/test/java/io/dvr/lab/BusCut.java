package io.dvr.lab;

import com.google.protobuf.InvalidProtocolBufferException;
import io.dvr.common.bus.EventAddresses;
import io.dvr.proto.v1.AllocateDvrMacRequest;
import io.dvr.proto.v1.GetHostRoutersRequest;
import io.dvr.proto.v1.HostApplied;
import io.dvr.proto.v1.PortsWired;
import io.dvr.proto.v1.SnatLeaseRenewal;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryContext;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Cuts one host's agent off the control plane on an event bus the agents share with it (one
 * process): while cut, every request the agent sends (SNAT lease renewals, router fetches,
 * applied-state and port reports, its DVR MAC) and every message sent to the host's own addresses
 * are dropped, as a network partition would lose them; the agent's requests then time out. The
 * host's data path is untouched. An outbound interceptor of the bus: it sees each message once,
 * at its sender, before it is routed.
 */
final class BusCut implements Handler<DeliveryContext<Object>> {
  private final String host;
  private volatile boolean cut;
  private final AtomicLong dropped = new AtomicLong();

  BusCut(String host) {
    this.host = host;
  }

  void cut() {
    cut = true;
  }

  void heal() {
    cut = false;
  }

  long dropped() {
    return dropped.get();
  }

  @Override
  public void handle(DeliveryContext<Object> delivery) {
    if (cut && concernsHost(delivery.message().address(), delivery.message().body())) {
      dropped.incrementAndGet();
      return; // not passed on: lost
    }
    delivery.next();
  }

  private boolean concernsHost(String address, Object body) {
    if (address.startsWith("dvr.host." + host + ".")) {
      return true;
    }
    if (!(body instanceof Buffer buffer)) {
      return false;
    }
    try {
      byte[] bytes = buffer.getBytes();
      return switch (address) {
        case EventAddresses.SNAT_LEASE -> SnatLeaseRenewal.parseFrom(bytes).getHost().equals(host);
        case EventAddresses.GET_HOST_ROUTERS -> GetHostRoutersRequest.parseFrom(bytes).getHost().equals(host);
        case EventAddresses.HOST_APPLIED -> HostApplied.parseFrom(bytes).getHost().equals(host);
        case EventAddresses.PORTS_WIRED -> PortsWired.parseFrom(bytes).getHost().equals(host);
        case EventAddresses.ALLOCATE_DVR_MAC -> AllocateDvrMacRequest.parseFrom(bytes).getHost().equals(host);
        default -> false;
      };
    } catch (InvalidProtocolBufferException e) {
      return false;
    }
  }
}
