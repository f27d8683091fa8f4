-- The trace context (W3C traceparent) of the change that wrote an outbox row: its publication,
-- perhaps by another api-gateway after a crash, continues the change's trace. Empty while tracing is off.

ALTER TABLE outbox ADD COLUMN trace_context text NOT NULL DEFAULT '';
