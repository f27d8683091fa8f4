package io.dvr.agent.driver.linux;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Optional;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One labnet host for a kernel test class ({@code @RegisterExtension static final LabHostExtension
 * LAB = new LabHostExtension();}): up before the class's tests, down after them, with a shell into
 * it. Where the tools are missing, the class says so once and each test is skipped, saying why.
 */
final class LabHostExtension implements BeforeAllCallback, BeforeEachCallback, AfterAllCallback {
  private Optional<String> missing = Optional.empty();
  private LabHost lab;
  private CommandRunner shell;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    missing = LabHost.missing();
    if (missing.isPresent()) {
      System.err.println("SKIPPED " + context.getRequiredTestClass().getSimpleName() + ": " + missing.get());
      return;
    }
    lab = LabHost.up();
    shell = CommandRunner.withPool(lab.shell(), 1);
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    assumeTrue(missing.isEmpty(), () -> missing.orElse(""));
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (shell != null) {
      shell.close();
    }
    if (lab != null) {
      lab.close();
    }
  }

  LabHost lab() {
    return lab;
  }

  /** Runs commands in the lab host, one at a time. */
  CommandRunner shell() {
    return shell;
  }

  /** Runs one command in the lab host and returns its output, stripped; fails when it fails. */
  String sh(String... argv) {
    return shell.run(Command.of(argv)).stdout().strip();
  }
}
