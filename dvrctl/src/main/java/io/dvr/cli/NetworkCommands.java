package io.dvr.cli;

import static io.dvr.proto.v1.NetworkServiceGrpcClient.CreateNetwork;
import static io.dvr.proto.v1.NetworkServiceGrpcClient.DeleteNetwork;
import static io.dvr.proto.v1.NetworkServiceGrpcClient.GetNetwork;
import static io.dvr.proto.v1.NetworkServiceGrpcClient.UpdateNetwork;

import io.dvr.proto.v1.CreateNetworkRequest;
import io.dvr.proto.v1.DeleteNetworkRequest;
import io.dvr.proto.v1.DeleteNetworkResponse;
import io.dvr.proto.v1.GetNetworkRequest;
import io.dvr.proto.v1.ListNetworksRequest;
import io.dvr.proto.v1.ListSubnetsRequest;
import io.dvr.proto.v1.Network;
import io.dvr.proto.v1.Subnet;
import io.dvr.proto.v1.UpdateNetworkRequest;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code net-*}: networks. */
final class NetworkCommands {

  private NetworkCommands() {}

  @Command(name = "net-create", description = "Create a network.")
  static final class Create extends MutatingCommand {
    @Parameters(paramLabel = "NAME", description = "Name of the network.")
    String name;

    @Option(names = {"--external", "--router:external"},
        description = "An external network, for router gateways and floating IPs.")
    boolean external;

    @Option(names = "--id", paramLabel = "UUID", converter = Converters.Uuid.class,
        description = "Id of the new network (default: chosen by the server).")
    String id;

    @Option(names = "--admin-state-down", description = "Set the administrative state down.")
    boolean adminStateDown;

    @Option(names = "--mtu", paramLabel = "BYTES",
        description = "MTU of the network (default: the largest its type allows, 1450 when tunnelled).")
    Integer mtu;

    @Override
    protected void run() {
      CreateNetworkRequest.Builder req = CreateNetworkRequest.newBuilder()
          .setName(name)
          .setRouterExternal(external);
      if (mtu != null) {
        req.setMtu(mtu);
      }
      if (id != null) {
        req.setId(id);
      }
      if (adminStateDown) {
        req.setAdminStateUp(false);
      }
      Network network = call(CreateNetwork, req.build());
      print().created("network", network, Views.network(network));
    }
  }

  @Command(name = "net-list", description = "List networks.")
  static final class ListAll extends CliCommand {
    @Option(names = "--name", paramLabel = "NAME", description = "Only networks with this name.")
    String name;

    @Override
    protected void run() {
      ListNetworksRequest.Builder filter = ListNetworksRequest.newBuilder();
      if (name != null) {
        filter.setName(name);
      }
      List<Network> networks = Fetch.networks(api(), filter.build());
      Map<String, String> cidrs = print().json() || networks.isEmpty()
          ? Map.of()
          : Fetch.subnets(api(), ListSubnetsRequest.getDefaultInstance()).stream()
              .collect(Collectors.toMap(Subnet::getId, Subnet::getCidr, (a, b) -> a));
      print().list(networks, Views.networks(networks, cidrs));
    }
  }

  @Command(name = "net-show", description = "Show a network.")
  static final class Show extends CliCommand {
    @Parameters(paramLabel = "NET", description = "Name or id of the network.")
    String network;

    @Override
    protected void run() {
      String id = find().network(network);
      Network n = call(GetNetwork, GetNetworkRequest.newBuilder().setId(id).build());
      print().show(n, Views.network(n));
    }
  }

  @Command(name = "net-update", description = "Rename a network, change its administrative state or its MTU.")
  static final class Update extends MutatingCommand {
    @Parameters(paramLabel = "NET", description = "Name or id of the network.")
    String network;

    @Option(names = "--name", paramLabel = "NAME", description = "New name.")
    String name;

    @Option(names = "--admin-state-up", paramLabel = "true|false", arity = "1",
        description = "New administrative state.")
    Boolean adminStateUp;

    @Option(names = "--mtu", paramLabel = "BYTES", description = "New MTU (the router ports on the network follow it).")
    Integer mtu;

    @Override
    protected void run() {
      if (name == null && adminStateUp == null && mtu == null) {
        throw usage("net-update needs --name, --admin-state-up or --mtu");
      }
      UpdateNetworkRequest.Builder req = UpdateNetworkRequest.newBuilder()
          .setId(find().network(network));
      if (name != null) {
        req.setName(name);
      }
      if (adminStateUp != null) {
        req.setAdminStateUp(adminStateUp);
      }
      if (mtu != null) {
        req.setMtu(mtu);
      }
      Network n = call(UpdateNetwork, req.build());
      print().updated("network", n.getId(), n, Views.network(n));
    }
  }

  @Command(name = "net-delete", description = "Delete a network.")
  static final class Delete extends MutatingCommand {
    @Parameters(paramLabel = "NET", description = "Name or id of the network.")
    String network;

    @Override
    protected void run() {
      String id = find().network(network);
      DeleteNetworkResponse done = call(DeleteNetwork, DeleteNetworkRequest.newBuilder().setId(id).build());
      print().deleted("network", id, done);
    }
  }
}
