package io.execauthz.cedar.internal;

import com.cedarpolicy.model.entity.Entity;
import com.cedarpolicy.value.CedarList;
import com.cedarpolicy.value.CedarMap;
import com.cedarpolicy.value.Decimal;
import com.cedarpolicy.value.EntityTypeName;
import com.cedarpolicy.value.EntityUID;
import com.cedarpolicy.value.PrimBool;
import com.cedarpolicy.value.PrimLong;
import com.cedarpolicy.value.PrimString;
import com.cedarpolicy.value.Value;
import io.execauthz.Args;
import io.execauthz.ExecutionView;
import io.execauthz.spi.ArgumentReads;
import io.execauthz.spi.PolicyRequest;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Maps a {@link PolicyRequest} to a Cedar request exactly as CONTRACT §3 says. Every entity UID is
 * built from a type and an id — never by concatenating or parsing text — so no identifier can
 * inject into an entity reference. Arguments are bounded (depth, number of values, characters)
 * before anything is sent: the native side panics on deep input and prints the whole request.
 *
 * <p>Stateless apart from its final limits, so thread-safe.
 */
public final class RequestMapper {
  static final String ACTION_TYPE = "Action";
  static final EntityTypeName USER = type("User");
  static final EntityTypeName AGENT = type("Agent");
  static final EntityTypeName WORKLOAD = type("Workload");
  static final EntityTypeName EXECUTION = type("Execution");
  static final EntityTypeName ACTION = type(ACTION_TYPE);
  static final EntityTypeName TOOL = type("Tool");
  static final EntityTypeName PATH = type("Path");
  static final EntityTypeName HOST = type("Host");
  static final EntityTypeName SECRET = type("Secret");
  static final EntityTypeName RESOURCE = type("Resource");

  private static final BigDecimal DECIMAL_MAX = new BigDecimal("922337203685477.5807");
  private static final BigDecimal DECIMAL_MIN = new BigDecimal("-922337203685477.5808");

  /** The top-level context attributes a request may carry (CONTRACT §3). */
  public static final Set<String> CONTEXT_KEYS =
      Set.of("execution", "kind", "depth", "approved", "delegators", "now", "args");

  /** The context attributes whose values are entities. */
  public static final Set<String> ENTITY_CONTEXT_KEYS = Set.of("execution");

  /** Which {@code Execution} entities a request sends. */
  public enum Lineage {
    /** None: no policy can read them ({@code context.execution} still names the node). */
    NONE,
    /**
     * The node alone, with its attributes and every ancestor as a direct parent: {@code in} answers
     * as with the whole lineage, and no ancestor's own data is sent.
     */
    NODE,
    /** Every node of the lineage with its own parents and attributes. */
    FULL
  }

  /**
   * Bounds on what a request may send.
   *
   * <p>Immutable, so thread-safe.
   */
  public record Limits(int maxArgsDepth, int maxArgsValues, int maxArgsChars, int maxLineage) {}

  /**
   * A request refused before it reached the native library.
   *
   * <p>Thread-safe once thrown: its fields are final.
   */
  public static final class Rejected extends Exception {
    private static final long serialVersionUID = 1L;

    Rejected(String message) {
      super(message);
    }
  }

  /**
   * A request in Cedar's terms.
   *
   * <p>Holds Cedar values as built for one request; not shared between threads.
   */
  public record Mapped(
      EntityUID principal,
      EntityUID action,
      EntityUID resource,
      Map<String, Value> context,
      Set<Entity> entities,
      boolean sendsSchema) {}

  /** A principal or resource: its Cedar type, that type's name, and its id. */
  private record Uid(EntityTypeName type, String typeName, String id) {
    EntityUID uid() {
      return new EntityUID(type, id);
    }
  }

  private RequestMapper() {}

  private static EntityTypeName type(String name) {
    return EntityTypeName.parse(name).orElseThrow();
  }

