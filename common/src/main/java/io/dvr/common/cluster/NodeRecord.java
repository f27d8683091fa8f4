package io.dvr.common.cluster;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What one event-bus member states about itself, signed with its certificate's key: its Vert.x
 * node id, the Hazelcast member it runs in, where its bus listens, and its handler registrations
 * (address to handler sequence numbers). {@code version} grows with each change, so a replayed
 * older record of the same member is ignored.
 */
record NodeRecord(String nodeId, String memberUuid, String host, int port, long version,
    SortedMap<String, List<Long>> registrations) {
  /** Separates these signatures from anything else the same key signs. */
  private static final String MAGIC = "dvr-bus-node-record/1";
  static final int MAX_BYTES = 4 << 20;
  private static final int MAX_CERTS = 8;

  NodeRecord {
    SortedMap<String, List<Long>> copy = new TreeMap<>();
    registrations.forEach((address, seqs) -> copy.put(address, List.copyOf(seqs)));
    registrations = copy;
  }

  byte[] payload() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeUTF(MAGIC);
      out.writeUTF(nodeId);
      out.writeUTF(memberUuid);
      out.writeUTF(host);
      out.writeInt(port);
      out.writeLong(version);
      out.writeInt(registrations.size());
      for (Map.Entry<String, List<Long>> e : registrations.entrySet()) {
        out.writeUTF(e.getKey());
        out.writeInt(e.getValue().size());
        for (long seq : e.getValue()) {
          out.writeLong(seq);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static NodeRecord parse(byte[] payload) throws IOException {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload));
    if (!MAGIC.equals(in.readUTF())) {
      throw new IOException("not a node record");
    }
    String nodeId = in.readUTF();
    String member = in.readUTF();
    String host = in.readUTF();
    int port = in.readInt();
    long version = in.readLong();
    int addresses = count(in, payload.length);
    SortedMap<String, List<Long>> registrations = new TreeMap<>();
    for (int i = 0; i < addresses; i++) {
      String address = in.readUTF();
      int n = count(in, payload.length);
      List<Long> seqs = new ArrayList<>(n);
      for (int j = 0; j < n; j++) {
        seqs.add(in.readLong());
      }
      registrations.put(address, seqs);
    }
    return new NodeRecord(nodeId, member, host, port, version, registrations);
  }

  /** A record with the chain and signature that vouch for it: what goes into the Hazelcast map. */
  record Signed(byte[] payload, List<X509Certificate> chain, byte[] signature) {
    byte[] encode() {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (DataOutputStream out = new DataOutputStream(bytes)) {
        out.writeInt(payload.length);
        out.write(payload);
        out.writeInt(chain.size());
        for (X509Certificate c : chain) {
          byte[] der = c.getEncoded();
          out.writeInt(der.length);
          out.write(der);
        }
        out.writeInt(signature.length);
        out.write(signature);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (CertificateException e) {
        throw new IllegalStateException(e);
      }
      return bytes.toByteArray();
    }

    /** Reads what another member (or anyone on Hazelcast) wrote; sizes are bounded. */
    static Signed decode(byte[] value) throws IOException {
      if (value.length > MAX_BYTES) {
        throw new IOException("record of " + value.length + " bytes is too large");
      }
      DataInputStream in = new DataInputStream(new ByteArrayInputStream(value));
      byte[] payload = block(in, value.length);
      int certs = in.readInt();
      if (certs < 0 || certs > MAX_CERTS) {
        throw new IOException("a chain of " + certs + " certificates");
      }
      List<X509Certificate> chain = new ArrayList<>();
      try {
        CertificateFactory x509 = CertificateFactory.getInstance("X.509");
        for (int i = 0; i < certs; i++) {
          chain.add((X509Certificate) x509.generateCertificate(new ByteArrayInputStream(block(in, value.length))));
        }
      } catch (CertificateException | ClassCastException e) {
        throw new IOException("unreadable certificate: " + e.getMessage());
      }
      return new Signed(payload, chain, block(in, value.length));
    }
  }

  private static byte[] block(DataInputStream in, int limit) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > limit) {
      throw new IOException("a block of " + n + " bytes");
    }
    byte[] b = new byte[n];
    in.readFully(b);
    return b;
  }

  private static int count(DataInputStream in, int limit) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > limit) {
      throw new IOException("a count of " + n);
    }
    return n;
  }
}
