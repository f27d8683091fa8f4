package io.dvr.agent.model;

/** How a network device is made; decides how it is created and printed. */
public enum DeviceKind {
  /** An Open vSwitch internal port moved into a namespace (qr-, sg-, qg-, fg-). */
  OVS_INTERNAL,
  /** One end of a veth pair (rfp-/fpr-). */
  VETH,
  LOOPBACK,
  /** Anything else found on a host; never created by the agent. */
  OTHER
}
