package io.dvr.common;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import java.io.ByteArrayOutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A peer replaced under its name is found at its new address: the process's resolver keeps an
 * answer {@link VertxBootstrap#DNS_CACHE_MAX_SECONDS} at most, not the day a container DNS server
 * (podman's aardvark-dns 1.4) gives as its TTL. A DNS server of the test answers the name with one
 * loopback address, then another; a server on each says which one a new connection reached.
 */
class NameResolutionTest {
  private static final long DAY_SECONDS = 86_400;

  @Test
  @DisplayName("a name answered with a day's TTL is looked up again: a new connection after the answer"
      + " changed reaches the new address")
  void replacedPeerIsFoundAgain() throws Exception {
    try (TestDns dns = new TestDns("127.0.0.1")) {
      Vertx vertx = Vertx.vertx(new VertxOptions().setAddressResolverOptions(VertxBootstrap.addressResolver()
          .setServers(List.of("127.0.0.1:" + dns.port())).setHostsValue(Buffer.buffer("")).setSearchDomains(List.of())));
      try {
        NetServer first = listen(vertx, "127.0.0.1", 0, "first");
        int port = first.actualPort();
        listen(vertx, "127.0.0.2", port, "second");
        NetClient client = vertx.createNetClient();
        assertThat(reached(client, port)).isEqualTo("first");

        dns.answer("127.0.0.2"); // the peer started again elsewhere; its old address still answers
        String now = reached(client, port);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(VertxBootstrap.DNS_CACHE_MAX_SECONDS * 6L);
        while (!now.equals("second") && System.nanoTime() < deadline) {
          Thread.sleep(200);
          now = reached(client, port);
        }
        assertThat(now).as("the connection after the name moved").isEqualTo("second");
      } finally {
        vertx.close().await();
      }
    }
  }

  private static NetServer listen(Vertx vertx, String host, int port, String name) {
    return vertx.createNetServer().connectHandler(socket -> socket.handler(asked -> socket.end(Buffer.buffer(name))))
        .listen(port, host).await();
  }

  /** Which server a new connection to the test's name reaches. */
  private static String reached(NetClient client, int port) {
    return client.connect(port, "peer.test").compose(socket -> Future.<String>future(answer -> {
      socket.handler(name -> {
        answer.tryComplete(name.toString());
        socket.close();
      });
      socket.write("which?");
    })).timeout(10, TimeUnit.SECONDS).await();
  }

  /** A DNS server answering every A question with one address and a day's TTL (AAAA: no address). */
  private static final class TestDns implements AutoCloseable {
    private final DatagramSocket socket;
    private final Thread thread;
    private volatile byte[] address;

    TestDns(String first) throws Exception {
      socket = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"));
      answer(first);
      thread = new Thread(this::serve, "test-dns");
      thread.setDaemon(true);
      thread.start();
    }

    int port() {
      return socket.getLocalPort();
    }

    void answer(String ip) throws Exception {
      address = InetAddress.getByName(ip).getAddress();
    }

    private void serve() {
      byte[] in = new byte[512];
      while (!socket.isClosed()) {
        DatagramPacket query = new DatagramPacket(in, in.length);
        try {
          socket.receive(query);
          byte[] reply = reply(in);
          socket.send(new DatagramPacket(reply, reply.length, query.getSocketAddress()));
        } catch (SocketException closed) {
          return;
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }
    }

    private byte[] reply(byte[] query) {
      int end = 12;
      while (query[end] != 0) {
        end += (query[end] & 0xff) + 1;
      }
      end += 5; // the root label, QTYPE, QCLASS
      boolean a = query[end - 4] == 0 && query[end - 3] == 1;
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      out.write(query[0]);
      out.write(query[1]);
      out.writeBytes(new byte[] {(byte) 0x81, (byte) 0x80, 0, 1, 0, (byte) (a ? 1 : 0), 0, 0, 0, 0});
      out.write(query, 12, end - 12);
      if (a) {
        out.writeBytes(new byte[] {(byte) 0xc0, 12, 0, 1, 0, 1});
        out.writeBytes(new byte[] {(byte) (DAY_SECONDS >>> 24), (byte) (DAY_SECONDS >>> 16), (byte) (DAY_SECONDS >>> 8),
            (byte) DAY_SECONDS});
        out.writeBytes(new byte[] {0, 4});
        out.writeBytes(address);
      }
      return out.toByteArray();
    }

    @Override
    public void close() throws Exception {
      socket.close();
      thread.join(2_000);
    }
  }
}
