package io.dvr.agent;

import io.dvr.agent.driver.HostDriver;
import io.dvr.agent.driver.Hypervisor;

/**
 * A driver with what goes with it: where the agent keeps its facts, what plugs VM ports, and the
 * worker pool the pipeline's blocking work runs on (a real host gets a thread of its own, since an
 * apply may take minutes; simulated hosts share one pool).
 */
public record HostSetup(HostDriver driver, FactsStore facts, Hypervisor hypervisor, String workerPool,
    int workerThreads) {}
