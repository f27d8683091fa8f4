/**
 * PostgreSQL plumbing shared by the control-plane services, and nothing else: the connection
 * pool and embedded server ({@link io.dvr.store.Database}), the one schema history
 * ({@code db/V*.sql}, applied in order by {@code Migrations}, so existing databases upgrade
 * unchanged), units of work ({@link io.dvr.store.Store}, {@link io.dvr.store.Tx}) whose events
 * reach the outbox in the same transaction, the relay that publishes them, and paging; and a
 * lost database: {@link io.dvr.store.DatabaseHealth} tells the servers' health whether it answers,
 * {@code Store} turns an unreachable database into UNAVAILABLE, and an embedded server whose
 * process died is started again.
 *
 * <p>No table's SQL and no rule live here: each service keeps the SQL of the tables it owns
 * (api-gateway the resources, scheduler-svc the bindings, mac-allocator-svc the DVR MACs) and
 * asks the owner of any other answer over the event bus.
 */
package io.dvr.store;
