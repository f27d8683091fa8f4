package io.dvr.common.security;

import io.vertx.core.http.HttpConnection;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;

/**
 * Who is on the other end of a TLS connection, as its client certificate (verified against the CA
 * by the handshake) names it: a host agent, a service or a client, and the certificate's subject
 * for the log. Empty when the connection is plaintext or the client sent no certificate.
 */
public record PeerIdentity(Identity identity, String subject) {

  public static Optional<PeerIdentity> of(HttpConnection connection) {
    if (connection == null || !connection.isSsl()) {
      return Optional.empty();
    }
    try {
      List<Certificate> chain = connection.peerCertificates();
      return chain == null || chain.isEmpty() || !(chain.get(0) instanceof X509Certificate leaf)
          ? Optional.empty() : Optional.of(of(leaf));
    } catch (SSLPeerUnverifiedException e) {
      return Optional.empty();
    }
  }

  static PeerIdentity of(X509Certificate certificate) {
    String subject = certificate.getSubjectX500Principal().getName();
    X500Name name = new X500Name(BCStyle.INSTANCE, subject);
    String unit = first(name, BCStyle.OU);
    String common = first(name, BCStyle.CN);
    Identity.Kind kind = Identity.HOST_AGENT_UNIT.equals(unit) ? Identity.Kind.HOST_AGENT
        : Identity.SERVICE_UNIT.equals(unit) ? Identity.Kind.SERVICE : Identity.Kind.CLIENT;
    Identity identity;
    try {
      identity = new Identity(kind, common);
    } catch (IllegalArgumentException e) {
      identity = null; // a name no identity of ours has: known by its subject only
    }
    return new PeerIdentity(identity, subject);
  }

  /** The host this peer is the agent of, if it is a host agent. */
  public Optional<String> agentHost() {
    return identity != null && identity.kind() == Identity.Kind.HOST_AGENT ? Optional.of(identity.name()) : Optional.empty();
  }

  private static String first(X500Name name, org.bouncycastle.asn1.ASN1ObjectIdentifier type) {
    RDN[] rdns = name.getRDNs(type);
    return rdns.length == 0 ? null : IETFUtils.valueToString(rdns[0].getFirst().getValue());
  }
}
