/**
 * Who calls the API. Every dvr.v1 call but the agents' ReportAgentState carries a bearer token
 * (gRPC metadata {@code authorization: Bearer <jwt>}); {@link io.dvr.gateway.auth.Authenticator}
 * turns it into a {@link io.dvr.gateway.auth.Caller} (subject, project, roles) or UNAUTHENTICATED
 * with a plain reason. Guarantees: a token's signature (ES256, {@link io.dvr.gateway.auth.TokenAuthority}),
 * audience, issuer and expiry are checked before anything else of the call runs; ECDSA work runs
 * on worker threads, never on an event loop; no token or key is ever written to a log or an
 * error (only where the files are). The key and the bootstrap admin token live in
 * {@code security.dir}, owner-only ({@link io.dvr.gateway.auth.SecurityFiles}).
 */
package io.dvr.gateway.auth;
