package io.execauthz.cedar.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.execauthz.cedar.PolicyReads;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Reads one policy's parsed form — Cedar's JSON policy format (EST), as cedar-java's {@code
 * Policy.toJson()} gives it — and finds what the policy may read from a request ({@link
 * PolicyReads}) and how deeply its expressions nest. Escapes are resolved by the parser, so <code>
 * context["&#92;u{6e}ow"]</code> arrives here as an access to {@code now}.
 *
 * <p>Each expression evaluates, abstractly, to a path under {@code context} not yet used, an
 * entity, or something else. A context path that is used for its value (compared, passed to a
 * function, put in a set or record, returned by an {@code if}) is a read of everything below it;
 * {@code .} and {@code has} on a context path extend it. Whatever the analysis does not know marks
 * the policy as reading everything.
 *
 * <p>The walk recurses once per expression level: call it where the stack is large, and only on
 * text {@link PolicyText} has bounded.
 *
 * <p>Thread-safe (stateless).
 */
public final class PolicyAnalysis {
  /**
   * What one policy reads, and the depth of its deepest expression.
   *
   * @param ancestorsObservable whether the policy may observe an {@code Execution} entity other
   *     than the request's node: an {@code Execution} literal anywhere but as the target of {@code
   *     in} (where only the node's ancestry is consulted), or anything the analysis does not
   *     follow. When no policy can, the node may be sent alone with every ancestor as a direct
   *     parent.
   * @param scope the requests the policy can apply to at all, from its scope ({@link
   *     Reach.Scope#ANY} when the analysis is unsure)
   *     <p>Immutable, so thread-safe.
   */
  public record Result(
      PolicyReads reads, int depth, boolean ancestorsObservable, Reach.Scope scope) {}

  /** The deepest JSON nesting read: far beyond any policy {@link PolicyText} lets through. */
  static final int MAX_JSON_DEPTH = 200_000;

  private static final ObjectMapper JSON =
      new ObjectMapper(
          JsonFactory.builder()
              .streamReadConstraints(
                  StreamReadConstraints.builder()
                      .maxNestingDepth(MAX_JSON_DEPTH)
                      .maxStringLength(Integer.MAX_VALUE)
                      .build())
              .build());

  private static final Set<String> UNARY = Set.of("!", "neg", "isEmpty");
  private static final Set<String> BINARY =
      Set.of(
          "==",
          "!=",
          "in",
          "<",
          "<=",
          ">",
          ">=",
          "&&",
          "||",
          "+",
          "-",
          "*",
          "contains",
          "containsAll",
          "containsAny",
          "getTag",
          "hasTag");
  private static final Set<String> EXTENSION_FUNCTIONS =
      Set.of(
          "decimal",
          "ip",
          "datetime",
          "duration",
          "lessThan",
          "lessThanOrEqual",
          "greaterThan",
          "greaterThanOrEqual",
          "isIpv4",
          "isIpv6",
          "isLoopback",
          "isMulticast",
          "isInRange",
          "offset",
          "durationSince",
          "toDate",
          "toTime",
          "toDays",
          "toHours",
          "toMinutes",
          "toSeconds",
          "toMilliseconds");

  /** Fields that hold no expression: {@code like}'s pattern, {@code is}'s type. */
  private static final Set<String> OPERAND_EXTRAS = Set.of("pattern", "entity_type");

  private static final Set<String> SCOPE_OPS = Set.of("All", "==", "in", "is");
  private static final Set<String> POLICY_KEYS =
      Set.of("effect", "principal", "action", "resource", "conditions", "annotations");

  private PolicyAnalysis() {}

  /** Analyzes one policy from its JSON form; anything unreadable reads everything. */
  public static Result analyze(String estJson) {
    JsonNode policy;
    try {
      policy = JSON.readTree(estJson);
    } catch (IOException | RuntimeException e) {
      return new Result(PolicyReads.everything(), Integer.MAX_VALUE, true, Reach.Scope.ANY);
    }
    Walk w = new Walk();
    w.policy(policy);
    return new Result(
        w.reads(), w.maxDepth, w.ancestors, w.unsureScope ? Reach.Scope.ANY : w.scope());
  }

  /** A path under {@code context} whose value is not used yet. */
  private record ContextPath(List<String> path) {
    ContextPath plus(String attr) {
      List<String> p = new ArrayList<>(path.size() + 1);
      p.addAll(path);
      p.add(attr);
      return new ContextPath(p);
    }
  }

  private static final Object ENTITY = new Object();
  private static final Object OTHER = new Object();
  private static final Object RECORD = new Object();

