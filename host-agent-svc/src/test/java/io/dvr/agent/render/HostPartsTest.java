package io.dvr.agent.render;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.proto.v1.DvrHostMac;
import io.dvr.proto.v1.HostPeer;
import io.dvr.proto.v1.HostPort;
import io.dvr.proto.v1.HostPortIp;
import io.dvr.proto.v1.HostRouters;
import io.dvr.proto.v1.LocalPortInfo;
import io.dvr.proto.v1.RouterInfo;
import io.dvr.proto.v1.RouterPortInfo;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A router's local ports and the peers are read from the host-level lists of the view")
class HostPartsTest {
  private static HostPortIp ip(String subnet, String ip) {
    return HostPortIp.newBuilder().setSubnetId(subnet).setIpAddress(ip).build();
  }

  private static LocalPortInfo local(String id, String mac, String subnet, String ip) {
    return LocalPortInfo.newBuilder().setPortId(id).setMacAddress(mac).setNetworkId("net").setSubnetId(subnet)
        .setIpAddress(ip).build();
  }

  @Test
  @DisplayName("a named port resolves once per address on the router's subnets, ordered by address; unknown ids resolve to nothing")
  void localPorts() {
    HostRouters host = HostRouters.newBuilder()
        .addPorts(HostPort.newBuilder().setPortId("vm1").setMacAddress("m1").setNetworkId("net")
            .addFixedIps(ip("s1", "10.0.0.20")).addFixedIps(ip("s2", "10.0.1.5")).addFixedIps(ip("s9", "10.9.0.5")))
        .addPorts(HostPort.newBuilder().setPortId("vm2").setMacAddress("m2").setNetworkId("net")
            .addFixedIps(ip("s1", "10.0.0.9")))
        .addPorts(HostPort.newBuilder().setPortId("vm3").setMacAddress("m3").setNetworkId("net")
            .addFixedIps(ip("s1", "10.0.0.3")))
        .build();
    RouterInfo router = RouterInfo.newBuilder().setRouterId("r1")
        .addInterfaces(RouterPortInfo.newBuilder().setSubnetId("s1")).addInterfaces(RouterPortInfo.newBuilder().setSubnetId("s2"))
        .addLocalPortIds("vm1").addLocalPortIds("vm2").addLocalPortIds("gone").build();
    assertThat(HostParts.localPorts(host, router)).containsExactly(local("vm2", "m2", "s1", "10.0.0.9"),
        local("vm1", "m1", "s1", "10.0.0.20"), local("vm1", "m1", "s2", "10.0.1.5"));
  }

  @Test
  @DisplayName("peers give the DVR MACs and the tunnel endpoints of those that have them")
  void peers() {
    HostRouters host = HostRouters.newBuilder()
        .addPeers(HostPeer.newBuilder().setHost("compute2").setDvrMac("fa:16:3f:00:00:02"))
        .addPeers(HostPeer.newBuilder().setHost("compute1").setDvrMac("fa:16:3f:00:00:01").setTunnelIp("172.31.0.11"))
        .addPeers(HostPeer.newBuilder().setHost("network").setTunnelIp("172.31.0.10")).build();
    assertThat(HostParts.peerMacs(host)).containsExactly(
        DvrHostMac.newBuilder().setHost("compute1").setMacAddress("fa:16:3f:00:00:01").build(),
        DvrHostMac.newBuilder().setHost("compute2").setMacAddress("fa:16:3f:00:00:02").build());
    assertThat(HostParts.tunnelEndpoints(host)).containsExactly(java.util.Map.entry("compute1", "172.31.0.11"),
        java.util.Map.entry("network", "172.31.0.10"));
  }
}