  /**
   * Maps one request. With a schema, only the context attributes the action declares are sent.
   *
   * @throws Rejected for a principal or resource without a mapping, or arguments over the limits
   */
  public static Mapped map(PolicyRequest r, SchemaInfo schema, Limits limits) throws Rejected {
    return map(r, schema, limits, a -> ArgumentReads.all(), null);
  }

  /**
   * Maps one request, sending only the arguments {@code readsOf} names for its action and, when
   * {@code reach} is given, only what the policies that may apply to it can read ({@link Reach}):
   * the context attributes they read (when the schema is not sent) and the lineage entities they
   * observe; the schema is left out where it cannot change the answer ({@link SchemaInfo#mayOmit}).
   *
   * @param reach the policies' reach, or null to send everything (and the schema, if any)
   * @throws Rejected for a principal or resource without a mapping, or arguments over the limits
   */
  public static Mapped map(
      PolicyRequest r,
      SchemaInfo schema,
      Limits limits,
      java.util.function.Function<String, ArgumentReads> readsOf,
      Reach reach)
      throws Rejected {
    ExecutionView view = r.view();
    Uid p = principal(view.principal());
    EntityUID action = new EntityUID(ACTION, r.action());
    Uid res = resource(r.resource());

    int sends =
        reach == null
            ? Reach.EVERYTHING
            : reach.sends(r.action(), p.typeName(), p.id(), res.typeName(), res.id());
    boolean sendsSchema =
        schema != null
            && (reach == null || !schema.mayOmit(r.action(), p.typeName(), res.typeName()));
    if (sendsSchema) {
      sends |= Reach.ALL_KEYS; // validation wants every declared attribute
    }
    Lineage lineage = Reach.lineage(sends);
    // an entity attribute no applicable policy reads is left out (the schema, if sent, wants both)
    int attrs = sendsSchema ? Reach.ENTITY_ATTRIBUTES : sends & Reach.ENTITY_ATTRIBUTES;
    Set<Entity> entities =
        lineage == Lineage.NONE ? Set.of() : entities(view, limits, lineage, attrs);

    Optional<Set<String>> declared =
        schema == null ? Optional.empty() : schema.contextAttributes(r.action());
    Map<String, Value> context = new HashMap<>(16);
    put(context, declared, sends, "execution", () -> new EntityUID(EXECUTION, view.nodeId()));
    put(context, declared, sends, "kind", () -> new PrimString(view.kind()));
    put(context, declared, sends, "depth", () -> new PrimLong(view.depth()));
    put(context, declared, sends, "approved", () -> new PrimBool(r.approved()));
    put(
        context,
        declared,
        sends,
        "delegators",
        () -> {
          List<Value> ds = new ArrayList<>(view.delegators().size());
          for (String d : view.delegators()) {
            ds.add(new PrimString(d));
          }
          return new CedarList(ds);
        });
    put(context, declared, sends, "now", () -> new PrimLong(r.now().getEpochSecond()));
    if (declared.map(d -> d.contains("args")).orElse(true) && Reach.sendsKey(sends, "args")) {
      Budget budget = new Budget(limits);
      // only what some policy may read: the rest cannot change the answer (nor fail the request)
      Map<String, Object> args = r.args();
      ArgumentReads reads = readsOf.apply(r.action());
      if (!reads.readsAll()) {
        args = Args.of(args).only(reads);
      }
      context.put("args", record(args, "args", 1, budget));
    }
    return new Mapped(p.uid(), action, res.uid(), context, entities, sendsSchema);
  }

