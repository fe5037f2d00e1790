package io.execauthz.cedar.internal;

import com.cedarpolicy.BasicAuthorizationEngine;
import com.cedarpolicy.model.DetailedError;
import com.cedarpolicy.model.ValidationRequest;
import com.cedarpolicy.model.ValidationResponse;
import com.cedarpolicy.model.exception.AuthException;
import com.cedarpolicy.model.exception.InternalException;
import com.cedarpolicy.model.policy.Policy;
import com.cedarpolicy.model.policy.PolicySet;
import com.cedarpolicy.model.schema.Schema;
import io.execauthz.cedar.PolicyReads;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Turns policy sources into a policy set, or into errors as {@code file:line:col: message}. Every
 * step that makes cedar-java parse runs here, and this runs on a {@link NativeThreads} thread.
 *
 * <p>Steps: scan each source in Java ({@link PolicyText}: nesting limit, statement split); parse
 * each statement natively (reading its {@code @id}); give each policy the user's id ({@code @id},
 * else {@code file:line}) so that determining policies come back under it; validate strictly
 * against the schema; try to cache the set natively.
 */
public final class Loader {
  /**
   * A named policy text (a file's path, or a name the caller gave).
   *
   * <p>Immutable, so thread-safe.
   */
  public record Source(String name, String text) {}

  /**
   * What a load produced: a snapshot (version 0 until the store numbers it), or errors.
   *
   * <p>Immutable (the lists are copied), so thread-safe.
   */
  public record Outcome(Snapshot snapshot, List<String> errors, List<String> warnings) {
    public Outcome {
      errors = List.copyOf(errors);
      warnings = List.copyOf(warnings);
    }
  }

  private record Parsed(
      String id, PolicyText where, PolicyText.Statement statement, PolicyAnalysis.Result found) {}

  /**
   * How much deeper than the limit the text scan lets a policy be before it is refused unparsed:
   * its bound counts more than the parsed tree has (every {@code .} of {@code context.a.b}), and
   * the exact depth is checked on the parsed form.
   */
  static final int TEXT_DEPTH_FACTOR = 4;

  private static final Schema EMPTY =
      new Schema(Schema.JsonOrCedar.Cedar, Optional.empty(), Optional.of(""));

  private Loader() {}

  /** Loads, validates and (if the native cache has room) caches. */
  public static Outcome load(
      List<Source> sources, SchemaInfo schema, int maxNesting, int maxDepth) {
    List<String> errors = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    List<Parsed> parsed = new ArrayList<>();
    Map<String, Parsed> byId = new HashMap<>();
    BasicAuthorizationEngine engine = new BasicAuthorizationEngine();

    for (Source source : sources) {
      PolicyText text = new PolicyText(source.name(), source.text());
      List<PolicyText.Statement> statements;
      try {
        statements = text.statements(maxNesting, maxDepth * TEXT_DEPTH_FACTOR + 16);
      } catch (PolicyText.ScanException e) {
        errors.addAll(e.errors());
        continue;
      }
      for (PolicyText.Statement st : statements) {
        String where = source.name() + ":" + st.line();
        String id;
        PolicyAnalysis.Result found;
        try {
          Policy policy = new Policy(st.text(), where);
          Map<String, String> annotations = policy.getAnnotations();
          id = annotations.getOrDefault("id", where);
          found = PolicyAnalysis.analyze(policy.toJson());
        } catch (InternalException | RuntimeException e) {
          errors.addAll(parseErrors(engine, text, st, where, false));
          continue;
        }
        if (found.depth() > maxDepth) {
          errors.add(
              text.where(st.offset())
                  + ": policy expressions nest "
                  + (found.depth() == Integer.MAX_VALUE
                      ? "too many"
                      : String.valueOf(found.depth()))
                  + " levels deep, over the limit of "
                  + maxDepth
                  + "; too deep to evaluate, refused");
          continue;
        }
        Parsed p = new Parsed(id, text, st, found);
        Parsed other = byId.putIfAbsent(id, p);
        if (other != null) {
          errors.add(
              text.where(st.offset())
                  + ": duplicate policy id '"
                  + id
                  + "' (also at "
                  + other.where().where(other.statement().offset())
                  + ")");
          continue;
        }
        parsed.add(p);
      }
    }
    if (!errors.isEmpty()) {
      return new Outcome(null, errors, warnings);
    }

    LinkedHashSet<Policy> policies = new LinkedHashSet<>();
    List<String> ids = new ArrayList<>(parsed.size());
    Map<String, String> locations = new HashMap<>();
    for (Parsed p : parsed) {
      policies.add(new Policy(p.statement().text(), p.id()));
      ids.add(p.id());
      locations.put(p.id(), p.where().source() + ":" + p.statement().line());
    }
    PolicySet set =
        new PolicySet(Collections.unmodifiableSet(policies), Collections.emptySet(), List.of());

    try {
      // without a schema, validating against an empty one still finds what does not parse as a
      // static policy (templates); its type errors are ignored
      ValidationResponse vr =
          engine.validate(new ValidationRequest(schema == null ? EMPTY : schema.schema(), set));
      if (vr.type == ValidationResponse.SuccessOrFailure.Failure) {
        for (Parsed p : parsed) {
          errors.addAll(parseErrors(engine, p.where(), p.statement(), p.id(), true));
        }
        if (errors.isEmpty()) {
          vr.errors.ifPresent(es -> es.forEach(e -> errors.add("validation: " + describe(e))));
        }
        if (errors.isEmpty()) {
          errors.add("validation failed without a reason");
        }
      } else if (schema != null) {
        ValidationResponse.ValidationSuccessResponse ok = vr.success.orElseThrow();
        Grouped grouped = new Grouped();
        for (ValidationResponse.ValidationError e : ok.validationErrors) {
          grouped.add(located(byId.get(e.getPolicyId()), e.getPolicyId(), e.getError()));
        }
        errors.addAll(grouped.lines());
        Grouped warned = new Grouped();
        for (ValidationResponse.ValidationError e : ok.validationWarnings) {
          warned.add(located(byId.get(e.getPolicyId()), e.getPolicyId(), e.getError()));
        }
        warnings.addAll(warned.lines());
      }
    } catch (AuthException | RuntimeException e) {
      errors.add(
          (schema == null ? "policies" : schema.name())
              + ": validation failed: "
              + String.join("; ", messages(e)));
    }
    if (!errors.isEmpty()) {
      return new Outcome(null, errors, warnings);
    }
    PolicyReads reads = PolicyReads.nothing();
    int depth = 0;
    List<PolicyAnalysis.Result> found = new ArrayList<>(parsed.size());
    Map<String, List<String>> bySource = new LinkedHashMap<>();
    for (Source source : sources) {
      bySource.put(source.name(), new ArrayList<>());
    }
    for (Parsed p : parsed) {
      reads = reads.union(p.found().reads());
      depth = Math.max(depth, p.found().depth());
      found.add(p.found());
      bySource.get(p.where().source()).add(p.id());
    }
    Snapshot snapshot =
        new Snapshot(
            0,
            set,
            schema,
            ids,
            locations,
            reads,
            depth,
            new Reach(found, schema != null && schema.actionGroups()),
            bySource);
    snapshot.tryCache();
    return new Outcome(snapshot, errors, warnings);
  }

