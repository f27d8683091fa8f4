package io.dvr.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;

/**
 * Writes command results to stdout: neutron-style tables and notices, or with {@code --json}
 * only the protobuf messages as JSON (a list as one array), so that the output always parses.
 */
final class Printer {

  private static final com.google.protobuf.util.JsonFormat.Printer JSON =
      com.google.protobuf.util.JsonFormat.printer()
          .preservingProtoFieldNames()
          .alwaysPrintFieldsWithNoPresence();

  private final PrintWriter out;
  private final boolean json;
  private final OutputFormat format;
  private final List<String> columns;

  Printer(PrintWriter out, boolean json) {
    this(out, json, OutputFormat.TABLE, List.of());
  }

  /** {@code --json} prints the API's messages; otherwise the tables' fields in {@code format} ({@code -f}, {@code -c}). */
  Printer(PrintWriter out, boolean json, OutputFormat format, List<String> columns) {
    this.out = out;
    this.json = json;
    this.format = format;
    this.columns = List.copyOf(columns);
  }

  /** Text as a person reads it: the default table with its notices, and no column chosen. */
  private boolean plainTable() {
    return format == OutputFormat.TABLE && columns.isEmpty();
  }

  boolean json() {
    return json;
  }

  /** {@code Created a new network:} and the new resource's fields. */
  void created(String kind, MessageOrBuilder resource, Map<String, String> fields) {
    notice(resource, "Created a new " + kind + ":", fields);
  }

  void updated(String kind, String id, MessageOrBuilder resource, Map<String, String> fields) {
    notice(resource, "Updated " + kind + ": " + id, fields);
  }

  void show(MessageOrBuilder resource, Map<String, String> fields) {
    if (json) {
      out.println(toJson(resource));
    } else {
      out.print(format.show(fields, TypedFields.of(resource), columns));
    }
  }

  void deleted(String kind, String id, MessageOrBuilder response) {
    done(response, "Deleted " + kind + ": " + id);
  }

  /** A one-line notice in text mode, the message the server returned in JSON mode. */
  void done(MessageOrBuilder result, String text) {
    out.println(json ? toJson(result) : text);
  }

  /** Neutron prints nothing at all for an empty list. */
  void list(List<? extends MessageOrBuilder> items, Table table) {
    if (json) {
      out.println(toJsonArray(items));
    } else if (!plainTable()) {
      out.print(format.list(table, items.stream().map(TypedFields::of).toList(), columns));
    } else if (!table.isEmpty()) {
      out.print(table.render());
    }
  }

  /** An extra table in text mode (ignored with --json, where the message already holds it). */
  void table(String title, Table table) {
    if (!json && plainTable() && !table.isEmpty()) {
      out.println(title);
      out.print(table.render());
    }
  }

  private void notice(MessageOrBuilder resource, String line, Map<String, String> fields) {
    if (json) {
      out.println(toJson(resource));
    } else if (!plainTable()) {
      // As the OpenStack client: with a format or columns, the data alone.
      out.print(format.show(fields, TypedFields.of(resource), columns));
    } else {
      out.println(line);
      out.print(Table.fields(fields).render());
    }
  }

  static String toJson(MessageOrBuilder message) {
    try {
      return JSON.print(message);
    } catch (InvalidProtocolBufferException e) {
      // Only Any fields with unknown types fail to print; the API has none.
      throw new IllegalStateException("cannot print " + message.getClass().getSimpleName(), e);
    }
  }

  static String toJsonArray(List<? extends MessageOrBuilder> items) {
    if (items.isEmpty()) {
      return "[]";
    }
    StringBuilder array = new StringBuilder("[\n");
    for (int i = 0; i < items.size(); i++) {
      array.append(toJson(items.get(i)).indent(2).stripTrailing());
      array.append(i + 1 < items.size() ? ",\n" : "\n");
    }
    return array.append(']').toString();
  }
}