  /** The lineage's {@code Execution} entities, in full or flattened onto the node. */
  private static Set<Entity> entities(ExecutionView view, Limits limits, Lineage how, int attrs)
      throws Rejected {
    List<ExecutionView.Lineage> lineage = view.lineage();
    if (lineage.size() > limits.maxLineage()) {
      throw new Rejected(
          "the lineage of node '"
              + view.nodeId()
              + "' has "
              + lineage.size()
              + " nodes, over the limit of "
              + limits.maxLineage());
    }
    if (how == Lineage.NODE) {
      Set<EntityUID> ancestors = new HashSet<>(lineage.size() * 2);
      for (ExecutionView.Lineage l : lineage) {
        if (!l.id().equals(view.nodeId())) {
          ancestors.add(new EntityUID(EXECUTION, l.id()));
        }
      }
      Set<Entity> one = new HashSet<>(2);
      one.add(execution(view.nodeId(), view.kind(), view.depth(), ancestors, attrs));
      return one;
    }
    Set<Entity> entities = new HashSet<>(lineage.size() * 2);
    boolean self = false;
    for (ExecutionView.Lineage l : lineage) {
      Set<EntityUID> parents = new HashSet<>(l.parents().size() * 2);
      for (String p : l.parents()) {
        parents.add(new EntityUID(EXECUTION, p));
      }
      entities.add(execution(l.id(), l.kind(), l.depth(), parents, attrs));
      self |= l.id().equals(view.nodeId());
    }
    if (!self) {
      // a view without lineage (or one that omits the node): the node alone, its parents unknown
      entities.add(execution(view.nodeId(), view.kind(), view.depth(), new HashSet<>(), attrs));
    }
    return entities;
  }

  /**
   * One {@code Execution} entity with its {@code kind} and {@code depth} (CONTRACT §3), each only
   * if {@code attrs} has its {@link Reach} bit.
   */
  private static Entity execution(
      String id, String kind, int depth, Set<EntityUID> parents, int attrs) {
    Map<String, Value> values = new HashMap<>(4);
    if ((attrs & Reach.KIND_ATTRIBUTE) != 0) {
      values.put("kind", new PrimString(kind));
    }
    if ((attrs & Reach.DEPTH_ATTRIBUTE) != 0) {
      values.put("depth", new PrimLong(depth));
    }
    return new Entity(new EntityUID(EXECUTION, id), values, parents);
  }

  private interface ValueSupplier {
    Value get() throws Rejected;
  }

  private static void put(
      Map<String, Value> context,
      Optional<Set<String>> declared,
      int sends,
      String key,
      ValueSupplier v)
      throws Rejected {
    if (declared.map(d -> d.contains(key)).orElse(true) && Reach.sendsKey(sends, key)) {
      context.put(key, v.get());
    }
  }

  /** {@code user:alice} → {@code User::"alice"} and so on (CONTRACT §3). */
  private static Uid principal(String principal) throws Rejected {
    if (principal.startsWith("user:") && principal.length() > 5) {
      return new Uid(USER, "User", principal.substring(5));
    }
    if (principal.startsWith("agent:") && principal.length() > 6) {
      return new Uid(AGENT, "Agent", principal.substring(6));
    }
    if (principal.startsWith("spiffe://") && principal.length() > 9) {
      return new Uid(WORKLOAD, "Workload", principal);
    }
    throw new Rejected(
        "principal '"
            + shorten(principal)
            + "' has no Cedar mapping: expected user:<id>, agent:<id> or spiffe://<id>");
  }

  /** {@code tool:github/x} → {@code Tool::"github/x"}; unknown schemes → {@code Resource}. */
  private static Uid resource(String resource) throws Rejected {
    int colon = resource.indexOf(':');
    if (colon <= 0) {
      throw new Rejected(
          "resource '" + shorten(resource) + "' has no scheme: expected <scheme>:<path>");
    }
    String scheme = resource.substring(0, colon);
    String id = resource.substring(colon + 1);
    switch (scheme) {
      case "tool":
        return new Uid(TOOL, "Tool", id);
      case "fs":
        return new Uid(PATH, "Path", id);
      case "net":
        return new Uid(HOST, "Host", id);
      case "secret":
        return new Uid(SECRET, "Secret", id);
      default:
        return new Uid(RESOURCE, "Resource", id);
    }
  }

  private static final class Budget {
    final Limits limits;
    int values;
    long chars;

    Budget(Limits limits) {
      this.limits = limits;
    }

