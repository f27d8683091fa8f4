package io.dvr.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * One long-running monitor process on a lab host ({@code ip monitor}, {@code xtables-monitor},
 * {@code ovs-ofctl monitor}), started once before the samples: each line it prints is kept with
 * the {@link System#nanoTime()} at which this JVM read it, so that a sample finds when the kernel
 * (or OVS) reported a change without a process per check. Arrival time is an upper bound of when
 * the change happened: the monitor's own latency and the reader thread's are in it.
 */
final class KernelWatch implements AutoCloseable {
  /** A line and when it arrived. */
  record Line(long nanos, String text) {}

  final String name;
  private final Process process;
  private final Thread reader;
  private final List<Line> lines = new ArrayList<>();

  private KernelWatch(String name, Process process) {
    this.name = name;
    this.process = process;
    this.reader = new Thread(this::read, "watch-" + name);
    this.reader.setDaemon(true);
    this.reader.start();
  }

  /** Starts argv (its stdout line-buffered by the caller's {@code stdbuf -oL} where the tool needs it). */
  static KernelWatch start(String name, List<String> argv) {
    try {
      Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
      return new KernelWatch(name, p);
    } catch (IOException e) {
      throw new IllegalStateException("cannot start watch " + name + ": " + argv, e);
    }
  }

  private void read() {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        long now = System.nanoTime();
        synchronized (lines) {
          lines.add(new Line(now, line));
          lines.notifyAll();
        }
      }
    } catch (IOException e) {
      // the process went away: close() or a failure; waiters time out and say so
    }
  }

  /** Where the next line will be: a sample marks before it acts, and looks only at lines after its mark. */
  int mark() {
    synchronized (lines) {
      return lines.size();
    }
  }

  /**
   * Waits for the first line after {@code mark} that matches, until {@code deadlineNanos}; returns
   * its arrival time, or -1 when none came in time.
   */
  long await(int mark, Predicate<String> matches, long deadlineNanos) throws InterruptedException {
    int next = mark;
    synchronized (lines) {
      while (true) {
        for (; next < lines.size(); next++) {
          if (matches.test(lines.get(next).text())) {
            return lines.get(next).nanos();
          }
        }
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0 || !process.isAlive() && next >= lines.size()) {
          return -1;
        }
        TimeUnit.NANOSECONDS.timedWait(lines, left);
      }
    }
  }

  /** The last lines read (for a sample that timed out). */
  String tail(int n) {
    synchronized (lines) {
      StringBuilder sb = new StringBuilder();
      lines.subList(Math.max(0, lines.size() - n), lines.size()).forEach(l -> sb.append("  ").append(l.text()).append('\n'));
      return sb.toString();
    }
  }

  boolean alive() {
    return process.isAlive();
  }

  /** Drops what was read so far (between samples: the list would otherwise grow with every sample). */
  void forget() {
    synchronized (lines) {
      lines.clear();
    }
  }

  @Override
  public void close() {
    process.descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
