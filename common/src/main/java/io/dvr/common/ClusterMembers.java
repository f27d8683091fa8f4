package io.dvr.common;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.config.Config;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

/**
 * Vert.x's Hazelcast cluster manager that also tells this process when a member left, after the
 * bus has dropped that member's registrations (so that what is sent then reaches a live member).
 */
final class ClusterMembers extends HazelcastClusterManager {
  private volatile Runnable onMemberLeft = () -> {};

  ClusterMembers(Config config) {
    super(config);
  }

  /** Runs on a cluster thread each time a member left; it must not block. */
  void onMemberLeft(Runnable action) {
    this.onMemberLeft = action;
  }

  @Override
  public void memberRemoved(MembershipEvent event) {
    // The cluster manager drops the member's registrations in this call, before it returns.
    super.memberRemoved(event);
    onMemberLeft.run();
  }
}
