package io.dvr.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * Which bearer token dvrctl sends: {@code --token}, else {@code --token-file}, else
 * {@code DVRCTL_TOKEN}, else the {@code admin.token} the lab wrote into its security directory
 * ({@code DVR_SECURITY_DIR}, else {@code ~/.dvr/security}), else none (the server then says what
 * is missing).
 */
final class Credentials {
  static final String ADMIN_TOKEN_FILE = "admin.token";

  private Credentials() {}

  static String token(String option, Path optionFile, Function<String, String> env) {
    if (option != null && !option.isBlank()) {
      return option.trim();
    }
    if (optionFile != null) {
      return read(optionFile).orElseThrow(() -> CliError.usage("cannot read the token file " + optionFile));
    }
    String fromEnv = env.apply("DVRCTL_TOKEN");
    if (fromEnv != null && !fromEnv.isBlank()) {
      return fromEnv.trim();
    }
    return read(securityDir(env).resolve(ADMIN_TOKEN_FILE)).orElse(null);
  }

  static Path securityDir(Function<String, String> env) {
    String dir = System.getProperty("dvr.security.dir");
    if (dir == null || dir.isBlank()) {
      dir = env.apply("DVR_SECURITY_DIR");
    }
    return dir == null || dir.isBlank() ? Path.of(System.getProperty("user.home"), ".dvr", "security") : Path.of(dir);
  }

  private static java.util.Optional<String> read(Path file) {
    try {
      String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
      return text.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(text);
    } catch (IOException e) {
      return java.util.Optional.empty();
    }
  }
}
