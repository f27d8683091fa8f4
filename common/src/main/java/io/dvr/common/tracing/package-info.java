/**
 * Tracing with OpenTelemetry, off unless configured ({@code tracing.otlp-endpoint} or the standard
 * {@code OTEL_EXPORTER_OTLP_ENDPOINT}): then Vert.x traces every gRPC call, bus message and SQL
 * query, and the context travels where Vert.x does not carry it itself: in each outbox row (its
 * publication may come from another process after a crash) and into each host agent's applies.
 * While off nothing is traced and no trace context is read or stored.
 */
package io.dvr.common.tracing;
