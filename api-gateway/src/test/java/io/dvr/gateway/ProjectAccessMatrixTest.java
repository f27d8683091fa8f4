package io.dvr.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import io.dvr.common.grpc.RpcFailure;
import io.dvr.proto.v1.CreateFloatingIpRequest;
import io.dvr.proto.v1.CreateNetworkRequest;
import io.dvr.proto.v1.CreatePortRequest;
import io.dvr.proto.v1.CreateRouterRequest;
import io.dvr.proto.v1.CreateSubnetRequest;
import io.dvr.proto.v1.DeleteFloatingIpRequest;
import io.dvr.proto.v1.DeleteNetworkRequest;
import io.dvr.proto.v1.DeletePortRequest;
import io.dvr.proto.v1.DeleteRouterRequest;
import io.dvr.proto.v1.DeleteSubnetRequest;
import io.dvr.proto.v1.DisassociateFloatingIpRequest;
import io.dvr.proto.v1.FloatingIpServiceGrpcClient;
import io.dvr.proto.v1.GetFloatingIpRequest;
import io.dvr.proto.v1.GetNetworkRequest;
import io.dvr.proto.v1.GetPortRequest;
import io.dvr.proto.v1.GetRouterRequest;
import io.dvr.proto.v1.GetSubnetRequest;
import io.dvr.proto.v1.IssueTokenRequest;
import io.dvr.proto.v1.ListFloatingIpsRequest;
import io.dvr.proto.v1.ListNetworksRequest;
import io.dvr.proto.v1.ListPortsRequest;
import io.dvr.proto.v1.ListRoutersRequest;
import io.dvr.proto.v1.ListSubnetsRequest;
import io.dvr.proto.v1.Network;
import io.dvr.proto.v1.NetworkServiceGrpcClient;
import io.dvr.proto.v1.PortServiceGrpcClient;
import io.dvr.proto.v1.QuotaServiceGrpcClient;
import io.dvr.proto.v1.RouterServiceGrpcClient;
import io.dvr.proto.v1.Subnet;
import io.dvr.proto.v1.SubnetServiceGrpcClient;
import io.dvr.proto.v1.TokenServiceGrpcClient;
import io.dvr.proto.v1.UpdateNetworkRequest;
import io.dvr.proto.v1.UpdatePortRequest;
import io.dvr.proto.v1.UpdateQuotaRequest;
import io.dvr.proto.v1.UpdateRouterRequest;
import io.vertx.grpc.common.GrpcStatus;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every cell of role x resource x operation x own/other project, generated from the rules and
 * asserted against a running gateway over gRPC. The caller is of project 'alpha'; 'beta' is the
 * other project. Each cell gets resources of its own, made by the bootstrap admin.
 */
@DisplayName("Role x resource x operation x own/other project: each cell gets the status the rules give it")
class ProjectAccessMatrixTest {
  static final String OWN = "alpha";
  static final String OTHER = "beta";

  enum Role { ADMIN, MEMBER, READER }

  enum Op { CREATE, GET, LIST, UPDATE, DELETE }

  enum Kind { NETWORK, SUBNET, PORT, ROUTER, FLOATING_IP }

  @TempDir static Path dataDir;
  static GatewayFixture gw;
  static Network external;
  static final Map<Role, ApiClient> callers = new java.util.EnumMap<>(Role.class);
  static final AtomicInteger cidrs = new AtomicInteger();

