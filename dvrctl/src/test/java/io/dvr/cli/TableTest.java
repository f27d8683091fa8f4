package io.dvr.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class TableTest {

  @Test
  @DisplayName("the seed's l3-agent-list-hosting-router output is reproduced byte for byte")
  void seedHostingRouterTable() {
    Table table = new Table("id", "host", "admin_state_up", "alive")
        .row("04c360d0-3066-4f04-9af2-d4ef8586ad2b", "network", "True", ":-)")
        .row("beec232b-48d7-4424-83e2-8cc4e49ec339", "compute1", "True", ":-)");

    assertThat(table.render()).isEqualTo("""
        +--------------------------------------+----------+----------------+-------+
        | id                                   | host     | admin_state_up | alive |
        +--------------------------------------+----------+----------------+-------+
        | 04c360d0-3066-4f04-9af2-d4ef8586ad2b | network  | True           | :-)   |
        | beec232b-48d7-4424-83e2-8cc4e49ec339 | compute1 | True           | :-)   |
        +--------------------------------------+----------+----------------+-------+
        """);
  }

  @Test
  @DisplayName("the seed's agent-list borders come out with the same column widths")
  void seedAgentListWidths() {
    Table table = new Table("id", "agent_type", "host", "alive", "admin_state_up", "binary")
        .row("04c360d0-3066-4f04-9af2-d4ef8586ad2b", "L3 agent", "network", ":-)", "True", "neutron-l3-agent")
        .row("2ef04905-4a37-4de8-a8f0-9c6488a592b7", "Open vSwitch agent", "network", ":-)", "True",
            "neutron-openvswitch-agent")
        .row("beec232b-48d7-4424-83e2-8cc4e49ec339", "L3 agent", "compute1", ":-)", "True", "neutron-l3-agent");

    String[] lines = table.render().split("\n");

    assertThat(lines).hasSize(7);
    assertThat(lines[0]).isEqualTo("+--------------------------------------+--------------------+----------"
        + "+-------+----------------+---------------------------+");
    assertThat(lines[1]).isEqualTo("| id                                   | agent_type         | host     "
        + "| alive | admin_state_up | binary                    |");
    assertThat(lines[4]).isEqualTo("| 2ef04905-4a37-4de8-a8f0-9c6488a592b7 | Open vSwitch agent | network  "
        + "| :-)   | True           | neutron-openvswitch-agent |");
    assertThat(lines[6]).isEqualTo(lines[0]);
  }

  @Test
  @DisplayName("a multi-line cell makes the row taller and leaves the other cells blank below")
  void multiLineCell() {
    Table table = new Table("id", "fixed_ips")
        .row("p1", "{\"subnet_id\": \"s1\", \"ip_address\": \"10.0.0.5\"}\n"
            + "{\"subnet_id\": \"s2\", \"ip_address\": \"10.1.0.5\"}")
        .row("p2", "");

    assertThat(table.render()).isEqualTo("""
        +----+-----------------------------------------------+
        | id | fixed_ips                                     |
        +----+-----------------------------------------------+
        | p1 | {"subnet_id": "s1", "ip_address": "10.0.0.5"} |
        |    | {"subnet_id": "s2", "ip_address": "10.1.0.5"} |
        | p2 |                                               |
        +----+-----------------------------------------------+
        """);
  }

  @Test
  @DisplayName("a Field | Value table lists the fields sorted by name")
  void fieldsSorted() {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("status", "ACTIVE");
    fields.put("admin_state_up", "True");
    fields.put("id", "n1");

    assertThat(Table.fields(fields).render()).isEqualTo("""
        +----------------+--------+
        | Field          | Value  |
        +----------------+--------+
        | admin_state_up | True   |
        | id             | n1     |
        | status         | ACTIVE |
        +----------------+--------+
        """);
  }

  @Test
  @DisplayName("null and missing cells print empty; a table without rows still has its header")
  void emptyCells() {
    assertThat(new Table("a", "b").row("x").row(null, "y").render()).isEqualTo("""
        +---+---+
        | a | b |
        +---+---+
        | x |   |
        |   | y |
        +---+---+
        """);
    assertThat(new Table("a").isEmpty()).isTrue();
    assertThat(new Table("a").render()).isEqualTo("+---+\n| a |\n+---+\n+---+\n");
  }

  @Test
  @DisplayName("a row with more cells than columns is a programming error")
  void tooManyCells() {
    assertThatThrownBy(() -> new Table("a").row("x", "y"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("2 cells");
  }
}
