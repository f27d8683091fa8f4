package io.dvr.clusterit;

import io.dvr.gateway.TestSecurity;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * Makes the service JVMs start on half the CPU: a training JVM ({@link CdsTraining}) starts every
 * service once and dumps the classes it loaded (-XX:ArchiveClassesAtExit); the others map that
 * archive (-XX:SharedArchiveFile). Measured here: six services starting together were serving
 * after about 25 s without it and 12-17 s with it. The archive accepts only jars on the class
 * path, so directories (target/test-classes) are jarred first. A stale or unusable archive only
 * costs the speed-up: the JVM then starts without it.
 */
final class ClassDataSharing {
  /** This project's artifacts in the local repository (groupId io.dvr). */
  private static final String PROJECT_JARS = File.separator + "io" + File.separator + "dvr" + File.separator;
  private static String classpath;
  private static Path archive;

  private ClassDataSharing() {}

  /** The class path of every child JVM: the test class path with directories replaced by jars. */
  static synchronized String classpath() {
    if (classpath == null) {
      String testPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
      List<String> entries = new ArrayList<>();
      for (String entry : testPath.split(File.pathSeparator)) {
        Path p = Path.of(entry);
        if (Files.isDirectory(p)) {
          if (!isEmpty(p)) {
            entries.add(jar(p, Cluster.LOGS.resolve("classpath").resolve(p.getParent().getParent().getFileName() + "-"
                + p.getFileName() + ".jar")).toString());
          }
        } else if (Files.exists(p) && entry.contains(PROJECT_JARS)) {
          // This project's own jars are copied: a concurrent mvn install elsewhere must not swap
          // classes under running services (nor invalidate the archive).
          entries.add(copy(p, Cluster.LOGS.resolve("classpath").resolve(p.getFileName())).toString());
        } else if (Files.exists(p)) {
          entries.add(entry);
        }
      }
      classpath = String.join(File.pathSeparator, entries);
      try {
        // For starting one process by hand: java -cp "$(cat target/cluster-logs/classpath/classpath.txt)" ...
        Files.createDirectories(Cluster.LOGS.resolve("classpath"));
        Files.writeString(Cluster.LOGS.resolve("classpath").resolve("classpath.txt"), classpath);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return classpath;
  }

  /** JVM flags that map the archive, training it first (once per class path) against this PostgreSQL. */
  static synchronized List<String> flags(PostgresServer postgres) {
    if (archive == null) {
      Path candidate = Cluster.LOGS.resolve("cds").resolve("services-" + fingerprint() + ".jsa");
      if (!Files.exists(candidate)) {
        removeOldArchives(candidate.getParent());
        train(postgres, candidate);
      }
      archive = candidate;
    }
    return Files.exists(archive) ? List.of("-XX:SharedArchiveFile=" + archive, "-Xlog:cds=off", "-Xlog:cds+dynamic=off")
        : List.of();
  }

  private static void train(PostgresServer postgres, Path target) {
    postgres.rows("SELECT 1 FROM pg_database WHERE datname = 'cds_training'").stream().findAny()
        .ifPresentOrElse(r -> { }, () -> postgres.execute("CREATE DATABASE cds_training"));
    // Its own API port, so that the training agent reports to the training gateway and nowhere else.
    String api = String.valueOf(Cluster.freePort());
    TestSecurity.agent("cds-training");
    Map<String, String> env = new java.util.HashMap<>(Map.of("DVR_API_PORT", api, "DVR_API_ADDRESS", "127.0.0.1:" + api,
        "DVR_SECURITY_DIR", TestSecurity.dir().toString(),
        "DVR_DB_URL", "postgresql://postgres:postgres@127.0.0.1:" + postgres.port + "/cds_training",
        "DVR_CLUSTER_ENABLED", "true", "DVR_CLUSTER_HOST", "127.0.0.1",
        "DVR_CLUSTER_PORT", String.valueOf(Cluster.freePort()), "DVR_CLUSTER_NAME", "cds-training-" + System.nanoTime()));
    env.put("DVR_REST_PORT", "0");
    env.putAll(Cluster.pki().env("cds-training"));
    try {
      Files.createDirectories(target.getParent());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String name = target.getFileName().toString().replace(".jsa", "") + "-training";
    JvmProcess training = JvmProcess.start(name, CdsTraining.class.getName(), "256m", env, 0,
        target.getParent(), List.of("-XX:ArchiveClassesAtExit=" + target, "-Xlog:cds=off", "-Xlog:cds+dynamic=off"));
    if (!training.awaitExit(java.time.Duration.ofSeconds(120))) {
      training.kill9();
      System.out.println("class data sharing: training did not finish, starting without it\n" + training.tail(20));
    }
  }

  /** Archives of earlier builds (58 MB each); an hour's grace for a run still starting JVMs on one. */
  private static void removeOldArchives(Path dir) {
    long hourAgo = System.currentTimeMillis() - 3_600_000;
    if (Files.isDirectory(dir)) {
      try (Stream<Path> old = Files.list(dir)) {
        for (Path p : old.filter(p -> p.toString().endsWith(".jsa") && p.toFile().lastModified() < hourAgo).toList()) {
          Files.deleteIfExists(p);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** Class path entries with size and time, so that a rebuilt jar gets a new archive. */
  private static String fingerprint() {
    StringBuilder all = new StringBuilder(System.getProperty("java.version"));
    for (String entry : classpath().split(File.pathSeparator)) {
      File f = new File(entry);
      all.append(entry).append(f.length()).append(f.lastModified());
    }
    return Integer.toHexString(all.toString().hashCode());
  }

  private static Path copy(Path jar, Path to) {
    try {
      if (!Files.exists(to) || Files.size(to) != Files.size(jar)
          || to.toFile().lastModified() != jar.toFile().lastModified()) {
        Files.createDirectories(to.getParent());
        Path tmp = to.resolveSibling(to.getFileName() + ".tmp-" + ProcessHandle.current().pid());
        Files.copy(jar, tmp, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
        replace(tmp, to);
      }
      return to;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot copy " + jar, e);
    }
  }

  /**
   * Moves a finished file into place in one step: JVMs of another run in this checkout keep the
   * file they opened, new ones get the new one; no JVM sees a half-written jar.
   */
  private static void replace(Path tmp, Path target) throws IOException {
    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static boolean isEmpty(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.noneMatch(Files::isRegularFile);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path jar(Path dir, Path jar) {
    try (Stream<Path> all = Files.walk(dir)) {
      long newest = all.filter(Files::isRegularFile).mapToLong(f -> f.toFile().lastModified()).max().orElse(0);
      if (Files.exists(jar) && jar.toFile().lastModified() == newest) {
        return jar;
      }
      Files.createDirectories(jar.getParent());
      Path tmp = jar.resolveSibling(jar.getFileName() + ".tmp-" + ProcessHandle.current().pid());
      try (OutputStream out = Files.newOutputStream(tmp); JarOutputStream zip = new JarOutputStream(out);
           Stream<Path> files = Files.walk(dir)) {
        for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
          JarEntry e = new JarEntry(dir.relativize(f).toString().replace(File.separatorChar, '/'));
          // A fixed time: the same classes give the same jar, and the same archive fingerprint.
          e.setTime(0);
          zip.putNextEntry(e);
          Files.copy(f, zip);
          zip.closeEntry();
        }
      }
      // Dated like its newest class: unchanged classes keep the jar, and so the archive, valid.
      tmp.toFile().setLastModified(newest);
      replace(tmp, jar);
      return jar;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot jar " + dir, e);
    }
  }
}
