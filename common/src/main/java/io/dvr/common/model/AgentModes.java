package io.dvr.common.model;

import java.util.Set;

/** L3 agent modes (agent_mode) and the agent type this system's host agents register as. */
public final class AgentModes {
  public static final String L3_AGENT = "L3 agent";
  public static final String DVR = "dvr";
  public static final String DVR_SNAT = "dvr_snat";
  public static final String LEGACY = "legacy";
  public static final Set<String> ALL = Set.of(DVR, DVR_SNAT, LEGACY);

  private AgentModes() {}
}
