package io.dvr.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A text table in the layout the {@code neutron} client prints: a border line of {@code +} and
 * {@code -}, cells left-aligned with one space of padding, column widths from the content.
 * A cell may hold several lines; the row then grows and the other cells are blank below.
 */
public final class Table {

  private final List<String> headers;
  private final List<List<String>> rows = new ArrayList<>();

  public Table(String... headers) {
    if (headers.length == 0) {
      throw new IllegalArgumentException("a table needs at least one column");
    }
    this.headers = List.of(headers);
  }

  /** A two-column {@code Field | Value} table, fields sorted by name as Neutron shows them. */
  public static Table fields(Map<String, String> fields) {
    Table table = new Table("Field", "Value");
    new TreeMap<>(fields).forEach(table::row);
    return table;
  }

  /** Adds a row; {@code null} cells print empty, missing trailing cells too. */
  public Table row(Object... cells) {
    if (cells.length > headers.size()) {
      throw new IllegalArgumentException(
          "row has " + cells.length + " cells, table has " + headers.size() + " columns");
    }
    List<String> row = new ArrayList<>(headers.size());
    for (int i = 0; i < headers.size(); i++) {
      row.add(i < cells.length && cells[i] != null ? cells[i].toString() : "");
    }
    rows.add(row);
    return this;
  }

  public List<String> headers() {
    return headers;
  }

  public List<List<String>> rows() {
    return java.util.Collections.unmodifiableList(rows);
  }

  public boolean isEmpty() {
    return rows.isEmpty();
  }

  public int size() {
    return rows.size();
  }

  /** The table as text, every line ending with a newline. */
  public String render() {
    int[] widths = widths();
    String border = border(widths);
    StringBuilder out = new StringBuilder();
    out.append(border);
    appendRow(out, headers, widths);
    out.append(border);
    for (List<String> row : rows) {
      appendRow(out, row, widths);
    }
    out.append(border);
    return out.toString();
  }

  @Override
  public String toString() {
    return render();
  }

  private int[] widths() {
    int[] widths = new int[headers.size()];
    for (int i = 0; i < widths.length; i++) {
      widths[i] = headers.get(i).length();
    }
    for (List<String> row : rows) {
      for (int i = 0; i < widths.length; i++) {
        for (String line : lines(row.get(i))) {
          widths[i] = Math.max(widths[i], line.length());
        }
      }
    }
    return widths;
  }

  private static String border(int[] widths) {
    StringBuilder line = new StringBuilder("+");
    for (int width : widths) {
      line.append("-".repeat(width + 2)).append('+');
    }
    return line.append('\n').toString();
  }

  private static void appendRow(StringBuilder out, List<String> cells, int[] widths) {
    List<List<String>> split = cells.stream().map(Table::lines).toList();
    int height = split.stream().mapToInt(List::size).max().orElse(1);
    for (int lineNo = 0; lineNo < height; lineNo++) {
      out.append('|');
      for (int i = 0; i < widths.length; i++) {
        List<String> cell = split.get(i);
        String text = lineNo < cell.size() ? cell.get(lineNo) : "";
        out.append(' ').append(text).append(" ".repeat(widths[i] - text.length())).append(" |");
      }
      out.append('\n');
    }
  }

  private static List<String> lines(String cell) {
    return Arrays.asList(cell.split("\r?\n", -1));
  }
}
