package io.execauthz.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.execauthz.Args;
import io.execauthz.ExecutionView;
import io.execauthz.TraceContext;
import io.execauthz.capability.CapabilitySet;
import io.execauthz.cedar.CedarPolicyEngine;
import io.execauthz.cedar.PolicyLoadException;
import io.execauthz.cedar.PolicyReads;
import io.execauthz.cedar.PolicyStore;
import io.execauthz.spi.ArgumentReads;
import io.execauthz.spi.PolicyDecision;
import io.execauthz.spi.PolicyRequest;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code exec-authz policy replay}: re-decides the requests an audit log recorded under a candidate
 * policy set and reports what would change.
 *
 * <p>Only the policy step is re-decided: a record refused before it (out of scope, revoked,
 * expired, …) would be refused again whatever the policies say, and is reported as not re-decided.
 * The policy request is rebuilt from the record the way {@code PolicyTester} builds one: the
 * recorded node path as the lineage (root first), the recorded principal and delegators, the
 * record's time as {@code context.now}. What the record does not carry is never guessed: when the
 * candidate policies may read the node kind, or the arguments of a record that had some, the record
 * is reported as undecidable with the reason; {@code context.approved} is tried both ways and the
 * record is undecidable only when the answer depends on it.
 */
@Command(
    name = "replay",
    mixinStandardHelpOptions = true,
    description = {
      "Re-decides an audit log under candidate policies; reports the flips.",
      "",
      "Reports what would change: counts by (old -> new) outcome and reason, and the first"
          + " flips with their records.",
      "",
      "Only the policy step is replayed; records refused before it are reported as not"
          + " re-decided, and records whose answer depends on what the log does not keep"
          + " (arguments, node kinds, approval) as undecidable, with the reason.",
      "",
      "Exit 0 when nothing flips, 1 when a decision would flip, 2 on bad input."
    })
