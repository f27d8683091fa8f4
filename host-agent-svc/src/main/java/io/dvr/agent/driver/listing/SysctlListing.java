package io.dvr.agent.driver.listing;

import io.dvr.agent.model.NamespaceState;

/** {@code sysctl <key>}. */
public final class SysctlListing {
  private SysctlListing() {}

  public static String print(NamespaceState ns, String key) {
    String value = ns.sysctls().get(key);
    if (value == null) {
      return "sysctl: cannot stat /proc/sys/" + key.replace('.', '/') + ": No such file or directory\n";
    }
    return key + " = " + value + "\n";
  }
}
