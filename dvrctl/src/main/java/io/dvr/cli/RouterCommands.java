package io.dvr.cli;

import static io.dvr.proto.v1.RouterServiceGrpcClient.CreateRouter;
import static io.dvr.proto.v1.RouterServiceGrpcClient.DeleteRouter;
import static io.dvr.proto.v1.RouterServiceGrpcClient.GetRouter;
import static io.dvr.proto.v1.RouterServiceGrpcClient.UpdateRouter;

import io.dvr.proto.v1.CreateRouterRequest;
import io.dvr.proto.v1.DeleteRouterRequest;
import io.dvr.proto.v1.DeleteRouterResponse;
import io.dvr.proto.v1.GetRouterRequest;
import io.dvr.proto.v1.ListRoutersRequest;
import io.dvr.proto.v1.Router;
import io.dvr.proto.v1.UpdateRouterRequest;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code router-*}: routers themselves; their interfaces and gateway are in {@link RouterLinkCommands}. */
final class RouterCommands {

  private RouterCommands() {}

  @Command(name = "router-create", description = "Create a router.")
  static final class Create extends MutatingCommand {
    @Parameters(paramLabel = "NAME", description = "Name of the router.")
    String name;

    @Option(names = "--distributed", paramLabel = "true|false", arity = "1",
        description = "A distributed (DVR) router or a centralized one (default: the server's, distributed).")
    Boolean distributed;

    @Option(names = "--ha",
        description = "Highly available SNAT: on several dvr_snat hosts, one active, the others standby (admin only).")
    boolean ha;

    @Option(names = "--id", paramLabel = "UUID", converter = Converters.Uuid.class,
        description = "Id of the new router (default: chosen by the server).")
    String id;

    @Option(names = "--admin-state-down", description = "Set the administrative state down.")
    boolean adminStateDown;

    @Override
    protected void run() {
      CreateRouterRequest.Builder req = CreateRouterRequest.newBuilder().setName(name);
      if (distributed != null) {
        req.setDistributed(distributed);
      }
      if (id != null) {
        req.setId(id);
      }
      if (adminStateDown) {
        req.setAdminStateUp(false);
      }
      if (ha) {
        req.setHa(true);
      }
      Router router = call(CreateRouter, req.build());
      print().created("router", router, Views.router(router));
    }
  }

  @Command(name = "router-list", description = "List routers.")
  static final class ListAll extends CliCommand {
    @Option(names = "--name", paramLabel = "NAME", description = "Only routers with this name.")
    String name;

    @Override
    protected void run() {
      ListRoutersRequest.Builder filter = ListRoutersRequest.newBuilder();
      if (name != null) {
        filter.setName(name);
      }
      List<Router> routers = Fetch.routers(api(), filter.build());
      print().list(routers, Views.routers(routers));
    }
  }

  @Command(name = "router-show", description = "Show a router and its interfaces.")
  static final class Show extends CliCommand {
    @Parameters(paramLabel = "ROUTER", description = "Name or id of the router.")
    String router;

    @Override
    protected void run() {
      String id = find().router(router);
      Router r = call(GetRouter, GetRouterRequest.newBuilder().setId(id).build());
      print().show(r, Views.router(r));
      print().table("interfaces:", Views.interfaces(r.getInterfacesList()));
    }
  }

  @Command(name = "router-update", description = "Rename a router or change its administrative state.")
  static final class Update extends MutatingCommand {
    @Parameters(paramLabel = "ROUTER", description = "Name or id of the router.")
    String router;

    @Option(names = "--name", paramLabel = "NAME", description = "New name.")
    String name;

    @Option(names = "--admin-state-up", paramLabel = "true|false", arity = "1",
        description = "New administrative state.")
    Boolean adminStateUp;

    @Override
    protected void run() {
      if (name == null && adminStateUp == null) {
        throw usage("router-update needs --name or --admin-state-up");
      }
      UpdateRouterRequest.Builder req = UpdateRouterRequest.newBuilder().setId(find().router(router));
      if (name != null) {
        req.setName(name);
      }
      if (adminStateUp != null) {
        req.setAdminStateUp(adminStateUp);
      }
      Router r = call(UpdateRouter, req.build());
      print().updated("router", r.getId(), r, Views.router(r));
    }
  }

  @Command(name = "router-delete", description = "Delete a router.")
  static final class Delete extends MutatingCommand {
    @Parameters(paramLabel = "ROUTER", description = "Name or id of the router.")
    String router;

    @Override
    protected void run() {
      String id = find().router(router);
      DeleteRouterResponse done = call(DeleteRouter, DeleteRouterRequest.newBuilder().setId(id).build());
      print().deleted("router", id, done);
    }
  }
}
