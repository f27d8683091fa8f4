package io.dvr.common.net;

import io.vertx.core.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;

/** A {@code host:port} as users write them in settings and options; an IPv6 host is written in brackets. */
public record HostPort(String host, int port) {

  public HostPort {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("empty host");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port " + port + " is out of range 1-65535");
    }
  }

  public static HostPort parse(String text) {
    int colon = text.lastIndexOf(':');
    if (colon <= 0 || colon == text.length() - 1) {
      throw new IllegalArgumentException("'" + text + "' is not HOST:PORT");
    }
    String host = text.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    } else if (host.contains(":")) {
      throw new IllegalArgumentException("'" + text + "' is not HOST:PORT (write an IPv6 host as [addr])");
    }
    int port;
    try {
      port = Integer.parseInt(text.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "' has no numeric port");
    }
    return new HostPort(host, port);
  }

  /**
   * The comma-separated {@code host:port} list of a setting; a bad item is refused naming the
   * setting ({@code name}, as the message should show it) and the item.
   */
  public static List<HostPort> parseList(String name, String value) {
    List<HostPort> out = new ArrayList<>();
    for (String item : value.split(",")) {
      try {
        out.add(parse(item.trim()));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("setting " + name + " has '" + item.trim() + "': " + e.getMessage()
            + "; expected host:port[,host:port...]");
      }
    }
    return out;
  }

  public SocketAddress socketAddress() {
    return SocketAddress.inetSocketAddress(port, host);
  }

  @Override
  public String toString() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }
}
