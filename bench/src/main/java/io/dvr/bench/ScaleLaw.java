package io.dvr.bench;

import java.util.List;

/**
 * How a measured count grows with the number of hosts N: the lowest-degree polynomial in N
 * (constant, a + bN, or a + bN + cN^2) that fits every measured point within a tolerance, by least
 * squares. Counts of messages and applies are exact, so a law that fits them at 10-160 hosts is
 * taken to hold further out; {@link #at} extrapolates it (what the report calls "derived").
 */
record ScaleLaw(double a, double b, double c, int degree, double worstError) {
  /** Relative error a lower degree may leave (or one unit, for small counts). */
  static final double TOLERANCE = 0.05;

  /** One measured point. */
  record Point(double n, double value) {}

  static ScaleLaw fit(List<Point> points) {
    if (points.isEmpty()) {
      throw new IllegalArgumentException("no points to fit");
    }
    for (int degree = 0; degree <= Math.min(2, points.size() - 1); degree++) {
      ScaleLaw law = leastSquares(points, degree);
      // A bending-down N^2 fitted to scattered points would extrapolate to nonsense (negative counts).
      if (fits(law, points) && (degree < 2 || law.c() > 0)) {
        return law;
      }
    }
    // Nothing fits within the tolerance: the counts scatter (transactions, say); the straight line says the trend.
    return leastSquares(points, Math.min(1, points.size() - 1)).scattered();
  }

  private ScaleLaw scattered() {
    return new ScaleLaw(a, b, c, degree, Math.max(worstError, TOLERANCE + 1e-9));
  }

  /** Whether the law misses a measured point by more than the tolerance (a trend, not a law). */
  boolean isScattered() {
    return worstError > TOLERANCE;
  }

  private static boolean fits(ScaleLaw law, List<Point> points) {
    return points.stream().allMatch(p -> Math.abs(law.at(p.n()) - p.value()) <= Math.max(1.0, TOLERANCE * Math.abs(p.value())));
  }

  double at(double n) {
    return a + b * n + c * n * n;
  }

  /** "O(1)", "O(N)" or "O(N^2)": the growth of the fitted law. */
  String order() {
    String order = switch (degree) {
      case 0 -> "O(1)";
      case 1 -> "O(N)";
      default -> "O(N^2)";
    };
    return isScattered() ? order + ", scattered" : order;
  }

  /** The law as a formula, e.g. "2.0 + 1.00 N". */
  String formula() {
    StringBuilder sb = new StringBuilder(ConvergenceBench.fmt("%.1f", a));
    if (degree >= 1) {
      sb.append(ConvergenceBench.fmt(" %s %.2f N", b < 0 ? "-" : "+", Math.abs(b)));
    }
    if (degree >= 2) {
      sb.append(ConvergenceBench.fmt(" %s %.4f N^2", c < 0 ? "-" : "+", Math.abs(c)));
    }
    return sb.toString();
  }

  /** Least squares of value against 1, N, N^2 (up to {@code degree}) through the normal equations. */
  private static ScaleLaw leastSquares(List<Point> points, int degree) {
    int k = degree + 1;
    double[][] m = new double[k][k + 1];
    for (Point p : points) {
      double[] x = {1, p.n(), p.n() * p.n()};
      for (int i = 0; i < k; i++) {
        for (int j = 0; j < k; j++) {
          m[i][j] += x[i] * x[j];
        }
        m[i][k] += x[i] * p.value();
      }
    }
    double[] coef = solve(m, k);
    double[] abc = {0, 0, 0};
    System.arraycopy(coef, 0, abc, 0, k);
    ScaleLaw unchecked = new ScaleLaw(abc[0], abc[1], abc[2], degree, 0);
    double worst = 0;
    for (Point p : points) {
      worst = Math.max(worst, Math.abs(unchecked.at(p.n()) - p.value()) / Math.max(1.0, Math.abs(p.value())));
    }
    return new ScaleLaw(abc[0], abc[1], abc[2], degree, worst);
  }

  /** Gaussian elimination with partial pivoting of a k x (k+1) augmented matrix. */
  private static double[] solve(double[][] m, int k) {
    for (int col = 0; col < k; col++) {
      int pivot = col;
      for (int r = col + 1; r < k; r++) {
        if (Math.abs(m[r][col]) > Math.abs(m[pivot][col])) {
          pivot = r;
        }
      }
      double[] t = m[col];
      m[col] = m[pivot];
      m[pivot] = t;
      if (Math.abs(m[col][col]) < 1e-12) {
        throw new IllegalArgumentException("cannot fit degree " + (k - 1) + ": too few distinct host counts");
      }
      for (int r = 0; r < k; r++) {
        if (r != col) {
          double f = m[r][col] / m[col][col];
          for (int j = col; j <= k; j++) {
            m[r][j] -= f * m[col][j];
          }
        }
      }
    }
    double[] x = new double[k];
    for (int i = 0; i < k; i++) {
      x[i] = m[i][k] / m[i][i];
    }
    return x;
  }
}
