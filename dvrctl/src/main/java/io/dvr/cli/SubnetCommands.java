package io.dvr.cli;

import static io.dvr.proto.v1.SubnetServiceGrpcClient.CreateSubnet;
import static io.dvr.proto.v1.SubnetServiceGrpcClient.DeleteSubnet;
import static io.dvr.proto.v1.SubnetServiceGrpcClient.GetSubnet;

import io.dvr.proto.v1.AllocationPool;
import io.dvr.proto.v1.CreateSubnetRequest;
import io.dvr.proto.v1.DeleteSubnetRequest;
import io.dvr.proto.v1.DeleteSubnetResponse;
import io.dvr.proto.v1.GetSubnetRequest;
import io.dvr.proto.v1.ListSubnetsRequest;
import io.dvr.proto.v1.Subnet;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code subnet-*}: subnets. */
final class SubnetCommands {

  private SubnetCommands() {}

  @Command(name = "subnet-create", description = "Create a subnet on a network.")
  static final class Create extends MutatingCommand {
    @Parameters(index = "0", paramLabel = "NET", description = "Name or id of the network.")
    String network;

    @Parameters(index = "1", paramLabel = "CIDR", converter = Converters.Cidr.class,
        description = "Address range of the subnet, e.g. 10.0.0.0/24.")
    String cidr;

    @Option(names = "--name", paramLabel = "NAME", description = "Name of the subnet.")
    String name;

    @ArgGroup(exclusive = true)
    Gateway gateway;

    @Option(names = "--allocation-pool", paramLabel = "start=IP,end=IP",
        converter = Converters.Pool.class,
        description = "A range handed out to ports; repeat for several (default: the whole CIDR).")
    List<AllocationPool> pools = new ArrayList<>();

    @Option(names = "--ip-version", paramLabel = "4", defaultValue = "4",
        description = "IP version (default: 4).")
    int ipVersion;

    @Option(names = "--id", paramLabel = "UUID", converter = Converters.Uuid.class,
        description = "Id of the new subnet (default: chosen by the server).")
    String id;

    static final class Gateway {
      @Option(names = "--gateway", paramLabel = "IP", converter = Converters.Ip.class,
          description = "Gateway address (default: the first address of the CIDR).")
      String ip;

      @Option(names = "--no-gateway", description = "A subnet without a gateway.")
      boolean none;
    }

    @Override
    protected void run() {
      if (ipVersion != 4 && ipVersion != 6) {
        throw usage("Invalid value for option '--ip-version': '" + ipVersion + "' is not 4 or 6");
      }
      CreateSubnetRequest.Builder req = CreateSubnetRequest.newBuilder()
          .setNetworkId(find().network(network))
          .setCidr(cidr)
          .setIpVersion(ipVersion)
          .addAllAllocationPools(pools);
      if (name != null) {
        req.setName(name);
      }
      if (gateway != null && gateway.ip != null) {
        req.setGatewayIp(gateway.ip);
      }
      if (gateway != null && gateway.none) {
        req.setNoGateway(true);
      }
      if (id != null) {
        req.setId(id);
      }
      Subnet subnet = call(CreateSubnet, req.build());
      print().created("subnet", subnet, Views.subnet(subnet));
    }
  }

  @Command(name = "subnet-list", description = "List subnets.")
  static final class ListAll extends CliCommand {
    @Option(names = "--network", paramLabel = "NET", description = "Only subnets of this network.")
    String network;

    @Option(names = "--name", paramLabel = "NAME", description = "Only subnets with this name.")
    String name;

    @Override
    protected void run() {
      ListSubnetsRequest.Builder filter = ListSubnetsRequest.newBuilder();
      if (network != null) {
        filter.setNetworkId(find().network(network));
      }
      if (name != null) {
        filter.setName(name);
      }
      List<Subnet> subnets = Fetch.subnets(api(), filter.build());
      print().list(subnets, Views.subnets(subnets));
    }
  }

  @Command(name = "subnet-show", description = "Show a subnet.")
  static final class Show extends CliCommand {
    @Parameters(paramLabel = "SUBNET", description = "Name or id of the subnet.")
    String subnet;

    @Override
    protected void run() {
      String id = find().subnet(subnet);
      Subnet s = call(GetSubnet, GetSubnetRequest.newBuilder().setId(id).build());
      print().show(s, Views.subnet(s));
    }
  }

  @Command(name = "subnet-delete", description = "Delete a subnet.")
  static final class Delete extends MutatingCommand {
    @Parameters(paramLabel = "SUBNET", description = "Name or id of the subnet.")
    String subnet;

    @Override
    protected void run() {
      String id = find().subnet(subnet);
      DeleteSubnetResponse done = call(DeleteSubnet, DeleteSubnetRequest.newBuilder().setId(id).build());
      print().deleted("subnet", id, done);
    }
  }
}