  @BeforeAll
  static void start() {
    gw = GatewayFixture.start(dataDir.resolve("pg"));
    for (Role role : Role.values()) {
      callers.put(role, gw.as(gw.call(TokenServiceGrpcClient.IssueToken, IssueTokenRequest.newBuilder()
          .setProjectId(OWN).setRole(role.name().toLowerCase()).setTtlSeconds(3600).build()).getToken()));
    }
    // The matrix makes more routers and networks per project than the default quotas allow.
    for (String project : List.of(OWN, OTHER)) {
      gw.call(QuotaServiceGrpcClient.UpdateQuota, UpdateQuotaRequest.newBuilder().setProjectId(project)
          .setNetwork(-1).setSubnet(-1).setPort(-1).setRouter(-1).setFloatingip(-1).build());
    }
    external = gw.call(NetworkServiceGrpcClient.CreateNetwork, CreateNetworkRequest.newBuilder().setName("ext")
        .setRouterExternal(true).build());
    gw.call(SubnetServiceGrpcClient.CreateSubnet, CreateSubnetRequest.newBuilder().setNetworkId(external.getId())
        .setCidr("172.16.0.0/16").build());
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  /** What the rules say a cell answers. */
  static GrpcStatus expected(Role role, Kind kind, Op op, boolean own) {
    boolean write = op == Op.CREATE || op == Op.UPDATE || op == Op.DELETE;
    if (role == Role.ADMIN || op == Op.LIST) {
      return GrpcStatus.OK;
    }
    if (role == Role.READER && write) {
      return GrpcStatus.PERMISSION_DENIED;
    }
    if (own) {
      return GrpcStatus.OK;
    }
    if (op == Op.CREATE && (kind == Kind.NETWORK || kind == Kind.ROUTER || kind == Kind.FLOATING_IP)) {
      return GrpcStatus.PERMISSION_DENIED; // project_id names another project
    }
    return GrpcStatus.NOT_FOUND; // another project's resource, or its network for a subnet or port
  }

  @TestFactory
  Stream<DynamicTest> everyCell() {
    List<DynamicTest> cells = new ArrayList<>();
    for (Role role : Role.values()) {
      for (Kind kind : Kind.values()) {
        for (Op op : Op.values()) {
          if (kind == Kind.SUBNET && op == Op.UPDATE) {
            continue; // subnets have no update
          }
          for (boolean own : List.of(true, false)) {
            GrpcStatus want = expected(role, kind, op, own);
            String name = role.name().toLowerCase() + " of " + OWN + ": " + op.name().toLowerCase() + " "
                + kind.name().toLowerCase() + " of " + (own ? "its own" : "another") + " project -> " + want;
            cells.add(DynamicTest.dynamicTest(name, () -> cell(role, kind, op, own, want)));
          }
        }
      }
    }
    return cells.stream();
  }

  private static void cell(Role role, Kind kind, Op op, boolean own, GrpcStatus want) {
    ApiClient caller = callers.get(role);
    String project = own ? OWN : OTHER;
    if (op == Op.LIST) {
      String id = make(kind, project);
      List<String> listed = list(caller, kind);
      boolean seen = own || role == Role.ADMIN;
      if (seen) {
        assertThat(listed).as("the listing").contains(id);
      } else {
        assertThat(listed).as("the listing").doesNotContain(id);
      }
      return;
    }
    String target = op == Op.CREATE ? parent(kind, project) : make(kind, project);
    Message before = op == Op.CREATE ? null : get(gw, kind, target);
    try {
      Message answer = run(caller, kind, op, target, own);
      assertThat(GrpcStatus.OK).as("status, answer " + answer).isEqualTo(want);
      if (op == Op.CREATE) {
        assertThat(projectOf(answer)).as("project of the new " + kind).isEqualTo(project);
      }
    } catch (RpcFailure f) {
      assertThat(f.status()).as(f.getMessage()).isEqualTo(want);
      if (want == GrpcStatus.NOT_FOUND) {
        // The words of an id that does not exist: nothing tells that it does.
        assertThat(f.detail()).matches("(network|subnet|port|router|floating IP) '[0-9a-f-]{36}' not found");
      }
      if (before != null) {
        assertThat(get(gw, kind, target)).as("the refused " + op + " changed nothing").isEqualTo(before);
      }
    }
  }

  private static Message run(ApiClient c, Kind kind, Op op, String target, boolean own) {
    String project = own ? "" : OTHER;
    return switch (op) {
      case CREATE -> switch (kind) {
        case NETWORK -> c.call(NetworkServiceGrpcClient.CreateNetwork, CreateNetworkRequest.newBuilder()
            .setName("made").setProjectId(project).build());
        case SUBNET -> c.call(SubnetServiceGrpcClient.CreateSubnet, CreateSubnetRequest.newBuilder()
            .setNetworkId(target).setCidr(nextCidr()).build());
        case PORT -> c.call(PortServiceGrpcClient.CreatePort, CreatePortRequest.newBuilder().setNetworkId(target)
            .setName("made").build());
        case ROUTER -> c.call(RouterServiceGrpcClient.CreateRouter, CreateRouterRequest.newBuilder().setName("made")
            .setProjectId(project).build());
        case FLOATING_IP -> c.call(FloatingIpServiceGrpcClient.CreateFloatingIp, CreateFloatingIpRequest.newBuilder()
            .setFloatingNetworkId(target).setProjectId(project).build());
      };
      case GET -> get(c, kind, target);
      case UPDATE -> switch (kind) {
        case NETWORK -> c.call(NetworkServiceGrpcClient.UpdateNetwork, UpdateNetworkRequest.newBuilder().setId(target)
            .setName("renamed").build());
        case PORT -> c.call(PortServiceGrpcClient.UpdatePort, UpdatePortRequest.newBuilder().setId(target)
            .setName("renamed").build());
        case ROUTER -> c.call(RouterServiceGrpcClient.UpdateRouter, UpdateRouterRequest.newBuilder().setId(target)
            .setName("renamed").build());
        case FLOATING_IP -> c.call(FloatingIpServiceGrpcClient.DisassociateFloatingIp,
            DisassociateFloatingIpRequest.newBuilder().setId(target).build());
        case SUBNET -> throw new IllegalArgumentException("subnets have no update");
      };
      case DELETE -> switch (kind) {
        case NETWORK -> c.call(NetworkServiceGrpcClient.DeleteNetwork, DeleteNetworkRequest.newBuilder().setId(target).build());
        case SUBNET -> c.call(SubnetServiceGrpcClient.DeleteSubnet, DeleteSubnetRequest.newBuilder().setId(target).build());
        case PORT -> c.call(PortServiceGrpcClient.DeletePort, DeletePortRequest.newBuilder().setId(target).build());
        case ROUTER -> c.call(RouterServiceGrpcClient.DeleteRouter, DeleteRouterRequest.newBuilder().setId(target).build());
        case FLOATING_IP -> c.call(FloatingIpServiceGrpcClient.DeleteFloatingIp,
            DeleteFloatingIpRequest.newBuilder().setId(target).build());
      };
      case LIST -> throw new IllegalArgumentException("lists are checked by what they hold");
    };
  }

  private static Message get(ApiClient c, Kind kind, String id) {
    return switch (kind) {
      case NETWORK -> c.call(NetworkServiceGrpcClient.GetNetwork, GetNetworkRequest.newBuilder().setId(id).build());
      case SUBNET -> c.call(SubnetServiceGrpcClient.GetSubnet, GetSubnetRequest.newBuilder().setId(id).build());
      case PORT -> c.call(PortServiceGrpcClient.GetPort, GetPortRequest.newBuilder().setId(id).build());
      case ROUTER -> c.call(RouterServiceGrpcClient.GetRouter, GetRouterRequest.newBuilder().setId(id).build());
      case FLOATING_IP -> c.call(FloatingIpServiceGrpcClient.GetFloatingIp, GetFloatingIpRequest.newBuilder().setId(id).build());
    };
  }

  private static List<String> list(ApiClient c, Kind kind) {
    return switch (kind) {
      case NETWORK -> c.call(NetworkServiceGrpcClient.ListNetworks, ListNetworksRequest.newBuilder().setPageSize(1000)
          .build()).getNetworksList().stream().map(Network::getId).toList();
      case SUBNET -> c.call(SubnetServiceGrpcClient.ListSubnets, ListSubnetsRequest.newBuilder().setPageSize(1000)
          .build()).getSubnetsList().stream().map(Subnet::getId).toList();
      case PORT -> c.call(PortServiceGrpcClient.ListPorts, ListPortsRequest.newBuilder().setPageSize(1000).build())
          .getPortsList().stream().map(p -> p.getId()).toList();
      case ROUTER -> c.call(RouterServiceGrpcClient.ListRouters, ListRoutersRequest.newBuilder().setPageSize(1000)
          .build()).getRoutersList().stream().map(r -> r.getId()).toList();
      case FLOATING_IP -> c.call(FloatingIpServiceGrpcClient.ListFloatingIps, ListFloatingIpsRequest.newBuilder()
          .setPageSize(1000).build()).getFloatingIpsList().stream().map(f -> f.getId()).toList();
    };
  }

  private static String projectOf(Message m) {
    return (String) m.getField(m.getDescriptorForType().findFieldByName("project_id"));
  }

  private static String nextCidr() {
    int n = cidrs.incrementAndGet();
    return "10." + (n / 256) + "." + (n % 256) + ".0/24";
  }

  /** What a create of the kind in the project names: the network of a subnet or port, the external network of a floating IP. */
  private static String parent(Kind kind, String project) {
    return switch (kind) {
      case SUBNET -> network(project);
      case PORT -> subnet(project).getNetworkId();
      case FLOATING_IP -> external.getId();
      case NETWORK, ROUTER -> "";
    };
  }

  /** A new resource of the kind in the project, made by the bootstrap admin. */
  private static String make(Kind kind, String project) {
    return switch (kind) {
      case NETWORK -> network(project);
      case SUBNET -> subnet(project).getId();
      case PORT -> gw.call(PortServiceGrpcClient.CreatePort, CreatePortRequest.newBuilder()
          .setNetworkId(subnet(project).getNetworkId()).setName("vm").setProjectId(project).build()).getId();
      case ROUTER -> gw.call(RouterServiceGrpcClient.CreateRouter, CreateRouterRequest.newBuilder().setName("r")
          .setProjectId(project).build()).getId();
      case FLOATING_IP -> gw.call(FloatingIpServiceGrpcClient.CreateFloatingIp, CreateFloatingIpRequest.newBuilder()
          .setFloatingNetworkId(external.getId()).setProjectId(project).build()).getId();
    };
  }

  private static String network(String project) {
    return gw.call(NetworkServiceGrpcClient.CreateNetwork, CreateNetworkRequest.newBuilder().setName("net")
        .setProjectId(project).build()).getId();
  }

  private static Subnet subnet(String project) {
    return gw.call(SubnetServiceGrpcClient.CreateSubnet, CreateSubnetRequest.newBuilder()
        .setNetworkId(network(project)).setCidr(nextCidr()).build());
  }
}
