package io.dvr.agent.driver.linux;

import io.dvr.agent.model.HostState;
import io.dvr.agent.model.NamespaceState;
import io.dvr.agent.reconcile.Operation;
import io.dvr.agent.reconcile.Plan;
import io.dvr.agent.render.Names;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Announces the addresses a plan has just claimed for SNAT (qg- and sg- of a snat- namespace,
 * several times; see {@link #snatAnnouncements}) and the floating IPs that it has just routed
 * through a fip- namespace: for those one unsolicited
 * ARP from its fg- device, so that neighbours on the external network drop a stale entry (a FIP
 * moved, or a fg- port re-created with another MAC). This is an action, not state, so it is not
 * part of the plan; like Neutron it is best effort (failures are logged) and needs
 * ip_nonlocal_bind in the fip- namespace, since the FIP is answered by proxy ARP, not held there.
 */
final class GratuitousArp {
  private static final Logger LOG = LoggerFactory.getLogger(GratuitousArp.class);

  private GratuitousArp() {}

  /**
   * The (namespace, fg- device, floating IP) triples a plan newly routes; the fg- device is the one
   * the plan makes in that fip- namespace, or else the one the host had before the plan.
   */
  static List<String[]> announcements(Plan plan, HostState before) {
    List<String[]> out = new ArrayList<>();
    for (Operation op : plan.operations()) {
      if (op instanceof Operation.ReplaceRoute r && r.namespace().startsWith(Names.FIP)
          && r.route().destination().length() == 32 && r.route().via() != null && !r.route().via().isEmpty()) {
        fgDevice(plan, before, r.namespace())
            .ifPresent(fg -> out.add(new String[] {r.namespace(), fg, r.route().destination().ip()}));
      }
    }
    return out;
  }

  private static Optional<String> fgDevice(Plan plan, HostState before, String namespace) {
    Optional<String> made = plan.operations().stream()
        .filter(op -> op instanceof Operation.CreateInternalPort c && c.namespace().equals(namespace)
            && c.device().startsWith(Names.FG))
        .map(op -> ((Operation.CreateInternalPort) op).device()).findFirst();
    if (made.isPresent()) {
      return made;
    }
    NamespaceState ns = before.namespaces().get(namespace);
    return ns == null ? Optional.empty() : ns.devices().keySet().stream().filter(d -> d.startsWith(Names.FG)).findFirst();
  }

  /** Announcements of an address the SNAT devices of a snat- namespace claim, from each device: sent this many times. */
  static final int SNAT_ANNOUNCEMENTS = 3;
  /** When each of them goes out, after the plan: the first at once, the others in case one is lost. */
  static final long[] SNAT_ANNOUNCE_AT_MILLIS = {0, 100, 300};

  /**
   * An address a plan makes a snat- namespace claim, to announce from its device: on an sg-
   * device (internal network) by gratuitous ARP; on the qg- device (external network) by an ARP
   * request for the external gateway ({@code askFor}) when the plan routes through one. The qg-
   * MAC is the same on every SNAT host of an HA router, so only the bridges' tables must follow,
   * and an ordinary request teaches them as well. A gratuitous ARP would also make Open vSwitch
   * lock the MAC on the port it came in by for 5 s on every NORMAL bridge it crosses, the draining
   * host's br-ex among them: the replies that host still has to take during a drain would be sent
   * back out its uplink. Without a gateway the qg- address is announced by gratuitous ARP too.
   */
  record SnatAnnouncement(String namespace, String device, String ip, String askFor) {}

  /**
   * The addresses a plan makes a snat- namespace claim on its qg- and sg- devices: a new SNAT
   * host, or an HA standby promoted. Announced so that the outside's neighbour caches and bridges,
   * and the other hosts' learnt tunnel entries for the sg- MACs (shared by every SNAT host of an HA
   * router), follow at once rather than after their entries age out.
   */
  static List<SnatAnnouncement> snatAnnouncements(Plan plan) {
    List<SnatAnnouncement> out = new ArrayList<>();
    for (Operation op : plan.operations()) {
      if (op instanceof Operation.AddAddress a && a.namespace().startsWith(Names.SNAT)
          && (a.device().startsWith(Names.QG) || a.device().startsWith(Names.SG))) {
        String askFor = a.device().startsWith(Names.QG) ? gatewayOf(plan, a.namespace(), a.device()) : "";
        out.add(new SnatAnnouncement(a.namespace(), a.device(), a.address().ip(), askFor));
      }
    }
    return out;
  }

  /** The gateway of the default route the plan sets through the device, or empty. */
  private static String gatewayOf(Plan plan, String namespace, String device) {
    for (Operation op : plan.operations()) {
      if (op instanceof Operation.ReplaceRoute r && r.namespace().equals(namespace) && device.equals(r.route().dev())
          && r.route().destination().length() == 0 && r.route().via() != null) {
        return r.route().via();
      }
    }
    return "";
  }

  /**
   * Sends each SNAT announcement {@link #SNAT_ANNOUNCEMENTS} times at {@link
   * #SNAT_ANNOUNCE_AT_MILLIS} on the given scheduler (each arping holds its thread up to a second):
   * the addresses are held, so no non-local bind is needed.
   */
  static void sendSnat(CommandRunner runner, List<SnatAnnouncement> announcements, ScheduledExecutorService announcer) {
    for (long at : SNAT_ANNOUNCE_AT_MILLIS) {
      for (SnatAnnouncement a : announcements) {
        String namespace = Args.name(a.namespace());
        String device = Args.device(a.device());
        String ip = Args.ip(a.ip());
        String askFor = a.askFor().isEmpty() ? "" : Args.ip(a.askFor());
        try {
          announcer.schedule(() -> {
            if (askFor.isEmpty()) {
              arping(runner, namespace, device, ip);
            } else {
              askGateway(runner, namespace, device, ip, askFor);
            }
          }, at, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopping) {
          return; // the driver is closing
        }
      }
    }
  }

  /** An ARP request for the gateway from the claimed address: no answer (exit 1) still announced it. */
  private static void askGateway(CommandRunner runner, String namespace, String device, String ip, String gateway) {
    try {
      CommandResult arp = runner.exec(Command.of("ip", "netns", "exec", namespace, "arping", "-c", "1", "-w", "1",
          "-s", ip, "-I", device, gateway));
      if (arp.exitCode() > 1) {
        LOG.warn("announcing {} from {} in {} (ARP request for {}) failed (exit {}): {}", ip, device, namespace,
            gateway, arp.exitCode(), (arp.stderr() + " " + arp.stdout()).strip());
      }
    } catch (RuntimeException e) {
      if (!Thread.currentThread().isInterrupted()) {
        LOG.warn("announcing {} from {} in {} failed: {}", ip, device, namespace, e.toString());
      }
    }
  }

  /**
   * Allows the non-local source once per namespace, then sends the announcements on the given
   * executor: arping takes about a second each, which must not hold up the apply.
   */
  static void send(CommandRunner runner, List<String[]> announcements, Executor announcer) {
    java.util.Set<String> namespaces = new java.util.TreeSet<>();
    announcements.forEach(a -> namespaces.add(Args.name(a[0])));
    for (String namespace : namespaces) {
      CommandResult bind = runner.exec(Command.of("ip", "netns", "exec", namespace, "sysctl", "-q", "-w",
          "net.ipv4.ip_nonlocal_bind=1"));
      if (bind.exitCode() != 0) {
        LOG.warn("cannot allow non-local binds in {}: {}", namespace, bind.stderr().strip());
      }
    }
    for (String[] a : announcements) {
      String namespace = Args.name(a[0]);
      String device = Args.device(a[1]);
      String ip = Args.ip(a[2]);
      announcer.execute(() -> arping(runner, namespace, device, ip));
    }
  }

  private static void arping(CommandRunner runner, String namespace, String device, String ip) {
    try {
      CommandResult arp = runner.exec(Command.of("ip", "netns", "exec", namespace, "arping", "-U", "-c", "1",
          "-w", "1", "-I", device, ip));
      if (arp.exitCode() != 0) {
        // With its output: Thomas Habets' arping, another tool of the same name, fails here saying only "Timeout".
        LOG.warn("gratuitous ARP for {} from {} in {} failed (exit {}): {}", ip, device,
            namespace, arp.exitCode(), (arp.stderr() + " " + arp.stdout()).strip());
      }
    } catch (RuntimeException e) {
      // Interrupted: the agent is stopping, and the announcement with it.
      if (!Thread.currentThread().isInterrupted()) {
        LOG.warn("gratuitous ARP for {} from {} in {} failed: {}", ip, device, namespace, e.toString());
      }
    }
  }
}
