package io.dvr.agent.driver.linux;

import io.vertx.core.Context;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs processes through a {@link HostShell}, with a timeout, capturing exit code, stdout and
 * stderr. {@link #run} blocks and refuses event-loop threads; {@link #submit} runs on the bounded
 * pool given (or owned). Stdin, stdout and stderr go through files so that no pipe can fill up and
 * block a process while another stream is being read.
 */
public final class CommandRunner implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CommandRunner.class);
  private final HostShell shell;
  private final ExecutorService pool;
  private final boolean ownsPool;
  private final Path scratch;
  private final AtomicLong sequence = new AtomicLong();
  private final AtomicLong processes = new AtomicLong();

  public CommandRunner(HostShell shell, ExecutorService pool) {
    this(shell, pool, false);
  }

  private CommandRunner(HostShell shell, ExecutorService pool, boolean ownsPool) {
    this.shell = shell;
    this.pool = pool;
    this.ownsPool = ownsPool;
    try {
      this.scratch = Files.createTempDirectory("dvr-cmd-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a scratch directory for command output", e);
    }
  }

  /** A runner owning a pool of {@code threads} daemon threads: at most that many processes at once. */
  public static CommandRunner withPool(HostShell shell, int threads) {
    AtomicInteger n = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "dvr-linux-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    return new CommandRunner(shell, pool, true);
  }

  public HostShell shell() {
    return shell;
  }

  /** Where command input and output files live while a command runs; gone after {@link #close}. */
  Path scratch() {
    return scratch;
  }

  ExecutorService pool() {
    return pool;
  }

  /** Processes started so far (for tests and benchmarks). */
  public long processesStarted() {
    return processes.get();
  }

  /** Runs on the pool; completes with the result, or with a {@link CommandFailedException}. */
  public CompletableFuture<CommandResult> submit(Command command) {
    return CompletableFuture.supplyAsync(() -> run(command), pool);
  }

  /** Runs and fails with {@link CommandFailedException} on a non-zero exit. */
  public CommandResult run(Command command) {
    return exec(command).orThrow();
  }

  /** Runs and returns the result whatever the exit code; fails only when it times out or cannot start. */
  public CommandResult exec(Command command) {
    if (Context.isOnEventLoopThread()) {
      throw new IllegalStateException("refusing to run a process on an event-loop thread: " + command.line());
    }
    Command full = shell.wrap(command);
    long id = sequence.incrementAndGet();
    Path in = scratch.resolve(id + ".in");
    Path out = scratch.resolve(id + ".out");
    Path err = scratch.resolve(id + ".err");
    long start = System.nanoTime();
    Process p = null;
    try {
      Files.writeString(in, full.stdin(), StandardCharsets.UTF_8);
      p = new ProcessBuilder(full.argv()).redirectInput(in.toFile()).redirectOutput(out.toFile())
          .redirectError(err.toFile()).start();
      processes.incrementAndGet();
      if (!p.waitFor(full.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
        throw new CommandFailedException(full, -1, read(err) + "\ntimed out after " + full.timeout().toMillis()
            + " ms", "");
      }
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      if (LOG.isDebugEnabled()) {
        LOG.debug("{} ms, exit {}: {}", took.toMillis(), p.exitValue(), command.line());
      }
      return new CommandResult(full, p.exitValue(), read(out), read(err), took);
    } catch (IOException e) {
      throw new CommandFailedException(full, -1, "cannot run: " + e.getMessage(), "");
    } catch (InterruptedException e) {
      // Shut down while waiting: the process must not outlive the runner.
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new CommandFailedException(full, -1, "interrupted", "");
    } finally {
      delete(in);
      delete(out);
      delete(err);
    }
  }

  private static String read(Path p) throws IOException {
    return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
  }

  private static void delete(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      // A leftover scratch file is harmless; the directory goes at close.
    }
  }

  /**
   * Stops the owned pool, waiting briefly for processes already running (they write their output
   * into the scratch directory), then removes the directory. A directory that cannot be removed is
   * only logged: it is a few files in /tmp, never a reason to fail a shutdown.
   */
  @Override
  public void close() {
    if (ownsPool) {
      pool.shutdownNow();
      try {
        pool.awaitTermination(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    try (var files = Files.list(scratch)) {
      files.forEach(CommandRunner::delete);
      Files.deleteIfExists(scratch);
    } catch (IOException e) {
      LOG.warn("cannot remove the scratch directory {}: {}", scratch, e.toString());
    }
  }
}
