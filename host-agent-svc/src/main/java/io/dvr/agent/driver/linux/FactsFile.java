package io.dvr.agent.driver.linux;

import io.dvr.agent.FactsStore;
import io.dvr.agent.render.Allocations;
import io.dvr.agent.render.HostFacts;
import io.dvr.agent.render.TunnelType;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Host facts in a JSON file ({@code <dir>/facts-<host>.json}), so that FIP rule priorities,
 * link-local pairs and local VLANs survive an agent restart. Written to a temporary file and
 * moved into place, so a crash leaves the old file or the new one, never half of one. Blocking:
 * called from the dataplane's worker.
 */
public final class FactsFile implements FactsStore {
  private final Path file;

  public FactsFile(Path directory, String host) {
    this.file = directory.resolve("facts-" + Args.name(host) + ".json");
  }

  public Path path() {
    return file;
  }

  @Override
  public Optional<HostFacts> load() {
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    try {
      return Optional.of(fromJson(new JsonObject(Files.readString(file, StandardCharsets.UTF_8))));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read host facts from " + file, e);
    } catch (RuntimeException e) {
      throw new IllegalStateException("host facts in " + file + " are malformed: " + e.getMessage(), e);
    }
  }

  @Override
  public void save(HostFacts facts) {
    try {
      Files.createDirectories(file.getParent());
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.writeString(tmp, toJson(facts).encodePrettily() + "\n", StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write host facts to " + file, e);
    }
  }

  static JsonObject toJson(HostFacts f) {
    return new JsonObject().put("host", f.host()).put("agentMode", f.agentMode()).put("dvrMac", f.dvrMac())
        .put("tunnelType", f.tunnelType().name()).put("tunnelIp", f.tunnelIp()).put("patchTunOfport", f.patchTunOfport())
        .put("patchIntOfport", f.patchIntOfport()).put("tunnelOfports", object(f.tunnelOfports()))
        .put("portOfports", object(f.portOfports())).put("localVlans", toJson(f.localVlans()))
        .put("fipPriorities", toJson(f.fipPriorities())).put("linkLocalPairs", toJson(f.linkLocalPairs()));
  }

  static HostFacts fromJson(JsonObject j) {
    return new HostFacts(j.getString("host"), j.getString("agentMode"), j.getString("dvrMac"),
        TunnelType.valueOf(j.getString("tunnelType")), j.getString("tunnelIp", ""), j.getInteger("patchTunOfport"),
        j.getInteger("patchIntOfport"),
        ints(j.getJsonObject("tunnelOfports")), ints(j.getJsonObject("portOfports")),
        allocations(j.getJsonObject("localVlans")), allocations(j.getJsonObject("fipPriorities")),
        allocations(j.getJsonObject("linkLocalPairs")));
  }

  private static JsonObject toJson(Allocations a) {
    return new JsonObject().put("first", a.first()).put("last", a.last())
        .put("assigned", object(a.assigned()));
  }

  private static Allocations allocations(JsonObject j) {
    return new Allocations(j.getInteger("first"), j.getInteger("last"), ints(j.getJsonObject("assigned")));
  }

  private static JsonObject object(Map<String, Integer> values) {
    JsonObject j = new JsonObject();
    values.forEach(j::put);
    return j;
  }

  private static SortedMap<String, Integer> ints(JsonObject j) {
    SortedMap<String, Integer> out = new TreeMap<>();
    j.fieldNames().forEach(k -> out.put(k, j.getInteger(k)));
    return out;
  }
}
