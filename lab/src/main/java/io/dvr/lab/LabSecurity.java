package io.dvr.lab;

import io.dvr.common.config.Settings;
import io.dvr.common.security.Identity;
import io.dvr.common.security.Insecure;
import io.dvr.common.security.SecurityMaterial;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lab's keys and certificates: on its first start it creates, in {@code security.dir}
 * ({@code ~/.dvr/security}), the CA, one key store per service and per host agent, the truststore
 * and their password; later starts reuse them. It also points the event bus's TLS settings
 * ({@code cluster.tls.*}) at them. Nothing of this when insecure.
 */
final class LabSecurity {
  private static final Logger LOG = LoggerFactory.getLogger(LabSecurity.class);
  /** Set on settings this has prepared: the lab's main prepares before Vert.x, the start does not again. */
  private static final String PREPARED = "lab.security-prepared";
  static final List<String> SERVICES = List.of("api-gateway", "scheduler-svc", "mac-allocator-svc", "arp-svc",
      "relay-svc");

  private LabSecurity() {}

  /**
   * Creates what is missing for the services and these hosts, logs where it is, and returns the
   * settings with the event bus's TLS files set (unless set already). Blocking (file I/O, key generation).
   */
  static Settings prepare(Settings settings, List<String> hosts) {
    if (Insecure.on(settings) || settings.getBoolean(PREPARED, false)) {
      return settings;
    }
    Path dir = SecurityMaterial.directory(settings);
    List<Identity> identities = new ArrayList<>();
    SERVICES.forEach(s -> identities.add(Identity.service(s)));
    hosts.forEach(h -> identities.add(Identity.hostAgent(h)));
    SecurityMaterial.Outcome outcome = SecurityMaterial.ensure(dir, identities, altNames(settings));
    LOG.info("{}; dvrctl trusts {} by default", outcome.describe(), outcome.material().caCertificate());
    SecurityMaterial material = outcome.material();
    Settings prepared = settings;
    if (settings.find("cluster.tls.keystore").isEmpty()) {
      // The lab is one process: it is a bus member as api-gateway, the service it hosts first.
      prepared = prepared.with(Map.of(
          "cluster.tls.keystore", material.keystore(Identity.service("api-gateway")).toString(),
          "cluster.tls.truststore", material.truststore().toString(),
          "cluster.tls.password", material.password()));
    }
    return prepared.with(Map.of("security.dir", dir.toString(), PREPARED, "true"));
  }

  /** Issues the key store of a host that joins the lab later, if it has none. Blocking. */
  static void addHost(Settings settings, String host) {
    if (!Insecure.on(settings)) {
      SecurityMaterial.ensure(SecurityMaterial.directory(settings), List.of(Identity.hostAgent(host)), altNames(settings));
    }
  }

  /**
   * Names every certificate of the lab is valid for besides its own: the loopback names the lab's
   * services reach each other by, and {@code security.alt-names} (a list) for a lab reached otherwise.
   */
  static List<String> altNames(Settings settings) {
    List<String> names = new ArrayList<>(List.of("localhost", "127.0.0.1"));
    names.addAll(settings.getList("security.alt-names", List.of()));
    return names;
  }
}
