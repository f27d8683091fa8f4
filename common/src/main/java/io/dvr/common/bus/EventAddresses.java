package io.dvr.common.bus;

/** Event-bus addresses. Payloads are serialised dvr.v1 messages. */
public final class EventAddresses {
  /** Published once per committed change: a serialised {@code dvr.v1.ResourceChanged}. */
  public static final String RESOURCE_CHANGED = "dvr.events.resource-changed";
  /** Header naming the resource type of a {@link #RESOURCE_CHANGED} message, for cheap filtering. */
  public static final String RESOURCE_TYPE_HEADER = "resource-type";

  private EventAddresses() {}
}
