/**
 * The driver seam: a {@link io.dvr.agent.driver.HostDriver} observes one host into the model and
 * executes plans, nothing else; the memory driver models a host, the Linux driver programs a real
 * one. A {@link io.dvr.agent.driver.Hypervisor} stands for what plugs VM ports.
 *
 * <p>Guarantees: a driver handles every kind of {@link io.dvr.agent.reconcile.Operation} through
 * {@link io.dvr.agent.driver.OperationHandlers} (checked by a test against the sealed hierarchy);
 * an operation without a handler fails naming its kind and the driver. Drivers render, diff and
 * allocate nothing: that is the pipeline's, once, for every driver.
 */
package io.dvr.agent.driver;
