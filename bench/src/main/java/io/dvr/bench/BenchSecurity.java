package io.dvr.bench;

import io.dvr.common.config.Settings;
import io.dvr.common.security.GrpcTls;
import io.dvr.common.security.HostProofs;
import io.dvr.common.security.Identity;
import io.dvr.common.security.SecurityMaterial;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

/**
 * The benchmarks run secure, as a deployment does: their own CA and key stores in their temporary
 * directory (made in a few milliseconds), TLS on every port, agents proving their hosts.
 */
final class BenchSecurity {
  private static final List<String> ALT_NAMES = List.of("localhost", "127.0.0.1");
  private final Path dir;

  private BenchSecurity(Path dir) {
    this.dir = dir;
  }

  /** Creates the services' material in {@code dir}. */
  static BenchSecurity create(Path dir) {
    SecurityMaterial.ensure(dir, List.of(Identity.service("api-gateway"), Identity.service("scheduler-svc"),
        Identity.service("mac-allocator-svc"), Identity.service("arp-svc"), Identity.service("relay-svc")), ALT_NAMES);
    return new BenchSecurity(dir);
  }

  String dir() {
    return dir.toString();
  }

  /** Issues a host's key store and credential, if it has none. */
  void addHost(String host) {
    SecurityMaterial.ensure(dir, List.of(Identity.hostAgent(host)), ALT_NAMES);
  }

  /** A user's client: TLS trusting the CA. */
  GrpcTls user() {
    return GrpcTls.trusting(dir.resolve(SecurityMaterial.CA_CERT));
  }

  /** How the agent of {@code host} signs its event-bus requests. */
  HostProofs.Sender proof(String host) {
    return HostProofs.sender(host, SecurityMaterial.at(dir).hostCredentials().keyOf(host), Clock.systemUTC());
  }

  static Settings with(Settings settings, BenchSecurity security) {
    return settings.with("security.dir", security.dir());
  }
}
