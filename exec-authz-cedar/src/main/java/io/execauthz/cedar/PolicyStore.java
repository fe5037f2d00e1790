package io.execauthz.cedar;

import io.execauthz.cedar.internal.FileScan;
import io.execauthz.cedar.internal.Loader;
import io.execauthz.cedar.internal.NativeThreads;
import io.execauthz.cedar.internal.SchemaInfo;
import io.execauthz.cedar.internal.Snapshot;
import io.execauthz.spi.SetOnce;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Cedar policies, loaded from strings, files or a directory of {@code *.cedar} files, validated
 * strictly against a schema at load, and swapped atomically on reload.
 *
 * <pre>{@code
 * PolicyStore store = PolicyStore.newBuilder()
 *     .directory(Path.of("policies"))     // every *.cedar file in it
 *     .watch()                             // apply changed files once they are stable
 *     .build();                            // throws PolicyLoadException listing file:line:col errors
 * LoadReport r = store.reload();           // a failed reload keeps the last good set
 * r.added(); r.removed();                  // the policy ids the reload put in and took out
 * }</pre>
 *
 * <p><b>Reloads are safe.</b> A reload is all or nothing: any error keeps the policies in force.
 * {@link Builder#watch(Duration)} applies a change only once a poll sees the files exactly as the
 * previous poll did, so a file being written is not applied; a reload that would leave a file that
 * held policies with none (a file caught empty mid-rewrite, or removed from the directory) is
 * refused unless {@link Builder#allowEmptyingFiles()}. Every reload is logged and reported with the
 * ids it added and removed. Deploy policy files by atomic rename.
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
 * the parser recurses on its caller's stack and a deep enough policy crashes the JVM. Expressions
 * nested deeper than {@link Builder#maxExpressionDepth} (1,000 by default; a chain of {@code &&}
 * nests one level per term) are refused at load, with their {@code file:line:col}: every request is
 * evaluated on the store's own 64 MiB threads, which evaluate such policies with room to spare,
 * whatever the stack of the thread that asks.
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
  private static final System.Logger LOG = System.getLogger(PolicyStore.class.getName());

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
  private final NativeThreads evaluation;
  private final boolean allowEmptying;
  private final Duration pollInterval;

  private final ReentrantLock reloadLock = new ReentrantLock();
  private final AtomicLong versions = new AtomicLong();
  private final AtomicLong cacheFailures = new AtomicLong();
  private volatile Snapshot current;
  private volatile LoadReport lastFailure;
  private volatile Map<String, String> replacedTexts;
  private volatile ScheduledExecutorService poller;

  // guarded by reloadLock: the files the policies in force came from, the last poll's look at
  // them, and the last files a load was attempted from (not retried until they change)
  private FileScan loadedFrom;
  private FileScan lastPoll;
  private FileScan lastAttempt;

  private PolicyStore(
      Builder b, NativeThreads threads, NativeThreads evaluation, SchemaInfo schema) {
    this.texts = Map.copyOf(b.texts);
    this.files = List.copyOf(b.files);
    this.directory = b.directory;
    this.schema = schema;
    this.maxNesting = b.maxNesting == null ? 32 : b.maxNesting;
    this.maxDepth = b.maxDepth == null ? DEFAULT_MAX_EXPRESSION_DEPTH : b.maxDepth;
    this.maxSourceBytes = b.maxSourceBytes == null ? 4L << 20 : b.maxSourceBytes;
    this.listener = b.listener;
    this.threads = threads;
    this.evaluation = evaluation;
    this.replacedTexts = this.texts;
    this.allowEmptying = b.allowEmptying != null;
    this.pollInterval = b.watch;
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
   * Re-reads the files and directory now (without waiting for them to be stable, unlike {@link
   * #pollFiles()}) and swaps in the result. On any error the policies in force stay, and the report
   * says why; so does a reload that would leave a file that held policies without any, unless
   * {@link Builder#allowEmptyingFiles()}.
   */
  public LoadReport reload() {
    reloadLock.lock();
    try {
      FileScan scan = scan();
      lastAttempt = scan;
      return load(scan, replacedTexts);
    } finally {
      reloadLock.unlock();
    }
  }

  /**
   * One poll of the files, as {@link Builder#watch} does on its own: applies them only when they
   * are unchanged (size, modification time and SHA-256 of every file, and the list of the
   * directory's files) since the previous poll, differ from the files of the policies in force, and
   * were not tried already. A file being written changes between polls and is not applied; the load
   * itself refuses a file whose last statement is incomplete. Call it from your own scheduler to
   * watch without the store's thread.
   *
   * @return the report of the load it made, or empty when it made none (nothing changed, the files
   *     are still changing, or these very files failed before)
   */
  public Optional<LoadReport> pollFiles() {
    reloadLock.lock();
    try {
      FileScan now = scan();
      FileScan before = lastPoll;
      lastPoll = now;
      if (now.sameAs(loadedFrom) || !now.sameAs(before) || now.sameAs(lastAttempt)) {
        return Optional.empty();
      }
      lastAttempt = now;
      return Optional.of(load(now, replacedTexts));
    } finally {
      reloadLock.unlock();
    }
  }

  /**
   * Replaces the policies given as strings ({@link Builder#policies}) with these, re-reads files,
   * and swaps in the result; on any error the policies in force stay.
   *
   * @param policies policy text by source name
   */
  public LoadReport replacePolicies(Map<String, String> policies) {
    Map<String, String> copy = Map.copyOf(policies);
    reloadLock.lock();
    try {
      return load(scan(), copy);
    } finally {
      reloadLock.unlock();
    }
  }

  private LoadReport firstLoad() {
    reloadLock.lock();
    try {
      FileScan scan = scan();
      lastPoll = scan;
      lastAttempt = scan;
      return load(scan, replacedTexts);
    } finally {
      reloadLock.unlock();
    }
  }

  private FileScan scan() {
    return FileScan.of(files, directory, maxSourceBytes);
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

  /** The threads every request is evaluated on: their stack, not the caller's, decides. */
  NativeThreads evaluationThreads() {
    return evaluation;
  }

  /** Loads from these files and texts; reloadLock held. */
  private LoadReport load(FileScan scan, Map<String, String> sourceTexts) {
    LoadReport report = loadLocked(scan, sourceTexts);
    if (report.applied()) {
      replacedTexts = sourceTexts;
      lastFailure = null;
      loadedFrom = scan;
      if (report.version() > 1) {
        LOG.log(
            System.Logger.Level.INFO,
            "policies reloaded: version {0}, added {1}, removed {2}",
            report.version(),
            report.added(),
            report.removed());
      }
    } else if (report.version() > 0) {
      lastFailure = report;
      LOG.log(
          System.Logger.Level.WARNING,
          "policy reload refused, version {0} stays in force: {1}",
          report.version(),
          String.join("; ", report.errors()));
    } else {
      lastFailure = report;
    }
    if (listener != null) {
      try {
        listener.accept(report);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "reload listener failed", e);
      }
    }
    return report;
  }

  private LoadReport loadLocked(FileScan scan, Map<String, String> sourceTexts) {
    Snapshot before = current;
    long now = before == null ? 0 : before.version();
    List<Loader.Source> sources = new ArrayList<>();
    List<String> errors = new ArrayList<>(scan.errors());
    for (Map.Entry<String, String> e : sourceTexts.entrySet()) {
      if (e.getValue().length() > maxSourceBytes) {
        errors.add(e.getKey() + ": larger than " + maxSourceBytes + " bytes");
      } else {
        sources.add(new Loader.Source(e.getKey(), e.getValue()));
      }
    }
    for (FileScan.FileState f : scan.files().values()) {
      if (f.error() != null) {
        errors.add(f.name() + ": " + f.error());
      } else {
        sources.add(new Loader.Source(f.name(), f.text()));
      }
    }
    if (!errors.isEmpty()) {
      return LoadReport.failed(now, errors, List.of());
    }
    Loader.Outcome outcome;
    try {
      outcome =
          threads.call(() -> Loader.load(sources, schema, maxNesting, maxDepth), LOAD_TIMEOUT);
    } catch (ExecutionException e) {
      Throwable c = e.getCause() == null ? e : e.getCause();
      return LoadReport.failed(now, List.of("loading failed: " + c), List.of());
    } catch (TimeoutException e) {
      return LoadReport.failed(now, List.of("loading timed out after " + LOAD_TIMEOUT), List.of());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return LoadReport.failed(now, List.of("loading interrupted"), List.of());
    }
    if (outcome.snapshot() == null) {
      return LoadReport.failed(now, outcome.errors(), outcome.warnings());
    }
    if (before != null && !allowEmptying && loadedFrom != null) {
      for (String file : loadedFrom.files().keySet()) {
        List<String> had = before.idsBySource().getOrDefault(file, List.of());
        List<String> has = outcome.snapshot().idsBySource().getOrDefault(file, List.of());
        if (!had.isEmpty() && has.isEmpty()) {
          errors.add(
              file
                  + ": "
                  + (scan.files().containsKey(file) ? "now holds no policy" : "is gone")
                  + ", which would remove all "
                  + had.size()
                  + " of its policies ("
                  + String.join(", ", had)
                  + "); refused, the policies in force stay (replace policy files by atomic"
                  + " rename; build the store with allowEmptyingFiles() to allow this)");
        }
      }
      if (!errors.isEmpty()) {
        return LoadReport.failed(now, errors, outcome.warnings());
      }
    }
    Snapshot next = outcome.snapshot().withVersion(versions.incrementAndGet());
    if (!next.cachedPath()) {
      cacheFailures.incrementAndGet();
    }
    List<String> added = new ArrayList<>(next.ids());
    List<String> removed = new ArrayList<>();
    if (before != null) {
      added.removeAll(new HashSet<>(before.ids()));
      removed.addAll(before.ids());
      removed.removeAll(new HashSet<>(next.ids()));
    }
    current = next;
    return new LoadReport(true, next.version(), List.of(), outcome.warnings(), added, removed);
  }

  private void startWatching() {
    ScheduledExecutorService ses =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "exec-authz-cedar-watch");
              t.setDaemon(true);
              return t;
            });
    long every = pollInterval.toMillis();
    ses.scheduleWithFixedDelay(
        () -> {
          try {
            pollFiles();
          } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "polling the policy files failed", e);
          }
        },
        every,
        every,
        TimeUnit.MILLISECONDS);
    poller = ses;
  }

  /**
   * Stops the watcher, the parsing threads and the evaluation threads: from then on every request
   * evaluated with this store is denied with an error.
   */
  @Override
  public void close() {
    ScheduledExecutorService p = poller;
    if (p != null) {
      p.shutdownNow();
    }
    threads.close();
    evaluation.close();
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
    private Duration watch;
    private Boolean allowEmptying;
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

    /**
     * Polls the files every second and applies a change once it is stable ({@link
     * #watch(Duration)}).
     */
    public Builder watch() {
      return watch(Duration.ofSeconds(1));
    }

    /**
     * Polls the files (and the directory's list of files) at this interval, and applies a change
     * only once a poll sees every file exactly as the poll before did (size, modification time,
     * SHA-256): a file is applied at the earliest one interval after its last write, and never
     * while it is being written — unless its writer pauses for longer than an interval at the end
     * of a complete statement. Deploy policy files by writing them elsewhere and renaming them into
     * place (an atomic rename), and no partial file is ever seen. See {@link #pollFiles()}.
     */
    public Builder watch(Duration pollInterval) {
      SetOnce.once(this.watch, "watch");
      Objects.requireNonNull(pollInterval, "pollInterval");
      if (pollInterval.toMillis() < 1 || pollInterval.compareTo(Duration.ofHours(24)) > 0) {
        throw new IllegalArgumentException(
            "watch interval must be within 1 ms..24 h, was " + pollInterval);
      }
      this.watch = pollInterval;
      return this;
    }

    /**
     * Lets a reload leave a file that held policies without any (emptied, or removed from the
     * directory). By default such a reload is refused and the policies in force stay: a file caught
     * while being rewritten is often empty, and an empty file silently drops its forbids.
     */
    public Builder allowEmptyingFiles() {
      SetOnce.once(this.allowEmptying, "allowEmptyingFiles");
      this.allowEmptying = Boolean.TRUE;
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
      int cpus = Math.max(2, Runtime.getRuntime().availableProcessors());
      NativeThreads threads = new NativeThreads("exec-authz-cedar", cpus);
      NativeThreads evaluation = new NativeThreads("exec-authz-cedar-eval", cpus);
      try {
        SchemaInfo schema = loadSchema(threads);
        PolicyStore store = new PolicyStore(this, threads, evaluation, schema);
        LoadReport first = store.firstLoad();
        if (!first.applied()) {
          throw new PolicyLoadException(first.errors());
        }
        if (watch != null) {
          store.startWatching();
        }
        return store;
      } catch (RuntimeException e) {
        threads.close();
        evaluation.close();
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
