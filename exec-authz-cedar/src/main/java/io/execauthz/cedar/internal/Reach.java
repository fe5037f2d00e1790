package io.execauthz.cedar.internal;

import io.execauthz.cedar.PolicyReads;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which policies can apply to a request, and so what the request must carry to Cedar. A policy
 * whose scope cannot match the request ({@code action == Action::"fs.write"} for a {@code
 * tool.call}, {@code resource == Tool::"deploy/prod"} for another tool, {@code principal is User}
 * for an agent) is never evaluated past its scope — Cedar tests the scope before the conditions and
 * stops there — so what only such policies read need not be sent: not the context attributes they
 * read, not the lineage entities they test, not the entity attributes ({@code kind}, {@code depth})
 * they read.
 *
 * <p>Whatever the analysis is not sure of keeps a policy applicable: a scope it cannot read, an
 * {@code in} on principal or resource (their ancestry is not followed), an action {@code in} under
 * a schema that declares action groups. Sending less changes no answer, no determining policy and
 * no error: {@code RequestReachProperties} compares it with sending everything.
 *
 * <p>Thread-safe: immutable apart from a bounded per-action memo.
 */
public final class Reach {
  /** The top-level context attributes in bit order: bit {@code i} is {@code KEYS.get(i)}. */
  static final List<String> KEYS =
      List.of("execution", "kind", "depth", "approved", "delegators", "now", "args");

  static final int ALL_KEYS = (1 << KEYS.size()) - 1;
  private static final int LINEAGE = 1 << 8;
  private static final int ANCESTORS = 1 << 9;
  static final int KIND_ATTRIBUTE = 1 << 10;
  static final int DEPTH_ATTRIBUTE = 1 << 11;
  static final int ENTITY_ATTRIBUTES = KIND_ATTRIBUTE | DEPTH_ATTRIBUTE;

  /** Sends everything: every context attribute, the whole lineage and its entities' attributes. */
  public static final int EVERYTHING = ALL_KEYS | LINEAGE | ANCESTORS | ENTITY_ATTRIBUTES;

  private static final int MAX_MEMO = 4_096;

  /**
   * An entity a scope names, or with a null {@code id} only its type ({@code is}).
   *
   * <p>Immutable, so thread-safe.
   */
  public record Ref(String type, String id) {
    boolean matches(String t, String i) {
      return type.equals(t) && (id == null || id.equals(i));
    }
  }

  /**
   * What a policy's scope requires of a request: a principal ({@code null}: any), one of the named
   * actions ({@code null}: any; {@code actionIn}: named with {@code in}) and a resource.
   *
   * <p>Immutable, so thread-safe.
   */
  public record Scope(Ref principal, List<Ref> actions, boolean actionIn, Ref resource) {
    /** Applies to every request. */
    public static final Scope ANY = new Scope(null, null, false, null);

    public Scope {
      actions = actions == null ? null : List.copyOf(actions);
    }

    boolean mayApplyTo(String action, boolean actionGroups) {
      if (actions == null || (actionIn && actionGroups)) {
        return true;
      }
      for (Ref a : actions) {
        if (a.matches(RequestMapper.ACTION_TYPE, action)) {
          return true;
        }
      }
      return false;
    }

    boolean mayApplyTo(String pType, String pId, String rType, String rId) {
      return (principal == null || principal.matches(pType, pId))
          && (resource == null || resource.matches(rType, rId));
    }

    boolean unscoped() {
      return principal == null && resource == null;
    }
  }

  /** One policy: its scope and what a request must send for it (as {@link #sends} bits). */
  private record Entry(Scope scope, int sends) {}

  /**
   * The policies that may apply to one action: those whatever the principal or resource, and the
   * rest.
   */
  private record ForAction(int always, Entry[] scoped) {}

  private final Entry[] entries;
  private final boolean actionGroups;
  private final ConcurrentHashMap<String, ForAction> byAction = new ConcurrentHashMap<>();

  /**
   * @param policies each policy's analysis
   * @param actionGroups whether the schema declares action groups, so that an action {@code in}
   *     scope may match actions it does not name
   */
  Reach(List<PolicyAnalysis.Result> policies, boolean actionGroups) {
    List<Entry> list = new ArrayList<>(policies.size());
    for (PolicyAnalysis.Result r : policies) {
      list.add(new Entry(r.scope(), sends(r.reads(), r.ancestorsObservable())));
    }
    this.entries = list.toArray(new Entry[0]);
    this.actionGroups = actionGroups;
  }

  /** What a request must send for one policy that reads {@code reads}. */
  static int sends(PolicyReads reads, boolean ancestorsObservable) {
    int bits = 0;
    if (reads.allContext()) {
      bits |= ALL_KEYS;
    } else {
      for (List<String> p : reads.contextPaths()) {
        int i = KEYS.indexOf(p.get(0));
        bits |= i < 0 ? ALL_KEYS : 1 << i;
      }
    }
    boolean kind = reads.mayReadEntityAttribute("kind");
    boolean depth = reads.mayReadEntityAttribute("depth");
    if (reads.entityHierarchy() || kind || depth) {
      bits |= LINEAGE;
      if (ancestorsObservable) {
        bits |= ANCESTORS;
      }
    }
    bits |= (kind ? KIND_ATTRIBUTE : 0) | (depth ? DEPTH_ATTRIBUTE : 0);
    return bits;
  }

  /**
   * What a request must send, as bits for {@link #sendsKey} and {@link #lineage}: the union over
   * the policies whose scope may match it.
   */
  public int sends(String action, String pType, String pId, String rType, String rId) {
    ForAction f = byAction.get(action);
    if (f == null) {
      f =
          byAction.size() >= MAX_MEMO
              ? forAction(action)
              : byAction.computeIfAbsent(action, this::forAction);
    }
    int bits = f.always();
    for (Entry e : f.scoped()) {
      if ((bits | e.sends()) != bits && e.scope().mayApplyTo(pType, pId, rType, rId)) {
        bits |= e.sends();
      }
    }
    return bits;
  }

  private ForAction forAction(String action) {
    int always = 0;
    List<Entry> scoped = new ArrayList<>();
    for (Entry e : entries) {
      if (!e.scope().mayApplyTo(action, actionGroups)) {
        continue;
      }
      if (e.scope().unscoped()) {
        always |= e.sends();
      } else {
        scoped.add(e);
      }
    }
    return new ForAction(always, scoped.toArray(new Entry[0]));
  }

  /** Whether a request with these bits sends the context attribute {@code key}. */
  static boolean sendsKey(int bits, String key) {
    int i = KEYS.indexOf(key);
    return i < 0 || (bits & (1 << i)) != 0;
  }

  /** Which lineage entities a request with these bits sends. */
  static RequestMapper.Lineage lineage(int bits) {
    if ((bits & LINEAGE) == 0) {
      return RequestMapper.Lineage.NONE;
    }
    return (bits & ANCESTORS) != 0 ? RequestMapper.Lineage.FULL : RequestMapper.Lineage.NODE;
  }
}
