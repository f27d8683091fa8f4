package io.dvr.common;

import io.vertx.core.spi.VertxServiceProvider;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLConnection;
import java.net.URLStreamHandler;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Enumeration;
import java.util.function.Supplier;

/**
 * The class loader a local (unclustered) Vert.x is built under: the process's own, except that
 * the Vert.x service providers it lists leave out cluster managers.
 *
 * <p>Why: Vert.x instantiates every {@link VertxServiceProvider} its context class loader lists,
 * and vertx-hazelcast lists its {@code HazelcastClusterManager}, so building even a local Vert.x
 * would load Hazelcast's classes (its cluster manager, config and instance types). This project
 * never takes a cluster manager from there: a clustered process gives its own ({@link
 * ClusterBootstrap}). Every other resource and every class come from the parent unchanged. (Were
 * no provider left, Vert.x would look again through its own class loader and find the cluster
 * manager there; every service lists others: gRPC's, Micrometer's.)
 */
final class LocalServiceProviders extends ClassLoader {
  static final String PROVIDERS = "META-INF/services/" + VertxServiceProvider.class.getName();
  /** The package of every cluster manager Vert.x ships (Hazelcast, Infinispan, Ignite, ZooKeeper). */
  static final String CLUSTER_MANAGERS = "io.vertx.spi.cluster.";

  private LocalServiceProviders(ClassLoader parent) {
    super(parent);
  }

  /** What {@code build} returns, built with this loader as the thread's context class loader. */
  static <T> T whileBuilding(Supplier<T> build) {
    Thread thread = Thread.currentThread();
    ClassLoader before = thread.getContextClassLoader();
    thread.setContextClassLoader(new LocalServiceProviders(
        before != null ? before : LocalServiceProviders.class.getClassLoader()));
    try {
      return build.get();
    } finally {
      thread.setContextClassLoader(before);
    }
  }

  @Override
  public Enumeration<URL> getResources(String name) throws IOException {
    if (!PROVIDERS.equals(name)) {
      return super.getResources(name);
    }
    StringBuilder kept = new StringBuilder();
    for (URL listing : Collections.list(super.getResources(name))) {
      try (BufferedReader lines = new BufferedReader(new InputStreamReader(listing.openStream(), StandardCharsets.UTF_8))) {
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
          int comment = line.indexOf('#');
          String provider = (comment >= 0 ? line.substring(0, comment) : line).trim();
          if (!provider.isEmpty() && !provider.startsWith(CLUSTER_MANAGERS)) {
            kept.append(provider).append('\n');
          }
        }
      }
    }
    return Collections.enumeration(Collections.singletonList(inMemory(name, kept.toString().getBytes(StandardCharsets.UTF_8))));
  }

  /** A URL whose content is these bytes (ServiceLoader reads a listing through its URL). */
  private static URL inMemory(String name, byte[] content) {
    try {
      return new URL("dvr-filtered", "", -1, "/" + name, new URLStreamHandler() {
        @Override
        protected URLConnection openConnection(URL url) {
          return new URLConnection(url) {
            @Override
            public void connect() {}

            @Override
            public InputStream getInputStream() {
              return new ByteArrayInputStream(content);
            }
          };
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
