package io.dvr.common.security;

import io.dvr.common.config.Settings;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;

/**
 * The directory of keys and certificates ({@code security.dir}, {@code ~/.dvr/security} by
 * default; mode 0700, every file 0600): the CA ({@code ca.pem}, {@code ca-key.pem}), one PKCS12
 * key store per identity ({@code <name>.p12}, key and chain), {@code truststore.p12} (the CA
 * only), the one password of every PKCS12 file ({@code keystore.password}), and the secret from
 * which each host's event-bus credential is derived ({@code host-credentials.key}).
 * {@link #ensure} creates what is missing and keeps what is there; blocking (file I/O).
 */
public final class SecurityMaterial {
  public static final String CA_CERT = "ca.pem";
  public static final String CA_KEY = "ca-key.pem";
  public static final String TRUSTSTORE = "truststore.p12";
  public static final String PASSWORD = "keystore.password";
  public static final String HOST_SECRET = "host-credentials.key";
  private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path dir;

  private SecurityMaterial(Path dir) {
    this.dir = dir;
  }

  /** {@code security.dir} (DVR_SECURITY_DIR), else {@code ~/.dvr/security}. */
  public static Path directory(Settings settings) {
    return Path.of(settings.get("security.dir", Path.of(System.getProperty("user.home"), ".dvr", "security").toString()));
  }

  /** The material of an existing directory (nothing is created; a missing file fails where it is used). */
  public static SecurityMaterial at(Path dir) {
    return new SecurityMaterial(dir);
  }

