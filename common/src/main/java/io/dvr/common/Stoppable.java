package io.dvr.common;

import io.vertx.core.Future;

/**
 * A service its process stops before closing Vert.x when told to terminate (SIGTERM, a container
 * stop): it ends its streams, lets go of its consumers and flushes what it owes first, so peers see
 * an orderly end instead of a broken connection.
 */
public interface Stoppable {
  Future<Void> stop();
}
