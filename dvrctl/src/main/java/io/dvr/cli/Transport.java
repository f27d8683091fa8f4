package io.dvr.cli;

import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.PemTrustOptions;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How dvrctl reaches the server: TLS, verifying the server's certificate (host name included)
 * against a CA certificate ({@code --ca}, {@code DVRCTL_CA}, else the lab's {@code ca.pem} in the
 * security directory: {@code DVR_SECURITY_DIR}, else {@code ~/.dvr/security}); or plaintext with {@code --insecure}, for a server started with
 * {@code DVR_INSECURE=true}. dvrctl presents no certificate of its own.
 */
public record Transport(Path ca, boolean insecure) {
  public static final Transport PLAINTEXT = new Transport(null, true);

  /** TLS trusting {@code ca}; null: the default file. */
  static Transport tls(Path ca) {
    if (ca != null) {
      return new Transport(ca, false);
    }
    String env = System.getenv("DVRCTL_CA");
    // The same security directory the token is looked for in: the lab's CA sits beside its admin token.
    return new Transport(env != null && !env.isBlank() ? Path.of(env)
        : Credentials.securityDir(System::getenv).resolve("ca.pem"), false);
  }

  /** gRPC client options (HTTP/2 with prior knowledge, or by ALPN over TLS). */
  HttpClientOptions options() {
    HttpClientOptions options = new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false);
    if (insecure) {
      return options;
    }
    if (!Files.isReadable(ca)) {
      throw CliError.usage("no CA certificate at " + ca + " to verify the server with: start the lab once (it creates it),"
          + " pass --ca FILE (or DVRCTL_CA), or --insecure for a server started with DVR_INSECURE=true");
    }
    return options.setSsl(true).setUseAlpn(true).setVerifyHost(true)
        .setTrustOptions(new PemTrustOptions().addCertPath(ca.toString()));
  }

  @Override
  public String toString() {
    return insecure ? "plaintext" : "TLS trusting " + ca;
  }
}
