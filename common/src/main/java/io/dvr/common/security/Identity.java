package io.dvr.common.security;

import java.util.regex.Pattern;

/**
 * Who a certificate names: a control-plane service ({@code api-gateway}, {@code scheduler-svc},
 * ...) or the agent of one host. The file name of its key store is {@link #fileName()}:
 * {@code <service>} or {@code host-<hostname>}. A host agent's certificate carries the host name
 * as its common name and DNS name, under the organisational unit {@link #HOST_AGENT_UNIT}; that
 * unit, not the name, is what tells an agent from a service.
 */
public record Identity(Kind kind, String name) {
  public static final String HOST_AGENT_UNIT = "dvr host agent";
  public static final String SERVICE_UNIT = "dvr service";
  public static final String CLIENT_UNIT = "dvr client";
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]{0,62})");

  public enum Kind { SERVICE, HOST_AGENT, CLIENT }

  public Identity {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("identity name '" + name
          + "' must be 1-63 letters, digits, dots or dashes, starting with a letter or digit");
    }
  }

  public static Identity service(String name) {
    return new Identity(Kind.SERVICE, name);
  }

  public static Identity hostAgent(String host) {
    return new Identity(Kind.HOST_AGENT, host);
  }

  /** A client that is neither a service nor an agent (an operator's tool): it may present it, it proves no host. */
  public static Identity client(String name) {
    return new Identity(Kind.CLIENT, name);
  }

  public String fileName() {
    return kind == Kind.HOST_AGENT ? "host-" + name : name;
  }

  String unit() {
    return switch (kind) {
      case SERVICE -> SERVICE_UNIT;
      case HOST_AGENT -> HOST_AGENT_UNIT;
      case CLIENT -> CLIENT_UNIT;
    };
  }
}
