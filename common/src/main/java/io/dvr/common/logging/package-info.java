/**
 * Log lines: an ISO-8601 timestamp on every line, plain text by default or one JSON object per line
 * with {@code log.format=json} ({@link io.dvr.common.logging.LogLineEncoder}); the DVR fields a line
 * is about (service, host, router, port, revision, trace id) travel in the MDC, set by {@link
 * io.dvr.common.logging.LogFields} around the handler that logs, since a Vert.x context hops threads
 * and a thread serves many contexts; audit lines go to the logger {@code dvr.audit}.
 */
package io.dvr.common.logging;