    void count(String where, int n, long c) throws Rejected {
      values += n;
      chars += c;
      if (values > limits.maxArgsValues()) {
        throw new Rejected(
            "args hold more than " + limits.maxArgsValues() + " values (at " + where + ")");
      }
      if (chars > limits.maxArgsChars()) {
        throw new Rejected(
            "args hold more than " + limits.maxArgsChars() + " characters (at " + where + ")");
      }
    }
  }

  private static CedarMap record(Map<?, ?> map, String where, int depth, Budget budget)
      throws Rejected {
    if (depth > budget.limits.maxArgsDepth()) {
      throw new Rejected(
          "args nested deeper than " + budget.limits.maxArgsDepth() + " levels (at " + where + ")");
    }
    budget.count(where, 1, 0);
    Map<String, Value> out = new HashMap<>(Math.max(4, map.size() * 2));
    for (Map.Entry<?, ?> e : map.entrySet()) {
      if (!(e.getKey() instanceof String key)) {
        throw new Rejected("args key at " + where + " is not a string");
      }
      budget.count(where, 0, key.length());
      if (e.getValue() == null) {
        continue; // absent: `has` is false
      }
      out.put(key, value(e.getValue(), where + "." + shorten(key), depth, budget));
    }
    return new CedarMap(out);
  }

  private static Value value(Object v, String where, int depth, Budget budget) throws Rejected {
    if (v instanceof String s) {
      budget.count(where, 1, s.length());
      return new PrimString(s);
    }
    if (v instanceof Boolean b) {
      budget.count(where, 1, 0);
      return new PrimBool(b);
    }
    if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
      budget.count(where, 1, 0);
      return new PrimLong(((Number) v).longValue());
    }
    if (v instanceof BigInteger bi) {
      budget.count(where, 1, 0);
      if (bi.bitLength() > 63) {
        throw new Rejected(where + " is out of Cedar's Long range");
      }
      return new PrimLong(bi.longValue());
    }
    if (v instanceof Double || v instanceof Float || v instanceof BigDecimal) {
      budget.count(where, 1, 0);
      return decimal(v, where);
    }
    if (v instanceof Map<?, ?> m) {
      return record(m, where, depth + 1, budget);
    }
    if (v instanceof Collection<?> c) {
      if (depth + 1 > budget.limits.maxArgsDepth()) {
        throw new Rejected(
            "args nested deeper than "
                + budget.limits.maxArgsDepth()
                + " levels (at "
                + where
                + ")");
      }
      budget.count(where, 1, 0);
      List<Value> out = new ArrayList<>(c.size());
      for (Object o : c) {
        if (o == null) {
          throw new Rejected(where + " holds a null element");
        }
        out.add(value(o, where + "[]", depth + 1, budget));
      }
      return new CedarList(out);
    }
    throw new Rejected(
        where
            + " is a "
            + (v == null ? "null" : v.getClass().getSimpleName())
            + ": expected String, Long, Double, Boolean, List or Map");
  }

  private static Value decimal(Object v, String where) throws Rejected {
    BigDecimal d;
    if (v instanceof BigDecimal bd) {
      d = bd;
    } else {
      double x = ((Number) v).doubleValue();
      if (Double.isNaN(x) || Double.isInfinite(x)) {
        throw new Rejected(where + " is " + x + ", which Cedar's decimal cannot hold");
      }
      d = BigDecimal.valueOf(x);
    }
    d = d.stripTrailingZeros();
    if (d.scale() > 4 || d.compareTo(DECIMAL_MAX) > 0 || d.compareTo(DECIMAL_MIN) < 0) {
      throw new Rejected(
          where
              + " is "
              + d.toPlainString()
              + ", which Cedar's decimal (4 decimal places, ±9.2e14) cannot hold");
    }
    try {
      return new Decimal(d.setScale(Math.max(1, d.scale())).toPlainString());
    } catch (IllegalArgumentException e) {
      throw new Rejected(where + " is not a Cedar decimal: " + e.getMessage());
    }
  }

  private static String shorten(String s) {
    return s.length() <= 64 ? s : s.substring(0, 64) + "…";
  }
}
