package io.dvr.agent.driver.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dvr.agent.model.Flow;
import java.util.HexFormat;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The bytes of flow_mods and bundle messages, field by field as the OpenFlow 1.3 and 1.4
 * specifications lay them out (ofp_header, ofp_flow_mod, ofp_match with OXM TLVs, instructions,
 * actions, ofp_bundle_ctrl_msg / ofp_bundle_add_msg, OVS's ONF experimenter form on 1.3).
 */
class FlowModsTest {
  private static final long COOKIE = 0x4456520000000000L;
  private static final Flow LOCAL_PORT = new Flow(1, 4, "dl_vlan=12,dl_dst=fa:16:3e:00:00:01",
      "strip_vlan,mod_dl_src:fa:16:3e:00:00:fe,output:7", COOKIE);
  private static final Flow GATEWAY_ARP = new Flow(1, 3, "arp,dl_vlan=3,nw_dst=10.0.0.1", "drop", COOKIE);

  private static byte[] hex(String... parts) {
    return HexFormat.of().parseHex(String.join("", parts).replace(" ", ""));
  }

  private static byte[] add(Flow f, int version, int xid) throws Exception {
    return FlowMods.encode(new FlowMods.Change(FlowMods.Kind.ADD, f), version, xid);
  }

  @Test
  @DisplayName("an add: flow_mod header, cookie, no cookie mask, table, ADD, priority, no buffer, ANY ports, then the"
      + " OXM match (eth_dst before vlan_vid, padded to 8) and one apply-actions instruction")
  void addWithActions() throws Exception {
    assertThat(add(LOCAL_PORT, OpenFlowMessages.OF13, 0x11)).isEqualTo(hex(
        "04 0e 0078 00000011", // OF1.3, FLOW_MOD, 120 bytes, xid
        "4456520000000000 0000000000000000", // cookie, cookie_mask
        "01 00 0000 0000 0004", // table 1, OFPFC_ADD, idle, hard, priority 4
        "ffffffff ffffffff ffffffff 0000 0000", // buffer_id, out_port, out_group, flags, pad
        "0001 0014", // OFPMT_OXM, length 4 + 16
        "80000606 fa163e000001", // OXM_OF_ETH_DST
        "80000c02 100c", // OXM_OF_VLAN_VID: present | 12
        "00000000", // pad to 8
        "0004 0030 00000000", // OFPIT_APPLY_ACTIONS, 48 bytes
        "0012 0008 00000000", // OFPAT_POP_VLAN
        "0019 0010 80000806 fa163e0000fe 0000", // OFPAT_SET_FIELD eth_src, padded
        "0000 0010 00000007 0000 000000000000")); // OFPAT_OUTPUT port 7, max_len 0
  }

  @Test
  @DisplayName("a delete_strict: our cookie with an all-ones mask, DELETE_STRICT, the same match, no instructions")
  void deleteStrictByCookie() throws Exception {
    assertThat(FlowMods.encode(new FlowMods.Change(FlowMods.Kind.DELETE_STRICT, LOCAL_PORT), OpenFlowMessages.OF13, 0x12))
        .isEqualTo(hex("04 0e 0048 00000012", "4456520000000000 ffffffffffffffff", "01 04 0000 0000 0004",
            "ffffffff ffffffff ffffffff 0000 0000", "0001 0014 80000606 fa163e000001 80000c02 100c 00000000"));
  }

  @Test
  @DisplayName("arp with nw_dst is eth_type 0x0806 then arp_tpa; drop is no instruction at all (OpenFlow 1.4 header)")
  void arpDrop() throws Exception {
    assertThat(add(GATEWAY_ARP, OpenFlowMessages.OF14, 5)).isEqualTo(hex("05 0e 0048 00000005",
        "4456520000000000 0000000000000000", "01 00 0000 0000 0003", "ffffffff ffffffff ffffffff 0000 0000",
        "0001 0018", "80000a02 0806", "80000c02 1003", "80002e04 0a000001"));
  }

  @Test
  @DisplayName("ip with a prefix is a masked ipv4_dst; a masked dl_dst carries value and mask")
  void masks() throws Exception {
    byte[] subnet = add(new Flow(1, 2, "ip,dl_vlan=3,nw_dst=10.10.0.0/16", "drop", COOKIE), OpenFlowMessages.OF13, 1);
    assertThat(slice(subnet, 48, 32)).isEqualTo(hex("0001 001c", "80000a02 0800", "80000c02 1003",
        "80001908 0a0a0000 ffff0000", "00000000"));
    byte[] unicast = add(new Flow(2, 0, "dl_dst=00:00:00:00:00:00/01:00:00:00:00:00", "resubmit(,20)", COOKIE),
        OpenFlowMessages.OF13, 1);
    assertThat(slice(unicast, 48, 24)).isEqualTo(hex("0001 0014", "8000070c 000000000000 010000000000", "00000000"));
    // resubmit(,20): NXAST_RESUBMIT_TABLE with in_port OFPP_IN_PORT (0xfff8), table 20
    assertThat(slice(unicast, 72, 24)).isEqualTo(hex("0004 0018 00000000", "ffff 0010 00002320 000e fff8 14 000000"));
  }

  @Test
  @DisplayName("mod_vlan_vid pushes a tag where the frame has none (then set_field vlan_vid), set_tunnel is set_field tunnel_id")
  void vlanAndTunnel() throws Exception {
    byte[] toLocalVlan = add(new Flow(4, 1, "tun_id=0x64", "mod_vlan_vid:5,resubmit(,9)", COOKIE), OpenFlowMessages.OF13, 1);
    assertThat(slice(toLocalVlan, 48, 16)).isEqualTo(hex("0001 0010", "80004c08 0000000000000064")); // no pad: 16
    assertThat(slice(toLocalVlan, 64, 48)).isEqualTo(hex("0004 0030 00000000", "0011 0008 8100 0000",
        "0019 0010 80000c02 1005 000000000000", "ffff 0010 00002320 000e fff8 09 000000"));
    byte[] flood = add(new Flow(22, 32768, "dl_vlan=5", "strip_vlan,set_tunnel:0x64,output:3,output:4", COOKIE),
        OpenFlowMessages.OF13, 1);
    assertThat(slice(flood, 72, 24)).isEqualTo(hex("0012 0008 00000000", "0019 0010 80004c08 0000000000000064"));
    byte[] retag = add(new Flow(1, 1, "dl_vlan=5", "mod_vlan_vid:6,NORMAL", COOKIE), OpenFlowMessages.OF13, 1);
    // The frame has a tag already: no push, and NORMAL is an output to OFPP_NORMAL.
    assertThat(slice(retag, 64, 40)).isEqualTo(hex("0004 0028 00000000", "0019 0010 80000c02 1006 000000000000",
        "0000 0010 fffffffa 0000 000000000000"));
  }

  @Test
  @DisplayName("learn: nx_action_learn with its timeouts, priority and table, then one spec per word, zero-padded to 8")
  void learn() throws Exception {
    String learn = "learn(table=20,hard_timeout=300,priority=1,NXM_OF_VLAN_TCI[0..11],"
        + "NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],load:0->NXM_OF_VLAN_TCI[],load:NXM_NX_TUN_ID[]->NXM_NX_TUN_ID[],"
        + "output:NXM_OF_IN_PORT[])";
    byte[] m = add(new Flow(10, 1, "", learn, COOKIE), OpenFlowMessages.OF13, 1);
    assertThat(slice(m, 56, 8)).isEqualTo(hex("0004 0068 00000000")); // 8 + 96
    assertThat(slice(m, 64, 96)).isEqualTo(hex(
        "ffff 0060 00002320 0010", // NXAST_LEARN, 96 bytes
        "0000 012c 0001 0000000000000000 0000 14 00 0000 0000", // idle, hard 300, priority 1, cookie, flags, table 20
        "000c 00000802 0000 00000802 0000", // match 12 bits: vlan_tci[0..11] = vlan_tci[0..11]
        "0030 00000406 0000 00000206 0000", // match 48 bits: eth_dst = eth_src
        "2810 0000 00000802 0000", // load immediate 16 bits: 0 -> vlan_tci
        "0840 00012008 0000 00012008 0000", // load 64 bits: tun_id -> tun_id
        "1010 00000002 0000", // output 16 bits: in_port
        "00000000")); // end of specs, to 8
  }

  @Test
  @DisplayName("bundle messages: OpenFlow 1.4's own types; on 1.3 the ONF experimenter (2300/2301) with the same body;"
      + " an add carries its flow_mod's xid")
  void bundleMessages() throws Exception {
    assertThat(OpenFlowMessages.bundleControl(OpenFlowMessages.OF14, 9, 1, OpenFlowMessages.OPEN_REQUEST))
        .isEqualTo(hex("05 21 0010 00000009", "00000001 0000 0003"));
    assertThat(OpenFlowMessages.bundleControl(OpenFlowMessages.OF13, 9, 1, OpenFlowMessages.COMMIT_REQUEST))
        .isEqualTo(hex("04 04 0018 00000009", "4f4e4600 000008fc", "00000001 0004 0003"));
    byte[] mod = add(GATEWAY_ARP, OpenFlowMessages.OF13, 0x2a);
    byte[] add13 = OpenFlowMessages.bundleAdd(OpenFlowMessages.OF13, 1, mod);
    assertThat(slice(add13, 0, 24)).isEqualTo(hex("04 04 0060 0000002a", "4f4e4600 000008fd", "00000001 0000 0003"));
    assertThat(slice(add13, 24, mod.length)).isEqualTo(mod);
    byte[] add14 = OpenFlowMessages.bundleAdd(OpenFlowMessages.OF14, 1, add(GATEWAY_ARP, OpenFlowMessages.OF14, 0x2a));
    assertThat(slice(add14, 0, 16)).isEqualTo(hex("05 22 0058 0000002a", "00000001 0000 0003"));
    assertThat(OpenFlowMessages.bundleControlType(hex("04 04 0018 00000009", "4f4e4600 000008fc", "00000001 0005 0003")))
        .isEqualTo(OpenFlowMessages.COMMIT_REPLY);
  }

  @Test
  @DisplayName("hello offers 1.3 and 1.4 by bitmap; the switch's bitmap picks the highest in both")
  void helloAndNegotiation() {
    assertThat(OpenFlowMessages.hello(1)).isEqualTo(hex("05 00 0010 00000001", "0001 0008 00000030"));
    assertThat(OpenFlowMessages.negotiate(hex("06 00 0010 00000001", "0001 0008 00000072"))).isEqualTo(OpenFlowMessages.OF14);
    assertThat(OpenFlowMessages.negotiate(hex("06 00 0010 00000001", "0001 0008 00000012"))).isEqualTo(OpenFlowMessages.OF13);
    assertThat(OpenFlowMessages.negotiate(hex("04 00 0008 00000001"))).isEqualTo(OpenFlowMessages.OF13);
    assertThat(OpenFlowMessages.negotiate(hex("06 00 0010 00000001", "0001 0008 00000002"))).isZero();
  }

  @Test
  @DisplayName("a word the encoder does not know is refused before anything is sent, naming the flow and the word")
  void unencodable() {
    assertThatThrownBy(() -> add(new Flow(0, 5, "ct_state=+trk", "drop", COOKIE), OpenFlowMessages.OF13, 1))
        .isInstanceOf(FlowMods.UnencodableFlowException.class).hasMessageContaining("ct_state=+trk")
        .hasMessageContaining("table=0,priority=5");
    assertThatThrownBy(() -> add(new Flow(0, 5, "", "ct(commit)", COOKIE), OpenFlowMessages.OF13, 1))
        .isInstanceOf(FlowMods.UnencodableFlowException.class).hasMessageContaining("action ct(commit)");
    assertThatThrownBy(() -> add(new Flow(0, 5, "dl_vlan=4096", "drop", COOKIE), OpenFlowMessages.OF13, 1))
        .isInstanceOf(FlowMods.UnencodableFlowException.class).hasMessageContaining("dl_vlan=4096");
  }

  @Test
  @DisplayName("a flow OpenFlow forbids is refused before anything is sent, naming the flow and the rule; a delete is"
      + " held to its match's rules alone; unchecked, the same flows encode (the switch is then the judge)")
  void refusedBeforeSending() throws Exception {
    Flow noIp = new Flow(1, 3, "dl_vlan=12,nw_dst=10.9.0.0/16", "drop", COOKIE);
    assertThatThrownBy(() -> add(noIp, OpenFlowMessages.OF13, 1)).isInstanceOf(FlowMods.RefusedFlowException.class)
        .hasMessageContaining(FlowText.addLine(noIp)).hasMessageContaining("nw_dst needs ip or arp");
    assertThatThrownBy(() -> FlowMods.encode(new FlowMods.Change(FlowMods.Kind.DELETE_STRICT, noIp), OpenFlowMessages.OF13, 1))
        .isInstanceOf(FlowMods.RefusedFlowException.class).hasMessageContaining("nw_dst needs ip or arp");
    assertThatThrownBy(() -> add(new Flow(1, 3, "in_port=65280", "drop", COOKIE), OpenFlowMessages.OF13, 1))
        .isInstanceOf(FlowMods.RefusedFlowException.class).hasMessageContaining("in_port=65280");
    assertThatThrownBy(() -> add(new Flow(1, 3, "", "output:65280", COOKIE), OpenFlowMessages.OF13, 1))
        .isInstanceOf(FlowMods.RefusedFlowException.class).hasMessageContaining("output=65280");
    assertThatThrownBy(() -> add(new Flow(4, 3, "", "goto_table:4", COOKIE), OpenFlowMessages.OF13, 1))
        .isInstanceOf(FlowMods.RefusedFlowException.class).hasMessageContaining("does not go forward from table 4");
    assertThatThrownBy(() -> add(new Flow(1, 3, "dl_vlan=3", "strip_vlan,pop_vlan,output:1", COOKIE), OpenFlowMessages.OF13, 1))
        .isInstanceOf(FlowMods.RefusedFlowException.class).hasMessageContaining("pop_vlan where the frame has no VLAN");
    // Where the rules hold, nothing is refused: a VLAN pushed again may be popped again, a delete has no actions.
    add(new Flow(1, 3, "dl_vlan=3", "strip_vlan,mod_vlan_vid:4,strip_vlan,output:1", COOKIE), OpenFlowMessages.OF13, 1);
    FlowMods.encode(new FlowMods.Change(FlowMods.Kind.DELETE_STRICT, new Flow(1, 3, "", "output:65280", COOKIE)),
        OpenFlowMessages.OF13, 1);
    assertThat(FlowMods.encode(new FlowMods.Change(FlowMods.Kind.ADD, noIp), OpenFlowMessages.OF13, 1, false)).isNotEmpty();
  }

  @Test
  @DisplayName("an error reply is read into words: type and code by name and number")
  void errorWords() {
    assertThat(OpenFlowMessages.describeError(hex("04 01 000c 00000003", "0004 0009")))
        .isEqualTo("OpenFlow error BAD_MATCH (4), code BAD_PREREQ (9)");
  }

  private static byte[] slice(byte[] b, int from, int length) {
    byte[] out = new byte[length];
    System.arraycopy(b, from, out, 0, length);
    return out;
  }
}
