package io.dvr.cli;

import io.dvr.proto.v1.Agent;
import io.dvr.proto.v1.ListAgentsRequest;
import io.dvr.proto.v1.ListNetworksRequest;
import io.dvr.proto.v1.ListPortsRequest;
import io.dvr.proto.v1.ListRoutersRequest;
import io.dvr.proto.v1.ListSubnetsRequest;
import io.dvr.proto.v1.Network;
import io.dvr.proto.v1.Port;
import io.dvr.proto.v1.Router;
import io.dvr.proto.v1.Subnet;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Turns a command argument into an id. A UUID is taken as the id (the server reports one that
 * does not exist); anything else is a name, looked up with the List call filtered by name.
 */
final class Resolver {

  private static final Pattern UUID = Pattern.compile(
      "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  private final Api api;

  Resolver(Api api) {
    this.api = api;
  }

  static boolean isUuid(String text) {
    return UUID.matcher(text).matches();
  }

  String network(String ref) {
    return resolve("network", "networks", ref, () -> Fetch.networks(api,
            ListNetworksRequest.newBuilder().setName(ref).build()).stream()
        .filter(n -> n.getName().equals(ref)).map(Network::getId).toList());
  }

  String subnet(String ref) {
    return resolve("subnet", "subnets", ref, () -> Fetch.subnets(api,
            ListSubnetsRequest.newBuilder().setName(ref).build()).stream()
        .filter(s -> s.getName().equals(ref)).map(Subnet::getId).toList());
  }

  String router(String ref) {
    return resolve("router", "routers", ref, () -> Fetch.routers(api,
            ListRoutersRequest.newBuilder().setName(ref).build()).stream()
        .filter(r -> r.getName().equals(ref)).map(Router::getId).toList());
  }

  String port(String ref) {
    return resolve("port", "ports", ref, () -> Fetch.ports(api,
            ListPortsRequest.newBuilder().setName(ref).build()).stream()
        .filter(p -> p.getName().equals(ref)).map(Port::getId).toList());
  }

  /** Agents have no names; a host name stands for the agent on that host. */
  String agent(String ref) {
    requireText("agent", ref);
    if (isUuid(ref)) {
      return ref;
    }
    List<String> ids = Fetch.agents(api, ListAgentsRequest.newBuilder().setHost(ref).build())
        .stream().filter(a -> a.getHost().equals(ref)).map(Agent::getId).toList();
    if (ids.isEmpty()) {
      throw CliError.notFound("agent '" + ref + "' not found");
    }
    if (ids.size() > 1) {
      throw CliError.ambiguous("several agents run on host '" + ref + "'; use the id");
    }
    return ids.get(0);
  }

  private static String resolve(String kind, String plural, String ref, Supplier<List<String>> byName) {
    requireText(kind, ref);
    if (isUuid(ref)) {
      return ref;
    }
    // The server filters by name; filtering again keeps an exact match should it match loosely.
    List<String> ids = byName.get();
    if (ids.isEmpty()) {
      throw CliError.notFound(kind + " '" + ref + "' not found");
    }
    if (ids.size() > 1) {
      throw CliError.ambiguous("several " + plural + " are named '" + ref + "'; use the id");
    }
    return ids.get(0);
  }

  /** An empty name would match every unnamed resource. */
  private static void requireText(String kind, String ref) {
    if (ref == null || ref.isBlank()) {
      throw CliError.usage("the " + kind + " name or id must not be empty");
    }
  }
}
