package io.dvr.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.common.grpc.RpcFailure;
import io.dvr.proto.v1.FloatingIpServiceGrpcClient;
import io.dvr.proto.v1.ListFloatingIpsRequest;
import io.dvr.proto.v1.ListNetworksRequest;
import io.dvr.proto.v1.ListPortsRequest;
import io.dvr.proto.v1.ListRoutersRequest;
import io.dvr.proto.v1.ListSubnetsRequest;
import io.dvr.proto.v1.NetworkServiceGrpcClient;
import io.dvr.proto.v1.PortServiceGrpcClient;
import io.dvr.proto.v1.RouterServiceGrpcClient;
import io.dvr.proto.v1.SubnetServiceGrpcClient;
import io.vertx.grpc.common.GrpcStatus;
import java.util.List;
import java.util.function.Supplier;

/** A refused request: its status, the words of its message, and nothing changed by it. */
final class Refusals {
  private Refusals() {}

  /** Every resource as read through the API. */
  static List<Object> snapshot(ApiClient gw) {
    return List.of(
        gw.call(NetworkServiceGrpcClient.ListNetworks, ListNetworksRequest.getDefaultInstance()),
        gw.call(SubnetServiceGrpcClient.ListSubnets, ListSubnetsRequest.getDefaultInstance()),
        gw.call(RouterServiceGrpcClient.ListRouters, ListRoutersRequest.getDefaultInstance()),
        gw.call(PortServiceGrpcClient.ListPorts, ListPortsRequest.getDefaultInstance()),
        gw.call(FloatingIpServiceGrpcClient.ListFloatingIps, ListFloatingIpsRequest.getDefaultInstance()));
  }

  static RpcFailure refused(ApiClient gw, GrpcStatus status, Supplier<RpcFailure> call, String... messageParts) {
    List<Object> before = snapshot(gw);
    RpcFailure failure = call.get();
    assertThat(failure.status()).as(failure.getMessage()).isEqualTo(status);
    assertThat(failure.detail()).contains(messageParts);
    assertThat(snapshot(gw)).as("state after the refused request").isEqualTo(before);
    return failure;
  }
}
