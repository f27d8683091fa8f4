package io.dvr.common.security;

import io.dvr.common.config.Settings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code insecure} setting (DVR_INSECURE=true): no TLS on gRPC ports, no client certificates,
 * no host proofs on the event bus; only for a lab on a trusted machine. Default: secure.
 */
public final class Insecure {
  private static final Logger LOG = LoggerFactory.getLogger(Insecure.class);

  private Insecure() {}

  public static boolean on(Settings settings) {
    return settings.getBoolean("insecure", false);
  }

  /** Says loudly, once at a process's start, what is off. */
  public static void warnIfOn(Settings settings, String process) {
    if (on(settings)) {
      LOG.warn("*** INSECURE MODE ({}: insecure / DVR_INSECURE=true) *** TLS on gRPC ports is OFF (plaintext), agents"
          + " are NOT authenticated (any caller may report for any host), authentication and event-bus TLS are OFF."
          + " Anyone who reaches these ports controls the network. Never run this way outside a trusted lab.", process);
    }
  }
}
