package io.dvr.agent.driver.linux;

import io.dvr.agent.Dataplane;
import io.dvr.agent.FactsStore;
import io.dvr.agent.model.HostState;
import io.dvr.agent.reconcile.Plan;
import io.dvr.agent.reconcile.Reconciler;
import io.dvr.agent.render.HostFacts;
import io.dvr.agent.render.HostRenderer;
import io.dvr.agent.render.TunnelType;
import io.dvr.common.config.Settings;
import io.dvr.proto.v1.HostRouters;
import io.dvr.proto.v1.HostStateListing;
import io.dvr.proto.v1.ListingSection;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dataplane of a real host: renders with the host's facts, diffs against what the kernel and
 * OVS hold, executes the plan, and keeps the facts in a state file. All of it runs on one worker
 * thread of its own (one apply at a time, never on the event loop); the commands of a plan run on
 * the runner's bounded pool. An apply repeats (at most three passes) while executing it changed
 * the facts: a SNAT port gets its ofport only once plugged, and its flows need that ofport.
 */
public final class LinuxDataplane implements Dataplane {
  private static final Logger LOG = LoggerFactory.getLogger(LinuxDataplane.class);
  private static final int MAX_PASSES = 3;

  private final Vertx vertx;
  private final LinuxHost host;
  private final FactsStore store;
  private final String mode;
  private final TunnelType tunnelType;
  private final String tunnelIp;
  private final WorkerExecutor worker;
  private final LinuxListings listings;
  /** Gratuitous ARPs go out here, two at a time, so that their second each never holds up an apply. */
  private final ExecutorService announcer = Executors.newFixedThreadPool(2, r -> {
    Thread t = new Thread(r, "dvr-garp");
    t.setDaemon(true);
    return t;
  });
  private long applies;
  private volatile Set<String> wired = Set.of();
  /** Set once by {@link #watch}; not guarded by this object's lock, which an apply holds for seconds. */
  private final AtomicReference<OvsPortMonitor> monitor = new AtomicReference<>();

  /**
   * @param tunnelIp this host's tunnel endpoint; when set, missing tunnel ports to peers are added
   *     on br-tun; when empty, tunnel ports are only read (the lab makes them)
   */
  public LinuxDataplane(Vertx vertx, LinuxHost host, FactsStore store, String mode, TunnelType tunnelType,
      String tunnelIp) {
    this.vertx = vertx;
    this.host = host;
    this.store = store;
    this.mode = mode;
    this.tunnelType = tunnelType;
    this.tunnelIp = tunnelIp == null ? "" : tunnelIp;
    this.worker = vertx.createSharedWorkerExecutor("dvr-linux-dataplane-" + host.host(), 1, 10, TimeUnit.MINUTES);
    this.listings = new LinuxListings(host.runner(), host.options());
  }

  /**
   * A dataplane from settings: {@code linux.state-dir} (/var/lib/dvr-agent), {@code linux.plug}
   * (veth or internal), {@code linux.ovs} (true), {@code linux.lanes} (4), {@code
   * linux.command-timeout-ms} (30000), {@code linux.tunnel-type} (vxlan), the tunnel address
   * {@code agent.tunnel-ip} (the one the heartbeat reports; empty: tunnel ports are only read),
   * and {@code linux.lab-dir} with {@code linux.lab-host} to drive a labnet host from outside it
   * (empty: commands run where the agent runs).
   */
  public static LinuxDataplane fromSettings(Vertx vertx, Settings settings, String hostName, String mode) {
    String labDir = settings.get("linux.lab-dir", "");
    HostShell shell = labDir.isEmpty() ? HostShell.local()
        : HostShell.labHost(settings.get("linux.lab-host", hostName), labDir + "/ns");
    LinuxOptions options = LinuxOptions.defaults()
        .withPlug(PlugMode.valueOf(settings.get("linux.plug", "veth").toUpperCase()))
        .withLanes(settings.getInt("linux.lanes", 4));
    options = new LinuxOptions(options.plug(), settings.getBoolean("linux.ovs", true), options.bridges(), options.lanes(),
        Duration.ofMillis(settings.getLong("linux.command-timeout-ms", 30_000)));
    CommandRunner runner = CommandRunner.withPool(shell, options.lanes());
    FactsStore facts = new FactsFile(Path.of(settings.get("linux.state-dir", "/var/lib/dvr-agent")), hostName);
    return new LinuxDataplane(vertx, new LinuxHost(hostName, runner, options), facts, mode,
        TunnelType.valueOf(settings.get("linux.tunnel-type", "vxlan").toUpperCase()),
        settings.get("agent.tunnel-ip", settings.get("linux.tunnel-ip", "")));
  }

