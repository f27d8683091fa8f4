package io.dvr.relay;

import io.dvr.common.config.Settings;

/**
 * A relay's settings: its name (in the agents' logs), how often it sends a keepalive down a quiet
 * stream ({@code relay.keepalive-ms}, 5 s) and the longest an agent's request may wait for its
 * answer ({@code relay.max-request-ms}, 30 s).
 */
record RelaySettings(String name, long keepaliveMillis, long maxRequestMillis) {
  RelaySettings {
    if (keepaliveMillis < 10) {
      throw new IllegalArgumentException("setting relay.keepalive-ms (" + Settings.envName("relay.keepalive-ms")
          + ") is " + keepaliveMillis + "; it must be at least 10");
    }
    if (maxRequestMillis < 1) {
      throw new IllegalArgumentException("setting relay.max-request-ms (" + Settings.envName("relay.max-request-ms")
          + ") is " + maxRequestMillis + "; it must be at least 1");
    }
  }

  static RelaySettings of(Settings settings) {
    return new RelaySettings(settings.get("relay.name", defaultName()), settings.getLong("relay.keepalive-ms", 5_000),
        settings.getLong("relay.max-request-ms", 30_000));
  }

  private static String defaultName() {
    String host = System.getenv("HOSTNAME");
    return host == null || host.isBlank() ? "relay" : "relay@" + host;
  }
}
