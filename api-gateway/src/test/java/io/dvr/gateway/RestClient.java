package io.dvr.gateway;

import io.dvr.common.security.SecurityMaterial;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A blocking HTTP client of the Neutron REST face over a real socket, as any Neutron client calls
 * it: JSON bodies, the token in {@code X-Auth-Token}, HTTPS trusting the CA of a security directory
 * (or plain HTTP for an insecure server).
 */
public final class RestClient {
  private final HttpClient http;
  private final String base;
  private final String token;

  private RestClient(HttpClient http, String base, String token) {
    this.http = http;
    this.base = base;
    this.token = token;
  }

  /** A client of the gateway's REST port with its admin token (TLS unless it runs insecure). */
  public static RestClient of(GatewayFixture gw) {
    boolean tls = gw.adminToken != null;
    return to(tls ? "https" : "http", gw.gateway.restPort(), tls ? TestSecurity.dir() : null, gw.adminToken);
  }

  /** https (trusting the CA in {@code securityDir}) or http, to 127.0.0.1:port, with a token (null: none). */
  public static RestClient to(String scheme, int port, Path securityDir, String token) {
    HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
        .version(HttpClient.Version.HTTP_1_1);
    if (securityDir != null) {
      builder.sslContext(trusting(securityDir.resolve(SecurityMaterial.CA_CERT)));
    }
    return new RestClient(builder.build(), scheme + "://127.0.0.1:" + port, token);
  }

  /** The same server, called with another token (null: none). */
  public RestClient as(String otherToken) {
    return new RestClient(http, base, otherToken);
  }

  public String base() {
    return base;
  }

  /** A response: status, JSON body (null when empty) and headers. */
  public record Response(int status, JsonObject body, Map<String, List<String>> headers, String text) {
    /** The NeutronError's type and message, for failed calls. */
    public String errorType() {
      return body.getJsonObject("NeutronError").getString("type");
    }

    public String errorMessage() {
      return body.getJsonObject("NeutronError").getString("message");
    }
  }

  public Response get(String path) {
    return send("GET", path, null, Map.of());
  }

  public Response post(String path, JsonObject body) {
    return send("POST", path, body, Map.of());
  }

  public Response put(String path, JsonObject body) {
    return send("PUT", path, body, Map.of());
  }

  public Response delete(String path) {
    return send("DELETE", path, null, Map.of());
  }

  public Response send(String method, String path, JsonObject body, Map<String, String> headers) {
    return sendRaw(method, path, body == null ? null : body.encode(), headers);
  }

  public Response sendRaw(String method, String path, String body, Map<String, String> headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
        .header("Accept", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    if (token != null) {
      request.header("X-Auth-Token", token);
    }
    headers.forEach(request::header);
    try {
      HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      String text = response.body();
      JsonObject json = text == null || text.isBlank() ? null : new JsonObject(text);
      return new Response(response.statusCode(), json, response.headers().map(), text);
    } catch (IOException e) {
      throw new UncheckedIOException(method + " " + path + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static SSLContext trusting(Path caPem) {
    try (InputStream in = Files.newInputStream(caPem)) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
      TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(store);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, trust.getTrustManagers(), null);
      return context;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
