package io.dvr.gateway.store;

/**
 * The projects a read or write may touch: all of them (an admin), or one. Another project's
 * resource outside the scope is NOT_FOUND, as if it did not exist; external networks (and their
 * subnets) are visible from every scope but changed only from their own.
 */
public record Scope(String project) {
  public static final Scope ALL = new Scope(null);

  public static Scope of(String project) {
    return new Scope(project);
  }

  public boolean all() {
    return project == null;
  }

  /** Whether a resource of {@code owner} is the scope's to see and change. */
  public boolean owns(String owner) {
    return project == null || project.equals(owner);
  }

  /** The SQL parameter of a filter {@code ($n::text IS NULL OR x.project_id = $n)}: null for all projects. */
  public String filter() {
    return project;
  }
}