  /** Locates the errors of one statement that failed to parse, by validating it on its own. */
  private static List<String> parseErrors(
      BasicAuthorizationEngine engine,
      PolicyText text,
      PolicyText.Statement st,
      String where,
      boolean onlyIfFailing) {
    List<String> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    try {
      PolicySet one =
          new PolicySet(
              Collections.singleton(new Policy(st.text(), where)),
              Collections.emptySet(),
              List.of());
      ValidationResponse vr = engine.validate(new ValidationRequest(EMPTY, one));
      vr.errors.ifPresent(
          es -> {
            for (DetailedError e : es) {
              if (seen.add(e.message)) {
                out.add(locate(text, st, e, where));
              }
            }
          });
    } catch (AuthException | RuntimeException e) {
      out.add(text.where(st.offset()) + ": " + String.join("; ", messages(e)));
    }
    if (out.isEmpty() && !onlyIfFailing) {
      out.add(text.where(st.offset()) + ": not a valid policy");
    }
    return out;
  }

  /**
   * Merges errors that differ only in the action they were found for (an unscoped policy is checked
   * against every action).
   */
  private static final class Grouped {
    private final Map<String, String> first = new LinkedHashMap<>();
    private final Map<String, Integer> more = new HashMap<>();

    void add(String line) {
      String key = line.replaceAll("Action::\"(?:[^\"\\\\]|\\\\.)*\"", "Action");
      if (first.putIfAbsent(key, line) != null) {
        more.merge(key, 1, Integer::sum);
      }
    }

    List<String> lines() {
      List<String> out = new ArrayList<>(first.size());
      for (Map.Entry<String, String> e : first.entrySet()) {
        Integer n = more.get(e.getKey());
        out.add(
            n == null
                ? e.getValue()
                : e.getValue() + " (and for " + n + " other action" + (n == 1 ? ")" : "s)"));
      }
      return out;
    }
  }

  private static String located(Parsed p, String id, DetailedError e) {
    if (p == null) {
      return id + ": " + describe(e);
    }
    return locate(p.where(), p.statement(), e, id);
  }

  private static String locate(
      PolicyText text, PolicyText.Statement st, DetailedError e, String policyId) {
    int offset = st.offset();
    if (!e.sourceLocations.isEmpty()) {
      offset += PolicyText.charOffset(st.text(), e.sourceLocations.get(0).start);
    }
    return text.where(offset) + ": " + describe(e, policyId);
  }

  private static String describe(DetailedError e) {
    return describe(e, null);
  }

  /** The native message without the policy id it repeats, with the parser's hint and help. */
  static String describe(DetailedError e, String policyId) {
    String m = e.message;
    if (policyId != null) {
      for (String prefix :
          List.of(
              "for policy `" + policyId + "`, ",
              "failed to parse policy with id `" + policyId + "` from string: ")) {
        if (m.startsWith(prefix)) {
          m = m.substring(prefix.length());
        }
      }
    }
    StringBuilder sb = new StringBuilder(m);
    if (!e.sourceLocations.isEmpty()) {
      e.sourceLocations
          .get(0)
          .label
          .filter(l -> !l.isEmpty())
          .ifPresent(l -> sb.append(" (").append(l).append(')'));
    }
    e.help.filter(h -> !h.isEmpty()).ifPresent(h -> sb.append("; help: ").append(h));
    return sb.toString();
  }

  /** The messages an exception from cedar-java carries. */
  static List<String> messages(Throwable e) {
    if (e instanceof InternalException ie && !ie.getErrors().isEmpty()) {
      return ie.getErrors();
    }
    String m = e.getMessage();
    return List.of(m == null ? e.getClass().getSimpleName() : m);
  }
}
