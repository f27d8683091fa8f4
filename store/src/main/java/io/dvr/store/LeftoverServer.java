package io.dvr.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL server left running on a data directory by a process that died without stopping
 * it: after kill -9 of the JVM that owned the embedded server, the server lives on (its parent
 * becomes init) and holds the data directory, so a new server on it would never come up. Read
 * from the directory's postmaster.pid; blocking (call off the event loop).
 */
final class LeftoverServer {
  private static final Logger LOG = LoggerFactory.getLogger(LeftoverServer.class);
  static final String PID_FILE = "postmaster.pid";

  private LeftoverServer() {}

  /**
   * Stops a server still running on the data directory (a fast shutdown: committed data stays),
   * and removes a postmaster.pid that names no PostgreSQL server on it (a stale file, whose pid
   * may since have gone to another process). Says in the log what it found and did.
   */
  static void stopIfRunning(Path dataDir, Duration timeout) {
    Path pidFile = dataDir.resolve(PID_FILE);
    List<String> lines;
    try {
      if (!Files.exists(pidFile)) {
        return;
      }
      lines = Files.readAllLines(pidFile);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + pidFile, e);
    }
    Optional<Long> pid = lines.isEmpty() ? Optional.empty() : parse(lines.get(0).trim());
    if (pid.isEmpty()) {
      // PostgreSQL refuses such a file with its own message; leave it for the user to look at.
      LOG.warn("{} does not start with a process id; PostgreSQL will say what it makes of it", pidFile);
      return;
    }
    String port = lines.size() > 3 ? lines.get(3).trim() : "?";
    Optional<ProcessHandle> process = ProcessHandle.of(pid.get()).filter(ProcessHandle::isAlive);
    Server server = process.map(p -> identify(p, dataDir)).orElse(Server.OTHER);
    if (server == Server.UNKNOWN) {
      // Never remove the file of what may be a live server on the directory: two would corrupt it.
      LOG.warn("{} names pid {}, a live process that could not be identified; PostgreSQL will say whether it is"
          + " a server on this data directory", pidFile, pid.get());
      return;
    }
    if (server == Server.OTHER) {
      LOG.warn("{} names pid {}, which is no PostgreSQL server on this data directory (a stale file from a server"
          + " that did not stop cleanly): removing it", pidFile, pid.get());
      delete(pidFile);
      return;
    }
    LOG.warn("PostgreSQL (pid {}, port {}) is still running on data directory {}, left by a process that ended"
        + " without stopping it (killed?); stopping it before starting the embedded server", pid.get(), port, dataDir);
    stop(process.get(), dataDir, timeout);
    LOG.info("stopped the PostgreSQL left running on {} (pid {})", dataDir, pid.get());
  }

  /** What a live process named by postmaster.pid is. */
  private enum Server { THIS_DIRECTORY, OTHER, UNKNOWN }

  /** A postgres process whose command line names this data directory (-D DIR) serves it. */
  private static Server identify(ProcessHandle process, Path dataDir) {
    ProcessHandle.Info info = process.info();
    if (info.command().isEmpty() || info.arguments().isEmpty()) {
      return Server.UNKNOWN;
    }
    if (!Path.of(info.command().get()).getFileName().toString().equals("postgres")) {
      return Server.OTHER;
    }
    String[] args = info.arguments().get();
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals("-D") && sameFile(Path.of(args[i + 1]), dataDir)) {
        return Server.THIS_DIRECTORY;
      }
    }
    return Server.OTHER;
  }

  /** SIGINT is PostgreSQL's fast shutdown (SIGTERM would wait for every client to leave). */
  private static void stop(ProcessHandle process, Path dataDir, Duration timeout) {
    try {
      Process kill = new ProcessBuilder("kill", "-INT", String.valueOf(process.pid())).redirectErrorStream(true).start();
      if (!kill.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        kill.destroyForcibly();
      }
      process.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (IOException | ExecutionException e) {
      throw new IllegalStateException(notStopped(process, dataDir, timeout), e);
    } catch (TimeoutException e) {
      throw new IllegalStateException(notStopped(process, dataDir, timeout));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(notStopped(process, dataDir, timeout), e);
    }
  }

  private static String notStopped(ProcessHandle process, Path dataDir, Duration timeout) {
    return "the PostgreSQL left running on " + dataDir + " (pid " + process.pid() + ") did not stop within "
        + timeout.toSeconds() + " s; stop it (kill " + process.pid() + ") and start again";
  }

  private static boolean sameFile(Path a, Path b) {
    try {
      return Files.exists(a) && Files.isSameFile(a, b);
    } catch (IOException e) {
      return false;
    }
  }

  private static void delete(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove the stale " + file, e);
    }
  }

  private static Optional<Long> parse(String text) {
    try {
      return Optional.of(Long.parseLong(text));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
