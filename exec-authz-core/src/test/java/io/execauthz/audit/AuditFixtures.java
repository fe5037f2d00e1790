package io.execauthz.audit;

import io.execauthz.Reason;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/** Audit records and raw log manipulation for the audit log tests. */
final class AuditFixtures {
  /** Pieces that have broken JSON writers, line splitters or log viewers. */
  private static final List<String> HOSTILE =
      List.of(
          "\"",
          "\\",
          "\\\"",
          "\n",
          "\r\n",
          "\t",
          "\u0000",
          "\u0001",
          "\u001b[31m",
          "\u007f",
          "\u2028",
          "\u2029",
          "\ufeff",
          "😀",
          "\ud83d",
          "\ude00",
          "é",
          "中文",
          "\"},{\"seq\":1,\"prev\":\"",
          "\",\"decision\":\"PERMIT",
          "\\u0000",
          "\\n",
          "{",
          "}",
          "[",
          "]",
          ",",
          ":",
          "null",
          "PERMIT",
          " ");

  private AuditFixtures() {}

  /** A simple, deterministic deny or permit record number {@code i}. */
  static AuditRecord record(int i) {
    boolean permit = i % 2 == 0;
    return new AuditRecord(
        Instant.ofEpochSecond(1_700_000_000L + i),
        "d-" + i,
        List.of("root", "batch-" + i),
        "agent-" + i,
        List.of("user:alice", "agent-" + i),
        "tool.call",
        "tool:github/issue-" + i,
        permit,
        permit ? null : Reason.OUT_OF_SCOPE,
        permit ? "" : "tool:github/issue-" + i + " is not in the node's capabilities",
        permit ? List.of("p-" + i) : List.of(),
        i % 3 == 0 ? "grant-" + i : null,
        i % 3 == 1 ? "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" : null);
  }

  /** A string mixing plain text and hostile pieces (possibly empty). */
  static String hostileString(SplittableRandom r) {
    StringBuilder b = new StringBuilder();
    for (int i = r.nextInt(6); i > 0; i--) {
      switch (r.nextInt(3)) {
        case 0:
          b.append(HOSTILE.get(r.nextInt(HOSTILE.size())));
          break;
        case 1:
          b.append((char) r.nextInt(0x10000));
          break;
        default:
          b.append("abc-").append(r.nextInt(1000));
      }
    }
    return b.toString();
  }

  private static List<String> hostileStrings(SplittableRandom r) {
    List<String> out = new ArrayList<>();
    for (int i = r.nextInt(4); i > 0; i--) {
      out.add(hostileString(r));
    }
    return out;
  }

  private static String nullableHostile(SplittableRandom r) {
    return r.nextInt(3) == 0 ? null : hostileString(r);
  }

  /** A random record whose every string may be hostile. */
  static AuditRecord randomRecord(SplittableRandom r) {
    boolean permit = r.nextBoolean();
    Reason[] reasons = Reason.values();
    return new AuditRecord(
        Instant.ofEpochSecond(r.nextLong(0, 4_000_000_000L), r.nextInt(1_000_000_000)),
        hostileString(r),
        hostileStrings(r),
        nullableHostile(r),
        hostileStrings(r),
        hostileString(r),
        hostileString(r),
        permit,
        permit ? null : reasons[r.nextInt(reasons.length)],
        permit ? "" : hostileString(r),
        hostileStrings(r),
        nullableHostile(r),
        nullableHostile(r),
        r.nextBoolean() ? null : randomHex(r),
        r.nextInt(4) != 0
            ? null
            : new AuditRecord.Shadow(r.nextBoolean(), hostileStrings(r), hostileStrings(r)),
        null,
        r.nextInt(4) != 0
            ? null
            : new Approval(r.nextBoolean() ? null : "client/" + r.nextInt(100), "mcp-elicitation"));
  }

  /** 64 random lowercase hex digits. */
  static String randomHex(SplittableRandom r) {
    StringBuilder b = new StringBuilder(64);
    for (int i = 0; i < 64; i++) {
      b.append(Character.forDigit(r.nextInt(16), 16));
    }
    return b.toString();
  }

  /** Writes {@code records} with a fresh sink and returns the resulting head. */
  static String writeLog(Path file, List<AuditRecord> records) throws IOException {
    try (JsonLinesAuditSink sink = JsonLinesAuditSink.newBuilder(file).build()) {
      for (AuditRecord r : records) {
        sink.record(r);
      }
      return sink.head();
    }
  }

  /** The file's lines, without their newlines (a last line without one included). */
  static List<byte[]> lines(Path file) throws IOException {
    return split(Files.readAllBytes(file));
  }

  static List<byte[]> split(byte[] bytes) {
    List<byte[]> out = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == '\n') {
        out.add(Arrays.copyOfRange(bytes, start, i));
        start = i + 1;
      }
    }
    if (start < bytes.length) {
      out.add(Arrays.copyOfRange(bytes, start, bytes.length));
    }
    return out;
  }

  /** The lines joined, each followed by a newline. */
  static byte[] join(List<byte[]> lines) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] line : lines) {
      out.writeBytes(line);
      out.write('\n');
    }
    return out.toByteArray();
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /** Rewrites the file as {@code lines}, each followed by a newline. */
  static void writeLines(Path file, List<byte[]> lines) throws IOException {
    Files.write(file, join(lines));
  }

  static String text(byte[] line) {
    return new String(line, StandardCharsets.UTF_8);
  }

  static byte[] bytes(String line) {
    return line.getBytes(StandardCharsets.UTF_8);
  }

  /** The lowercase hex SHA-256 of a line, as the chain uses it. */
  static String hash(byte[] line) {
    return AuditLogFormat.hash(AuditLogFormat.sha256(), line, line.length);
  }
}
