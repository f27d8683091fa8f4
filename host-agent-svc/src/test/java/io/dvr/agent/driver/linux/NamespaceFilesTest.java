package io.dvr.agent.driver.linux;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class NamespaceFilesTest {

  @Test
  @DisplayName("only nsfs mounts under /run/netns count as live namespaces")
  void mountedNamespacesFromMountinfo() {
    String mountinfo = """
        22 1 0:21 / /run rw,nosuid shared:5 - tmpfs tmpfs rw,mode=755
        610 22 0:4 net:[4026532301] /run/netns/qrouter-a rw shared:290 - nsfs nsfs rw
        611 22 0:4 net:[4026532301] /var/run/netns/fip-b rw - nsfs nsfs rw
        612 22 0:21 /netns /run/netns rw shared:5 - tmpfs tmpfs rw
        613 22 0:4 net:[4026532402] /proc/1/ns/net rw - nsfs nsfs rw
        614 22 0:44 / /run/netns/snat-c rw - tmpfs tmpfs rw
        """;
    assertThat(NamespaceFiles.mounted(mountinfo)).containsExactly("fip-b", "qrouter-a");
  }
}