  private static final class Walk {
    boolean allContext;
    final Set<List<String>> contextPaths = new HashSet<>();
    boolean allEntityAttributes;
    final Set<String> entityAttributes = new HashSet<>();
    boolean hierarchy;
    boolean ancestors;
    int maxDepth;
    boolean unsureScope;
    Reach.Ref principal;
    List<Reach.Ref> actions;
    boolean actionIn;
    Reach.Ref resource;

    Reach.Scope scope() {
      return new Reach.Scope(principal, actions, actionIn, resource);
    }

    PolicyReads reads() {
      return new PolicyReads(
          allContext, contextPaths, allEntityAttributes, entityAttributes, hierarchy);
    }

    void unsure(JsonNode node, int depth) {
      allContext = true;
      allEntityAttributes = true;
      hierarchy = true;
      ancestors = true;
      unsureScope = true;
      maxDepth = Math.max(maxDepth, depth + jsonDepth(node));
    }

    void policy(JsonNode p) {
      if (!p.isObject()) {
        unsure(p, 0);
        return;
      }
      for (Iterator<String> it = p.fieldNames(); it.hasNext(); ) {
        if (!POLICY_KEYS.contains(it.next())) {
          unsure(p, 0);
        }
      }
      principal = scope(p.path("principal"));
      actionScope(p.path("action"));
      resource = scope(p.path("resource"));
      JsonNode conditions = p.path("conditions");
      if (conditions.isMissingNode()) {
        return;
      }
      if (!conditions.isArray()) {
        unsure(conditions, 0);
        return;
      }
      for (JsonNode c : conditions) {
        JsonNode body = c.get("body");
        if (body == null) {
          unsure(c, 0);
        } else {
          use(expr(body, 1));
        }
      }
    }

    /**
     * A principal or resource scope: the entity it must equal ({@code ==}), the type it must have
     * ({@code is}, with or without {@code in}), or null when any entity may match ({@code in}
     * alone: its ancestry is not followed here).
     */
    Reach.Ref scope(JsonNode s) {
      if (s.isMissingNode()) {
        return null;
      }
      String op = s.path("op").asText("");
      if (!SCOPE_OPS.contains(op) || s.has("slot")) {
        unsure(s, 0); // a template slot, or a form this analysis does not know
        return null;
      }
      if (op.equals("in") || s.has("in")) {
        hierarchy = true;
      }
      switch (op) {
        case "==":
          return ref(s.get("entity"));
        case "is":
          JsonNode type = s.get("entity_type");
          if (type == null || !type.isTextual()) {
            unsureScope = true;
            return null;
          }
          return new Reach.Ref(type.asText(), null);
        default:
          return null;
      }
    }

    /** The action scope: the actions it names, and whether it names them with {@code in}. */
    void actionScope(JsonNode s) {
      if (s.isMissingNode()) {
        return;
      }
      String op = s.path("op").asText("");
      if (!SCOPE_OPS.contains(op) || s.has("slot") || op.equals("is")) {
        unsure(s, 0);
        return;
      }
      if (op.equals("All")) {
        return;
      }
      List<Reach.Ref> named = new ArrayList<>();
      JsonNode list = s.get("entities");
      if (op.equals("in") && list != null) {
        if (!list.isArray()) {
          unsureScope = true;
          return;
        }
        for (JsonNode e : list) {
          named.add(ref(e));
        }
      } else {
        named.add(ref(s.get("entity")));
      }
      if (named.contains(null)) {
        unsureScope = true;
        return;
      }
      actions = List.copyOf(named);
      actionIn = op.equals("in");
    }

    /** An entity literal of a scope, {@code {"type": .., "id": ..}} or escaped; null if neither. */
    Reach.Ref ref(JsonNode e) {
      if (e != null && e.has("__entity")) {
        e = e.get("__entity");
      }
      if (e == null || e.size() != 2 || !e.path("type").isTextual() || !e.path("id").isTextual()) {
        unsureScope = true;
        return null;
      }
      return new Reach.Ref(e.get("type").asText(), e.get("id").asText());
    }

    /** Records the value of {@code v} as read. */
    void use(Object v) {
      if (v instanceof ContextPath p) {
        readContext(p.path());
      }
    }

    void readContext(List<String> path) {
      if (path.isEmpty()) {
        allContext = true; // context as a whole
      } else {
        contextPaths.add(List.copyOf(path));
      }
    }

