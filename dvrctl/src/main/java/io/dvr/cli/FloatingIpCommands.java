package io.dvr.cli;

import static io.dvr.proto.v1.FloatingIpServiceGrpcClient.AssociateFloatingIp;
import static io.dvr.proto.v1.FloatingIpServiceGrpcClient.CreateFloatingIp;
import static io.dvr.proto.v1.FloatingIpServiceGrpcClient.DeleteFloatingIp;
import static io.dvr.proto.v1.FloatingIpServiceGrpcClient.DisassociateFloatingIp;
import static io.dvr.proto.v1.FloatingIpServiceGrpcClient.GetFloatingIp;

import io.dvr.proto.v1.AssociateFloatingIpRequest;
import io.dvr.proto.v1.CreateFloatingIpRequest;
import io.dvr.proto.v1.DeleteFloatingIpRequest;
import io.dvr.proto.v1.DeleteFloatingIpResponse;
import io.dvr.proto.v1.DisassociateFloatingIpRequest;
import io.dvr.proto.v1.FloatingIp;
import io.dvr.proto.v1.GetFloatingIpRequest;
import io.dvr.proto.v1.ListFloatingIpsRequest;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code floatingip-*}: floating IPs, named by id only as in neutron. */
final class FloatingIpCommands {

  private FloatingIpCommands() {}

  @Command(name = "floatingip-create", description = "Create a floating IP on an external network.")
  static final class Create extends MutatingCommand {
    @Parameters(paramLabel = "EXTERNAL_NET", description = "Name or id of the external network.")
    String network;

    @Option(names = "--floating-ip-address", paramLabel = "IP", converter = Converters.Ip.class,
        description = "A specific address (default: the next free one).")
    String address;

    @Option(names = "--port-id", paramLabel = "PORT", description = "Associate with this port (name or id) at once.")
    String port;

    @Option(names = "--fixed-ip-address", paramLabel = "IP", converter = Converters.Ip.class,
        description = "Which address of the port, when it has several.")
    String fixedIp;

    @Override
    protected void run() {
      Resolver find = find();
      CreateFloatingIpRequest.Builder req = CreateFloatingIpRequest.newBuilder()
          .setFloatingNetworkId(find.network(network));
      if (address != null) {
        req.setFloatingIpAddress(address);
      }
      if (port != null) {
        req.setPortId(find.port(port));
      }
      if (fixedIp != null) {
        req.setFixedIpAddress(fixedIp);
      }
      FloatingIp fip = call(CreateFloatingIp, req.build());
      print().created("floatingip", fip, Views.floatingIp(fip));
    }
  }

  @Command(name = "floatingip-list", description = "List floating IPs.")
  static final class ListAll extends CliCommand {
    @Override
    protected void run() {
      List<FloatingIp> fips = Fetch.floatingIps(api(), ListFloatingIpsRequest.getDefaultInstance());
      print().list(fips, Views.floatingIps(fips));
    }
  }

  @Command(name = "floatingip-show", description = "Show a floating IP.")
  static final class Show extends CliCommand {
    @Parameters(paramLabel = "FIP", description = "Id of the floating IP.")
    String id;

    @Override
    protected void run() {
      FloatingIp fip = call(GetFloatingIp, GetFloatingIpRequest.newBuilder().setId(id).build());
      print().show(fip, Views.floatingIp(fip));
    }
  }

  @Command(name = "floatingip-associate", description = "Associate a floating IP with a port.")
  static final class Associate extends MutatingCommand {
    @Parameters(index = "0", paramLabel = "FIP", description = "Id of the floating IP.")
    String id;

    @Parameters(index = "1", paramLabel = "PORT", description = "Name or id of the port.")
    String port;

    @Option(names = "--fixed-ip-address", paramLabel = "IP", converter = Converters.Ip.class,
        description = "Which address of the port, when it has several.")
    String fixedIp;

    @Override
    protected void run() {
      AssociateFloatingIpRequest.Builder req = AssociateFloatingIpRequest.newBuilder()
          .setId(id)
          .setPortId(find().port(port));
      if (fixedIp != null) {
        req.setFixedIpAddress(fixedIp);
      }
      FloatingIp fip = call(AssociateFloatingIp, req.build());
      print().done(fip, "Associated floating IP " + id);
    }
  }

  @Command(name = "floatingip-disassociate", description = "Remove a floating IP's association.")
  static final class Disassociate extends MutatingCommand {
    @Parameters(paramLabel = "FIP", description = "Id of the floating IP.")
    String id;

    @Override
    protected void run() {
      FloatingIp fip = call(DisassociateFloatingIp,
          DisassociateFloatingIpRequest.newBuilder().setId(id).build());
      print().done(fip, "Disassociated floating IP " + id);
    }
  }

  @Command(name = "floatingip-delete", description = "Delete a floating IP.")
  static final class Delete extends MutatingCommand {
    @Parameters(paramLabel = "FIP", description = "Id of the floating IP.")
    String id;

    @Override
    protected void run() {
      DeleteFloatingIpResponse done = call(DeleteFloatingIp,
          DeleteFloatingIpRequest.newBuilder().setId(id).build());
      print().deleted("floatingip", id, done);
    }
  }
}
