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
 * One long-lived {@code iptables-restore -n} of a namespace, fed one {@code *nat ... COMMIT} block
 * per change, beside an {@code xtables-monitor -e} of the same namespace that says when each block
 * is in: the kernel announces every committed nf_tables transaction ({@code NEWGEN}) with the pid
 * of the process that made it, and a block is done when its restore's pid is announced.
 * iptables-restore answers nothing per block itself; a block that fails ends it, with the failing
 * line on its output. Against a restore process per change this saves the process's start and
 * the 10-18 ms its exit waits on nf_tables' clean-up.
 *
 * <p>On start a probe block (a chain made and removed in one transaction, a new name each try) is
 * sent until the monitor announces it: before that the monitor may not be listening yet. Not
 * thread-safe: {@link NatSessions} serialises the users of a session.
 */
final class NatSession implements NamespaceSessions.Session {
  private static final String PROBE_CHAIN = "dvr-nat-session-";
  private static final Duration PROBE_WAIT = Duration.ofMillis(50);
  private static final int PROBES = 10;

  /** A committed transaction as the monitor printed it: the pid that made it and its events. */
  private record Commit(long pid, List<String> events) {}

  private static final Commit ENDED = new Commit(-1, List.of());

  final String namespace;
  private final Command command;
  private final Process restore;
  private final Process monitor;
  private final Writer in;
  private final BlockingQueue<Commit> commits = new LinkedBlockingQueue<>();
  private final StringBuffer restoreOutput = new StringBuffer();
  /** Set once the restore's output ended: it exited (or is exiting), its message read whole. */
  private volatile boolean restoreEnded;
  private final Duration timeout;

  private NatSession(String namespace, Command command, Process restore, Process monitor, Duration timeout) {
    this.namespace = namespace;
    this.command = command;
    this.restore = restore;
    this.monitor = monitor;
    this.timeout = timeout;
    this.in = new OutputStreamWriter(restore.getOutputStream(), StandardCharsets.UTF_8);
    daemon("dvr-nat-monitor-" + namespace, this::readMonitor);
    daemon("dvr-nat-restore-" + namespace, this::readRestore);
  }

  private static void daemon(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.setDaemon(true);
    t.start();
  }

  /**
   * Starts the monitor, then the restore, through the host's shell, and probes until the monitor
   * announces the restore's commits; throws when either cannot run or no probe is announced.
   */
  static NatSession start(HostShell shell, String namespace, Duration timeout) {
    Command watch = shell.wrap(Command.of(OperationCompiler.netnsExec(namespace, "stdbuf", "-oL", "xtables-monitor",
        "-e", "-4")));
    Command restore = shell.wrap(Command.of(OperationCompiler.netnsExec(namespace, "iptables-restore", "-n"))
        .withTimeout(timeout));
    Process m = startProcess(watch);
    Process r;
    try {
      r = startProcess(restore);
    } catch (CommandFailedException e) {
      m.destroyForcibly();
      throw e;
    }
    NatSession session = new NatSession(namespace, restore, r, m, timeout);
    try {
      session.probe();
    } catch (CommandFailedException e) {
      session.close();
      throw e;
    }
    return session;
  }

  private static Process startProcess(Command c) {
    try {
      return new ProcessBuilder(c.argv()).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new CommandFailedException(c, -1, "cannot run: " + e.getMessage(), "");
    }
  }

  private void readMonitor() {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(monitor.getInputStream(), StandardCharsets.UTF_8))) {
      List<String> events = new ArrayList<>();
      String line;
      while ((line = r.readLine()) != null) {
        String l = line.strip();
        if (l.startsWith("NEWGEN:")) {
          commits.add(new Commit(pidOf(l), List.copyOf(events)));
          events.clear();
        } else if (l.startsWith("EVENT:")) {
          events.add(l);
        }
      }
    } catch (IOException e) {
      // closed: the end marker below tells a waiting caller
    }
    commits.add(ENDED);
  }

  private void readRestore() {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(restore.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        restoreOutput.append(line).append('\n');
      }
    } catch (IOException e) {
      // closed: the end marker below tells a waiting caller
    }
    restoreEnded = true;
    commits.add(ENDED);
  }

  /** {@code NEWGEN: GENID=561 PID=27701 NAME=iptables-restor}: the pid, or 0 when the line has none. */
  static long pidOf(String newgen) {
    for (String word : newgen.split(" ")) {
      if (word.startsWith("PID=")) {
        try {
          return Long.parseLong(word.substring(4));
        } catch (NumberFormatException e) {
          return 0;
        }
      }
    }
    return 0;
  }

  private void probe() {
    for (int i = 1; i <= PROBES; i++) {
      String chain = PROBE_CHAIN + i;
      write("*nat\n-N " + chain + "\n-X " + chain + "\nCOMMIT\n", "probe");
      long deadline = System.nanoTime() + PROBE_WAIT.toNanos();
      Commit c;
      // Announcements of earlier probes may come late: only this one's says the monitor hears what follows.
      while ((c = next(deadline, "probe")) != null) {
        if (c.events().stream().anyMatch(e -> e.endsWith("-N " + chain))) {
          return;
        }
      }
    }
    throw failed("probe", "the monitor announced none of " + PROBES + " probe commits");
  }

  @Override
  public String namespace() {
    return namespace;
  }

  @Override
  public boolean alive() {
    return restore.isAlive() && monitor.isAlive();
  }

  /** Whether the session still works in the namespace of its name ({@link HeldNamespace}). */
  boolean holdsItsNamespace() {
    return HeldNamespace.isNamed(restore.pid(), namespace);
  }

  /**
   * Commits one {@code *nat ... COMMIT} block; returns when the kernel announced it. Throws, with
   * the restore's message, when the block failed, and when the session ended or no announcement
   * came in time; the session is then closed.
   */
  void apply(String block) {
    write(block, block);
    long deadline = System.nanoTime() + timeout.toNanos();
    if (next(deadline, block) == null) {
      throw failed(block, "no commit announced within " + timeout.toMillis() + " ms");
    }
  }

  private void write(String block, String context) {
    try {
      in.write(block);
      in.flush();
    } catch (IOException e) {
      throw failed(context, "the session's iptables-restore exited: " + e.getMessage());
    }
  }

  /** The next commit of this session's restore, or null at the deadline; throws when the session ended. */
  private Commit next(long deadline, String context) {
    while (true) {
      Commit c;
      try {
        c = commits.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw failed(context, "interrupted");
      }
      if (c == null) {
        return null;
      }
      if (c == ENDED) {
        commits.add(ENDED);
        if (restoreEnded) {
          try {
            restore.waitFor(1, TimeUnit.SECONDS); // for its exit code; its last words are read already
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        throw failed(context, restoreOutput.toString().strip() + "\nthe session's iptables-restore or monitor ended");
      }
      if (c.pid() == restore.pid()) {
        return c;
      }
    }
  }

  Command command() {
    return command;
  }

  private CommandFailedException failed(String context, String why) {
    int exit = restore.isAlive() ? -1 : restore.exitValue();
    close();
    return new CommandFailedException(command, exit, why.strip(), context);
  }

  @Override
  public void close() {
    try {
      in.close();
    } catch (IOException e) {
      // the processes are ended below anyway
    }
    for (Process p : List.of(restore, monitor)) {
      p.destroy();
      try {
        if (!p.waitFor(2, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
      }
    }
  }
}
