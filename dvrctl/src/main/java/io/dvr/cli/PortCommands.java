package io.dvr.cli;

import static io.dvr.proto.v1.PortServiceGrpcClient.CreatePort;
import static io.dvr.proto.v1.PortServiceGrpcClient.DeletePort;
import static io.dvr.proto.v1.PortServiceGrpcClient.GetPort;
import static io.dvr.proto.v1.PortServiceGrpcClient.UpdatePort;

import io.dvr.proto.v1.CreatePortRequest;
import io.dvr.proto.v1.DeletePortRequest;
import io.dvr.proto.v1.DeletePortResponse;
import io.dvr.proto.v1.FixedIpRequest;
import io.dvr.proto.v1.GetPortRequest;
import io.dvr.proto.v1.ListPortsRequest;
import io.dvr.proto.v1.Port;
import io.dvr.proto.v1.UpdatePortRequest;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code port-*}: ports; a VM port bound to a host is what places a DVR router there. */
final class PortCommands {

  private PortCommands() {}

  @Command(name = "port-create", description = "Create a port on a network.")
  static final class Create extends MutatingCommand {
    @Parameters(paramLabel = "NET", description = "Name or id of the network.")
    String network;

    @Option(names = "--name", paramLabel = "NAME", description = "Name of the port.")
    String name;

    @Option(names = "--fixed-ip", paramLabel = "subnet_id=SUBNET,ip_address=IP",
        converter = Converters.FixedIp.class,
        description = "An address for the port, either part optional; repeat for several.")
    List<FixedIpRequest> fixedIps = new ArrayList<>();

    @Option(names = "--mac-address", paramLabel = "MAC", converter = Converters.Mac.class,
        description = "MAC address (default: a unique one from fa:16:3e).")
    String mac;

    @Option(names = "--device-owner", paramLabel = "OWNER", defaultValue = "compute:nova",
        description = "Owner of the port (default: compute:nova).")
    String deviceOwner;

    @Option(names = "--device-id", paramLabel = "ID", description = "Id of the device (VM) using the port.")
    String deviceId;

    @Option(names = {"--host", "--binding:host_id"}, paramLabel = "HOST",
        description = "Host the port is plugged on.")
    String host;

    @Option(names = "--id", paramLabel = "UUID", converter = Converters.Uuid.class,
        description = "Id of the new port (default: chosen by the server).")
    String id;

    @Option(names = "--admin-state-down", description = "Set the administrative state down.")
    boolean adminStateDown;

    @Override
    protected void run() {
      Resolver find = find();
      CreatePortRequest.Builder req = CreatePortRequest.newBuilder()
          .setNetworkId(find.network(network))
          .setDeviceOwner(deviceOwner);
      for (FixedIpRequest ip : fixedIps) {
        req.addFixedIps(ip.getSubnetId().isEmpty() ? ip
            : ip.toBuilder().setSubnetId(find.subnet(ip.getSubnetId())).build());
      }
      if (name != null) {
        req.setName(name);
      }
      if (mac != null) {
        req.setMacAddress(mac);
      }
      if (deviceId != null) {
        req.setDeviceId(deviceId);
      }
      if (host != null) {
        req.setBindingHost(host);
      }
      if (id != null) {
        req.setId(id);
      }
      if (adminStateDown) {
        req.setAdminStateUp(false);
      }
      Port port = call(CreatePort, req.build());
      print().created("port", port, Views.port(port));
    }
  }

  @Command(name = "port-list", description = "List ports.")
  static final class ListAll extends CliCommand {
    @Option(names = "--network", paramLabel = "NET", description = "Only ports on this network.")
    String network;

    @Option(names = "--host", paramLabel = "HOST", description = "Only ports bound to this host.")
    String host;

    @Option(names = "--device-owner", paramLabel = "OWNER", description = "Only ports with this owner.")
    String deviceOwner;

    @Option(names = "--device-id", paramLabel = "ID", description = "Only ports of this device.")
    String deviceId;

    @Option(names = "--router", paramLabel = "ROUTER",
        description = "Only ports of this router (its interfaces, gateway and SNAT ports).")
    String router;

    @Option(names = "--name", paramLabel = "NAME", description = "Only ports with this name.")
    String name;

    @Override
    protected void run() {
      if (router != null && deviceId != null) {
        throw usage("--router and --device-id are mutually exclusive (a router is the device)");
      }
      ListPortsRequest.Builder filter = ListPortsRequest.newBuilder();
      if (network != null) {
        filter.setNetworkId(find().network(network));
      }
      if (router != null) {
        filter.setDeviceId(find().router(router));
      }
      if (deviceId != null) {
        filter.setDeviceId(deviceId);
      }
      if (host != null) {
        filter.setBindingHost(host);
      }
      if (deviceOwner != null) {
        filter.setDeviceOwner(deviceOwner);
      }
      if (name != null) {
        filter.setName(name);
      }
      List<Port> ports = Fetch.ports(api(), filter.build());
      print().list(ports, Views.ports(ports));
    }
  }

  @Command(name = "port-show", description = "Show a port.")
  static final class Show extends CliCommand {
    @Parameters(paramLabel = "PORT", description = "Name or id of the port.")
    String port;

    @Override
    protected void run() {
      String id = find().port(port);
      Port p = call(GetPort, GetPortRequest.newBuilder().setId(id).build());
      print().show(p, Views.port(p));
    }
  }

  @Command(name = "port-update", description = "Move a port to another host, rename it, or change its state.")
  static final class Update extends MutatingCommand {
    @Parameters(paramLabel = "PORT", description = "Name or id of the port.")
    String port;

    @Option(names = {"--host", "--binding:host_id"}, paramLabel = "HOST",
        description = "New host (a live migration); an empty string unbinds the port.")
    String host;

    @Option(names = "--name", paramLabel = "NAME", description = "New name.")
    String name;

    @Option(names = "--admin-state-up", paramLabel = "true|false", arity = "1",
        description = "New administrative state.")
    Boolean adminStateUp;

    @Option(names = "--device-id", paramLabel = "ID", description = "New device id.")
    String deviceId;

    @Override
    protected void run() {
      if (host == null && name == null && adminStateUp == null && deviceId == null) {
        throw usage("port-update needs --host, --name, --admin-state-up or --device-id");
      }
      UpdatePortRequest.Builder req = UpdatePortRequest.newBuilder().setId(find().port(port));
      if (host != null) {
        req.setBindingHost(host);
      }
      if (name != null) {
        req.setName(name);
      }
      if (adminStateUp != null) {
        req.setAdminStateUp(adminStateUp);
      }
      if (deviceId != null) {
        req.setDeviceId(deviceId);
      }
      Port p = call(UpdatePort, req.build());
      print().updated("port", p.getId(), p, Views.port(p));
    }
  }

  @Command(name = "port-delete", description = "Delete a port.")
  static final class Delete extends MutatingCommand {
    @Parameters(paramLabel = "PORT", description = "Name or id of the port.")
    String port;

    @Override
    protected void run() {
      String id = find().port(port);
      DeletePortResponse done = call(DeletePort, DeletePortRequest.newBuilder().setId(id).build());
      print().deleted("port", id, done);
    }
  }
}
