package io.dvr.agent.driver.listing;

import io.dvr.agent.model.NamespaceState;

/** {@code sysctl <key>...}. */
public final class SysctlListing {
  private SysctlListing() {}

  /** Every sysctl of the namespace, one {@code key = value} line each, by key: {@code sysctl} given those keys. */
  public static String print(NamespaceState ns) {
    StringBuilder out = new StringBuilder();
    ns.sysctls().forEach((key, value) -> out.append(key).append(" = ").append(value).append('\n'));
    return out.toString();
  }

  public static String print(NamespaceState ns, String key) {
    String value = ns.sysctls().get(key);
    if (value == null) {
      return "sysctl: cannot stat /proc/sys/" + key.replace('.', '/') + ": No such file or directory\n";
    }
    return key + " = " + value + "\n";
  }
}
