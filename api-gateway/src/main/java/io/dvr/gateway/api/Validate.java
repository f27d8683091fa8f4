package io.dvr.gateway.api;

import io.dvr.common.grpc.ApiError;
import io.dvr.common.net.Ipv4;
import io.dvr.common.net.MacAddress;
import java.util.UUID;
import java.util.regex.Pattern;

/** Checks of request fields at the edge; each failure names the field and the value. */
final class Validate {
  static final int MAX_NAME = 255;
  static final int DEFAULT_PAGE = 100;
  static final int MAX_PAGE = 1000;
  /** The base of the DVR host MACs that mac-allocator-svc hands out (one per host). */
  static final String DVR_HOST_MAC_BASE = "fa:16:3f";
  private static final Pattern UUID_FORM =
      Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  /** A host name as agents report it: DNS labels, at most 253 characters. */
  private static final Pattern HOST = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9_.-]{0,252})");
  /** A project id: letters, digits, '_', '.', '-'; 1..64 characters (Keystone's are 32 hex digits). */
  private static final Pattern PROJECT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
  private static final Pattern DEVICE_OWNER = Pattern.compile("[A-Za-z0-9_.:-]{0,255}");

  private Validate() {}

  /** A required name: 1..255 characters, no control characters. */
  static String name(String field, String value) {
    if (value.isBlank()) {
      throw ApiError.invalid(field, value, "must not be empty");
    }
    return optionalName(field, value);
  }

  /**
   * An optional name (ports may have none): at most 255 characters, no control characters. Characters
   * are code points, as a user counts them (an emoji is one, not two UTF-16 units).
   */
  static String optionalName(String field, String value) {
    int length = value.codePointCount(0, value.length());
    if (length > MAX_NAME) {
      throw ApiError.invalid(field, value.substring(0, value.offsetByCodePoints(0, 20)) + "...", "is " + length
          + " characters long; at most " + MAX_NAME + " are allowed");
    }
    if (value.chars().anyMatch(Character::isISOControl)) {
      throw ApiError.invalid(field, value.replaceAll("\\p{Cntrl}", "?"), "must not contain control characters");
    }
    return value;
  }

  static UUID id(String field, String value) {
    if (value.isEmpty()) {
      throw ApiError.invalid(field, value, "is required");
    }
    if (!UUID_FORM.matcher(value).matches()) {
      throw ApiError.invalid(field, value, "not a valid UUID");
    }
    return UUID.fromString(value);
  }

  /** An optional id: empty means none. */
  static UUID optionalId(String field, String value) {
    return value.isEmpty() ? null : id(field, value);
  }

  /** An id the caller may choose at creation; otherwise a random one. */
  static UUID newId(String value) {
    return value.isEmpty() ? UUID.randomUUID() : id("id", value);
  }

  static Ipv4 optionalIp(String field, String value) {
    return value.isEmpty() ? null : Ipv4.parse(field, value);
  }

  static String host(String field, String value) {
    if (!value.isEmpty() && !HOST.matcher(value).matches()) {
      throw ApiError.invalid(field, value, "not a valid host name (letters, digits, '-', '_', '.'; at most 253)");
    }
    return value;
  }

  static String projectId(String field, String value) {
    if (!PROJECT.matcher(value).matches()) {
      throw ApiError.invalid(field, value, "not a valid project id (letters, digits, '_', '.', '-'; at most 64)");
    }
    return value;
  }

  static String deviceOwner(String value) {
    if (!DEVICE_OWNER.matcher(value).matches()) {
      throw ApiError.invalid("device_owner", value, "may hold letters, digits and '_.:-' only");
    }
    return value;
  }

  static String deviceId(String value) {
    return optionalName("device_id", value);
  }

  /** page_size is a uint32 on the wire: Java sees values from 2^31 up as negative ints. */
  static int pageSize(int wire) {
    long requested = Integer.toUnsignedLong(wire);
    if (requested > MAX_PAGE) {
      throw ApiError.invalid("page_size", requested, "must be 0.." + MAX_PAGE + " (0: " + DEFAULT_PAGE + ")");
    }
    return requested == 0 ? DEFAULT_PAGE : (int) requested;
  }

  /**
   * A MAC a user asks for: a valid unicast MAC outside the DVR host MAC range, which is
   * mac-allocator-svc's alone (a port with a host's DVR MAC would collide with that host's routed frames).
   */
  static MacAddress portMac(String value) {
    MacAddress mac = MacAddress.parse("mac_address", value);
    if (mac.text().startsWith(DVR_HOST_MAC_BASE + ":")) {
      throw ApiError.invalid("mac_address", value, "the range " + DVR_HOST_MAC_BASE + ":00:00:00-"
          + DVR_HOST_MAC_BASE + ":ff:ff:ff is reserved for DVR host MACs");
    }
    return mac;
  }

  static UUID pageToken(String token) {
    if (token.isEmpty()) {
      return null;
    }
    if (!UUID_FORM.matcher(token).matches()) {
      throw ApiError.invalid("page_token", token, "not a token returned by a previous page");
    }
    return UUID.fromString(token);
  }
}