    Object expr(JsonNode e, int depth) {
      maxDepth = Math.max(maxDepth, depth);
      if (!e.isObject() || e.size() != 1) {
        unsure(e, depth);
        return OTHER;
      }
      String op = e.fieldNames().next();
      JsonNode v = e.get(op);
      int d = depth + 1;
      switch (op) {
        case "Value":
          if (v.isObject() && v.has("__entity")) {
            ancestors |= isExecution(v);
            return ENTITY;
          }
          return OTHER;
        case "Var":
          switch (v.asText("")) {
            case "context":
              return new ContextPath(List.of());
            case "principal":
            case "action":
            case "resource":
              return ENTITY;
            default:
              unsure(v, depth);
              return OTHER;
          }
        case ".":
          return attribute(v, d, false);
        case "has":
          return attribute(v, d, true);
        case "like":
          return operands(v, d, "left");
        case "is":
          if (v.has("in")) {
            hierarchy = true;
          }
          return operands(v, d, "left", "in");
        case "if-then-else":
          return operands(v, d, "if", "then", "else");
        case "Set":
          return all(v, d, true);
        case "Record":
          all(v, d, false);
          return RECORD; // its values are read already
        default:
          if (UNARY.contains(op)) {
            return operands(v, d, "arg");
          }
          if (BINARY.contains(op)) {
            if (op.equals("in")) {
              hierarchy = true;
              if (v.isObject() && v.size() == 2 && v.has("left") && v.has("right")) {
                use(expr(v.get("left"), d));
                inTarget(v.get("right"), d);
                return OTHER;
              }
            }
            if (op.equals("getTag") || op.equals("hasTag")) {
              allEntityAttributes = true; // tags: a computed key
            }
            return operands(v, d, "left", "right");
          }
          if (EXTENSION_FUNCTIONS.contains(op) && v.isArray()) {
            return all(v, d, true);
          }
          // Slot, Unknown, or an operator or function this analysis does not know
          unsure(v, depth);
          return OTHER;
      }
    }

    /**
     * The right operand of {@code in}: entity literals there (alone or in a set literal) are only
     * looked up among the left operand's ancestors, so they expose no entity's data.
     */
    void inTarget(JsonNode right, int depth) {
      maxDepth = Math.max(maxDepth, depth);
      JsonNode value = right.isObject() && right.size() == 1 ? right.get("Value") : null;
      if (value != null && value.isObject() && value.has("__entity")) {
        return;
      }
      JsonNode set = right.isObject() && right.size() == 1 ? right.get("Set") : null;
      if (set != null && set.isArray()) {
        boolean literals = true;
        for (JsonNode el : set) {
          JsonNode ev = el.isObject() && el.size() == 1 ? el.get("Value") : null;
          literals &= ev != null && ev.isObject() && ev.has("__entity");
        }
        if (literals) {
          maxDepth = Math.max(maxDepth, depth + 1);
          return;
        }
      }
      use(expr(right, depth));
    }

    static boolean isExecution(JsonNode value) {
      JsonNode t = value.path("__entity").path("type");
      return !t.isTextual() || t.asText().equals("Execution") || t.asText().endsWith("::Execution");
    }

    Object attribute(JsonNode v, int depth, boolean has) {
      JsonNode left = v.get("left");
      JsonNode attr = v.get("attr");
      if (left == null || attr == null || !attr.isTextual()) {
        unsure(v, depth);
        return OTHER;
      }
      String name = attr.asText();
      Object l = expr(left, depth);
      if (l instanceof ContextPath p) {
        if (p.path().isEmpty() && !RequestMapper.CONTEXT_KEYS.contains(name)) {
          allContext = true; // an attribute the mapping does not send: be sure, read all
        }
        ContextPath next = p.plus(name);
        if (has) {
          readContext(next.path());
          return OTHER;
        }
        if (p.path().isEmpty() && RequestMapper.ENTITY_CONTEXT_KEYS.contains(name)) {
          readContext(next.path());
          return ENTITY;
        }
        return next;
      }
      if (l != RECORD) {
        entityAttributes.add(name);
      }
      return OTHER;
    }

    Object operands(JsonNode v, int depth, String... names) {
      if (!v.isObject()) {
        unsure(v, depth);
        return OTHER;
      }
      boolean any = false;
      for (String n : names) {
        JsonNode child = v.get(n);
        if (child != null) {
          any = true;
          use(expr(child, depth));
        }
      }
      for (Iterator<String> it = v.fieldNames(); it.hasNext(); ) {
        String k = it.next();
        if (!List.of(names).contains(k) && !OPERAND_EXTRAS.contains(k)) {
          any = false;
        }
      }
      if (!any) {
        unsure(v, depth);
      }
      return OTHER;
    }

    Object all(JsonNode v, int depth, boolean array) {
      if (array ? !v.isArray() : !v.isObject()) {
        unsure(v, depth);
        return OTHER;
      }
      for (JsonNode child : v) {
        use(expr(child, depth));
      }
      return OTHER;
    }
  }

  /** The JSON nesting below a node, for what the analysis does not follow. */
  private static int jsonDepth(JsonNode n) {
    int max = 0;
    for (JsonNode child : n) {
      max = Math.max(max, jsonDepth(child));
    }
    return max + 1;
  }
}
