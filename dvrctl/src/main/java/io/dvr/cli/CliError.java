package io.dvr.cli;

/**
 * A failure the CLI expects and reports in one line, without a stack trace: an error status
 * from the server, a name that resolves to nothing, or a server that cannot be reached.
 */
public final class CliError extends RuntimeException {

  /** A server error: the call reached the server and it said no. */
  public static final int SERVER = 1;
  /** Input the CLI rejects itself (picocli's code for invalid input). */
  public static final int USAGE = 2;
  /** No answer: the server cannot be reached or did not answer in time. */
  public static final int UNREACHABLE = 3;

  private final String status;
  private final int exitCode;

  public CliError(String status, String message, int exitCode) {
    super(message, null, false, false);
    this.status = status;
    this.exitCode = exitCode;
  }

  /** An error status sent by the server, with the server's own message. */
  public static CliError server(String status, String message) {
    return new CliError(status, message, SERVER);
  }

  /** A reference that matches no resource, reported like the server's NOT_FOUND. */
  public static CliError notFound(String message) {
    return new CliError("NOT_FOUND", message, SERVER);
  }

  /** A reference that matches several resources. */
  public static CliError ambiguous(String message) {
    return new CliError(null, message, SERVER);
  }

  public static CliError unreachable(String message) {
    return new CliError(null, message, UNREACHABLE);
  }

  public static CliError usage(String message) {
    return new CliError(null, message, USAGE);
  }

  /** The gRPC status name ({@code NOT_FOUND}), or {@code null} when the server sent none. */
  public String status() {
    return status;
  }

  public int exitCode() {
    return exitCode;
  }

  /** The line printed on stderr. */
  public String render() {
    return status == null ? "Error: " + getMessage() : "Error (" + status + "): " + getMessage();
  }
}
