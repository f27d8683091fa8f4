package io.dvr.gateway;

import io.dvr.common.config.Settings;
import io.dvr.common.security.GrpcTls;
import io.dvr.common.security.HostProofs;
import java.time.Clock;
import io.dvr.common.security.Identity;
import io.dvr.common.security.SecurityMaterial;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The tests' security material: one CA and its key stores, made once per test run in the
 * module's {@code target/} (as the lab makes its own on first start), so tests run with TLS as
 * a deployment does. Host agents' key stores are issued on first use.
 */
public final class TestSecurity {
  private static final List<String> ALT_NAMES = List.of("localhost", "127.0.0.1");
  private static Path dir;

  private TestSecurity() {}

  /** The directory (created with the services' and the lab hosts' material on first call). */
  public static synchronized Path dir() {
    if (dir == null) {
      try {
        Files.createDirectories(Path.of("target"));
        Path created = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "test-security-");
        SecurityMaterial.ensure(created, List.of(Identity.service("api-gateway"), Identity.service("scheduler-svc"),
            Identity.service("mac-allocator-svc"), Identity.service("arp-svc"), Identity.service("relay-svc"), Identity.hostAgent("network"),
            Identity.hostAgent("compute1"), Identity.hostAgent("compute2")), ALT_NAMES);
        dir = created;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return dir;
  }

  /** The setting that points a service at this material. */
  public static Map<String, String> settings() {
    return Map.of("security.dir", dir().toString());
  }

  /** A user's client (dvrctl's way): it trusts the CA and has no certificate of its own. */
  public static GrpcTls user() {
    return GrpcTls.trusting(dir().resolve(SecurityMaterial.CA_CERT));
  }

  /** The client of the agent of {@code host}, with that host's agent certificate (issued if new). */
  public static GrpcTls agent(String host) {
    return as(Identity.hostAgent(host));
  }

  /** A client presenting the certificate of {@code identity} (issued if new). */
  public static synchronized GrpcTls as(Identity identity) {
    SecurityMaterial.ensure(dir(), List.of(identity), ALT_NAMES);
    return GrpcTls.of(Settings.of(settings()), identity);
  }

  /** How the agent of {@code host} signs its event-bus requests (its credential derived from the tests' secret). */
  public static HostProofs.Sender proof(String host) {
    return HostProofs.sender(host, SecurityMaterial.at(dir()).hostCredentials().keyOf(host), Clock.systemUTC());
  }

  /** The client side of a test on these settings: plaintext when they say insecure, else a user's TLS. */
  public static GrpcTls userFor(Settings settings) {
    return settings.getBoolean("insecure", false) ? GrpcTls.off() : user();
  }
}
