package io.dvr.cli;

import static io.dvr.proto.v1.TokenServiceGrpcClient.IssueToken;

import io.dvr.proto.v1.IssueTokenRequest;
import io.dvr.proto.v1.IssuedToken;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.Model.CommandSpec;

/** {@code token issue}: an admin mints a bearer token for a project and role (TokenService). */
final class TokenCommands {

  private TokenCommands() {}

  @Command(name = "token", description = "Bearer tokens of the API (admins only).",
      subcommands = {Issue.class})
  static final class Token implements Callable<Integer> {
    @ParentCommand
    Dvrctl root;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
      spec.commandLine().usage(spec.commandLine().getErr());
      return spec.exitCodeOnInvalidInput();
    }
  }

  @Command(name = "issue", description = {"Issue a token for a project and role; prints the token alone on its",
      "last line, e.g. TOKEN=$(dvrctl token issue --project P --role member | tail -1)."})
  static final class Issue implements Callable<Integer> {
    @ParentCommand
    Token token;

    @Option(names = "--project", required = true, paramLabel = "PROJECT", description = "The project of the token.")
    String project;

    @Option(names = "--role", defaultValue = "member", paramLabel = "ROLE",
        description = "admin, member or reader (default: member).")
    String role;

    @Option(names = "--ttl", defaultValue = "8h", converter = Ttl.class, paramLabel = "DURATION",
        description = "Lifetime: a number with s, m, h or d (default: 8h; at most 366d).")
    Duration ttl;

    @Option(names = "--subject", paramLabel = "NAME", description = "Who the token is for (default: the project).")
    String subject;

    @Override
    public Integer call() {
      IssueTokenRequest.Builder request = IssueTokenRequest.newBuilder().setProjectId(project).setRole(role)
          .setTtlSeconds(ttl.toSeconds());
      if (subject != null) {
        request.setSubject(subject);
      }
      IssuedToken issued = token.root.api().call(IssueToken, request.build());
      token.root.printer().done(issued, "Issued a token for project " + issued.getProjectId() + " (role "
          + String.join(",", issued.getRolesList()) + ", subject " + issued.getSubject() + "), valid until "
          + Views.time(issued.getExpiresAt()) + ":\n" + issued.getToken());
      return 0;
    }
  }

  /** {@code 90s}, {@code 30m}, {@code 8h}, {@code 7d}. */
  static final class Ttl implements ITypeConverter<Duration> {
    private static final Pattern FORM = Pattern.compile("([1-9][0-9]{0,8})([smhd])");

    @Override
    public Duration convert(String value) {
      Matcher m = FORM.matcher(value.trim());
      if (!m.matches()) {
        throw new TypeConversionException("'" + value + "' is not a duration such as 90s, 30m, 8h or 7d");
      }
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      };
    }
  }
}
