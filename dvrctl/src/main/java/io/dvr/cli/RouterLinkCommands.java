package io.dvr.cli;

import static io.dvr.proto.v1.RouterServiceGrpcClient.AddRouterInterface;
import static io.dvr.proto.v1.RouterServiceGrpcClient.ClearRouterGateway;
import static io.dvr.proto.v1.RouterServiceGrpcClient.RemoveRouterInterface;
import static io.dvr.proto.v1.RouterServiceGrpcClient.SetRouterGateway;

import io.dvr.proto.v1.ClearRouterGatewayRequest;
import io.dvr.proto.v1.Router;
import io.dvr.proto.v1.RouterInterface;
import io.dvr.proto.v1.RouterInterfaceRequest;
import io.dvr.proto.v1.SetRouterGatewayRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** What links a router to subnets: its interfaces and its external gateway. */
final class RouterLinkCommands {

  private RouterLinkCommands() {}

  @Command(name = "router-interface-add", description = "Add an interface on a subnet (or by a port) to a router.")
  static final class InterfaceAdd extends MutatingCommand {
    @Parameters(index = "0", paramLabel = "ROUTER", description = "Name or id of the router.")
    String router;

    @Parameters(index = "1", paramLabel = "INTERFACE",
        description = "Name or id of the subnet (or subnet=SUBNET), or port=PORT: the port's fixed IP is the router's address.")
    String subnet;

    @Override
    protected void run() {
      RouterInterfaceRequest req = interfaceRequest(this, router, subnet);
      Router r = call(AddRouterInterface, req);
      String port = r.getInterfacesList().stream()
          .filter(i -> req.getPortId().isEmpty() ? i.getSubnetId().equals(req.getSubnetId())
              : i.getPortId().equals(req.getPortId()))
          .map(RouterInterface::getPortId)
          .findFirst().orElse("");
      print().done(r, port.isEmpty()
          ? "Added interface to router " + router + "."
          : "Added interface " + port + " to router " + router + ".");
    }
  }

  @Command(name = "router-interface-delete",
      description = "Remove a router's interface on a subnet.")
  static final class InterfaceDelete extends MutatingCommand {
    @Parameters(index = "0", paramLabel = "ROUTER", description = "Name or id of the router.")
    String router;

    @Parameters(index = "1", paramLabel = "INTERFACE",
        description = "Name or id of the subnet (or subnet=SUBNET), or port=PORT.")
    String subnet;

    @Override
    protected void run() {
      Router r = call(RemoveRouterInterface, interfaceRequest(this, router, subnet));
      print().done(r, "Removed interface from router " + router + ".");
    }
  }

  /** Neutron's INTERFACE argument: {@code SUBNET}, {@code subnet=SUBNET} or {@code port=PORT}. */
  private static RouterInterfaceRequest interfaceRequest(CliCommand cmd, String router, String ref) {
    Resolver find = cmd.find();
    RouterInterfaceRequest.Builder r = RouterInterfaceRequest.newBuilder().setRouterId(find.router(router));
    if (ref.startsWith("port=")) {
      return r.setPortId(find.port(ref.substring("port=".length()))).build();
    }
    return r.setSubnetId(find.subnet(ref.startsWith("subnet=") ? ref.substring("subnet=".length()) : ref)).build();
  }

  @Command(name = "router-gateway-set", description = "Set a router's gateway on an external network.")
  static final class GatewaySet extends MutatingCommand {
    @Parameters(index = "0", paramLabel = "ROUTER", description = "Name or id of the router.")
    String router;

    @Parameters(index = "1", paramLabel = "EXTERNAL_NET", description = "Name or id of the external network.")
    String network;

    @Option(names = "--fixed-ip", paramLabel = "IP", converter = Converters.GatewayIp.class,
        description = "Gateway address on the external subnet, IP or ip_address=IP (default: from its pools).")
    String ip;

    @Override
    protected void run() {
      Resolver find = find();
      SetRouterGatewayRequest.Builder req = SetRouterGatewayRequest.newBuilder()
          .setRouterId(find.router(router))
          .setNetworkId(find.network(network));
      if (ip != null) {
        req.setIpAddress(ip);
      }
      Router r = call(SetRouterGateway, req.build());
      print().done(r, "Set gateway for router " + router);
    }
  }

  @Command(name = "router-gateway-clear", description = "Remove a router's gateway.")
  static final class GatewayClear extends MutatingCommand {
    @Parameters(paramLabel = "ROUTER", description = "Name or id of the router.")
    String router;

    @Override
    protected void run() {
      String id = find().router(router);
      Router r = call(ClearRouterGateway, ClearRouterGatewayRequest.newBuilder().setRouterId(id).build());
      print().done(r, "Removed gateway from router " + router);
    }
  }
}
