package io.dvr.lab;

import io.dvr.common.config.Settings;
import io.dvr.common.security.Identity;
import io.dvr.common.security.SecurityMaterial;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code java -jar dvr-lab.jar mint host|service NAME [--alt-name N]...}: issues, with the CA in
 * {@code security.dir}, the key store of a host agent or a service that joins a real deployment
 * (and a host's event-bus credential), for copying to that machine. Never replaces an existing one.
 */
final class MintCommand {
  static final String USAGE = "usage: java -jar dvr-lab.jar mint host|service NAME [--alt-name HOST_OR_IP]...\n"
      + "  issues NAME's key store (and a host's event-bus credential) with the CA in security.dir ("
      + Settings.envName("security.dir") + ", default ~/.dvr/security)";

  private MintCommand() {}

  /** Exit status: 0 done, 1 refused, 2 usage. */
  static int run(String[] args, Settings settings, PrintStream out, PrintStream err) {
    if (args.length < 3 || !args[0].equals("mint") || !(args[1].equals("host") || args[1].equals("service"))) {
      err.println(USAGE);
      return 2;
    }
    List<String> altNames = new ArrayList<>();
    for (int i = 3; i < args.length; i++) {
      if (!args[i].equals("--alt-name") || i + 1 >= args.length) {
        err.println("unknown argument '" + args[i] + "'\n" + USAGE);
        return 2;
      }
      altNames.add(args[++i]);
    }
    try {
      Identity identity = args[1].equals("host") ? Identity.hostAgent(args[2]) : Identity.service(args[2]);
      Path dir = SecurityMaterial.directory(settings);
      for (Path written : SecurityMaterial.at(dir).mint(identity, altNames)) {
        out.println("wrote " + written);
      }
      out.println("password of the key store: " + dir.resolve(SecurityMaterial.PASSWORD) + "; CA: "
          + dir.resolve(SecurityMaterial.CA_CERT) + "; truststore: " + dir.resolve(SecurityMaterial.TRUSTSTORE));
      return 0;
    } catch (IllegalArgumentException | IllegalStateException | java.io.UncheckedIOException e) {
      err.println("error: " + e.getMessage());
      return 1;
    }
  }
}
