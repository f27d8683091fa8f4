package io.dvr.agent.driver.linux;

import static io.dvr.agent.fixtures.SeedTopology.compute1;
import static io.dvr.agent.fixtures.SeedTopology.compute1Facts;
import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.agent.model.Flow;
import io.dvr.agent.render.HostRenderer;
import io.dvr.agent.render.Names;
import io.dvr.proto.v1.HostRouters;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class FlowTextTest {
  /** Lines as OVS 3.1 dumps them with -O OpenFlow13 --no-stats --no-names (taken from a real switch). */
  private static final String DUMP = """
       cookie=0x4456520000000000, priority=2,in_port=5,dl_src=fa:16:3f:12:a3:38 actions=resubmit(,1)
       priority=0 actions=NORMAL
       cookie=0x4456520000000000, table=1, priority=4,dl_vlan=2,dl_dst=fa:16:3e:30:ee:23 actions=pop_vlan,set_field:fa:16:3e:63:3b:4c->eth_src,output:4
       cookie=0x4456520000000000, table=1, priority=3,arp,dl_vlan=2,arp_tpa=81.1.180.1 actions=drop
       cookie=0x4456520000000000, table=4, priority=1,tun_id=0x6 actions=push_vlan:0x8100,set_field:4098->vlan_vid,resubmit(,9)
       cookie=0x4456520000000000, table=10, priority=1 actions=learn(table=20,hard_timeout=300,priority=1,NXM_OF_VLAN_TCI[0..11],NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],load:0->NXM_OF_VLAN_TCI[],load:NXM_NX_TUN_ID[]->NXM_NX_TUN_ID[],output:NXM_OF_IN_PORT[]),output:1
       cookie=0x4456520000000000, table=22, dl_vlan=2 actions=pop_vlan,set_field:0x6->tun_id,output:2,output:3
      """;

  @Test
  @DisplayName("OpenFlow 1.3 dump lines read back in the renderer's classic words")
  void parsesDumpIntoClassicFlows() {
    long c = Names.FLOW_COOKIE;
    assertThat(FlowText.parseDump(DUMP)).containsExactly(
        new Flow(0, 2, "in_port=5,dl_src=fa:16:3f:12:a3:38", "resubmit(,1)", c),
        new Flow(0, 0, "", "NORMAL", 0),
        new Flow(1, 4, "dl_vlan=2,dl_dst=fa:16:3e:30:ee:23", "strip_vlan,mod_dl_src:fa:16:3e:63:3b:4c,output:4", c),
        new Flow(1, 3, "arp,dl_vlan=2,nw_dst=81.1.180.1", "drop", c),
        new Flow(4, 1, "tun_id=0x6", "mod_vlan_vid:2,resubmit(,9)", c),
        new Flow(10, 1, "", "learn(table=20,hard_timeout=300,priority=1,NXM_OF_VLAN_TCI[0..11],"
            + "NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],load:0->NXM_OF_VLAN_TCI[],load:NXM_NX_TUN_ID[]->NXM_NX_TUN_ID[],"
            + "output:NXM_OF_IN_PORT[]),output:1", c),
        new Flow(22, Flow.DEFAULT_PRIORITY, "dl_vlan=2", "strip_vlan,set_tunnel:0x6,output:2,output:3", c));
  }

  @Test
  @DisplayName("add and strict delete lines name cookie, table, priority and match of every rendered flow")
  void writesBundleLines() {
    HostRouters routers = compute1();
    List<Flow> flows = HostRenderer.render(routers, compute1Facts(routers)).bridges().get(Names.BR_TUN).flows()
        .stream().toList();
    Flow drop = new Flow(1, 3, "arp,dl_vlan=2,nw_dst=81.1.180.1", "drop", Names.FLOW_COOKIE);
    assertThat(FlowText.addLine(drop)).isEqualTo("add cookie=0x4456520000000000,table=1,priority=3,"
        + "arp,dl_vlan=2,nw_dst=81.1.180.1,actions=drop");
    assertThat(FlowText.deleteLine(drop)).isEqualTo("delete_strict cookie=0x4456520000000000/-1,table=1,priority=3,"
        + "arp,dl_vlan=2,nw_dst=81.1.180.1");
    assertThat(flows).allSatisfy(f -> assertThat(FlowText.addLine(f)).doesNotContain(" actions").contains(",actions="));
  }
}
