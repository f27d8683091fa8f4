package io.dvr.cli;

import com.google.protobuf.Timestamp;
import io.dvr.proto.v1.Agent;
import io.dvr.proto.v1.AllocationPool;
import io.dvr.proto.v1.FixedIp;
import io.dvr.proto.v1.Network;
import io.dvr.proto.v1.Port;
import io.dvr.proto.v1.Status;
import io.dvr.proto.v1.Router;
import io.dvr.proto.v1.RouterInterface;
import io.dvr.proto.v1.Subnet;

/** Resources shaped like the seed article's lab (network node plus two compute nodes). */
final class Fixtures {

  static final String NET1 = "5b1f5ef6-2a1c-4b8e-9d0c-3f1a2b3c4d5e";
  static final String NET2 = "6c2a6f07-3b2d-4c9f-8e1d-4a2b3c4d5e6f";
  static final String SUB1 = "4ec65731-35a5-4637-a59b-a9f2932099f1";
  static final String SUB2 = "13888749-12b3-462e-9afe-c527bd0a297e";
  static final String ROUTER = "e8f12f7a-6938-4e65-88c4-97e4cb211b27";
  static final String PORT = "517bdba3-b117-43ce-851b-bb1d039879dc";

  private Fixtures() {}

  static Network net1() {
    return Network.newBuilder()
        .setId(NET1).setName("net1").setAdminStateUp(true).setStatus(Status.STATUS_ACTIVE)
        .addSubnetIds(SUB1).addSubnetIds(SUB2).setSegmentationId(1001).setRevision(3)
        .setCreatedAt(Timestamp.newBuilder().setSeconds(1_416_477_600L))
        .build();
  }

  static Network net2() {
    return Network.newBuilder().setId(NET2).setName("ext").setRouterExternal(true)
        .setAdminStateUp(true).setStatus(Status.STATUS_ACTIVE).build();
  }

  static Subnet sub1() {
    return Subnet.newBuilder().setId(SUB1).setName("sub1").setNetworkId(NET1).setIpVersion(4)
        .setCidr("81.1.180.0/24").setGatewayIp("81.1.180.1")
        .addAllocationPools(AllocationPool.newBuilder().setStart("81.1.180.2").setEnd("81.1.180.254"))
        .build();
  }

  static Subnet sub2() {
    return Subnet.newBuilder().setId(SUB2).setName("sub2").setNetworkId(NET1).setIpVersion(4)
        .setCidr("91.1.180.0/24").setGatewayIp("91.1.180.1").build();
  }

  static Router router() {
    return Router.newBuilder().setId(ROUTER).setName("dvr-r1").setDistributed(true)
        .setAdminStateUp(true).setStatus(Status.STATUS_ACTIVE)
        .addInterfaces(RouterInterface.newBuilder().setSubnetId(SUB1).setCidr("81.1.180.0/24")
            .setPortId(PORT).setIpAddress("81.1.180.1").setMacAddress("fa:16:3e:63:3b:4c")
            .setSnatPortId("4f80ec3d-f2a0-4b1c-8d2e-1a2b3c4d5e6f").setSnatIpAddress("81.1.180.17"))
        .build();
  }

  static Port vmPort() {
    return Port.newBuilder().setId("f849ae46-4819-45f5-a805-5970d4e31951").setName("vm1")
        .setNetworkId(NET1).setMacAddress("fa:16:3e:ec:f3:dd")
        .addFixedIps(FixedIp.newBuilder().setSubnetId(SUB1).setIpAddress("81.1.180.18"))
        .setDeviceOwner("compute:nova").setBindingHost("compute1")
        .setStatus(Status.STATUS_ACTIVE).setAdminStateUp(true)
        .build();
  }

  static Agent agent(String id, String host, boolean alive) {
    return Agent.newBuilder().setId(id).setHost(host).setAgentType("L3 agent")
        .setAgentMode("network".equals(host) ? "dvr_snat" : "dvr").setAlive(alive)
        .setAdminStateUp(true).setBinary("neutron-l3-agent").build();
  }
}