  /**
   * Creates in {@code dir} whatever of the CA, password, truststore, host secret and the given
   * identities' key stores is missing (each certificate valid for its name and {@code altNames});
   * files already there are reused as they are. Returns what it did, for the log.
   */
  public static Outcome ensure(Path dir, List<Identity> identities, List<String> altNames) {
    try {
      Files.createDirectories(dir);
      Files.setPosixFilePermissions(dir, DIR_MODE);
      // Several processes of one machine may start on the same directory at once: one creates.
      Path lockPath = dir.resolve(".lock");
      if (!Files.exists(lockPath)) {
        try {
          Files.createFile(lockPath, PosixFilePermissions.asFileAttribute(FILE_MODE));
        } catch (FileAlreadyExistsException e) {
          // another process made it just now
        }
      }
      try (FileChannel lockFile = FileChannel.open(lockPath, StandardOpenOption.WRITE);
           FileLock lock = lockFile.lock()) {
        SecurityMaterial material = new SecurityMaterial(dir);
        List<String> created = new ArrayList<>();
        material.ensureBase(created);
        for (Identity identity : identities) {
          if (!Files.exists(material.keystore(identity))) {
            material.writeKeystore(identity, altNames);
            created.add(identity.fileName() + ".p12");
          }
          if (identity.kind() == Identity.Kind.HOST_AGENT && !Files.exists(material.hostCredentialFile(identity.name()))) {
            created.add(material.writeHostCredential(identity.name()).getFileName().toString());
          }
        }
        return new Outcome(material, List.copyOf(created));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare the security material in " + dir + ": " + e.getMessage(), e);
    }
  }

  /** What {@link #ensure} found and made. */
  public record Outcome(SecurityMaterial material, List<String> created) {
    public String describe() {
      return created.isEmpty() ? "reused the security material in " + material.dir()
          : "created security material in " + material.dir() + " (files 0600): " + String.join(", ", created);
    }
  }

  /**
   * Issues a new key store for an identity (a host joining a real deployment) with the CA of this
   * directory; refuses to replace one that exists. Returns the files written.
   */
  public List<Path> mint(Identity identity, List<String> altNames) {
    Path keystore = keystore(identity);
    if (Files.exists(keystore)) {
      throw new IllegalArgumentException(keystore + " exists already; remove it first to issue a new one");
    }
    if (!Files.exists(dir.resolve(CA_KEY))) {
      throw new IllegalArgumentException("no CA in " + dir + " (" + CA_KEY + " is missing): start the lab once, or"
          + " point security.dir at the directory that holds it");
    }
    writeKeystore(identity, altNames);
    List<Path> written = new ArrayList<>(List.of(keystore));
    if (identity.kind() == Identity.Kind.HOST_AGENT) {
      written.add(writeHostCredential(identity.name()));
    }
    return written;
  }

  public Path dir() {
    return dir;
  }

  public Path keystore(Identity identity) {
    return dir.resolve(identity.fileName() + ".p12");
  }

  public Path truststore() {
    return dir.resolve(TRUSTSTORE);
  }

  public Path caCertificate() {
    return dir.resolve(CA_CERT);
  }

  /** The password of every PKCS12 file here. */
  public String password() {
    return read(PASSWORD).trim();
  }

  /** The secret behind every host's event-bus credential (control-plane services only). */
  public HostCredentials hostCredentials() {
    return HostCredentials.fromSecret(Base64.getUrlDecoder().decode(read(HOST_SECRET).trim()));
  }

  /** The file with the event-bus credential of one host: what its agent alone is given. */
  public Path hostCredentialFile(String host) {
    return dir.resolve("host-" + host + ".credential");
  }

  /** Writes {@code host-<host>.credential} (derived from the secret) for that host's agent. */
  public Path writeHostCredential(String host) {
    Path file = hostCredentialFile(host);
    writePrivate(file, hostCredentials().keyOf(host).getBytes(StandardCharsets.US_ASCII));
    return file;
  }

  private void ensureBase(List<String> created) throws IOException {
    if (!Files.exists(dir.resolve(PASSWORD))) {
      writePrivate(dir.resolve(PASSWORD), (randomToken(24) + "\n").getBytes(StandardCharsets.US_ASCII));
      created.add(PASSWORD);
    }
    if (!Files.exists(dir.resolve(HOST_SECRET))) {
      writePrivate(dir.resolve(HOST_SECRET), (randomToken(32) + "\n").getBytes(StandardCharsets.US_ASCII));
      created.add(HOST_SECRET);
    }
    if (!Files.exists(dir.resolve(CA_KEY)) || !Files.exists(dir.resolve(CA_CERT))) {
      CertificateAuthority ca = CertificateAuthority.create(randomToken(6));
      writePrivate(dir.resolve(CA_KEY), ca.keyPem().getBytes(StandardCharsets.US_ASCII));
      writePrivate(dir.resolve(CA_CERT), ca.certificatePem().getBytes(StandardCharsets.US_ASCII));
      Files.deleteIfExists(truststore());
      created.add(CA_CERT);
      created.add(CA_KEY);
    }
    if (!Files.exists(truststore())) {
      writeTruststore();
      created.add(TRUSTSTORE);
    }
  }

  private CertificateAuthority ca() {
    return CertificateAuthority.fromPem(read(CA_CERT), read(CA_KEY));
  }

  private void writeKeystore(Identity identity, List<String> altNames) {
    CertificateAuthority.Issued issued = ca().issue(identity, altNames);
    char[] password = password().toCharArray();
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, password);
      store.setKeyEntry(identity.fileName(), issued.key(), password, issued.chain());
      writePrivate(keystore(identity), bytes(store, password));
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot write the key store of " + identity.fileName() + ": " + e.getMessage(), e);
    }
  }

  private void writeTruststore() {
    char[] password = password().toCharArray();
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, password);
      store.setCertificateEntry("dvr-ca", ca().certificate());
      writePrivate(truststore(), bytes(store, password));
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot write the truststore: " + e.getMessage(), e);
    }
  }

  private static byte[] bytes(KeyStore store, char[] password) throws GeneralSecurityException, IOException {
    var out = new java.io.ByteArrayOutputStream();
    store.store(out, password);
    return out.toByteArray();
  }

  private String read(String name) {
    try {
      return Files.readString(dir.resolve(name), StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + dir.resolve(name) + ": " + e.getMessage(), e);
    }
  }

  /** Writes a file readable by its owner only: created 0600 beside it, then moved into place. */
  static void writePrivate(Path file, byte[] content) {
    Path temp = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      Files.deleteIfExists(temp);
      Files.createFile(temp, PosixFilePermissions.asFileAttribute(FILE_MODE));
      try (OutputStream out = Files.newOutputStream(temp, StandardOpenOption.WRITE)) {
        out.write(content);
      }
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (FileAlreadyExistsException e) {
      throw new IllegalStateException(temp + " appeared while writing it", e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  static String randomToken(int bytes) {
    byte[] random = new byte[bytes];
    RANDOM.nextBytes(random);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(random);
  }
}
