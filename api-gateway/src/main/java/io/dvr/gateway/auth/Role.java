package io.dvr.gateway.auth;

import java.util.Locale;
import java.util.Optional;

/** What a token lets its holder do (Neutron's roles): admin all of it, member its project's, reader look. */
public enum Role {
  ADMIN, MEMBER, READER;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<Role> parse(String text) {
    for (Role role : values()) {
      if (role.wireName().equals(text)) {
        return Optional.of(role);
      }
    }
    return Optional.empty();
  }
}
