package io.execauthz.cedar;

import io.execauthz.cedar.internal.Loader;
import io.execauthz.cedar.internal.NativeThreads;
import io.execauthz.cedar.internal.SchemaInfo;
import io.execauthz.cedar.internal.Snapshot;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Cedar policies, loaded from strings, files or a directory of {@code *.cedar} files, validated
 * strictly against a schema at load, and swapped atomically on reload.
 *
 * <pre>{@code
 * PolicyStore store = PolicyStore.newBuilder()
 *     .directory(Path.of("policies"))     // every *.cedar file in it
 *     .watch()                             // reload when a file changes
 *     .build();                            // throws PolicyLoadException listing file:line:col errors
 * LoadReport r = store.reload();           // a failed reload keeps the last good set
 * }</pre>
 *
 * <p><b>Ids.</b> Each policy is known by its {@code @id("...")} annotation, or else by {@code
 * file:line}; decisions name their determining policies by these ids. Ids must be unique.
 *
 * <p><b>Schema.</b> The default schema {@code exec-authz.cedarschema} (CONTRACT §3) unless {@link
 * Builder#schema} or {@link Builder#noSchema} says otherwise. With a schema every policy must pass
 * Cedar's strict validation, and every request is validated against it.
 *
 * <p><b>Hostile text.</b> Policy text nested deeper than {@link Builder#maxNesting} (32 by default)
 * is refused before the native parser sees it, and all parsing runs on threads with a 64 MiB stack:
 * the parser recurses on its caller's stack and a deep enough policy crashes the JVM.
 *
 * <p><b>Native cache.</b> Each loaded version is kept parsed on the native side when the global
 * cedar-java cache has room; when it is full, requests fall back to uncached evaluation (slower,
 * still correct) and {@link #cacheFailures()} counts it.
 *
 * <p>Thread-safe. Reloads are serialized; readers never block and always see one whole version.
 */
public final class PolicyStore implements AutoCloseable {
  /** The resource name of the default schema. */
  public static final String DEFAULT_SCHEMA = "exec-authz.cedarschema";

  private static final Duration LOAD_TIMEOUT = Duration.ofMinutes(2);

  /** The default of {@link Builder#maxExpressionDepth}. */
  static final int DEFAULT_MAX_EXPRESSION_DEPTH = 1_000;

  /** The most {@link Builder#maxExpressionDepth} allows. */
  static final int MAX_EXPRESSION_DEPTH = 5_000;

  private final Map<String, String> texts;
  private final List<Path> files;
  private final Path directory;
  private final SchemaInfo schema;
  private final int maxNesting;
  private final int maxDepth;
  private final long maxSourceBytes;
  private final Consumer<LoadReport> listener;
  private final NativeThreads threads;

  private final ReentrantLock reloadLock = new ReentrantLock();
  private final AtomicLong versions = new AtomicLong();
  private final AtomicLong cacheFailures = new AtomicLong();
  private volatile Snapshot current;
  private volatile LoadReport lastFailure;
  private volatile Map<String, String> replacedTexts;
  private volatile Thread watcher;
  private volatile WatchService watchService;

  private PolicyStore(Builder b, NativeThreads threads, SchemaInfo schema) {
    this.texts = Map.copyOf(b.texts);
    this.files = List.copyOf(b.files);
    this.directory = b.directory;
    this.schema = schema;
    this.maxNesting = b.maxNesting == null ? 32 : b.maxNesting;
    this.maxDepth = b.maxDepth == null ? DEFAULT_MAX_EXPRESSION_DEPTH : b.maxDepth;
    this.maxSourceBytes = b.maxSourceBytes == null ? 4L << 20 : b.maxSourceBytes;
    this.listener = b.listener;
    this.threads = threads;
    this.replacedTexts = this.texts;
  }

  /** Starts configuring a store. */
  public static Builder newBuilder() {
    return new Builder();
  }

  /** A store holding the given policy text, validated against the default schema. */
  public static PolicyStore of(String policies) {
    return newBuilder().policies("policies", policies).build();
  }

  /** The text of the default schema shipped with this module (CONTRACT §3). */
  public static String defaultSchema() {
    try (InputStream in = PolicyStore.class.getResourceAsStream(DEFAULT_SCHEMA)) {
      if (in == null) {
        throw new IllegalStateException(DEFAULT_SCHEMA + " is missing from the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The version of the policies in force: 1 after the first load, one more after each swap. */
  public long version() {
    return current.version();
  }

  /** The ids of the policies in force, in source order. */
  public List<String> policyIds() {
    return current.ids();
  }

  /** Whether the policies in force are held parsed in cedar-java's native cache. */
  public boolean nativelyCached() {
    return current.cachedPath();
  }

  /**
   * How many loaded versions the native cache could not take (it is global to the JVM, and freed
   * only when unused sets are garbage-collected); those versions are evaluated uncached.
   */
  public long cacheFailures() {
    return cacheFailures.get();
  }

  /** The report of the last reload that failed and kept the previous policies, if any. */
  public Optional<LoadReport> lastFailure() {
    return Optional.ofNullable(lastFailure);
  }

  /**
   * Re-reads the files and directory and swaps in the result. On any error the policies in force
   * stay, and the report says why.
   */
  public LoadReport reload() {
    return load(null);
  }

  /**
   * Replaces the policies given as strings ({@link Builder#policies}) with these, re-reads files,
   * and swaps in the result; on any error the policies in force stay.
   *
   * @param policies policy text by source name
   */
  public LoadReport replacePolicies(Map<String, String> policies) {
    return load(Map.copyOf(policies));
  }

  Snapshot snapshot() {
    return current;
  }

  /**
   * Whether a policy in force may read the request time ({@code context.now}); when none does,
   * decisions can be cached across seconds. Found from the policies' parsed form ({@link
   * #policyReads()}).
   */
  public boolean readsTime() {
    return current.readsTime();
  }

  /** What the policies in force may read from a request, found from their parsed form. */
  public PolicyReads policyReads() {
    return current.reads();
  }

  NativeThreads threads() {
    return threads;
  }

  private LoadReport load(Map<String, String> newTexts) {
    reloadLock.lock();
    try {
      Map<String, String> sourceTexts = newTexts == null ? replacedTexts : newTexts;
      LoadReport report = loadLocked(sourceTexts);
      if (report.applied()) {
        replacedTexts = sourceTexts;
        lastFailure = null;
      } else {
        lastFailure = report;
      }
      if (listener != null) {
        try {
          listener.accept(report);
        } catch (RuntimeException e) {
          System.getLogger(PolicyStore.class.getName())
              .log(System.Logger.Level.WARNING, "reload listener failed", e);
        }
      }
      return report;
    } finally {
      reloadLock.unlock();
    }
  }

  private LoadReport loadLocked(Map<String, String> sourceTexts) {
    long now = current == null ? 0 : current.version();
    List<Loader.Source> sources = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    for (Map.Entry<String, String> e : sourceTexts.entrySet()) {
      if (e.getValue().length() > maxSourceBytes) {
        errors.add(e.getKey() + ": larger than " + maxSourceBytes + " bytes");
      } else {
        sources.add(new Loader.Source(e.getKey(), e.getValue()));
      }
    }
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
    for (Path p : paths) {
      try {
        sources.add(new Loader.Source(p.toString(), read(p)));
      } catch (IOException e) {
        errors.add(p + ": " + e.getMessage());
      }
    }
    if (!errors.isEmpty()) {
      return new LoadReport(false, now, errors, List.of());
    }
    Loader.Outcome outcome;
    try {
      outcome =
          threads.call(() -> Loader.load(sources, schema, maxNesting, maxDepth), LOAD_TIMEOUT);
    } catch (ExecutionException e) {
      Throwable c = e.getCause() == null ? e : e.getCause();
      return new LoadReport(false, now, List.of("loading failed: " + c), List.of());
    } catch (TimeoutException e) {
      return new LoadReport(
          false, now, List.of("loading timed out after " + LOAD_TIMEOUT), List.of());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new LoadReport(false, now, List.of("loading interrupted"), List.of());
    }
    if (outcome.snapshot() == null) {
      return new LoadReport(false, now, outcome.errors(), outcome.warnings());
    }
    Snapshot next = outcome.snapshot().withVersion(versions.incrementAndGet());
    if (!next.cachedPath()) {
      cacheFailures.incrementAndGet();
    }
    current = next;
    return new LoadReport(true, next.version(), List.of(), outcome.warnings());
  }

  private String read(Path p) throws IOException {
    long size = Files.size(p);
    if (size > maxSourceBytes) {
      throw new IOException("larger than " + maxSourceBytes + " bytes (" + size + ")");
    }
    byte[] bytes = Files.readAllBytes(p);
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new IOException("not valid UTF-8", e);
    }
  }

  private void startWatching() throws IOException {
    WatchService ws = FileSystems.getDefault().newWatchService();
    Set<Path> dirs = new LinkedHashSet<>();
    if (directory != null) {
      dirs.add(directory.toAbsolutePath());
    }
    for (Path f : files) {
      Path parent = f.toAbsolutePath().getParent();
      if (parent != null) {
        dirs.add(parent);
      }
    }
    for (Path d : dirs) {
      d.register(
          ws,
          StandardWatchEventKinds.ENTRY_CREATE,
          StandardWatchEventKinds.ENTRY_MODIFY,
          StandardWatchEventKinds.ENTRY_DELETE);
    }
    watchService = ws;
    Thread t = new Thread(() -> watch(ws), "exec-authz-cedar-watch");
    t.setDaemon(true);
    watcher = t;
    t.start();
  }

  private void watch(WatchService ws) {
    try {
      while (true) {
        WatchKey key = ws.take();
        key.pollEvents();
        key.reset();
        // let a burst of writes settle, then reload once
        WatchKey more;
        while ((more = ws.poll(100, TimeUnit.MILLISECONDS)) != null) {
          more.pollEvents();
          more.reset();
        }
        reload();
      }
    } catch (InterruptedException | ClosedWatchServiceException e) {
      // closed
    }
  }

  /** Stops the watcher and the parsing threads. The policies in force stay usable. */
  @Override
  public void close() {
    WatchService ws = watchService;
    if (ws != null) {
      try {
        ws.close();
      } catch (IOException e) {
        // nothing to do
      }
    }
    Thread t = watcher;
    if (t != null) {
      t.interrupt();
    }
    threads.close();
  }

  @Override
  public String toString() {
    Snapshot s = current;
    return "PolicyStore{version="
        + s.version()
        + ", policies="
        + s.ids().size()
        + ", schema="
        + (schema == null ? "none" : schema.name())
        + ", cached="
        + s.cachedPath()
        + "}";
  }

  /**
   * Configures a {@link PolicyStore}. Sources add up; every other option can be set once, and
   * conflicting options are refused when set. Not thread-safe.
   */
  public static final class Builder {
    private final Map<String, String> texts = new LinkedHashMap<>();
    private final List<Path> files = new ArrayList<>();
    private Path directory;
    private String schemaName;
    private String schemaText;
    private Path schemaFile;
    private boolean noSchema;
    private Integer maxNesting;
    private Integer maxDepth;
    private Long maxSourceBytes;
    private Boolean watch;
    private Consumer<LoadReport> listener;

    private Builder() {}

    private void schemaOnce(String option) {
      String set =
          noSchema
              ? "noSchema"
              : schemaFile != null ? "schemaFile" : schemaText != null ? "schema" : null;
      if (set != null) {
        throw new IllegalStateException(option + " conflicts with " + set + ", already set");
      }
    }

    /**
     * Adds policy text under a source name (used in error locations and default ids, {@code
     * name:line}).
     */
    public Builder policies(String name, String text) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(text, "text");
      if (texts.putIfAbsent(name, text) != null) {
        throw new IllegalStateException("policies named '" + name + "' were already added");
      }
      return this;
    }

    /** Adds a policy file, re-read on each {@link #reload()}. */
    public Builder file(Path file) {
      Objects.requireNonNull(file, "file");
      if (files.contains(file)) {
        throw new IllegalStateException("file " + file + " was already added");
      }
      files.add(file);
      return this;
    }

    /** Loads every {@code *.cedar} file of this directory (not its subdirectories), by name. */
    public Builder directory(Path directory) {
      SetOnce.once(this.directory, "directory");
      this.directory = Objects.requireNonNull(directory, "directory");
      return this;
    }

    /** Validates against this schema (Cedar schema syntax) instead of the default one. */
    public Builder schema(String name, String text) {
      schemaOnce("schema");
      this.schemaName = Objects.requireNonNull(name, "name");
      this.schemaText = Objects.requireNonNull(text, "text");
      return this;
    }

    /** Validates against the schema in this file (Cedar schema syntax). */
    public Builder schemaFile(Path file) {
      schemaOnce("schemaFile");
      this.schemaFile = Objects.requireNonNull(file, "file");
      return this;
    }

    /**
     * {@code schema: none}: policies are parsed but not validated, and requests are not checked
     * against a schema; {@code context.args} is sent as given.
     */
    public Builder noSchema() {
      schemaOnce("noSchema");
      this.noSchema = true;
      return this;
    }

    /**
     * The deepest nesting of brackets and {@code if} expressions a policy may have (1–64; 32 by
     * default). Deeper text is refused before it reaches the native parser.
     */
    public Builder maxNesting(int levels) {
      SetOnce.once(this.maxNesting, "maxNesting");
      if (levels < 1 || levels > 64) {
        throw new IllegalArgumentException("maxNesting must be within 1..64, was " + levels);
      }
      this.maxNesting = levels;
      return this;
    }

    /**
     * How deeply a policy's expressions may nest (1–5,000; 1,000 by default): every operator,
     * attribute access, call and bracket is a level, so {@code a && b && c} is 3 deep and {@code
     * context.args.repo} 3. Deeper policies are refused at load with their {@code file:line:col}:
     * Cedar evaluates recursively, and a policy the evaluation threads' stack cannot hold would
     * deny every request it applies to with an error. Text far deeper is refused before it is
     * parsed.
     */
    public Builder maxExpressionDepth(int levels) {
      SetOnce.once(this.maxDepth, "maxExpressionDepth");
      if (levels < 1 || levels > MAX_EXPRESSION_DEPTH) {
        throw new IllegalArgumentException(
            "maxExpressionDepth must be within 1.." + MAX_EXPRESSION_DEPTH + ", was " + levels);
      }
      this.maxDepth = levels;
      return this;
    }

    /** The largest policy source, in bytes (4 MiB by default). */
    public Builder maxSourceBytes(long bytes) {
      SetOnce.once(this.maxSourceBytes, "maxSourceBytes");
      if (bytes < 1) {
        throw new IllegalArgumentException("maxSourceBytes must be positive, was " + bytes);
      }
      this.maxSourceBytes = bytes;
      return this;
    }

    /** Reloads when a watched file, or a file of the directory, is created, changed or deleted. */
    public Builder watch() {
      SetOnce.once(this.watch, "watch");
      this.watch = Boolean.TRUE;
      return this;
    }

    /** Called after every reload (from the reloading thread), successful or not. */
    public Builder onReload(Consumer<LoadReport> listener) {
      SetOnce.once(this.listener, "onReload");
      this.listener = Objects.requireNonNull(listener, "onReload");
      return this;
    }

    /**
     * Loads the policies.
     *
     * @throws PolicyLoadException listing every error as {@code file:line:col: message}
     * @throws IllegalStateException if no source was given, or {@code watch} without files
     */
    public PolicyStore build() {
      if (texts.isEmpty() && files.isEmpty() && directory == null) {
        throw new IllegalStateException("no policies: add policies(), file() or directory()");
      }
      if (watch != null && files.isEmpty() && directory == null) {
        throw new IllegalStateException("watch needs file() or directory() to watch");
      }
      NativeThreads threads =
          new NativeThreads(
              "exec-authz-cedar", Math.max(2, Runtime.getRuntime().availableProcessors()));
      try {
        SchemaInfo schema = loadSchema(threads);
        PolicyStore store = new PolicyStore(this, threads, schema);
        LoadReport first = store.load(null);
        if (!first.applied()) {
          throw new PolicyLoadException(first.errors());
        }
        if (watch != null) {
          try {
            store.startWatching();
          } catch (IOException e) {
            throw new UncheckedIOException("cannot watch the policy files", e);
          }
        }
        return store;
      } catch (RuntimeException e) {
        threads.close();
        throw e;
      }
    }

    private SchemaInfo loadSchema(NativeThreads threads) {
      if (noSchema) {
        return null;
      }
      String name;
      String text;
      if (schemaFile != null) {
        name = schemaFile.toString();
        try {
          text = Files.readString(schemaFile, StandardCharsets.UTF_8);
        } catch (IOException e) {
          throw new PolicyLoadException(List.of(name + ": cannot read schema: " + e.getMessage()));
        }
      } else if (schemaText != null) {
        name = schemaName;
        text = schemaText;
      } else {
        name = DEFAULT_SCHEMA;
        text = defaultSchema();
      }
      try {
        return threads.call(
            () -> {
              SchemaInfo s = SchemaInfo.parse(name, text);
              s.tryCache();
              return s;
            },
            LOAD_TIMEOUT);
      } catch (ExecutionException e) {
        Throwable c = e.getCause() == null ? e : e.getCause();
        throw new PolicyLoadException(
            List.of(c.getMessage() == null ? c.toString() : c.getMessage()));
      } catch (TimeoutException e) {
        throw new PolicyLoadException(List.of(name + ": loading the schema timed out"));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new PolicyLoadException(List.of(name + ": loading the schema was interrupted"));
      }
    }
  }
}
