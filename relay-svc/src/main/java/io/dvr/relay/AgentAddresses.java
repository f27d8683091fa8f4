package io.dvr.relay;

import io.dvr.common.bus.BusContract;
import io.dvr.common.bus.EventAddresses;
import io.dvr.common.grpc.ApiError;
import io.dvr.proto.v1.AllocateDvrMacRequest;
import io.vertx.core.buffer.Buffer;
import io.vertx.grpc.common.GrpcStatus;
import java.util.Optional;

/**
 * What the agent of one host may do through a relay, as a cluster member of its own could: take
 * its own host's messages and those published to every agent, answer its own host's requests, and
 * make the requests agents make. The requests that speak for a host carry that host's proof, which
 * the answering service checks; the DVR MAC claim carries none, so its host is checked here.
 */
final class AgentAddresses {
  private final String host;

  AgentAddresses(String host) {
    this.host = host;
  }

  /** Empty when the agent may take the messages of {@code address} (serve: answer its requests). */
  Optional<ApiError> refusalToListen(String address, boolean serve) {
    BusContract.Binding binding;
    try {
      binding = BusContract.of(address);
    } catch (IllegalArgumentException e) {
      return Optional.of(refused("address '" + printable(address) + "' is not an event-bus address of dvr"));
    }
    boolean requestReply = binding.kind() == BusContract.Kind.REQUEST_REPLY;
    if (serve != requestReply) {
      return Optional.of(new ApiError(GrpcStatus.INVALID_ARGUMENT, "address '" + printable(address) + "' is " + binding.kind()
          + (serve ? ": it is listened to, not served" : ": it is served (RelayListen.serve), not listened to")));
    }
    boolean own = binding.perHost() && BusContract.addressFor(binding, host).equals(address);
    if (serve) {
      return own && BusContract.HOST_AGENT.equals(binding.owner()) ? Optional.empty()
          : Optional.of(refused("the agent of host '" + host + "' may serve only its own host's addresses, not '"
              + printable(address) + "'"));
    }
    return own || BusContract.TO_EVERY_AGENT.contains(address) ? Optional.empty()
        : Optional.of(refused("the agent of host '" + host + "' may take only its own host's messages and those to"
            + " every agent, not '" + printable(address) + "'"));
  }

  /** Empty when the agent may make this request. */
  Optional<ApiError> refusalToAsk(String address, Buffer body) {
    if (!BusContract.AGENT_REQUESTS.contains(address)) {
      return Optional.of(refused("address '" + printable(address) + "' is not one of the requests a host agent makes"));
    }
    if (EventAddresses.ALLOCATE_DVR_MAC.equals(address)) {
      String claimed;
      try {
        claimed = AllocateDvrMacRequest.parseFrom(body.getBytes()).getHost();
      } catch (com.google.protobuf.InvalidProtocolBufferException e) {
        return Optional.of(new ApiError(GrpcStatus.INVALID_ARGUMENT, "the DVR MAC claim does not decode: " + e.getMessage()));
      }
      if (!host.equals(claimed)) {
        return Optional.of(refused("the agent of host '" + host + "' may claim a DVR MAC only for its own host, not for '"
            + printable(claimed) + "'"));
      }
    }
    return Optional.empty();
  }

  private static ApiError refused(String message) {
    return new ApiError(GrpcStatus.PERMISSION_DENIED, message);
  }

  /** What an agent sent, as a message shows it: cut, and kept to an address's letters. */
  static String printable(String value) {
    String kept = value.replaceAll("[^A-Za-z0-9._{}-]", "?");
    return kept.length() > 128 ? kept.substring(0, 128) + "..." : kept;
  }
}
