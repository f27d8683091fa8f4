package io.dvr.proto.reference;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The gRPC API reference in docs/ is what the .proto files say now. After a change to them:
 * {@code mvn -pl proto test} then {@code cp proto/target/proto-reference.md docs/proto-reference.md}.
 */
class ProtoReferenceTest {
  private static final Path DESCRIPTORS = Path.of("target", "generated-resources", "protobuf", "descriptor-sets", "dvr-v1.protobin");

  private static String generated() throws Exception {
    try (InputStream in = Files.newInputStream(DESCRIPTORS)) {
      String reference = ProtoReference.render(FileDescriptorSet.parseFrom(in));
      Files.writeString(Path.of("target", "proto-reference.md"), reference, StandardCharsets.UTF_8);
      return reference;
    }
  }

  @Test
  @DisplayName("docs/proto-reference.md is the reference generated from the .proto files as they are")
  void referenceInDocsIsCurrent() throws Exception {
    String reference = generated();
    assertThat(Files.readString(Path.of("..", "docs", "proto-reference.md")))
        .as("docs/proto-reference.md is stale: cp proto/target/proto-reference.md docs/proto-reference.md")
        .isEqualTo(reference);
  }

  @Test
  @DisplayName("the reference names every service call and carries the comments of the .proto files")
  void referenceCarriesCallsAndComments() throws Exception {
    String reference = generated();
    assertThat(reference).contains("### service PortService", "| `CreatePort` | `CreatePortRequest` | `Port` |",
        "### message Port", "| `binding_host` |", "### enum Status");
    // a comment of hostsync.proto, as the reader of the .proto file sees it
    assertThat(reference).contains("an agent drops a reply whose generation is lower than what it holds");
  }
}
