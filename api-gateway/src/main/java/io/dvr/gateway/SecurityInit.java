package io.dvr.gateway;

import io.dvr.common.config.Settings;
import io.dvr.common.security.Identity;
import io.dvr.common.security.SecurityMaterial;
import io.dvr.gateway.auth.SecurityFiles;
import io.dvr.gateway.auth.TokenAuthority;
import io.vertx.core.Vertx;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code java -jar api-gateway.jar init-security --host NAME... [--alt-name HOST_OR_IP]...}: makes
 * in {@code security.dir} what a deployment of separate processes needs before its first start,
 * the same material the lab makes on its own first start: the CA, a key store per service and per
 * named host agent (with its event-bus credential), the truststore and its password, the token
 * signing key and {@code admin.token}. Run again, it keeps everything and adds what is missing (a
 * new host; an admin token with less than a week left is written again). Compose runs it once per
 * {@code up}, before the services. Certificates are valid for their own name, {@code localhost},
 * {@code 127.0.0.1}, the names in {@code security.alt-names} and each {@code --alt-name}.
 */
final class SecurityInit {
  static final String COMMAND = "init-security";
  static final List<String> SERVICES = List.of("api-gateway", "scheduler-svc", "mac-allocator-svc", "arp-svc");
  static final String USAGE = "usage: java -jar api-gateway.jar " + COMMAND + " --host NAME... [--alt-name HOST_OR_IP]...\n"
      + "  makes the CA, the key stores of " + String.join(", ", SERVICES) + " and of each host agent, the token"
      + " signing key and admin.token in security.dir (" + Settings.envName("security.dir") + ", default ~/.dvr/security)";

  private SecurityInit() {}

  /** Exit status: 0 done, 1 failed, 2 usage. Blocking (files, key generation). */
  static int run(String[] args, Settings settings, PrintStream out, PrintStream err) {
    List<Identity> identities = new ArrayList<>();
    SERVICES.forEach(s -> identities.add(Identity.service(s)));
    List<String> altNames = new ArrayList<>(List.of("localhost", "127.0.0.1"));
    altNames.addAll(settings.getList("security.alt-names", List.of()));
    try {
      for (int i = 1; i < args.length; i++) {
        if (i + 1 >= args.length || !(args[i].equals("--host") || args[i].equals("--alt-name"))) {
          err.println("unknown argument '" + args[i] + "'\n" + USAGE);
          return 2;
        }
        String value = args[++i];
        if (args[i - 1].equals("--host")) {
          identities.add(Identity.hostAgent(value));
        } else {
          altNames.add(value);
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
      out.println(SecurityMaterial.ensure(dir, identities, altNames).describe());
      Clock clock = Clock.systemUTC();
      TokenAuthority tokens = new TokenAuthority(vertx, SecurityFiles.signingKey(here),
          here.get("auth.issuer", "dvr"), here.get("auth.audience", "dvr-api"), clock);
      out.println("token signing key " + dir.resolve(SecurityFiles.KEY_FILE) + ", admin token "
          + SecurityFiles.adminToken(here, tokens, clock));
      return 0;
    } catch (IllegalArgumentException | IllegalStateException | UncheckedIOException e) {
      err.println("error: " + e.getMessage());
      return 1;
    } finally {
      vertx.close();
    }
  }
}
