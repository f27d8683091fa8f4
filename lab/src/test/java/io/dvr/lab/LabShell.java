package io.dvr.lab;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the labnet scripts and commands inside lab hosts and VMs: argv arrays, never a shell string. */
final class LabShell {
  /** The outcome of one command. */
  record Result(List<String> argv, int exit, String out, String err) {
    boolean ok() {
      return exit == 0;
    }

    @Override
    public String toString() {
      return String.join(" ", argv) + " -> exit " + exit + "\nstdout: " + out + "\nstderr: " + err;
    }
  }

  /** A command left running in the background (a listener, a capture, a steady ping). */
  static final class Background implements AutoCloseable {
    final List<String> argv;
    final Process process;
    final File out;
    final File err;

    Background(List<String> argv, Process process, File out, File err) {
      this.argv = argv;
      this.process = process;
      this.out = out;
      this.err = err;
    }

    String out() {
      return read(out);
    }

    String err() {
      return read(err);
    }

    Result await(Duration timeout) throws InterruptedException {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        return new Result(argv, -1, out(), err() + "\n(timed out after " + timeout + ")");
      }
      return new Result(argv, process.exitValue(), out(), err());
    }

    @Override
    public void close() {
      if (process.isAlive()) {
        process.destroyForcibly();
      }
      out.delete();
      err.delete();
    }
  }

  final Path scripts;
  final String labDir;

  LabShell(Path scripts, String labDir) {
    this.scripts = scripts;
    this.labDir = labDir;
  }

  /** Walks up from the working directory to the folder holding labnet/up.sh; null when there is none. */
  static Path findScripts() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("labnet/up.sh"))) {
        return p.resolve("labnet");
      }
    }
    return null;
  }

  static boolean onPath(String tool) {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
      if (Files.isExecutable(Path.of(dir, tool))) {
        return true;
      }
    }
    return Files.isExecutable(Path.of("/usr/sbin", tool)) || Files.isExecutable(Path.of("/sbin", tool));
  }

  Result run(Duration timeout, String... argv) {
    return run(timeout, List.of(argv));
  }

  Result run(Duration timeout, List<String> argv) {
    try (Background bg = start(argv)) {
      return bg.await(timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  Background start(List<String> argv) {
    return start(argv, null);
  }

  /** Starts argv in the background with stdin from the given text (null: /dev/null). */
  Background start(List<String> argv, String stdin) {
    try {
      File in = new File("/dev/null");
      if (stdin != null) {
        in = File.createTempFile("labnet", ".in");
        in.deleteOnExit();
        Files.writeString(in.toPath(), stdin);
      }
      File out = File.createTempFile("labnet", ".out");
      File err = File.createTempFile("labnet", ".err");
      ProcessBuilder pb = new ProcessBuilder(argv).redirectOutput(out).redirectError(err)
          .redirectInput(ProcessBuilder.Redirect.from(in));
      Map<String, String> env = pb.environment();
      env.put("LABNET_DIR", labDir);
      env.merge("PATH", "/usr/sbin:/sbin", (a, b) -> a + ":" + b);
      return new Background(List.copyOf(argv), pb.start(), out, err);
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + argv, e);
    }
  }

  String script(String name) {
    return scripts.resolve(name).toString();
  }

  /** argv running CMD inside lab host HOST. */
  List<String> onHost(String host, String... cmd) {
    List<String> argv = new ArrayList<>(List.of(script("on-host.sh"), host));
    argv.addAll(List.of(cmd));
    return argv;
  }

  /** argv running CMD inside VM (a namespace of lab host HOST). */
  List<String> inVm(String host, String vm, String... cmd) {
    List<String> argv = new ArrayList<>(List.of(script("on-host.sh"), host, "ip", "netns", "exec", vm));
    argv.addAll(List.of(cmd));
    return argv;
  }

  /** argv running CMD in one of the lab's top-level namespaces (lab-outside, lab-underlay). */
  static List<String> inNetns(String netns, String... cmd) {
    List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", netns));
    argv.addAll(List.of(cmd));
    return argv;
  }

  private static String read(File f) {
    try {
      return f.exists() ? Files.readString(f.toPath(), StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }
}
