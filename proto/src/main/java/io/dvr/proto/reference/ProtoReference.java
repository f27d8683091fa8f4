package io.dvr.proto.reference;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.DescriptorProtos.MethodDescriptorProto;
import com.google.protobuf.DescriptorProtos.ServiceDescriptorProto;
import com.google.protobuf.DescriptorProtos.SourceCodeInfo.Location;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The reference of the {@code dvr.v1} gRPC API, written as Markdown from the compiled descriptor
 * set with its comments (protoc's source info): per file its services and calls, its messages and
 * their fields, its enums. {@code docs/proto-reference.md} is this output; the proto module's test
 * fails when the two differ.
 */
public final class ProtoReference {
  // Descriptor field numbers of the paths in SourceCodeInfo (descriptor.proto).
  private static final int FILE_MESSAGE = 4;
  private static final int FILE_ENUM = 5;
  private static final int FILE_SERVICE = 6;
  private static final int MESSAGE_FIELD = 2;
  private static final int MESSAGE_NESTED = 3;
  private static final int MESSAGE_ENUM = 4;
  private static final int ENUM_VALUE = 2;
  private static final int SERVICE_METHOD = 2;

  private ProtoReference() {}

  /** Usage: ProtoReference DESCRIPTOR_SET OUTPUT.md */
  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      System.err.println("usage: ProtoReference DESCRIPTOR_SET OUTPUT.md");
      System.exit(2);
    }
    try (InputStream in = Files.newInputStream(Path.of(args[0]))) {
      Files.writeString(Path.of(args[1]), render(FileDescriptorSet.parseFrom(in)), StandardCharsets.UTF_8);
    }
  }

  public static String render(FileDescriptorSet set) {
    StringBuilder out = new StringBuilder("# The dvr.v1 gRPC API reference\n\n")
        .append("Generated from `proto/src/main/proto` (`ProtoReference`; regenerate with the command in the\n")
        .append("proto module's `ProtoReferenceTest`). Comments are those of the `.proto` files.\n");
    for (FileDescriptorProto file : set.getFileList()) {
      if (!file.getPackage().startsWith("dvr.")) {
        continue;
      }
      new FileWriter(file, out).write();
    }
    return out.toString();
  }

  private static final class FileWriter {
    private final FileDescriptorProto file;
    private final StringBuilder out;
    private final Map<List<Integer>, String> comments = new HashMap<>();

    FileWriter(FileDescriptorProto file, StringBuilder out) {
      this.file = file;
      this.out = out;
      for (Location location : file.getSourceCodeInfo().getLocationList()) {
        String text = (location.getLeadingComments() + " " + location.getTrailingComments()).strip();
        if (!text.isEmpty()) {
          comments.put(location.getPathList(), text.lines().map(String::strip).collect(Collectors.joining(" ")));
        }
      }
    }

    void write() {
      out.append("\n## ").append(file.getName()).append("\n");
      for (int s = 0; s < file.getServiceCount(); s++) {
        service(file.getService(s), List.of(FILE_SERVICE, s));
      }
      for (int m = 0; m < file.getMessageTypeCount(); m++) {
        message(file.getMessageType(m), file.getMessageType(m).getName(), List.of(FILE_MESSAGE, m));
      }
      for (int e = 0; e < file.getEnumTypeCount(); e++) {
        enumeration(file.getEnumType(e), file.getEnumType(e).getName(), List.of(FILE_ENUM, e));
      }
    }

    private void service(ServiceDescriptorProto service, List<Integer> path) {
      out.append("\n### service ").append(service.getName()).append("\n\n");
      comment(path);
      out.append("| call | request | reply | what it does |\n|---|---|---|---|\n");
      for (int i = 0; i < service.getMethodCount(); i++) {
        MethodDescriptorProto method = service.getMethod(i);
        out.append("| `").append(method.getName()).append("` | ")
            .append(stream(method.getClientStreaming())).append('`').append(shortName(method.getInputType())).append("` | ")
            .append(stream(method.getServerStreaming())).append('`').append(shortName(method.getOutputType())).append("` | ")
            .append(cell(with(path, SERVICE_METHOD, i))).append(" |\n");
      }
    }

    private void message(DescriptorProto message, String name, List<Integer> path) {
      out.append("\n### message ").append(name).append("\n\n");
      comment(path);
      if (message.getFieldCount() > 0) {
        out.append("| field | number | type | meaning |\n|---|---:|---|---|\n");
        for (int i = 0; i < message.getFieldCount(); i++) {
          FieldDescriptorProto field = message.getField(i);
          out.append("| `").append(field.getName()).append("` | ").append(field.getNumber()).append(" | ")
              .append(type(field)).append(" | ").append(cell(with(path, MESSAGE_FIELD, i))).append(" |\n");
        }
      } else {
        out.append("No fields.\n");
      }
      for (int i = 0; i < message.getNestedTypeCount(); i++) {
        DescriptorProto nested = message.getNestedType(i);
        if (!nested.getOptions().getMapEntry()) {
          message(nested, name + "." + nested.getName(), with(path, MESSAGE_NESTED, i));
        }
      }
      for (int i = 0; i < message.getEnumTypeCount(); i++) {
        enumeration(message.getEnumType(i), name + "." + message.getEnumType(i).getName(), with(path, MESSAGE_ENUM, i));
      }
    }

    private void enumeration(EnumDescriptorProto enumeration, String name, List<Integer> path) {
      out.append("\n### enum ").append(name).append("\n\n");
      comment(path);
      out.append("| value | number | meaning |\n|---|---:|---|\n");
      for (int i = 0; i < enumeration.getValueCount(); i++) {
        out.append("| `").append(enumeration.getValue(i).getName()).append("` | ").append(enumeration.getValue(i).getNumber())
            .append(" | ").append(cell(with(path, ENUM_VALUE, i))).append(" |\n");
      }
    }

    private void comment(List<Integer> path) {
      String text = comments.get(path);
      if (text != null) {
        out.append(text).append("\n\n");
      }
    }

    private String cell(List<Integer> path) {
      return comments.getOrDefault(path, "").replace("|", "\\|");
    }
  }

  private static List<Integer> with(List<Integer> path, int kind, int index) {
    List<Integer> longer = new ArrayList<>(path);
    longer.add(kind);
    longer.add(index);
    return longer;
  }

  private static String stream(boolean streaming) {
    return streaming ? "stream " : "";
  }

  private static String type(FieldDescriptorProto field) {
    String base = field.hasTypeName() ? "`" + shortName(field.getTypeName()) + "`"
        : field.getType().name().substring("TYPE_".length()).toLowerCase();
    return field.getLabel() == FieldDescriptorProto.Label.LABEL_REPEATED ? "repeated " + base : base;
  }

  /** {@code .dvr.v1.Port} is {@code Port}; types of other packages keep their package. */
  private static String shortName(String typeName) {
    String name = typeName.startsWith(".") ? typeName.substring(1) : typeName;
    return name.startsWith("dvr.v1.") ? name.substring("dvr.v1.".length()) : name;
  }
}
