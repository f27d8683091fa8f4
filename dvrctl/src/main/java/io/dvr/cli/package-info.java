/**
 * {@code dvrctl}, the command-line client of the DVR API. Commands are thin: resolve names to
 * ids ({@link io.dvr.cli.Resolver}), make one or a few unary calls ({@link io.dvr.cli.Api}), and
 * print neutron-style tables or JSON ({@link io.dvr.cli.Printer}). Every call is bounded in time
 * and every expected failure ends as one line on stderr and a documented exit code.
 */
package io.dvr.cli;
