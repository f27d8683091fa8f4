package io.dvr.cli;

import static io.dvr.cli.Fixtures.NET1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dvr.proto.v1.ListNetworksResponse;
import io.dvr.proto.v1.NetworkServiceGrpcClient;
import io.dvr.proto.v1.SubnetServiceGrpcClient;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OptionParsingTest {

  private final FakeApi api = new FakeApi();

  @ParameterizedTest(name = "{0}")
  @DisplayName("input the CLI can check itself is a usage error (exit 2) naming the option and the value")
  @CsvSource(delimiter = '|', value = {
      "subnet-create net1 10.0.0.0/24 --allocation-pool bad | --allocation-pool | 'bad'",
      "subnet-create net1 10.0.0.0/24 --allocation-pool start=10.0.0.2 | --allocation-pool | 'start=10.0.0.2'",
      "subnet-create net1 10.0.0.0/24 --allocation-pool start=10.0.0.2,end=10.0.0.300 | --allocation-pool | '10.0.0.300'",
      "subnet-create net1 10.0.0.0/24 --gateway 10.0.0.x | --gateway | '10.0.0.x'",
      "subnet-create net1 10.0.0.0 | CIDR | '10.0.0.0'",
      "subnet-create net1 10.0.0.0/33 | CIDR | '10.0.0.0/33'",
      "subnet-create net1 10.0.0.0/24 --ip-version 5 | --ip-version | '5'",
      "router-update r1 --admin-state-up maybe | --admin-state-up | 'maybe'",
      "router-create r1 --distributed yes | --distributed | 'yes'",
      "net-create n1 --id 1234 | --id | '1234'",
      "port-create net1 --mac-address fa:16:3e:zz:00:01 | --mac-address | 'fa:16:3e:zz:00:01'",
      "port-create net1 --fixed-ip subnet=s1 | --fixed-ip | 'subnet=s1'",
      "router-gateway-set r1 ext --fixed-ip 300.1.1.1 | --fixed-ip | '300.1.1.1'",
      "floatingip-create ext --floating-ip-address nowhere | --floating-ip-address | 'nowhere'",
      "net-list --server nohost | --server | 'nohost'",
      "net-list --server host:http | --server | 'host:http'",
      "net-list --timeout 0 | --timeout | '0'",
      "net-list --timeout soon | --timeout | 'soon'",
  })
  void usageErrors(String args, String option, String value) {
    CliRun run = CliRun.run(api, args.split(" "));

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains(option).contains(value).doesNotContain("\tat ");
    assertThat(run.out()).isEmpty();
    assertThat(api.calls).isEmpty();
  }

  @Test
  @DisplayName("--gateway and --no-gateway together are refused, naming both")
  void gatewayExclusive() {
    CliRun run = CliRun.run(api, "subnet-create", "net1", "10.0.0.0/24", "--gateway", "10.0.0.1", "--no-gateway");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).startsWith("Error: --gateway").contains("--no-gateway")
        .contains("mutually exclusive").doesNotContain("Error: Error:");
  }

  @Test
  @DisplayName("a missing argument, an unknown option and an unknown command are usage errors")
  void missingAndUnknown() {
    CliRun missing = CliRun.run(api, "subnet-create", "net1");
    CliRun unknownOption = CliRun.run(api, "net-list", "--colour");
    CliRun unknownCommand = CliRun.run(api, "net-lst");

    assertThat(missing.exitCode()).isEqualTo(2);
    assertThat(missing.err()).contains("Missing required parameter: 'CIDR'")
        .contains("Try 'dvrctl subnet-create --help'");
    assertThat(unknownOption.exitCode()).isEqualTo(2);
    assertThat(unknownOption.err()).contains("Unknown option: '--colour'");
    assertThat(unknownCommand.exitCode()).isEqualTo(2);
    assertThat(unknownCommand.err()).contains("'net-lst'").contains("net-list");
  }

  @Test
  @DisplayName("an update without anything to change is a usage error")
  void emptyUpdate() {
    CliRun run = CliRun.run(api, "router-update", "r1");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("router-update needs --name or --admin-state-up");
    assertThat(api.calls).isEmpty();
  }

  @Test
  @DisplayName("global options work before and after the command")
  void globalOptionsAnywhere() {
    api.on(NetworkServiceGrpcClient.ListNetworks, req -> ListNetworksResponse.getDefaultInstance());

    CliRun before = CliRun.run(api, "--server", "api.example:7000", "--timeout", "3", "net-list");
    assertThat(before.exitCode()).isZero();
    assertThat(api.openedFor).isEqualTo(new ServerAddress("api.example", 7000));
    assertThat(api.openedWithTimeout).isEqualTo(3);

    CliRun after = CliRun.run(api, "net-list", "--server", "[::1]:7001", "--timeout", "4");
    assertThat(after.exitCode()).isZero();
    assertThat(api.openedFor).isEqualTo(new ServerAddress("::1", 7001));
    assertThat(api.openedWithTimeout).isEqualTo(4);
  }

  @Test
  @DisplayName("without --server or DVRCTL_SERVER the server is localhost:9090, with a 10 s timeout")
  void defaults() {
    assumeTrue(System.getenv("DVRCTL_SERVER") == null, "DVRCTL_SERVER is set here");
    api.on(NetworkServiceGrpcClient.ListNetworks, req -> ListNetworksResponse.getDefaultInstance());

    CliRun.run(api, "net-list");

    assertThat(api.openedFor).isEqualTo(new ServerAddress("localhost", 9090));
    assertThat(api.openedWithTimeout).isEqualTo(10);
  }

  @Test
  @DisplayName("the allocation pools and gateway options reach the request as given")
  void subnetOptions() {
    api.on(SubnetServiceGrpcClient.CreateSubnet, req -> Fixtures.sub1());

    CliRun run = CliRun.run(api, "subnet-create", NET1, "10.0.0.0/24", "--name", "s1", "--no-gateway",
        "--allocation-pool", "start=10.0.0.10,end=10.0.0.20",
        "--allocation-pool", "start=10.0.0.30,end=10.0.0.40");

    assertThat(run.exitCode()).isZero();
    var sent = api.requests(SubnetServiceGrpcClient.CreateSubnet).get(0);
    assertThat(sent.getNetworkId()).isEqualTo(NET1);
    assertThat(sent.getNoGateway()).isTrue();
    assertThat(sent.hasGatewayIp()).isFalse();
    assertThat(sent.getIpVersion()).isEqualTo(4);
    assertThat(sent.getAllocationPoolsList()).extracting(p -> p.getStart() + "-" + p.getEnd())
        .containsExactly("10.0.0.10-10.0.0.20", "10.0.0.30-10.0.0.40");
  }

  @Test
  @DisplayName("a server error prints the server's status and message, exit 1, no stack trace")
  void serverError() {
    api.on(NetworkServiceGrpcClient.GetNetwork, req -> {
      throw CliError.server("NOT_FOUND", "Network " + req.getId() + " could not be found.");
    });

    CliRun run = CliRun.run(api, "net-show", NET1);

    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).isEqualTo("Error (NOT_FOUND): Network " + NET1 + " could not be found.\n");
    assertThat(run.out()).isEmpty();
  }

  @Test
  @DisplayName("an unreachable server gives exit 3")
  void unreachable() {
    api.on(NetworkServiceGrpcClient.ListNetworks, req -> {
      throw CliError.unreachable("cannot reach the server at localhost:9090: Connection refused");
    });

    CliRun run = CliRun.run(api, "net-list");

    assertThat(run.exitCode()).isEqualTo(3);
    assertThat(run.err()).isEqualTo("Error: cannot reach the server at localhost:9090: Connection refused\n");
  }

  @Test
  @DisplayName("help exits 0 and lists the commands; no command at all is a usage error")
  void help() {
    CliRun help = CliRun.run(api, "--help");
    CliRun subHelp = CliRun.run(api, "help", "port-create");
    CliRun nothing = CliRun.run(api);

    assertThat(help.exitCode()).isZero();
    assertThat(help.out()).contains("net-create", "l3-agent-list-hosting-router", "floatingip-associate");
    assertThat(subHelp.exitCode()).isZero();
    assertThat(subHelp.out()).contains("--fixed-ip=subnet_id=SUBNET,ip_address=IP");
    assertThat(nothing.exitCode()).isEqualTo(2);
    assertThat(nothing.err()).contains("Usage: dvrctl");
    assertThat(api.openedFor).isNull();
  }
}
