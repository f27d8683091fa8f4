package io.dvr.agent.driver.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dvr.agent.model.Flow;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The connection's side of the conversation, against a switch written here that speaks only what
 * the test needs (what OVS itself does is {@link OpenFlowKernelTest}'s): a bundle goes in one round
 * trip, echo requests that come before its reply are answered, an event loop is refused, a socket that is not there is
 * "unavailable".
 */
class OpenFlowConnectionTest {
  private static final Flow FLOW = new Flow(0, 1, "", "NORMAL", 0x1L);

  private static byte[] read(SocketChannel c) throws IOException {
    ByteBuffer header = ByteBuffer.allocate(8);
    while (header.hasRemaining()) {
      if (c.read(header) < 0) {
        throw new IOException("closed");
      }
    }
    int length = header.getShort(2) & 0xffff;
    ByteBuffer all = ByteBuffer.allocate(length).put(header.array());
    while (all.hasRemaining()) {
      if (c.read(all) < 0) {
        throw new IOException("closed");
      }
    }
    return all.array();
  }

  private static void write(SocketChannel c, byte[] m) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(m);
    while (b.hasRemaining()) {
      c.write(b);
    }
  }

  private static byte[] controlReply(byte[] request, int type) {
    byte[] reply = request.clone();
    reply[13] = (byte) type; // ofp_bundle_ctrl_msg.type, low byte (OpenFlow 1.4 layout)
    return reply;
  }

  @Test
  @DisplayName("a bundle is one write answered once: the switch reads open, the adds and the commit before it answers"
      + " anything; an echo request it sends before the commit's reply is answered with its xid and payload")
  void oneRoundTripAndEchoAnswered(@TempDir Path dir) throws Exception {
    Path socket = dir.resolve("br-x.mgmt");
    List<String> seen = new ArrayList<>();
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(socket));
      CompletableFuture<Void> switchSide = CompletableFuture.runAsync(() -> {
        try (SocketChannel c = server.accept()) {
          seen.add("hello v" + read(c)[0]);
          write(c, OpenFlowMessages.hello(1));
          while (true) {
            // Nothing is answered before the commit: a connection that waited for a reply in between would hang.
            byte[] m = read(c);
            int type = OpenFlowMessages.type(m);
            if (type == OpenFlowMessages.BUNDLE_CONTROL && OpenFlowMessages.bundleControlType(m) == 0) {
              seen.add("open");
            } else if (type == OpenFlowMessages.BUNDLE_ADD_MESSAGE) {
              seen.add("add");
            } else if (type == OpenFlowMessages.BUNDLE_CONTROL
                && OpenFlowMessages.bundleControlType(m) == OpenFlowMessages.COMMIT_REQUEST) {
              seen.add("commit");
              write(c, OpenFlowMessages.header(OpenFlowMessages.OF14, OpenFlowMessages.ECHO_REQUEST, 77)
                  .u32(0x70696e67).done());
              byte[] echo = read(c);
              seen.add("echo reply type " + OpenFlowMessages.type(echo) + " xid " + OpenFlowMessages.xid(echo)
                  + " payload " + Integer.toHexString(ByteBuffer.wrap(echo).getInt(8)));
              write(c, controlReply(m, OpenFlowMessages.COMMIT_REPLY));
              return;
            } else {
              seen.add("unexpected type " + type);
            }
          }
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      });
      try (OpenFlowConnection connection = new OpenFlowConnection("br-x", socket, Duration.ofSeconds(10))) {
        connection.bundle(List.of(new FlowMods.Change(FlowMods.Kind.ADD, FLOW),
            new FlowMods.Change(FlowMods.Kind.DELETE_STRICT, FLOW)));
        assertThat(connection.bundles()).isEqualTo(1);
        assertThat(connection.version()).isEqualTo(OpenFlowMessages.OF14);
      }
      switchSide.get(10, TimeUnit.SECONDS);
    }
    assertThat(seen).containsExactly("hello v5", "open", "add", "add", "commit",
        "echo reply type 3 xid 77 payload 70696e67");
  }

  @Test
  @DisplayName("a bundle asked for on an event-loop thread is refused; a socket that is not there is unavailable")
  void refusals(@TempDir Path dir) throws Exception {
    OpenFlowConnection connection = new OpenFlowConnection("br-x", dir.resolve("br-x.mgmt"), Duration.ofSeconds(1));
    Vertx vertx = Vertx.vertx();
    try {
      CompletableFuture<Throwable> onLoop = new CompletableFuture<>();
      vertx.runOnContext(v -> {
        try {
          connection.bundle(List.of(new FlowMods.Change(FlowMods.Kind.ADD, FLOW)));
          onLoop.complete(null);
        } catch (Throwable t) {
          onLoop.complete(t);
        }
      });
      assertThat(onLoop.get(10, TimeUnit.SECONDS)).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("event-loop");
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    assertThatThrownBy(() -> connection.bundle(List.of(new FlowMods.Change(FlowMods.Kind.ADD, FLOW))))
        .isInstanceOf(OpenFlowConnection.OpenFlowUnavailableException.class).hasMessageContaining("no socket at");
  }
}
