package io.dvr.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.CharBuffer;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * {@code dvrctl}: the command-line client of the DVR API, with the commands and tables of the
 * {@code neutron} client. Exit codes: 0 done, 1 the server refused, 2 usage error, 3 the server
 * cannot be reached or did not answer in time.
 */
@Command(name = "dvrctl",
    scope = ScopeType.INHERIT,
    mixinStandardHelpOptions = true,
    versionProvider = Dvrctl.Version.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = "Manage networks, subnets, distributed routers, ports, floating IPs and agents.",
    footer = {"", "Environment: DVRCTL_SERVER is the default of --server, DVRCTL_CA of --ca, DVRCTL_TOKEN of --token;",
        "without a token, it is read from $DVR_SECURITY_DIR/admin.token, else ~/.dvr/security/admin.token."})
public final class Dvrctl implements Callable<Integer> {

  /** The subcommands, grouped by resource in the order the help lists them. */
  static final List<Class<?>> COMMANDS = List.of(
      NetworkCommands.Create.class, NetworkCommands.ListAll.class, NetworkCommands.Show.class,
      NetworkCommands.Update.class, NetworkCommands.Delete.class,
      SubnetCommands.Create.class, SubnetCommands.ListAll.class, SubnetCommands.Show.class,
      SubnetCommands.Delete.class,
      RouterCommands.Create.class, RouterCommands.ListAll.class, RouterCommands.Show.class,
      RouterCommands.Update.class, RouterCommands.Delete.class,
      RouterLinkCommands.InterfaceAdd.class, RouterLinkCommands.InterfaceDelete.class,
      RouterLinkCommands.GatewaySet.class, RouterLinkCommands.GatewayClear.class,
      PortCommands.Create.class, PortCommands.ListAll.class, PortCommands.Show.class,
      PortCommands.Update.class, PortCommands.Delete.class,
      FloatingIpCommands.Create.class, FloatingIpCommands.ListAll.class,
      FloatingIpCommands.Show.class, FloatingIpCommands.Associate.class,
      FloatingIpCommands.Disassociate.class, FloatingIpCommands.Delete.class,
      AgentCommands.ListAll.class, AgentCommands.Show.class, AgentCommands.Delete.class,
      AgentCommands.HostingRouter.class, AgentCommands.HostState.class,
      AgentCommands.Update.class, AgentCommands.RouterAdd.class, AgentCommands.RouterRemove.class,
      TraceCommands.Trace.class,
      ConvergenceCommands.Router.class, ConvergenceCommands.Host.class,
      QuotaCommands.Show.class, QuotaCommands.Update.class,
      TokenCommands.Token.class);

  @Option(names = "--server", paramLabel = "HOST:PORT", scope = ScopeType.INHERIT,
      defaultValue = "${env:DVRCTL_SERVER:-localhost:9090}", converter = ServerAddress.Converter.class,
      description = "API server (default: $DVRCTL_SERVER, else localhost:9090).")
  ServerAddress server;

  @Option(names = "--ca", paramLabel = "FILE", scope = ScopeType.INHERIT,
      description = "CA certificate to verify the server with (default: $DVRCTL_CA, else ca.pem of $DVR_SECURITY_DIR,"
          + " else ~/.dvr/security/ca.pem, which the lab creates).")
  java.nio.file.Path ca;

  @Option(names = "--insecure", scope = ScopeType.INHERIT,
      description = "Plaintext, no TLS: only for a server started with DVR_INSECURE=true.")
  boolean insecure;

  @Option(names = "--token", paramLabel = "TOKEN", scope = ScopeType.INHERIT,
      description = "Bearer token for the API (default: $DVRCTL_TOKEN, else the admin.token of the security directory).")
  String token;

  @Option(names = "--token-file", paramLabel = "FILE", scope = ScopeType.INHERIT,
      description = "Read the bearer token from this file (keeps it out of the process list).")
  java.nio.file.Path tokenFile;

  @Option(names = "--json", scope = ScopeType.INHERIT,
      description = "Print the API's messages as JSON instead of tables.")
  boolean json;

  @Option(names = {"-f", "--format"}, paramLabel = "FORMAT", scope = ScopeType.INHERIT, defaultValue = "table",
      description = "Output format of shown and listed resources, as the OpenStack client's: table, json, value or"
          + " yaml (fields named as the tables name them).")
  String format = "table";

