package io.dvr.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * How busy the machine was during a phase, from /proc (Linux): the share of all CPU time used by
 * this JVM, by its embedded PostgreSQL (the postmaster whose command line names the benchmark's
 * data directory, and its children) and by everything else. Other work on a 2-CPU machine skews
 * the figures; this makes it visible instead of assumed away.
 */
final class CpuShare {
  private final String dataDirMark;
  private final long[] start;

  CpuShare() {
    this("dvr-convergence-");
  }

  /** Counting as PostgreSQL the postmaster whose command line holds {@code dataDirMark}. */
  CpuShare(String dataDirMark) {
    this.dataDirMark = dataDirMark;
    this.start = read();
  }

  /** "JVM X %, PostgreSQL Y %, other processes Z %" of the machine's CPU time since construction. */
  String since() {
    long[] end = read();
    long total = end[0] - start[0];
    if (start[0] < 0 || end[0] < 0 || total <= 0) {
      return "n/a";
    }
    double busy = 100.0 * ((end[0] - end[1]) - (start[0] - start[1])) / total;
    double jvm = 100.0 * (end[2] - start[2]) / total;
    double pg = 100.0 * (end[3] - start[3]) / total;
    return ConvergenceBench.fmt("JVM %.0f %%, PostgreSQL %.0f %%, other processes %.0f %%", jvm, pg,
        Math.max(0, busy - jvm - pg));
  }

  /** Total and idle (with iowait) jiffies of all CPUs; jiffies used by this JVM and by its PostgreSQL. */
  private long[] read() {
    try {
      String[] cpu = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long total = 0;
      for (int i = 1; i < Math.min(cpu.length, 9); i++) {
        total += Long.parseLong(cpu[i]);
      }
      long idle = Long.parseLong(cpu[4]) + Long.parseLong(cpu[5]);
      String[] self = fields(Files.readString(Path.of("/proc/self/stat")));
      return new long[] {total, idle, Long.parseLong(self[11]) + Long.parseLong(self[12]), postgres()};
    } catch (IOException | RuntimeException e) {
      return new long[] {-1, -1, -1, -1};
    }
  }

  /** The postmaster's own and reaped children's time, plus that of its live children (backends, writers). */
  private long postgres() throws IOException {
    List<Long> postmasters = new ArrayList<>();
    List<Path> procs;
    try (Stream<Path> s = Files.list(Path.of("/proc"))) {
      procs = s.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).toList();
    }
    for (Path p : procs) {
      String cmd = readOrEmpty(p.resolve("cmdline"));
      if (cmd.contains(dataDirMark) && cmd.contains("postgres") && !cmd.contains("java")) {
        postmasters.add(Long.parseLong(p.getFileName().toString()));
      }
    }
    long sum = 0;
    for (Path p : procs) {
      String[] f = fields(readOrEmpty(p.resolve("stat")));
      if (f.length > 14) {
        long pid = Long.parseLong(p.getFileName().toString());
        long ppid = Long.parseLong(f[1]);
        if (postmasters.contains(pid)) {
          sum += Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
        } else if (postmasters.contains(ppid)) {
          sum += Long.parseLong(f[11]) + Long.parseLong(f[12]);
        }
      }
    }
    return sum;
  }

  /** The fields of /proc/PID/stat after the command name: state is [0], ppid [1], utime [11], stime [12]. */
  private static String[] fields(String stat) {
    int close = stat.lastIndexOf(')');
    return close < 0 ? new String[0] : stat.substring(close + 2).split(" ");
  }

  private static String readOrEmpty(Path p) {
    try {
      return Files.readString(p).replace('\0', ' ');
    } catch (IOException | RuntimeException e) {
      return ""; // the process ended meanwhile
    }
  }
}
