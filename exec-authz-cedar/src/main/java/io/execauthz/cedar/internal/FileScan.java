package io.execauthz.cedar.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * One look at a store's policy files: for each file its size, modification time, the SHA-256 of its
 * bytes and its text (or why it could not be read). Two scans are {@link #sameAs the same} when
 * they list the same files with the same size, time and hash — a file being written changes between
 * two scans; a file left alone does not. The text loaded is the text hashed, read once, so nothing
 * changes between the check and the load.
 *
 * <p>Immutable and thread-safe.
 */
public final class FileScan {
  /**
   * One file as scanned; {@code text} is null when {@code error} is not.
   *
   * <p>Immutable in use: the scanner builds one per file and never changes it (though {@code
   * sha256} is an array, shared as it is).
   */
  public record FileState(
      String name, long size, long modified, byte[] sha256, String text, String error) {
    boolean sameAs(FileState o) {
      return size == o.size
          && modified == o.modified
          && Arrays.equals(sha256, o.sha256)
          && java.util.Objects.equals(error, o.error);
    }
  }

  private final Map<String, FileState> files;
  private final List<String> errors;

  private FileScan(Map<String, FileState> files, List<String> errors) {
    this.files = Collections.unmodifiableMap(files);
    this.errors = List.copyOf(errors);
  }

  /** Scans {@code files} and every {@code *.cedar} regular file of {@code directory} (if any). */
  public static FileScan of(List<Path> files, Path directory, long maxSourceBytes) {
    List<String> errors = new ArrayList<>();
    Set<Path> paths = new LinkedHashSet<>(files);
    if (directory != null) {
      try (Stream<Path> list = Files.list(directory)) {
        list.filter(p -> p.getFileName().toString().endsWith(".cedar"))
            .filter(Files::isRegularFile)
            .sorted()
            .forEach(paths::add);
      } catch (IOException e) {
        errors.add(directory + ": cannot list: " + e.getMessage());
      }
    }
    Map<String, FileState> out = new LinkedHashMap<>();
    for (Path p : paths) {
      out.put(p.toString(), read(p, maxSourceBytes));
    }
    return new FileScan(out, errors);
  }

  private static FileState read(Path p, long maxSourceBytes) {
    String name = p.toString();
    long size = -1;
    long modified = -1;
    try {
      size = Files.size(p);
      modified = Files.getLastModifiedTime(p).toMillis();
      if (size > maxSourceBytes) {
        return new FileState(
            name,
            size,
            modified,
            new byte[0],
            null,
            "larger than " + maxSourceBytes + " bytes (" + size + ")");
      }
      byte[] bytes = Files.readAllBytes(p);
      if (bytes.length > maxSourceBytes) {
        return new FileState(
            name,
            bytes.length,
            modified,
            new byte[0],
            null,
            "larger than " + maxSourceBytes + " bytes (" + bytes.length + ")");
      }
      byte[] hash = sha256(bytes);
      try {
        String text =
            StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes))
                .toString();
        return new FileState(name, bytes.length, modified, hash, text, null);
      } catch (CharacterCodingException e) {
        return new FileState(name, bytes.length, modified, hash, null, "not valid UTF-8");
      }
    } catch (IOException e) {
      return new FileState(name, size, modified, new byte[0], null, String.valueOf(e));
    }
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
  }

  /** The files scanned, by name, in load order. */
  public Map<String, FileState> files() {
    return files;
  }

  /** Errors listing the directory. */
  public List<String> errors() {
    return errors;
  }

  /** Whether both scans saw the same files with the same size, time and content. */
  public boolean sameAs(FileScan other) {
    if (other == null
        || !errors.equals(other.errors)
        || !files.keySet().equals(other.files.keySet())) {
      return false;
    }
    for (Map.Entry<String, FileState> e : files.entrySet()) {
      if (!e.getValue().sameAs(other.files.get(e.getKey()))) {
        return false;
      }
    }
    return true;
  }
}
