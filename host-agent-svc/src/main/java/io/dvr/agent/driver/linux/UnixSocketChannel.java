package io.dvr.agent.driver.linux;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A connection to a local daemon's unix socket (ovsdb-server's database socket, a bridge's
 * OpenFlow management socket) read and written by a worker thread with deadlines: non-blocking
 * underneath, so that no call waits past its deadline, and whole messages cut out of the byte
 * stream by the protocol's {@link Framing}. Not thread-safe: its owner serialises the calls.
 */
final class UnixSocketChannel implements AutoCloseable {
  /** Where the first message in the bytes read ends (exclusive), 0 while it is not whole. */
  @FunctionalInterface
  interface Framing {
    int messageEnd(byte[] bytes) throws IOException;
  }

  private final SocketChannel channel;
  private final Selector selector;
  private final Duration timeout;
  private final String daemon;
  /** Bytes read after the last message, up to the next one. */
  private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

  private UnixSocketChannel(SocketChannel channel, Selector selector, Duration timeout, String daemon) {
    this.channel = channel;
    this.selector = selector;
    this.timeout = timeout;
    this.daemon = daemon;
  }

  /**
   * Connects to {@code daemon} (its name in failures) at {@code socket}; {@code timeout} is the
   * limit the callers' deadlines come from, named in the failures.
   */
  static UnixSocketChannel open(Path socket, Duration timeout, String daemon) throws IOException {
    if (!Files.exists(socket)) {
      throw new IOException("no socket at " + socket);
    }
    SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
    Selector selector = null;
    try {
      c.connect(UnixDomainSocketAddress.of(socket));
      c.configureBlocking(false);
      selector = Selector.open();
      c.register(selector, SelectionKey.OP_READ);
      return new UnixSocketChannel(c, selector, timeout, daemon);
    } catch (IOException | RuntimeException e) {
      c.close();
      if (selector != null) {
        selector.close();
      }
      throw e;
    }
  }

  void write(byte[] bytes, long deadlineNanos) throws IOException {
    ByteBuffer out = ByteBuffer.wrap(bytes);
    while (out.hasRemaining()) {
      if (channel.write(out) == 0) {
        // The socket's buffer is full (a large message): wait until the daemon has read some.
        SelectionKey key = channel.keyFor(selector);
        key.interestOps(SelectionKey.OP_WRITE);
        try {
          waitFor(deadlineNanos, "writing");
        } finally {
          key.interestOps(SelectionKey.OP_READ);
        }
      }
    }
  }

  /** The next whole message; what was read past it stays for the next call. */
  byte[] read(Framing framing, long deadlineNanos) throws IOException {
    ByteBuffer in = ByteBuffer.allocate(64 * 1024);
    while (true) {
      byte[] all = pending.toByteArray();
      int end = all.length == 0 ? 0 : framing.messageEnd(all);
      if (end > 0) {
        pending.reset();
        pending.write(all, end, all.length - end);
        byte[] message = new byte[end];
        System.arraycopy(all, 0, message, 0, end);
        return message;
      }
      in.clear();
      int n = channel.read(in);
      if (n < 0) {
        throw new IOException(daemon + " closed the connection");
      }
      if (n == 0) {
        waitFor(deadlineNanos, "waiting for its answer");
        continue;
      }
      pending.write(in.array(), 0, n);
    }
  }

  private void waitFor(long deadlineNanos, String doing) throws IOException {
    long left = deadlineNanos - System.nanoTime();
    if (left <= 0 || selector.select(Math.max(1, left / 1_000_000)) == 0 && System.nanoTime() >= deadlineNanos) {
      throw new IOException("no progress " + doing + " within " + timeout.toMillis() + " ms");
    }
    selector.selectedKeys().clear();
  }

  @Override
  public void close() {
    try {
      channel.close();
      selector.close();
    } catch (IOException e) {
      // Closing a broken connection: nothing more to learn from it.
    }
  }
}