  public LinuxHost host() {
    return host;
  }

  @Override
  public Future<Integer> apply(HostRouters routers) {
    return worker.executeBlocking(() -> {
      synchronized (this) {
        return applyNow(routers);
      }
    });
  }

  /** The whole apply, blocking; returns the operations run (plan operations plus OVS port changes). */
  int applyNow(HostRouters routers) {
    long started = System.nanoTime();
    int total = 0;
    if (host.options().ovs() && !tunnelIp.isEmpty()) {
      total += vsctl(OvsAgent.tunnelChanges(routers, host.host(), tunnelIp, tunnelType, OvsPorts.read(host.runner())));
    }
    HostFacts facts = null;
    for (int pass = 0; pass < MAX_PASSES; pass++) {
      HostFacts next = facts(routers);
      if (next.equals(facts)) {
        break;
      }
      facts = next;
      HostState desired = HostRenderer.render(routers, facts);
      Plan plan = Reconciler.diff(desired, host.observe());
      if (LOG.isDebugEnabled()) {
        LOG.debug("host {}: pass {}: tunnel endpoints {}, tunnel ofports {}, plan:\n{}", host.host(), pass + 1,
            routers.getTunnelEndpointsMap(), facts.tunnelOfports(), plan);
      }
      host.execute(plan);
      store.save(facts);
      total += plan.size();
      GratuitousArp.send(host.runner(), GratuitousArp.announcements(plan, desired), announcer);
    }
    if (host.options().ovs()) {
      OvsPorts ports = OvsPorts.read(host.runner());
      total += vsctl(OvsAgent.tagChanges(OvsAgent.tags(routers, facts, ports), ports));
    }
    wired = Set.copyOf(facts.wiredPorts(routers));
    applies++;
    LOG.info("host {}: apply {} ran {} operations in {} ms", host.host(), applies, total,
        (System.nanoTime() - started) / 1_000_000);
    return total;
  }

  /** What the host should hold for these routers with its current facts; changes nothing but the facts' ofports. */
  public HostState desired(HostRouters routers) {
    synchronized (this) {
      return HostRenderer.render(routers, facts(routers));
    }
  }

  private HostFacts facts(HostRouters routers) {
    HostFacts stored = store.load().orElseGet(() -> HostFacts.initial(host.host(), mode, routers.getDvrMac(),
        tunnelType, 1, 1));
    HostFacts previous = new HostFacts(stored.host(), mode, routers.getDvrMac(), tunnelType, stored.patchTunOfport(),
        stored.patchIntOfport(), new TreeMap<>(), new TreeMap<>(), stored.localVlans(), stored.fipPriorities(),
        stored.linkLocalPairs());
    HostFacts withPorts = host.options().ovs()
        ? OvsAgent.withOfports(previous, routers, OvsPorts.read(host.runner())) : previous;
    return withPorts.allocate(routers);
  }

  /** Runs one ovs-vsctl with the given {@code -- ...} commands; returns how many it held. */
  private int vsctl(List<String> commands) {
    if (commands.isEmpty()) {
      return 0;
    }
    List<String> argv = new ArrayList<>(List.of("ovs-vsctl"));
    argv.addAll(commands);
    host.runner().run(Command.of(argv).withTimeout(host.options().timeout()));
    return (int) commands.stream().filter(w -> w.equals("add-port") || w.equals("del-port") || w.startsWith("tag=")).count();
  }

  @Override
  public Set<String> wiredPorts() {
    return wired;
  }

  /** Follows OVS's interfaces (when this dataplane drives OVS): VM ports plugged later are applied at once. */
  @Override
  public void watch(Runnable hostChanged) {
    if (!host.options().ovs()) {
      return;
    }
    OvsPortMonitor m = new OvsPortMonitor(host.host(), host.runner().shell(), hostChanged);
    if (monitor.compareAndSet(null, m)) {
      m.start();
    }
  }

  @Override
  public Future<HostStateListing> print(String namespace) {
    return worker.executeBlocking(() -> {
      HostStateListing.Builder listing = HostStateListing.newBuilder().setHost(host.host());
      listings.sections(namespace).forEach((title, text) ->
          listing.addSections(ListingSection.newBuilder().setTitle(title).setText(text)));
      return listing.build();
    });
  }

  /** Releases the worker and the runner's pool and scratch directory. */
  public Future<Void> close() {
    OvsPortMonitor m = monitor.getAndSet(null);
    if (m != null) {
      m.close();
    }
    announcer.shutdownNow();
    return worker.close().eventually(() -> vertx.executeBlocking(() -> {
      host.runner().close();
      return null;
    })).mapEmpty();
  }
}
