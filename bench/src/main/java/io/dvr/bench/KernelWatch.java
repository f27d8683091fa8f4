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
 *
 * <p>A monitor that stamps what it prints ({@code ip -ts monitor}: {@code [2026-12-06T20:21:06.237603] },
 * its local time, which {@link #start} sets to UTC; {@code ovs-ofctl --timestamp monitor}:
 * {@code 2026-12-06 20:21:06.237: }, UTC, on the first line of each message) says when it received
 * the kernel's (or the switch's) notification, before the pipe and this JVM's reader thread: that
 * stamp is kept too, on this JVM's {@code nanoTime} scale, the prefix taken off the text. A stamp in
 * whole ms counts as the end of its ms (an upper bound), never later than the line's arrival.
 * {@code ovsdb-client --timestamp monitor} prints its stamp ({@code 2026-12-06 20:21:06.237}, UTC)
 * on a line of its own before each update's table: every line of that table, up to the blank line
 * that ends it, takes that stamp.
 */
final class KernelWatch implements AutoCloseable {
  /**
   * A line, when this JVM read it ({@code nanos}) and when its monitor stamped it ({@code stamped},
   * on the same scale; {@code nanos} for a monitor that does not stamp).
   */
  record Line(long nanos, long stamped, String text) {}

  private static final java.util.regex.Pattern IP_STAMP =
      java.util.regex.Pattern.compile("^\\[(\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{6})\\] ");
  private static final java.util.regex.Pattern OFCTL_STAMP =
      java.util.regex.Pattern.compile("^(\\d{4}-\\d{2}-\\d{2}) (\\d{2}:\\d{2}:\\d{2}\\.\\d{3}): ");
  private static final java.util.regex.Pattern OVSDB_STAMP =
      java.util.regex.Pattern.compile("^(\\d{4}-\\d{2}-\\d{2}) (\\d{2}:\\d{2}:\\d{2}\\.\\d{3})$");

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
      ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
      pb.environment().put("TZ", "UTC");
      Process p = pb.start();
      return new KernelWatch(name, p);
    } catch (IOException e) {
      throw new IllegalStateException("cannot start watch " + name + ": " + argv, e);
    }
  }

  private void read() {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      Stamps stamps = new Stamps();
      String line;
      while ((line = in.readLine()) != null) {
        Line read = stamps.next(System.nanoTime(), java.time.Instant.now(), line);
        synchronized (lines) {
          lines.add(read);
          lines.notifyAll();
        }
      }
    } catch (IOException e) {
      // the process went away: close() or a failure; waiters time out and say so
    }
  }

  /** What a monitor's lines carry from one to the next: the stamp of the message or update they belong to. */
  static final class Stamps {
    private Long lastStamp;
    /** An ovsdb-client update's stamp line was read and its blank line not yet. */
    private boolean inUpdate;

    Line next(long now, java.time.Instant wallNow, String line) {
      java.util.regex.Matcher ovsdb = OVSDB_STAMP.matcher(line);
      if (ovsdb.matches()) {
        java.time.LocalDateTime at = java.time.LocalDateTime.parse(ovsdb.group(1) + "T" + ovsdb.group(2));
        lastStamp = onThisScale(now, wallNow, at, 1_000_000);
        inUpdate = true;
        return new Line(now, lastStamp, "");
      }
      if (inUpdate) {
        if (line.isEmpty()) {
          inUpdate = false;
          lastStamp = null;
          return new Line(now, now, line);
        }
        return new Line(now, lastStamp, line);
      }
      Line read = stamped(now, wallNow, line, lastStamp);
      // A message's further lines (indented) carry no stamp of their own: its first line's holds.
      if (read.text().length() != line.length()) {
        lastStamp = read.stamped();
      } else if (!line.startsWith(" ")) {
        lastStamp = null;
      }
      return read;
    }
  }

  /**
   * The line read at {@code now} ({@code nanoTime}; {@code wallNow} the wall clock then), its stamp
   * taken off and put on the {@code nanoTime} scale; an indented line without one takes {@code
   * previous} (its message's first line's).
   */
  static Line stamped(long now, java.time.Instant wallNow, String line, Long previous) {
    java.util.regex.Matcher ip = IP_STAMP.matcher(line);
    if (ip.find()) {
      return new Line(now, onThisScale(now, wallNow, java.time.LocalDateTime.parse(ip.group(1)), 0),
          line.substring(ip.end()));
    }
    java.util.regex.Matcher ofctl = OFCTL_STAMP.matcher(line);
    if (ofctl.find()) {
      java.time.LocalDateTime at = java.time.LocalDateTime.parse(ofctl.group(1) + "T" + ofctl.group(2));
      return new Line(now, onThisScale(now, wallNow, at, 1_000_000), line.substring(ofctl.end()));
    }
    if (previous != null && line.startsWith(" ")) {
      return new Line(now, previous, line);
    }
    return new Line(now, now, line);
  }

  /**
   * A UTC wall-clock stamp of {@code resolutionNanos} (0: exact; else the end of its unit) as the
   * nanoTime it was, at most {@code now}: the line cannot have been printed after it was read.
   */
  private static long onThisScale(long now, java.time.Instant wallNow, java.time.LocalDateTime utc, long resolutionNanos) {
    java.time.Instant at = utc.toInstant(java.time.ZoneOffset.UTC).plusNanos(resolutionNanos);
    return Math.min(now, now - java.time.Duration.between(at, wallNow).toNanos());
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
    Line line = awaitLine(mark, matches, deadlineNanos);
    return line == null ? -1 : line.nanos();
  }

  /** As {@link #await}, the line itself (with its stamp), or null when none came in time. */
  Line awaitLine(int mark, Predicate<String> matches, long deadlineNanos) throws InterruptedException {
    int next = mark;
    synchronized (lines) {
      while (true) {
        for (; next < lines.size(); next++) {
          if (matches.test(lines.get(next).text())) {
            return lines.get(next);
          }
        }
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0 || !process.isAlive() && next >= lines.size()) {
          return null;
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
