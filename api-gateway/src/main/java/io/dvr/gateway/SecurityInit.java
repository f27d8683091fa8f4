package io.dvr.gateway;

import io.dvr.common.config.Settings;
import io.dvr.common.security.Identity;
import io.dvr.common.security.SecurityMaterial;
import io.dvr.gateway.auth.SecurityFiles;
import io.dvr.gateway.auth.TokenAuthority;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code java -jar api-gateway.jar init-security --host NAME... [--relay NAME]... [--alt-name HOST_OR_IP]...}: makes
 * in {@code security.dir} what a deployment of separate processes needs before its first start,
 * the same material the lab makes on its own first start: the CA, a key store per service and per
 * named host agent (with its event-bus credential), the truststore and its password, the token
 * signing key and {@code admin.token}. Run again, it keeps everything and adds what is missing (a
 * new host; an admin token with less than a week left is written again). Compose runs it once per
 * {@code up}, before the services. Certificates are valid for their own name, {@code localhost},
 * {@code 127.0.0.1}, the names in {@code security.alt-names} and each {@code --alt-name}; relay-svc's
 * also for each {@code --relay}: the names agents reach the relays by ({@code agent.relays}), which
 * their TLS checks. Those names go on relay-svc's certificate only, so that no other key (a host
 * agent's) passes for a relay. A relay named later than its certificate was made gets it issued again.
 */
final class SecurityInit {
  static final String COMMAND = "init-security";
  static final List<String> SERVICES = List.of("api-gateway", "scheduler-svc", "mac-allocator-svc", "arp-svc", "relay-svc");
  static final Identity RELAY = Identity.service("relay-svc");
  private static final Pattern DNS_NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]{0,252})");
  static final String USAGE = "usage: java -jar api-gateway.jar " + COMMAND
      + " --host NAME... [--relay NAME]... [--alt-name HOST_OR_IP]...\n"
      + "  makes the CA, the key stores of " + String.join(", ", SERVICES) + " and of each host agent, the token"
      + " signing key and admin.token in security.dir (" + Settings.envName("security.dir") + ", default ~/.dvr/security);"
      + " --relay: a name agents reach a relay by (agent.relays), added to relay-svc's certificate";

  private SecurityInit() {}

  /** Exit status: 0 done, 1 failed, 2 usage. Blocking (files, key generation). */
  static int run(String[] args, Settings settings, PrintStream out, PrintStream err) {
    List<Identity> identities = new ArrayList<>();
    SERVICES.stream().map(Identity::service).filter(s -> !s.equals(RELAY)).forEach(identities::add);
    List<String> altNames = new ArrayList<>(List.of("localhost", "127.0.0.1"));
    altNames.addAll(settings.getList("security.alt-names", List.of()));
    List<String> relayNames = new ArrayList<>();
    try {
      for (int i = 1; i < args.length; i++) {
        if (i + 1 >= args.length || !List.of("--host", "--relay", "--alt-name").contains(args[i])) {
          err.println("unknown argument '" + args[i] + "'\n" + USAGE);
          return 2;
        }
        String value = args[++i];
        switch (args[i - 1]) {
          case "--host" -> identities.add(Identity.hostAgent(value));
          case "--relay" -> relayNames.add(relayName(value));
          default -> altNames.add(value);
        }
      }
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage() + "\n" + USAGE);
      return 2;
    }
    Path dir = SecurityMaterial.directory(settings);
    Settings here = settings.with("security.dir", dir.toString());
    Vertx vertx = Vertx.vertx();
    try {
      List<String> relayAltNames = new ArrayList<>(altNames);
      relayAltNames.addAll(relayNames);
      if (lacksAny(dir, relayNames)) {
        Files.delete(dir.resolve(RELAY.fileName() + ".p12"));
        out.println("issuing " + RELAY.fileName() + ".p12 again: it was not valid for every relay name of " + relayNames);
      }
      SecurityMaterial.Outcome relay = SecurityMaterial.ensure(dir, List.of(RELAY), relayAltNames);
      SecurityMaterial.Outcome rest = SecurityMaterial.ensure(dir, identities, altNames);
      List<String> created = new ArrayList<>(relay.created());
      created.addAll(rest.created());
      out.println(new SecurityMaterial.Outcome(rest.material(), created).describe());
      Clock clock = Clock.systemUTC();
      TokenAuthority tokens = new TokenAuthority(vertx, SecurityFiles.signingKey(here),
          here.get("auth.issuer", "dvr"), here.get("auth.audience", "dvr-api"), clock);
      out.println("token signing key " + dir.resolve(SecurityFiles.KEY_FILE) + ", admin token "
          + SecurityFiles.adminToken(here, tokens, clock));
      return 0;
    } catch (IllegalArgumentException | IllegalStateException | UncheckedIOException | IOException e) {
      err.println("error: " + e.getMessage());
      return 1;
    } finally {
      vertx.close();
    }
  }

  private static String relayName(String value) {
    if (!DNS_NAME.matcher(value).matches()) {
      throw new IllegalArgumentException("--relay '" + value + "' is not a host name or address: letters, digits, dots"
          + " or dashes, starting with a letter or digit");
    }
    return value;
  }

  /** Whether relay-svc's key store exists but its certificate is not valid for one of these names. */
  private static boolean lacksAny(Path dir, List<String> relayNames) throws IOException {
    Path keystore = dir.resolve(RELAY.fileName() + ".p12");
    if (relayNames.isEmpty() || !Files.exists(keystore)) {
      return false;
    }
    try (InputStream in = Files.newInputStream(keystore)) {
      char[] password = SecurityMaterial.at(dir).password().toCharArray();
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(in, password);
      X509Certificate certificate = (X509Certificate) store.getCertificate(store.aliases().nextElement());
      Set<String> names = new HashSet<>();
      if (certificate.getSubjectAlternativeNames() != null) {
        certificate.getSubjectAlternativeNames().forEach(n -> names.add(String.valueOf(n.get(1))));
      }
      return !names.containsAll(relayNames);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot read " + keystore + ": " + e.getMessage(), e);
    }
  }
}
