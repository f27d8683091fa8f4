package io.dvr.bench;

/** Prints how long each step of a setup took, so that slow setups say where their time went. */
final class Phases {
  private final String what;
  private final long start = System.nanoTime();
  private long last = start;

  Phases(String what) {
    this.what = what;
  }

  void done(String step) {
    long now = System.nanoTime();
    System.out.printf("%s: %s (%.1f s)%n", what, step, (now - last) / 1e9);
    last = now;
  }

  double totalSeconds() {
    return (System.nanoTime() - start) / 1e9;
  }
}