final class PolicyReplayCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper EXACT =
      new ObjectMapper()
          .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
  static final int BAD_INPUT = 2;

  @Spec CommandSpec spec;

  @Option(
      names = "--audit",
      required = true,
      paramLabel = "FILE",
      description = "The JSON-lines audit log to replay.")
  Path audit;

  @Option(
      names = "--policies",
      required = true,
      arity = "1..*",
      paramLabel = "PATH",
      description = "Candidate Cedar policy files or directories.")
  List<Path> policies;

  @Option(
      names = "--schema",
      defaultValue = "default",
      paramLabel = "default|none|FILE",
      description = "Validate against exec-authz's default schema, none, or this .cedarschema.")
  String schema;

  @Option(
      names = "--first",
      defaultValue = "10",
      paramLabel = "N",
      description = "How many flips (and undecidable records) to print in full; 10 by default.")
  int first;

  @Option(
      names = "--format",
      paramLabel = "text|json",
      defaultValue = "text",
      description = "Readable lines (text, the default) or one JSON object (json).")
  OutputFormat format;

  /** One audit record, as far as replay needs it. */
  record Entry(
      long seq,
      int line,
      Instant time,
      List<String> path,
      String principal,
      List<String> delegators,
      String action,
      String resource,
      boolean permitted,
      String reason,
      String detail,
      List<String> policies,
      String argsSha256,
      Map<String, Object> args,
      List<String> redacted,
      List<String> cut,
      JsonNode raw) {
    /** "PERMIT", or "DENY " and the reason. */
    String outcome() {
      return permitted ? "PERMIT" : "DENY " + reason;
    }

    /** Whether the original decision came from the policy step. */
    boolean reachedPolicies() {
      return permitted
          || "POLICY".equals(reason)
          || ("ERROR".equals(reason)
              && (detail.startsWith("policy evaluation failed")
                  || detail.startsWith("policy engine returned no decision")));
    }
  }

  private int fail(String message) {
    spec.commandLine().getErr().println("exec-authz: " + message);
    return BAD_INPUT;
  }

  @Override
  public Integer call() throws IOException {
    if (first < 0) {
      return fail("--first must be 0 or more, was " + first);
    }
    if (!Files.isRegularFile(audit)) {
      return fail("--audit: " + audit + " does not exist");
    }
    PolicyStore.Builder b = PolicyStore.newBuilder();
    for (Path p : policies) {
      if (Files.isDirectory(p)) {
        b.directory(p);
      } else if (Files.isRegularFile(p)) {
        b.file(p);
      } else {
        return fail("--policies: " + p + " does not exist");
      }
    }
    if ("none".equals(schema)) {
      b.noSchema();
    } else if (!"default".equals(schema)) {
      Path s = Path.of(schema);
      if (!Files.isRegularFile(s)) {
        return fail("--schema: " + s + " does not exist");
      }
      b.schemaFile(s);
    }
    List<Entry> entries = new ArrayList<>();
    try (BufferedReader r = Files.newBufferedReader(audit, StandardCharsets.UTF_8)) {
      String text;
      int n = 0;
      while ((text = r.readLine()) != null) {
        n++;
        if (text.isBlank()) {
          continue;
        }
        try {
          entries.add(parse(n, JSON.readTree(text)));
        } catch (IOException | RuntimeException e) {
          return fail(
              "--audit: "
                  + audit
                  + ":"
                  + n
                  + ": not an audit record: "
                  + e.getMessage().lines().findFirst().orElse(""));
        }
      }
    }
    PolicyStore store;
    try {
      store = b.build();
    } catch (PolicyLoadException e) {
      return fail("--policies: " + (e.errors().isEmpty() ? e.getMessage() : e.errors().get(0)));
    } catch (RuntimeException e) {
      return fail("--policies: " + e.getMessage());
    }
    try (store) {
      Report report = replay(entries, CedarPolicyEngine.of(store));
      PrintWriter out = spec.commandLine().getOut();
      if (format == OutputFormat.JSON) {
        out.println(JSON.writeValueAsString(report.json(audit, store.policyIds(), first)));
      } else {
        report.print(out, audit, store.policyIds(), first);
      }
      out.flush();
      return report.flips.isEmpty() ? 0 : 1;
    }
  }

  static Entry parse(int line, JsonNode n) {
    if (!n.isObject()) {
      throw new IllegalArgumentException("not a JSON object");
    }
    String decision = text(n, "decision", false);
    if (!"PERMIT".equals(decision) && !"DENY".equals(decision)) {
      throw new IllegalArgumentException("decision must be PERMIT or DENY, was " + decision);
    }
    String reason = text(n, "reason", true);
    if ("DENY".equals(decision) == (reason == null)) {
      throw new IllegalArgumentException("a DENY has a reason and a PERMIT none");
    }
    return new Entry(
        n.path("seq").asLong(line),
        line,
        parseTime(text(n, "time", false)),
        strings(n, "path"),
        text(n, "principal", true),
        strings(n, "delegators"),
        text(n, "action", false),
        text(n, "resource", false),
        "PERMIT".equals(decision),
        reason,
        n.path("detail").asText(""),
        strings(n, "policies"),
        text(n, "argsSha256", true),
        n.path("args").isObject() ? arguments(n.get("args")) : null,
        n.has("redacted") ? strings(n, "redacted") : List.of(),
        n.has("cut") ? strings(n, "cut") : List.of(),
        n);
  }

  /** Kept arguments as the authorizer had them: decimals digit for digit, never a double. */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> arguments(JsonNode args) {
    try {
      return EXACT.treeToValue(args, Map.class);
    } catch (IOException e) {
      throw new IllegalArgumentException("field \"args\" is not an object of arguments", e);
    }
  }

  private static String text(JsonNode n, String field, boolean nullable) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      if (nullable) {
        return null;
      }
      throw new IllegalArgumentException("missing field \"" + field + "\"");
    }
    if (!v.isTextual()) {
      throw new IllegalArgumentException("field \"" + field + "\" is not a string");
    }
    return v.asText();
  }

  private static List<String> strings(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || !v.isArray()) {
      throw new IllegalArgumentException("field \"" + field + "\" is not an array of strings");
    }
    List<String> out = new ArrayList<>(v.size());
    for (JsonNode e : v) {
      out.add(e.asText());
    }
    return out;
  }

  /** What replaying a log under candidate policies found. */
  static final class Report {
    int total;
    int redecided;
    final Map<String, Integer> notRedecided = new TreeMap<>();
    final Map<String, Integer> changes = new TreeMap<>();
    final List<Flip> flips = new ArrayList<>();
    final List<Undecided> undecided = new ArrayList<>();
    final List<String> notes = new ArrayList<>();

    record Flip(Entry entry, String now, List<String> policies) {}

    record Undecided(Entry entry, String why) {}

    void print(PrintWriter out, Path audit, List<String> ids, int first) {
      out.printf(
          "replayed %d records of %s under %d candidate policies (%s)%n",
          total, audit, ids.size(), String.join(", ", ids));
      for (String note : notes) {
        out.println("note: " + note);
      }
      out.printf("  re-decided under the candidate policies: %d%n", redecided);
      int before = notRedecided.values().stream().mapToInt(Integer::intValue).sum();
      out.printf("  refused before the policy step (not re-decided): %d", before);
      if (before > 0) {
        List<String> parts = new ArrayList<>();
        notRedecided.forEach((k, v) -> parts.add(k + " " + v));
        out.print(" (" + String.join(", ", parts) + ")");
      }
      out.println();
      out.printf("  could not be decided: %d%n", undecided.size());
      if (!changes.isEmpty()) {
        out.println("old -> new:");
        changes.forEach((k, v) -> out.printf("  %-40s %d%n", k, v));
      }
      out.printf(
          "flips: %d%s%n",
          flips.size(), flips.size() > first ? " (the first " + first + " shown)" : "");
      for (Flip f : flips.subList(0, Math.min(first, flips.size()))) {
        Entry e = f.entry();
        out.printf(
            "  #%d %s %s %s %s on %s: %s -> %s%s%n",
            e.seq(),
            e.time(),
            e.principal(),
            e.action(),
            e.resource(),
            String.join("/", e.path()),
            e.outcome(),
            f.now(),
            f.policies().isEmpty() ? "" : " by " + String.join(", ", f.policies()));
        out.println("     " + e.raw());
      }
      if (!undecided.isEmpty()) {
        out.printf(
            "could not decide: %d%s%n",
            undecided.size(), undecided.size() > first ? " (the first " + first + " shown)" : "");
        for (Undecided u : undecided.subList(0, Math.min(first, undecided.size()))) {
          Entry e = u.entry();
          out.printf(
              "  #%d %s %s %s: %s%n", e.seq(), e.principal(), e.action(), e.resource(), u.why());
        }
      }
    }

    ObjectNode json(Path audit, List<String> ids, int first) {
      ObjectNode o = JSON.createObjectNode();
      o.put("audit", audit.toString());
      ArrayNode p = o.putArray("policies");
      ids.forEach(p::add);
      ArrayNode n = o.putArray("notes");
      notes.forEach(n::add);
      o.put("records", total);
      o.put("redecided", redecided);
      ObjectNode before = o.putObject("notRedecided");
      notRedecided.forEach(before::put);
      ObjectNode ch = o.putObject("changes");
      changes.forEach(ch::put);
      o.put("flipCount", flips.size());
      ArrayNode fl = o.putArray("flips");
      for (Flip f : flips.subList(0, Math.min(first, flips.size()))) {
        ObjectNode x = fl.addObject();
        x.put("seq", f.entry().seq());
        x.put("old", f.entry().outcome());
        x.put("new", f.now());
        ArrayNode by = x.putArray("newPolicies");
        f.policies().forEach(by::add);
        x.set("record", f.entry().raw());
      }
      o.put("undecidedCount", undecided.size());
      ArrayNode un = o.putArray("undecided");
      for (Undecided u : undecided.subList(0, Math.min(first, undecided.size()))) {
        ObjectNode x = un.addObject();
        x.put("seq", u.entry().seq());
        x.put("why", u.why());
        x.set("record", u.entry().raw());
      }
      return o;
    }
  }

  static Report replay(List<Entry> entries, CedarPolicyEngine engine) {
    PolicyReads reads = engine.policyReads();
    boolean readsKind =
        reads.mayReadContext("kind") || reads.mayReadEntityAttribute("kind") || reads.allContext();
    boolean readsArgs = reads.mayReadContext("args");
    boolean readsApproval = reads.mayReadContext("approved");
    Report report = new Report();
    if (reads.entityHierarchy()) {
      report.notes.add(
          "the candidate policies test ancestry (in): the lineage is rebuilt from each record's"
              + " node path, so a join node's other parents are not seen");
    }
    if (readsArgs) {
      report.notes.add(
          "the candidate policies read context.args: a record without argsSha256 is replayed"
              + " with no arguments, one with kept arguments (keepArguments) with those");
    }
    for (Entry e : entries) {
      report.total++;
      if (!e.reachedPolicies()) {
        report.notRedecided.merge(e.reason(), 1, Integer::sum);
        continue;
      }
      ArgumentReads argReads = readsArgs ? engine.argumentReads(e.action()) : ArgumentReads.none();
      String why = missing(e, readsKind, argReads);
      if (why != null) {
        report.undecided.add(new Report.Undecided(e, why));
        continue;
      }
      Map<String, Object> args = argReads.readsNone() || e.args() == null ? Map.of() : e.args();
      PolicyDecision d = engine.evaluate(request(e, false, args));
      if (readsApproval) {
        PolicyDecision approved = engine.evaluate(request(e, true, args));
        if (!outcome(approved).equals(outcome(d))) {
          report.undecided.add(
              new Report.Undecided(
                  e,
                  "the answer depends on context.approved ("
                      + outcome(d)
                      + " unapproved, "
                      + outcome(approved)
                      + " approved), which the audit record does not carry"));
          continue;
        }
      }
      report.redecided++;
      String now = outcome(d);
      report.changes.merge(e.outcome() + " -> " + now, 1, Integer::sum);
      if (e.permitted() != now.equals("PERMIT")) {
        report.flips.add(new Report.Flip(e, now, d.determiningPolicies()));
      }
    }
    return report;
  }

  /** Why the record lacks what the candidate policies may read, or null when it has it all. */
  private static String missing(Entry e, boolean readsKind, ArgumentReads readsArgs) {
    if (e.principal() == null || e.path().isEmpty()) {
      return "the record names no principal or node path (the request never reached a node)";
    }
    for (String field : List.of("path", "principal", "delegators", "action", "resource")) {
      if (e.cut().contains(field)) {
        return "the record's " + field + " was cut to fit the audit line";
      }
    }
    if (readsKind) {
      return "the candidate policies may read the node kind, which the audit record does not"
          + " carry";
    }
    if (readsArgs.readsNone() || e.argsSha256() == null) {
      return null;
    }
    if (e.cut().contains("args")) {
      return "the candidate policies read context.args and the record's kept arguments were cut"
          + " to fit the audit line";
    }
    if (e.args() == null) {
      return "the candidate policies read context.args and the record had arguments (the log"
          + " keeps only their SHA-256; write it with keepArguments to replay them)";
    }
    for (String name : e.redacted()) {
      if (readsArgs.mayRead(name)) {
        return "the candidate policies read context.args."
            + name
            + ", which the log redacted (its value is not kept)";
      }
    }
    if (e.redacted().isEmpty() && !Args.of(e.args()).sha256().equals(e.argsSha256())) {
      return "the record's kept arguments do not match its argsSha256 (the record was edited;"
          + " run exec-authz audit verify)";
    }
    return null;
  }

  private static String outcome(PolicyDecision d) {
    return !d.errors().isEmpty() ? "DENY ERROR" : d.permitted() ? "PERMIT" : "DENY POLICY";
  }

  /** The policy request for a record, built the way {@code PolicyTester} builds one. */
  static PolicyRequest request(Entry e, boolean approved, Map<String, Object> args) {
    List<String> path = e.path();
    List<ExecutionView.Lineage> lineage = new ArrayList<>(path.size());
    for (int i = 0; i < path.size(); i++) {
      lineage.add(
          0,
          new ExecutionView.Lineage(
              path.get(i), "unknown", i, i == 0 ? List.of() : List.of(path.get(i - 1))));
    }
    String self = path.get(path.size() - 1);
    ExecutionView view =
        new ExecutionView(
            "replay",
            self,
            "unknown",
            path.size() - 1,
            e.principal(),
            path,
            lineage,
            e.delegators().isEmpty() ? List.of(e.principal()) : e.delegators(),
            Map.of(),
            CapabilitySet.empty(),
            e.time().plus(Duration.ofHours(1)),
            new TraceContext("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331", 1),
            List.of());
    return new PolicyRequest(view, e.action(), e.resource(), args, approved, e.time());
  }

  static Instant parseTime(String s) {
    try {
      return Instant.parse(s);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("time is not an ISO-8601 instant: " + s, e);
    }
  }
}
