package io.execauthz.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.execauthz.GraphError;
import io.execauthz.Reason;
import io.execauthz.TraceContext;
import io.execauthz.capability.CapabilitySet;
import io.execauthz.capability.CapabilitySyntaxException;
import io.execauthz.capability.ResourcePattern;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A parsed, checked scenario file (CONTRACT §5). Everything that can be wrong with the file is
 * found here, before any step runs: unknown keys and ops, malformed values, bad capability text,
 * unknown parents, unknown grant names.
 */
record Scenario(
    Path file,
    String name,
    Instant clock,
    Map<String, String> policies,
    List<Path> policyFiles,
    String schema,
    List<Step> steps) {

  static final Instant DEFAULT_CLOCK = Instant.parse("2026-01-01T00:00:00Z");

  /** What a step expects. {@code text} is as written, normalised ("DENY OUT_OF_SCOPE", "OK"). */
  record Expect(String text) {
    boolean matches(String outcome) {
      return text.equals(outcome) || (text.equals("DENY") && outcome.startsWith("DENY "));
    }
  }

  sealed interface Step permits Spawn, Complete, Revoke, Advance, Authorize, GrantStep, Attenuate {
    int number();

    String op();

    Expect expect();
  }

  record Spawn(
      int number,
      String op,
      String id,
      List<String> parents,
      String principal,
      String kind,
      Duration ttl,
      CapabilitySet capabilities,
      List<String> claims,
      boolean hold,
      Map<String, String> attributes,
      Expect expect)
      implements Step {}

  record Complete(int number, String op, String node, Expect expect) implements Step {}

  record Revoke(int number, String op, String node, String reason, Expect expect) implements Step {}

  record Advance(int number, String op, Duration by, Expect expect) implements Step {}

  record Authorize(
      int number,
      String op,
      String node,
      String grant,
      String audience,
      String action,
      String resource,
      Map<String, Object> args,
      boolean approved,
      String traceparent,
      Expect expect)
      implements Step {}

  record GrantStep(
      int number, String op, String node, String audience, Duration ttl, String as, Expect expect)
      implements Step {}

  record Attenuate(
      int number,
      String op,
      String grant,
      CapabilitySet capabilities,
      Duration ttl,
      String as,
      Expect expect)
      implements Step {}

  private static final Set<String> TOP =
      Set.of("name", "clock", "policies", "policyFiles", "schema", "steps");

  /**
   * Reads and checks a scenario file.
   *
   * @throws ScenarioException naming the file, step and key of the first problem
   */
  static Scenario read(Path file) {
    JsonNode root;
    try {
      YAMLMapper yaml = new YAMLMapper();
      yaml.enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
      root = yaml.readTree(Files.readString(file));
    } catch (IOException e) {
      throw new ScenarioException(
          file + ": cannot read the scenario: " + firstLine(e.getMessage()));
    }
    if (root == null || !root.isObject()) {
      throw new ScenarioException(file + ": a scenario is one YAML mapping with a 'steps' list");
    }
    Parser p = new Parser(file);
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!TOP.contains(k)) {
        throw new ScenarioException(
            file
                + ": key '"
                + k
                + "' is not allowed (expected one of "
                + new java.util.TreeSet<>(TOP)
                + ")");
      }
    }
    String name = root.has("name") ? p.text(root, "name", null) : file.getFileName().toString();
    Instant clock = DEFAULT_CLOCK;
    if (root.has("clock")) {
      String c = p.text(root, "clock", null);
      try {
        clock = java.time.OffsetDateTime.parse(c).toInstant();
      } catch (DateTimeParseException e) {
        throw new ScenarioException(
            file
                + ": key 'clock': expected an RFC 3339 instant such as 2026-01-01T00:00:00Z, found '"
                + c
                + "'");
      }
    }
    if (root.has("policies") && root.has("policyFiles")) {
      throw new ScenarioException(file + ": give either 'policies' or 'policyFiles', not both");
    }
    Map<String, String> policies = new LinkedHashMap<>();
    List<Path> policyFiles = new ArrayList<>();
    if (root.has("policies")) {
      policies.put(file.getFileName() + "#policies", p.text(root, "policies", null));
    }
    if (root.has("policyFiles")) {
      for (String f : p.texts(root, "policyFiles", null)) {
        Path resolved = file.toAbsolutePath().getParent().resolve(f);
        if (!Files.isRegularFile(resolved)) {
          throw new ScenarioException(file + ": key 'policyFiles': no such file " + resolved);
        }
        policyFiles.add(resolved);
      }
    }
    String schema = root.has("schema") ? p.text(root, "schema", null) : "default";
    JsonNode steps = root.get("steps");
    if (steps == null || !steps.isArray()) {
      throw new ScenarioException(file + ": key 'steps': expected a list of steps");
    }
    List<Step> out = new ArrayList<>();
    Set<String> nodes = new HashSet<>();
    Set<String> grants = new HashSet<>();
    int n = 0;
    for (JsonNode s : steps) {
      n++;
      out.add(p.step(n, s, nodes, grants));
    }
    return new Scenario(file, name, clock, policies, policyFiles, schema, out);
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int i = s.indexOf('\n');
    return i < 0 ? s : s.substring(0, i);
  }

  /** Reads values with errors that name the file, step and key. */
  private static final class Parser {
    private final Path file;

    Parser(Path file) {
      this.file = file;
    }

    private ScenarioException error(Integer step, String op, String key, String problem) {
      String where = file + (step == null ? "" : ": step " + step + " (" + op + ")");
      String sep = problem.startsWith("is ") ? " " : ": ";
      return new ScenarioException(
          where + (key == null ? ": " : ": key '" + key + "'" + sep) + problem);
    }

    private String loc;
    private Integer stepNo;

    String text(JsonNode obj, String key, String dflt) {
      JsonNode v = obj.get(key);
      if (v == null || v.isNull()) {
        if (dflt == null) {
          throw error(stepNo, loc, key, "is required");
        }
        return dflt;
      }
      if (!v.isValueNode() || v.isBinary()) {
        throw error(stepNo, loc, key, "expected a text value, found " + v.getNodeType());
      }
      return v.asText();
    }

    List<String> texts(JsonNode obj, String key, List<String> dflt) {
      JsonNode v = obj.get(key);
      if (v == null || v.isNull()) {
        if (dflt == null) {
          throw error(stepNo, loc, key, "is required");
        }
        return dflt;
      }
      if (!v.isArray()) {
        throw error(stepNo, loc, key, "expected a list, found " + v.getNodeType());
      }
      List<String> out = new ArrayList<>();
      for (JsonNode e : v) {
        if (!e.isValueNode()) {
          throw error(stepNo, loc, key, "expected a list of text values");
        }
        out.add(e.asText());
      }
      return out;
    }

    Duration duration(JsonNode obj, String key) {
      if (!obj.has(key)) {
        return null;
      }
      String t = text(obj, key, null);
      try {
        Duration d = Durations.parse(t);
        if (d.isZero()) {
          throw new IllegalArgumentException("a duration must be positive, found '" + t + "'");
        }
        return d;
      } catch (IllegalArgumentException e) {
        throw error(stepNo, loc, key, e.getMessage());
      }
    }

    boolean bool(JsonNode obj, String key) {
      JsonNode v = obj.get(key);
      if (v == null || v.isNull()) {
        return false;
      }
      if (!v.isBoolean()) {
        throw error(stepNo, loc, key, "expected true or false, found '" + v.asText() + "'");
      }
      return v.booleanValue();
    }

    CapabilitySet capabilities(JsonNode obj, String key) {
      List<String> texts = texts(obj, key, List.of());
      try {
        return CapabilitySet.parse(texts);
      } catch (CapabilitySyntaxException e) {
        throw error(stepNo, loc, key, e.getMessage());
      }
    }

    void keys(JsonNode obj, Set<String> allowed) {
      for (Iterator<String> it = obj.fieldNames(); it.hasNext(); ) {
        String k = it.next();
        if (!allowed.contains(k)) {
          throw error(
              stepNo,
              loc,
              k,
              "is not allowed here (expected one of " + new java.util.TreeSet<>(allowed) + ")");
        }
      }
    }

    Expect expect(JsonNode obj, Set<String> allowed, String dflt) {
      String raw = obj.has("expect") ? text(obj, "expect", null) : dflt;
      if (raw == null) {
        return null;
      }
      String t = raw.trim().replaceAll("\\s+", " ");
      if (!allowed.contains(t)) {
        throw error(
            stepNo,
            loc,
            "expect",
            "'"
                + raw
                + "' is not an outcome of this step (expected one of "
                + new java.util.TreeSet<>(allowed)
                + ")");
      }
      return new Expect(t);
    }

    private static final Set<String> GRAPH_OUTCOMES = outcomes(true);
    private static final Set<String> END_OUTCOMES = outcomes(false);
    private static final Set<String> DECISIONS = decisions();
    private static final Set<String> GRANT_OUTCOMES =
        Set.of("OK", "ATTENUATION", "INACTIVE", "INVALID_GRANT", "EXPIRED", "REVOKED", "COMPLETED");

    private static Set<String> outcomes(boolean held) {
      Set<String> s = new HashSet<>();
      s.add("OK");
      if (held) {
        s.add("HELD");
      }
      for (GraphError e : GraphError.values()) {
        s.add(e.name());
      }
      return Set.copyOf(s);
    }

    private static Set<String> decisions() {
      Set<String> s = new HashSet<>();
      s.add("PERMIT");
      s.add("DENY");
      for (Reason r : Reason.values()) {
        s.add("DENY " + r.name());
      }
      return Set.copyOf(s);
    }

    Step step(int n, JsonNode s, Set<String> nodes, Set<String> grants) {
      stepNo = n;
      loc = "?";
      if (s == null || !s.isObject() || s.size() != 1) {
        throw new ScenarioException(
            file + ": step " + n + ": expected one operation, such as '- spawn: {...}'");
      }
      String op = s.fieldNames().next();
      loc = op;
      JsonNode a = s.get(op);
      if (op.equals("advance")) {
        if (!a.isValueNode()) {
          throw error(n, op, null, "expected a duration such as 11m");
        }
        try {
          return new Advance(n, op, Durations.parse(a.asText()), null);
        } catch (IllegalArgumentException e) {
          throw error(n, op, null, e.getMessage());
        }
      }
      if (!a.isObject()) {
        throw error(n, op, null, "expected a mapping of keys, such as {node: b1}");
      }
      switch (op) {
        case "spawn", "join" -> {
          boolean join = op.equals("join");
          keys(
              a,
              Set.of(
                  "id",
                  join ? "parents" : "parent",
                  "principal",
                  "kind",
                  "ttl",
                  "capabilities",
                  "claims",
                  "onConflict",
                  "attributes",
                  "expect"));
          String id = text(a, "id", null);
          List<String> parents =
              join
                  ? texts(a, "parents", null)
                  : a.has("parent") ? List.of(text(a, "parent", null)) : List.of();
          if (join && parents.isEmpty()) {
            throw error(n, op, "parents", "a join needs at least one parent");
          }
          for (String parent : parents) {
            if (!nodes.contains(parent)) {
              throw error(
                  n,
                  op,
                  join ? "parents" : "parent",
                  "no earlier step spawns a node '" + parent + "'");
            }
          }
          String onConflict = a.has("onConflict") ? text(a, "onConflict", null) : "fail";
          if (!onConflict.equals("fail") && !onConflict.equals("hold")) {
            throw error(n, op, "onConflict", "expected fail or hold, found '" + onConflict + "'");
          }
          List<String> claims = texts(a, "claims", List.of());
          for (String c : claims) {
            try {
              ResourcePattern.parse(c);
            } catch (CapabilitySyntaxException e) {
              throw error(n, op, "claims", e.getMessage());
            }
          }
          Map<String, String> attributes = new LinkedHashMap<>();
          if (a.has("attributes")) {
            JsonNode at = a.get("attributes");
            if (!at.isObject()) {
              throw error(n, op, "attributes", "expected a mapping of text values");
            }
            at.properties().forEach(e -> attributes.put(e.getKey(), e.getValue().asText()));
          }
          if (!parents.isEmpty() || a.has("principal")) {
            // fine: principal given or inherited
          } else {
            throw error(n, op, "principal", "a root node needs a principal");
          }
          nodes.add(id);
          return new Spawn(
              n,
              op,
              id,
              parents,
              a.has("principal") ? text(a, "principal", null) : null,
              text(a, "kind", "task"),
              duration(a, "ttl"),
              capabilities(a, "capabilities"),
              claims,
              onConflict.equals("hold"),
              attributes,
              expect(a, GRAPH_OUTCOMES, "OK"));
        }
        case "complete" -> {
          keys(a, Set.of("node", "expect"));
          String node = known(a, nodes);
          return new Complete(n, op, node, expect(a, END_OUTCOMES, "OK"));
        }
        case "revoke" -> {
          keys(a, Set.of("node", "reason", "expect"));
          String node = known(a, nodes);
          return new Revoke(
              n, op, node, text(a, "reason", "revoked"), expect(a, END_OUTCOMES, "OK"));
        }
        case "authorize" -> {
          keys(
              a,
              Set.of(
                  "node",
                  "grant",
                  "audience",
                  "action",
                  "resource",
                  "args",
                  "approved",
                  "traceparent",
                  "expect"));
          if (a.has("node") == a.has("grant")) {
            throw error(n, op, "node", "give exactly one of 'node' and 'grant'");
          }
          String grant = null;
          String audience = null;
          if (a.has("grant")) {
            grant = text(a, "grant", null);
            if (!grants.contains(grant)) {
              throw error(
                  n, op, "grant", "no earlier step names a grant '" + grant + "' with 'as'");
            }
            audience = text(a, "audience", null);
          } else if (a.has("audience")) {
            throw error(n, op, "audience", "only an authorize by grant has an audience");
          }
          Map<String, Object> args = new LinkedHashMap<>();
          if (a.has("args")) {
            JsonNode av = a.get("args");
            if (!av.isObject()) {
              throw error(n, op, "args", "expected a mapping");
            }
            args = Args.toJava(av);
          }
          String traceparent = a.has("traceparent") ? text(a, "traceparent", null) : null;
          if (traceparent != null) {
            try {
              TraceContext.parse(traceparent);
            } catch (IllegalArgumentException e) {
              throw error(n, op, "traceparent", e.getMessage());
            }
          }
          return new Authorize(
              n,
              op,
              a.has("node") ? text(a, "node", null) : null,
              grant,
              audience,
              text(a, "action", null),
              text(a, "resource", null),
              args,
              bool(a, "approved"),
              traceparent,
              expect(a, DECISIONS, null));
        }
        case "grant" -> {
          keys(a, Set.of("node", "audience", "ttl", "as", "expect"));
          String node = known(a, nodes);
          String as = text(a, "as", null);
          grants.add(as);
          return new GrantStep(
              n,
              op,
              node,
              text(a, "audience", null),
              duration(a, "ttl"),
              as,
              expect(a, GRANT_OUTCOMES, "OK"));
        }
        case "attenuate" -> {
          keys(a, Set.of("grant", "capabilities", "ttl", "as", "expect"));
          String grant = text(a, "grant", null);
          if (!grants.contains(grant)) {
            throw error(n, op, "grant", "no earlier step names a grant '" + grant + "' with 'as'");
          }
          String as = text(a, "as", null);
          grants.add(as);
          return new Attenuate(
              n,
              op,
              grant,
              capabilities(a, "capabilities"),
              duration(a, "ttl"),
              as,
              expect(a, GRANT_OUTCOMES, "OK"));
        }
        default ->
            throw error(
                n,
                op,
                null,
                "unknown operation (expected spawn, join, complete, revoke, advance, authorize, grant or attenuate)");
      }
    }

    private String known(JsonNode a, Set<String> nodes) {
      String node = text(a, "node", null);
      if (!nodes.contains(node)) {
        throw error(stepNo, loc, "node", "no earlier step spawns a node '" + node + "'");
      }
      return node;
    }
  }

  /** YAML values as the Java values a policy engine reads. */
  static final class Args {
    private Args() {}

    static Map<String, Object> toJava(JsonNode obj) {
      Map<String, Object> out = new LinkedHashMap<>();
      ((ObjectNode) obj).properties().forEach(e -> out.put(e.getKey(), value(e.getValue())));
      return out;
    }

    private static Object value(JsonNode v) {
      if (v.isObject()) {
        return toJava(v);
      }
      if (v.isArray()) {
        List<Object> l = new ArrayList<>();
        v.forEach(e -> l.add(value(e)));
        return l;
      }
      if (v.isBoolean()) {
        return v.booleanValue();
      }
      if (v.isIntegralNumber()) {
        return v.longValue();
      }
      if (v.isNumber()) {
        return v.doubleValue();
      }
      if (v.isNull()) {
        throw new ScenarioException("args may not hold null values");
      }
      return v.asText();
    }
  }
}
