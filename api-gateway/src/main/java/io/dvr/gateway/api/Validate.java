package io.dvr.gateway.api;

import io.dvr.common.grpc.ApiError;
import io.dvr.common.net.Ipv4;
import java.util.UUID;
import java.util.regex.Pattern;

/** Checks of request fields at the edge; each failure names the field and the value. */
final class Validate {
  static final int MAX_NAME = 255;
  static final int DEFAULT_PAGE = 100;
  static final int MAX_PAGE = 1000;
  private static final Pattern UUID_FORM =
      Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  /** A host name as agents report it: DNS labels, at most 253 characters. */
  private static final Pattern HOST = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9_.-]{0,252})");
  private static final Pattern DEVICE_OWNER = Pattern.compile("[A-Za-z0-9_.:-]{0,255}");

  private Validate() {}

  /** A required name: 1..255 characters, no control characters. */
  static String name(String field, String value) {
    if (value.isBlank()) {
      throw ApiError.invalid(field, value, "must not be empty");
    }
    return optionalName(field, value);
  }

  /** An optional name (ports may have none): at most 255 characters, no control characters. */
  static String optionalName(String field, String value) {
    if (value.length() > MAX_NAME) {
      throw ApiError.invalid(field, value.substring(0, 20) + "...", "is " + value.length()
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

  static String deviceOwner(String value) {
    if (!DEVICE_OWNER.matcher(value).matches()) {
      throw ApiError.invalid("device_owner", value, "may hold letters, digits and '_.:-' only");
    }
    return value;
  }

  static String deviceId(String value) {
    return optionalName("device_id", value);
  }

  static int pageSize(int requested) {
    if (requested < 0 || requested > MAX_PAGE) {
      throw ApiError.invalid("page_size", requested, "must be 0..." + MAX_PAGE + " (0: " + DEFAULT_PAGE + ")");
    }
    return requested == 0 ? DEFAULT_PAGE : requested;
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
