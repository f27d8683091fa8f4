package io.dvr.agent.driver.linux;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One long-lived {@code ip -n NS -batch - -o -force} of a namespace (the options after the batch
 * file are read too: one-line output, and an error does not end the session), fed line by line: after each
 * line it is sent {@code link show dev lo}, whose one-line answer ("1: lo: ...") says that the
 * line before it is done; what came before that answer is the line's output, and "Command failed"
 * in it is the line's failure. Before a batch the session must hold the namespace of its name: a
 * namespace deleted or made anew since the session started is not the one it holds, and the session
 * is not used. {@code /proc} says so without a round trip ({@link #inItsNamespace}); {@code netns
 * identify} asks the ip itself ({@link #holdsItsNamespace}), which a session just started needs
 * (its ip may not have entered the namespace yet when {@code /proc} is read). Not thread-safe:
 * {@link IpSessions} serialises the users of a session.
 */
final class IpSession implements NamespaceSessions.Session {
  private static final String DONE = "link show dev lo";
  private static final String WHO = "netns identify";
  private static final String END_OF_STREAM = "\0eof";

  final String namespace;
  private final Command command;
  private final Process process;
  private final Writer in;
  private final BlockingQueue<String> out = new LinkedBlockingQueue<>();
  private final Duration timeout;

  private IpSession(String namespace, Command command, Process process, Duration timeout) {
    this.namespace = namespace;
    this.command = command;
    this.process = process;
    this.timeout = timeout;
    this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    Thread reader = new Thread(this::read, "dvr-ip-" + namespace);
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts the session through the host's shell (nsenter into a lab host, or nothing). */
  static IpSession start(HostShell shell, String namespace, Duration timeout) {
    Command c = shell.wrap(Command.of("ip", "-n", Args.name(namespace), "-batch", "-", "-o", "-force")
        .withTimeout(timeout));
    try {
      Process p = new ProcessBuilder(c.argv()).redirectErrorStream(true).start();
      return new IpSession(namespace, c, p, timeout);
    } catch (IOException e) {
      throw new CommandFailedException(c, -1, "cannot run: " + e.getMessage(), "");
    }
  }

  private void read() {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        out.add(line);
      }
    } catch (IOException e) {
      // closed: the end marker below tells a waiting caller
    }
    out.add(END_OF_STREAM);
  }

  @Override
  public String namespace() {
    return namespace;
  }

  @Override
  public boolean alive() {
    return process.isAlive();
  }

  /** Whether the session's ip is in the namespace of that name now, as {@code /proc} says (no round trip). */
  boolean inItsNamespace() {
    return HeldNamespace.isNamed(process.pid(), namespace);
  }

  /** Whether the session still holds the namespace of that name, as its ip says (one round trip). */
  boolean holdsItsNamespace() {
    List<String> answer = exchange(WHO);
    return answer.size() == 1 && answer.get(0).strip().equals(namespace);
  }

  /**
   * Runs one line; returns what it printed before the done marker (its errors included), or throws
   * when the session ended or timed out (the session is then unusable).
   */
  List<String> run(String line) {
    return exchange(line);
  }

  private List<String> exchange(String line) {
    try {
      in.write(line + "\n" + DONE + "\n");
      in.flush();
    } catch (IOException e) {
      throw failed(line, "the session's ip exited: " + e.getMessage());
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    List<String> printed = new ArrayList<>();
    while (true) {
      String got;
      try {
        got = out.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw failed(line, "interrupted");
      }
      if (got == null) {
        throw failed(line, String.join("\n", printed) + "\ntimed out after " + timeout.toMillis() + " ms");
      }
      if (got.equals(END_OF_STREAM)) {
        out.add(END_OF_STREAM);
        throw failed(line, String.join("\n", printed) + "\nthe session's ip exited");
      }
      if (got.startsWith("1: lo:")) {
        return printed;
      }
      printed.add(got);
    }
  }

  private CommandFailedException failed(String line, String why) {
    close();
    return new CommandFailedException(command, -1, why.strip(), line);
  }

  Command command() {
    return command;
  }

  @Override
  public void close() {
    try {
      in.close();
    } catch (IOException e) {
      // the process is ended below anyway
    }
    process.destroy();
    try {
      if (!process.waitFor(2, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
