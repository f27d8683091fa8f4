package io.dvr.common.cluster;

import com.hazelcast.config.JavaSerializationFilterConfig;
import io.dvr.common.config.Settings;
import io.dvr.common.security.Identity;
import io.dvr.common.security.Insecure;
import io.dvr.common.security.SecurityMaterial;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.PfxOptions;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How this member takes part in the clustered event bus: by default TLS with client
 * authentication (PKCS12 key and certificate from {@code cluster.tls.keystore}, the cluster CA from
 * {@code cluster.tls.truststore}, one password {@code cluster.tls.password}) and routing only to
 * members that signed their record with such a certificate ({@link TrustedClusterManager});
 * with {@code insecure=true} plaintext and Vert.x's plain Hazelcast routing, loudly.
 */
public final class BusSecurity {
  public static final String KEYSTORE = "cluster.tls.keystore";
  public static final String TRUSTSTORE = "cluster.tls.truststore";
  public static final String PASSWORD = "cluster.tls.password";
  private static final Logger LOG = LoggerFactory.getLogger(BusSecurity.class);

  private final Path keystore;
  private final Path truststore;
  private final String password;

  private BusSecurity(Path keystore, Path truststore, String password) {
    this.keystore = keystore;
    this.truststore = truststore;
    this.password = password;
  }

  /**
   * The bus security these settings ask for; an IllegalStateException naming the setting when
   * the bus is secure (the default) and its material is missing or unreadable.
   */
  public static BusSecurity from(Settings settings) {
    if (settings.getBoolean("insecure", false)) {
      LOG.warn("INSECURE (insecure=true): the clustered event bus runs in PLAINTEXT without member "
          + "authentication; any process that reaches the cluster can read, send and receive its messages");
      return new BusSecurity(null, null, null);
    }
    BusSecurity secure = new BusSecurity(file(settings, KEYSTORE, "this member's PKCS12 key and certificate"),
        file(settings, TRUSTSTORE, "a PKCS12 truststore holding the cluster CA"), required(settings, PASSWORD,
        "the password of both PKCS12 files"));
    // Read both now: a wrong password or file is a start-up error, not a failure at the first message.
    secure.identity();
    secure.verifier();
    return secure;
  }

  /**
   * The settings with the bus's files taken from {@code security.dir} when they are not set, as
   * the gRPC port takes its own: this member's {@code <identity>.p12}, {@code truststore.p12} and
   * the password in {@code keystore.password}. Only when clustered, secure, and that key store is
   * there (otherwise the missing setting stays the start-up error it was). Blocking (reads the password).
   */
  public static Settings withMaterialOf(Settings settings, Identity identity) {
    if (!settings.getBoolean("cluster.enabled", false) || Insecure.on(settings) || settings.find(KEYSTORE).isPresent()) {
      return settings;
    }
    SecurityMaterial material = SecurityMaterial.at(SecurityMaterial.directory(settings));
    Path keystore = material.keystore(identity);
    if (!Files.isReadable(keystore)) {
      return settings;
    }
    Map<String, String> bus = new HashMap<>();
    bus.put(KEYSTORE, keystore.toString());
    if (settings.find(TRUSTSTORE).isEmpty()) {
      bus.put(TRUSTSTORE, material.truststore().toString());
    }
    if (settings.find(PASSWORD).isEmpty() && Files.isReadable(material.dir().resolve(SecurityMaterial.PASSWORD))) {
      bus.put(PASSWORD, material.password());
    }
    return settings.with(bus);
  }

  public boolean secure() {
    return keystore != null;
  }

  /** Event-bus options: TLS, a client certificate required, only the cluster CA trusted. */
  public EventBusOptions eventBusOptions() {
    EventBusOptions options = new EventBusOptions();
    if (!secure()) {
      return options;
    }
    return options.setSsl(true)
        .setKeyCertOptions(new PfxOptions().setPath(keystore.toString()).setPassword(password))
        .setTrustOptions(new PfxOptions().setPath(truststore.toString()).setPassword(password))
        .setClientAuth(ClientAuth.REQUIRED)
        // The event bus trusts every certificate unless told otherwise (EventBusOptions.DEFAULT_TRUST_ALL).
        .setTrustAll(false);
  }

  /**
   * Hazelcast as Vert.x clusters it, when secure behind the routing defence and refusing to
   * Java-deserialize anything but JDK and Hazelcast classes: any member may put any object into a
   * map this member reads, and a serialized gadget must not run code here.
   */
  public ClusterManager clusterManager(HazelcastClusterManager hazelcast) {
    if (!secure()) {
      return hazelcast;
    }
    if (hazelcast.getConfig() != null) {
      // Defaults on: Hazelcast's blacklist of known gadgets, and only java*, com.hazelcast. and arrays.
      hazelcast.getConfig().getSerializationConfig().setJavaSerializationFilterConfig(
          new JavaSerializationFilterConfig().setDefaultsDisabled(false));
    }
    return new TrustedClusterManager(hazelcast, identity(), verifier());
  }

  BusIdentity identity() {
    return BusIdentity.load(keystore, password, KEYSTORE);
  }

  PeerVerifier verifier() {
    return PeerVerifier.load(truststore, password, TRUSTSTORE);
  }

  private static Path file(Settings settings, String key, String what) {
    Path path = Path.of(required(settings, key, what));
    if (!Files.isReadable(path)) {
      throw new IllegalStateException("setting " + key + " (" + Settings.envName(key) + "): no readable file at '"
          + path + "'; it should hold " + what);
    }
    return path;
  }

  private static String required(Settings settings, String key, String what) {
    return settings.find(key).orElseThrow(() -> new IllegalStateException("the clustered event bus needs setting "
        + key + " (" + Settings.envName(key) + "): " + what + "; or set insecure=true (DVR_INSECURE) for a "
        + "plaintext bus without member authentication"));
  }
}