  @Option(names = {"-c", "--column"}, paramLabel = "COLUMN", scope = ScopeType.INHERIT,
      description = "Show only this column (repeat for several), as the OpenStack client's -c.")
  java.util.List<String> columns = new java.util.ArrayList<>();

  private int timeoutSeconds = 10;

  @Option(names = "--timeout", paramLabel = "SECONDS", scope = ScopeType.INHERIT, defaultValue = "10",
      description = "Give up on the server after this many seconds (default: 10).")
  void timeout(int seconds) {
    if (seconds < 1) {
      throw new ParameterException(spec.commandLine(),
          "Invalid value for option '--timeout': '" + seconds + "' is not a positive number of seconds");
    }
    this.timeoutSeconds = seconds;
  }

  @Spec
  CommandSpec spec;

  private final Api.Factory factory;
  private final PrintWriter out;
  private Api api;
  private Printer printer;

  Dvrctl(Api.Factory factory, PrintWriter out) {
    this.factory = factory;
    this.out = out;
  }

  public static void main(String[] args) {
    // Only the standalone CLI quiets Vert.x and Netty; in-process callers keep their logging.
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "dvrctl-logback.xml");
    }
    System.exit(run(System.out, System.err, args));
  }

  /** Runs one command line against the real server; returns the exit code, never exits. */
  public static int run(PrintStream out, PrintStream err, String... args) {
    return run(Rpc::open, out, err, args);
  }

  static int run(Api.Factory factory, PrintStream out, PrintStream err, String... args) {
    PrintWriter stdout = writer(out);
    PrintWriter stderr = writer(err);
    Dvrctl app = new Dvrctl(factory, stdout);
    CommandLine cli = new CommandLine(app);
    COMMANDS.forEach(cli::addSubcommand);
    // Neutron's other name for it; hidden so that the help's command column stays narrow.
    CommandLine remove = new CommandLine(RouterLinkCommands.InterfaceDelete.class);
    remove.getCommandSpec().usageMessage().hidden(true);
    cli.addSubcommand("router-interface-remove", remove);
    cli.addSubcommand(new CommandLine.HelpCommand());
    cli.setOut(stdout);
    cli.setErr(stderr);
    cli.setParameterExceptionHandler(Dvrctl::usageError);
    cli.setExecutionExceptionHandler((e, cmd, parsed) -> failure(e, cmd));
    try {
      return cli.execute(args);
    } finally {
      app.close();
      stdout.flush();
      stderr.flush();
    }
  }

  /** Without a command: show what there is, as a usage error. */
  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return spec.exitCodeOnInvalidInput();
  }

  Api api() {
    if (api == null) {
      api = factory.open(server, insecure ? Transport.PLAINTEXT : Transport.tls(ca), timeoutSeconds,
          Credentials.token(token, tokenFile, System::getenv));
    }
    return api;
  }

  Printer printer() {
    if (printer == null) {
      printer = new Printer(out, json, OutputFormat.parse(format), columns);
    }
    return printer;
  }

  private void close() {
    if (api != null) {
      api.close();
      api = null;
    }
  }

  /** Text goes through the stream's own print methods, so its charset is the one that applies. */
  private static PrintWriter writer(PrintStream stream) {
    return new PrintWriter(new Writer() {
      @Override
      public void write(char[] chars, int offset, int length) {
        stream.append(CharBuffer.wrap(chars, offset, length));
      }

      @Override
      public void flush() {
        stream.flush();
      }

      @Override
      public void close() {
        stream.flush();
      }
    }, true);
  }

  private static int usageError(ParameterException e, String[] args) {
    CommandLine cmd = e.getCommandLine();
    PrintWriter err = cmd.getErr();
    String message = e.getMessage();
    // Some picocli messages (mutually exclusive options) carry their own prefix.
    err.println(message.startsWith("Error: ") ? message : "Error: " + message);
    UnmatchedArgumentException.printSuggestions(e, err);
    err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more information.");
    return cmd.getCommandSpec().exitCodeOnInvalidInput();
  }

  private static int failure(Exception e, CommandLine cmd) {
    PrintWriter err = cmd.getErr();
    if (e instanceof CliError error) {
      err.println(error.render());
      return error.exitCode();
    }
    // Not an expected failure: a bug, so the trace is worth showing.
    err.println("Error: unexpected " + e);
    e.printStackTrace(err);
    return CliError.SERVER;
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = Dvrctl.class.getPackage().getImplementationVersion();
      return new String[] {"dvrctl " + (version == null ? "(development build)" : version)};
    }
  }
}
