package io.dvr.agent.driver.linux;

import static org.assertj.core.api.Assertions.assertThat;

import io.dvr.agent.model.IpPrefix;
import io.dvr.agent.model.IpRule;
import io.dvr.agent.model.Neighbour;
import io.dvr.agent.model.Route;
import io.vertx.core.json.JsonArray;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Output of iproute2 6.1 ({@code ip -4 -d -j}) taken from a namespace holding an rfp- end. */
class IpJsonTest {
  @Test
  @DisplayName("rules keep ours and foreign simple ones, drop the three defaults and rules the model cannot hold")
  void rules() {
    JsonArray a = new JsonArray("""
        [{"priority":0,"src":"all","table":"local","protocol":"kernel"},
         {"priority":32766,"src":"all","table":"main","protocol":"kernel"},
         {"priority":32767,"src":"all","table":"default","protocol":"kernel"},
         {"priority":32768,"src":"81.1.180.18","table":"16","protocol":"unspec"},
         {"priority":1359066113,"src":"81.1.180.1","srclen":24,"table":"1359066113","protocol":"unspec"},
         {"priority":100,"src":"all","iif":"eth0","table":"7"}]""");
    assertThat(IpJson.rules(a)).containsExactly(new IpRule(32768, IpPrefix.host("81.1.180.18"), 16),
        new IpRule(1359066113, IpPrefix.parse("81.1.180.1/24"), 1359066113));
  }

  @Test
  @DisplayName("routes keep unicast IPv4 routes of every table; kernel prefix routes are marked connected")
  void routes() {
    JsonArray a = new JsonArray("""
        [{"type":"unicast","dst":"default","gateway":"169.254.30.1","dev":"rfp-x","table":"16","protocol":"boot","scope":"global","flags":["linkdown"]},
         {"type":"unicast","dst":"169.254.30.0/31","dev":"rfp-x","table":"main","protocol":"kernel","scope":"link","prefsrc":"169.254.30.0","flags":[]},
         {"type":"local","dst":"169.254.30.0","dev":"rfp-x","table":"local","protocol":"kernel","scope":"host","prefsrc":"169.254.30.0","flags":[]},
         {"type":"unicast","dst":"192.168.1.112","gateway":"169.254.30.0","dev":"fpr-x","table":"main","protocol":"boot","flags":[]}]""");
    assertThat(IpJson.routes(a)).containsExactly(Route.via(16, IpPrefix.ANY, "169.254.30.1", "rfp-x"),
        Route.connected(IpPrefix.parse("169.254.30.0/31"), "rfp-x"),
        Route.via(Route.MAIN_TABLE, IpPrefix.host("192.168.1.112"), "169.254.30.0", "fpr-x"));
  }

  @Test
  @DisplayName("links give kind, MAC, MTU and the veth peer by name or by ifindex and nsid; neighbours only permanent")
  void linksAndNeighbours() {
    JsonArray links = new JsonArray("""
        [{"ifindex":3,"link_index":2,"ifname":"rfp-x","mtu":1500,"link_type":"ether","address":"de:b0:93:07:4a:f6",
          "link_netnsid":0,"linkinfo":{"info_kind":"veth"}},
         {"ifindex":1,"ifname":"lo","mtu":65536,"link_type":"loopback","address":"00:00:00:00:00:00"}]""");
    assertThat(IpJson.links(links)).containsExactly(
        new IpJson.Link(3, "rfp-x", "veth", "ether", "de:b0:93:07:4a:f6", 1500, "", 2, 0),
        new IpJson.Link(1, "lo", "", "loopback", "00:00:00:00:00:00", 65536, "", -1, -1));
    assertThat(IpJson.nsids(new JsonArray("[{\"nsid\":0,\"name\":\"fip-x\"},{\"nsid\":1}]"))).containsOnlyKeys(0);
    JsonArray neigh = new JsonArray("""
        [{"dst":"81.1.180.18","dev":"qr-a","lladdr":"FA:16:3E:30:EE:23","state":["PERMANENT"]},
         {"dst":"81.1.180.9","dev":"qr-a","lladdr":"fa:16:3e:30:ee:09","state":["REACHABLE"]}]""");
    assertThat(IpJson.neighbours(neigh)).containsExactly(new Neighbour("81.1.180.18", "qr-a", "fa:16:3e:30:ee:23"));
    assertThat(IpJson.namespaces("")).isEmpty();
    assertThat(IpJson.sysctls("net.ipv4.ip_forward = 1\nnet.ipv4.conf.qr-a.send_redirects = 0\n"))
        .containsEntry("net.ipv4.conf.qr-a.send_redirects", "0");
  }
}
