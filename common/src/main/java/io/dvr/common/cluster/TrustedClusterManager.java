package io.dvr.common.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryEvictedListener;
import com.hazelcast.map.listener.EntryExpiredListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import io.vertx.core.Completable;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxException;
import io.vertx.core.shareddata.AsyncMap;
import io.vertx.core.shareddata.Counter;
import io.vertx.core.shareddata.Lock;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.core.spi.cluster.NodeInfo;
import io.vertx.core.spi.cluster.NodeListener;
import io.vertx.core.spi.cluster.RegistrationInfo;
import io.vertx.core.spi.cluster.RegistrationListener;
import io.vertx.core.spi.cluster.RegistrationUpdateEvent;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Vert.x's Hazelcast cluster manager, with the event bus's routing taken out of what any
 * Hazelcast member may write. Hazelcast's open-source edition admits any process that knows the
 * cluster name and one address, and lets it rewrite Vert.x's {@code __vertx.subs} and
 * {@code __vertx.nodeInfo}; so here every member publishes its node id, bus host:port and
 * registrations as one record signed with its event-bus certificate's key (map
 * {@value #RECORDS}), and a member routes only by records whose chain leads to the cluster CA:
 * registration and node-info lookups are answered from those records, never from the Vert.x maps
 * (still written, for tools that read them). Other members keep the last verified version of a
 * record until its Hazelcast member leaves; its owner puts it back when anyone removes or changes
 * it. Membership, shared data, locks and counters stay Hazelcast's.
 *
 * <p>Signing, verifying and map access run on one "dvr-bus-trust" thread (never an event loop),
 * in order; lookups that find what they need in the verified records answer at once.
 */
final class TrustedClusterManager implements ClusterManager {
  static final String RECORDS = "dvr.bus.nodes";
  private static final Logger LOG = LoggerFactory.getLogger(TrustedClusterManager.class);
  private static final long AUDIT_SECONDS = 2;
  private static final long UNTRUSTED_WARN_SECONDS = 20;
  private static final int PARKED_LIMIT = 64;
  private static final RegistrationListener IGNORED = new RegistrationListener() {
    @Override
    public boolean wantsUpdatesFor(String address) {
      return false;
    }
  };

  private final HazelcastClusterManager hazelcast;
  private final BusIdentity identity;
  private final PeerVerifier verifier;
  private final TrustedNodes trusted = new TrustedNodes();
  private final OwnRegistrations own = new OwnRegistrations();
  private final TrustThread trust = new TrustThread();
  /** Verified records of members not (yet) in this member's view of Hazelcast, by member. */
  private final Map<String, byte[]> parked = new java.util.LinkedHashMap<>();
  private final Coalesced refreshes = new Coalesced(trust, this::refresh);
  private final Coalesced publishes = new Coalesced(trust, this::publishNow);
  private final Throttle warnings = new Throttle(60_000);

  private Vertx vertx;
  private volatile RegistrationListener listener = IGNORED;
  private volatile NodeInfo nodeInfo;
  private volatile IMap<String, Object> records;
  private volatile String memberUuid;
  private volatile byte[] published;
  private long version;

  TrustedClusterManager(HazelcastClusterManager hazelcast, BusIdentity identity, PeerVerifier verifier) {
    this.hazelcast = hazelcast;
    this.identity = identity;
    this.verifier = verifier;
  }

  @Override
  public void init(Vertx vertx) {
    this.vertx = vertx;
    hazelcast.init(vertx);
  }

  @Override
  public void registrationListener(RegistrationListener listener) {
    this.listener = listener;
    // Vert.x's own map listener would hand the selector unverified registrations: it gets none.
    hazelcast.registrationListener(IGNORED);
  }

  @Override
  public void nodeListener(NodeListener listener) {
    hazelcast.nodeListener(listener);
  }

  @Override
  public void join(Completable<Void> promise) {
    Promise<Void> joined = Promise.promise();
    hazelcast.join(joined);
    joined.future().<Void>compose(v -> trust.call(() -> {
      HazelcastInstance hz = hazelcast.getHazelcastInstance();
      memberUuid = hz.getCluster().getLocalMember().getUuid().toString();
      records = hz.getMap(RECORDS);
      records.addEntryListener(new RecordEvents(), true);
      hz.getCluster().addMembershipListener(new Membership());
      refresh();
      trust.every(this::audit, AUDIT_SECONDS);
      return null;
    })).onComplete(promise);
  }

  @Override
  public void leave(Completable<Void> promise) {
    trust.call(() -> {
      published = null;
      if (records != null && memberUuid != null) {
        records.remove(memberUuid);
      }
      return null;
    }).recover(err -> {
      LOG.warn("could not withdraw this member's event-bus record: {}", err.toString());
      return Future.succeededFuture();
    }).onComplete((v, err) -> {
      trust.stop();
      hazelcast.leave(promise);
    });
  }

  /** The Hazelcast instance (tests). */
  HazelcastInstance hazelcast() {
    return hazelcast.getHazelcastInstance();
  }

  @Override
  public String getNodeId() {
    return hazelcast.getNodeId();
  }

  @Override
  public List<String> getNodes() {
    return hazelcast.getNodes();
  }

  @Override
  public boolean isActive() {
    return hazelcast.isActive();
  }

  @Override
  public void setNodeInfo(NodeInfo nodeInfo, Completable<Void> promise) {
    this.nodeInfo = nodeInfo;
    Promise<Void> stored = Promise.promise();
    hazelcast.setNodeInfo(nodeInfo, stored);
    answerOn(vertx.getOrCreateContext(), stored.future().compose(v -> publishes.request()), promise);
  }

  @Override
  public NodeInfo getNodeInfo() {
    return nodeInfo;
  }

  @Override
  public void getNodeInfo(String nodeId, Completable<NodeInfo> promise) {
    NodeInfo known = nodeInfoOf(nodeId);
    if (known != null) {
      promise.succeed(known);
      return;
    }
    answerOn(vertx.getOrCreateContext(), refreshes.request().map(v -> {
      NodeInfo info = nodeInfoOf(nodeId);
      if (info == null) {
        throw new VertxException("node " + nodeId + " is not a member with a signed event-bus record", true);
      }
      return info;
    }), promise);
  }

  private NodeInfo nodeInfoOf(String nodeId) {
    if (nodeId.equals(getNodeId())) {
      return nodeInfo;
    }
    NodeRecord r = trusted.node(nodeId);
    return r == null ? null : new NodeInfo(r.host(), r.port(), null);
  }

  @Override
  public void addRegistration(String address, RegistrationInfo registration, Completable<Void> promise) {
    changeRegistration(address, registration, true, promise);
  }

  @Override
  public void removeRegistration(String address, RegistrationInfo registration, Completable<Void> promise) {
    changeRegistration(address, registration, false, promise);
  }

  private void changeRegistration(String address, RegistrationInfo registration, boolean add,
      Completable<Void> promise) {
    Context context = vertx.getOrCreateContext();
    if (add) {
      own.add(address, registration);
    } else {
      own.remove(address, registration);
    }
    Future<Void> shared = Future.succeededFuture();
    if (!registration.localOnly()) {
      Promise<Void> written = Promise.promise();
      if (add) {
        hazelcast.addRegistration(address, registration, written);
      } else {
        hazelcast.removeRegistration(address, registration, written);
      }
      shared = written.future().compose(v -> publishes.request());
    }
    answerOn(context, shared.compose(v -> trust.call(() -> {
      updated(Set.of(address));
      return null;
    })), promise);
  }

  @Override
  public void getRegistrations(String address, Completable<List<RegistrationInfo>> promise) {
    List<RegistrationInfo> known = registrations(address);
    if (!known.isEmpty()) {
      promise.succeed(known);
      return;
    }
    // Nothing known yet: the record of a member that has just registered may still be on its way.
    answerOn(vertx.getOrCreateContext(), refreshes.request().map(v -> registrations(address)), promise);
  }

  private List<RegistrationInfo> registrations(String address) {
    List<RegistrationInfo> mine = own.get(address);
    List<RegistrationInfo> theirs = trusted.registrations(address);
    if (mine.isEmpty()) {
      return theirs;
    }
    List<RegistrationInfo> all = new ArrayList<>(mine);
    all.addAll(theirs);
    return all;
  }

  @Override
  public <K, V> void getAsyncMap(String name, Completable<AsyncMap<K, V>> promise) {
    hazelcast.getAsyncMap(name, promise);
  }

  @Override
  public <K, V> Map<K, V> getSyncMap(String name) {
    return hazelcast.getSyncMap(name);
  }

  @Override
  public void getLockWithTimeout(String name, long timeout, Completable<Lock> promise) {
    hazelcast.getLockWithTimeout(name, timeout, promise);
  }

  @Override
  public void getCounter(String name, Completable<Counter> promise) {
    hazelcast.getCounter(name, promise);
  }

  @Override
  public String clusterHost() {
    return hazelcast.clusterHost();
  }

  @Override
  public String clusterPublicHost() {
    return hazelcast.clusterPublicHost();
  }

  // ---- on the trust thread ----

  /** Signs and stores this member's current record (once its bus listens). */
  private void publishNow() {
    NodeInfo info = nodeInfo;
    if (info == null || records == null) {
      return;
    }
    NodeRecord record = new NodeRecord(getNodeId(), memberUuid, info.host(), info.port(), ++version, own.shared());
    byte[] payload = record.payload();
    byte[] bytes = new NodeRecord.Signed(payload, identity.chain(), identity.sign(payload)).encode();
    published = bytes;
    records.set(memberUuid, bytes);
  }

  /** Reads the records of the current members from the map and takes those that verify. */
  private void refresh() {
    IMap<String, Object> map = records;
    if (map == null) {
      return;
    }
    Set<String> members = currentMembers();
    map.getAll(members).forEach(this::consider);
  }

  /** Puts this member's record back if someone removed or changed it. */
  private void audit() {
    try {
      byte[] mine = published;
      Object now = mine == null ? null : records.get(memberUuid);
      if (mine != null && !(now instanceof byte[] held && java.util.Arrays.equals(mine, held))) {
        restore(now == null ? "removed" : "changed");
      }
    } catch (RuntimeException e) {
      LOG.warn("event-bus record audit failed: {}", e.toString());
    }
  }

  private void restore(String what) {
    byte[] mine = published;
    if (mine != null) {
      if (warnings.allow("restore")) {
        LOG.warn("this member's signed event-bus record in {} was {} by another Hazelcast member; putting it back",
            RECORDS, what);
      }
      records.set(memberUuid, mine);
    }
  }

  private void consider(String key, Object value) {
    if (key.equals(memberUuid)) {
      if (published != null && !(value instanceof byte[] b && java.util.Arrays.equals(b, published))) {
        // Events of our own earlier versions arrive late: only what the map holds now counts.
        audit();
      }
      return;
    }
    if (!(value instanceof byte[] bytes)) {
      refuse(key, "not a record");
      return;
    }
    if (trusted.holds(key, bytes)) {
      return;
    }
    NodeRecord record;
    try {
      NodeRecord.Signed signed = NodeRecord.Signed.decode(bytes);
      String why = verifier.refusal(signed.chain(), signed.payload(), signed.signature());
      if (why != null) {
        refuse(key, why);
        return;
      }
      record = NodeRecord.parse(signed.payload());
    } catch (java.io.IOException e) {
      refuse(key, "unreadable: " + e.getMessage());
      return;
    }
    if (!record.memberUuid().equals(key)) {
      refuse(key, "signed for Hazelcast member " + record.memberUuid() + ", stored under another");
      return;
    }
    if (!currentMembers().contains(key)) {
      // A record of a member not (yet) seen here: taken if and when that member shows up.
      if (parked.size() >= PARKED_LIMIT) {
        parked.remove(parked.keySet().iterator().next());
      }
      parked.put(key, bytes);
      return;
    }
    Set<String> changed = trusted.accept(record, bytes);
    updated(changed);
  }

  private void refuse(String key, String why) {
    String shown = printable(key);
    if (warnings.allow("refuse " + shown)) {
      LOG.warn("ignoring the event-bus record under {} in {}: {}", shown, RECORDS, why);
    }
  }

  /** A key anyone may have chosen, fit for one log line. */
  static String printable(String key) {
    String cut = key.length() > 64 ? key.substring(0, 64) + "..." : key;
    return cut.replaceAll("[^\\x20-\\x7e]", "?");
  }

  /** Tells the event bus's node selector the new registrations of each changed address. */
  private void updated(Set<String> addresses) {
    RegistrationListener l = listener;
    for (String address : addresses) {
      if (l.wantsUpdatesFor(address)) {
        l.registrationsUpdated(new RegistrationUpdateEvent(address, registrations(address)));
      }
    }
  }

  private void memberLeft(String uuid) {
    parked.remove(uuid);
    updated(trusted.remove(uuid));
    if (records != null) {
      records.delete(uuid);
    }
  }

  private void memberJoined(Member member) {
    String uuid = member.getUuid().toString();
    byte[] waiting = parked.remove(uuid);
    if (waiting != null) {
      consider(uuid, waiting);
    }
    trust.schedule(() -> {
      if (!trusted.trusts(uuid) && currentMembers().contains(uuid)) {
        LOG.warn("Hazelcast member {} has shown no signed event-bus record after {} s: nothing is routed to it "
            + "(a process without this cluster's certificate?)", member.getAddress(), UNTRUSTED_WARN_SECONDS);
      }
    }, UNTRUSTED_WARN_SECONDS);
  }

  private Set<String> currentMembers() {
    return hazelcast.getHazelcastInstance().getCluster().getMembers().stream()
        .map(m -> m.getUuid().toString()).collect(Collectors.toSet());
  }

  // ---- plumbing ----

  private static <T> void answerOn(Context context, Future<T> result, Completable<T> promise) {
    result.onComplete((value, err) -> context.runOnContext(v -> promise.complete(value, err)));
  }

  private final class RecordEvents implements EntryAddedListener<String, Object>, EntryUpdatedListener<String, Object>,
      EntryRemovedListener<String, Object>, EntryEvictedListener<String, Object>, EntryExpiredListener<String, Object> {
    @Override
    public void entryAdded(EntryEvent<String, Object> e) {
      Object value = e.getValue();
      trust.submit(() -> consider(e.getKey(), value));
    }

    @Override
    public void entryUpdated(EntryEvent<String, Object> e) {
      entryAdded(e);
    }

    @Override
    public void entryRemoved(EntryEvent<String, Object> e) {
      gone(e.getKey());
    }

    @Override
    public void entryEvicted(EntryEvent<String, Object> e) {
      gone(e.getKey());
    }

    @Override
    public void entryExpired(EntryEvent<String, Object> e) {
      gone(e.getKey());
    }

    private void gone(String key) {
      // Another member's record stays trusted here until that member leaves; ours goes back.
      if (key.equals(memberUuid)) {
        trust.submit(TrustedClusterManager.this::audit);
      }
    }
  }

  private final class Membership implements MembershipListener {
    @Override
    public void memberAdded(MembershipEvent e) {
      Member member = e.getMember();
      trust.submit(() -> memberJoined(member));
    }

    @Override
    public void memberRemoved(MembershipEvent e) {
      UUID uuid = e.getMember().getUuid();
      trust.submit(() -> memberLeft(uuid.toString()));
    }
  }
}
