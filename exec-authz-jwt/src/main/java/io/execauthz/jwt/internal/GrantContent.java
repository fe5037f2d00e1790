package io.execauthz.jwt.internal;

import io.execauthz.ExecutionView;
import io.execauthz.TraceContext;
import io.execauthz.capability.Capability;
import io.execauthz.capability.CapabilitySet;
import io.execauthz.capability.CapabilitySyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The claims of a grant (CONTRACT §4), typed, and their JSON form. Not API.
 *
 * <p>Besides the contract's claims a grant carries {@code lin} (the node and every ancestor, each
 * with its kind, depth and parents, so a tool server can rebuild the execution view a policy sees,
 * merge points included), {@code gch} (the ids of every ancestor grant, root first, so revoking any
 * of them revokes this one), {@code atr} (the node's attributes, for policies), {@code gid} (the
 * graph the node belongs to: revocations and budgets are scoped by it) and {@code bud} (the budget
 * scopes: for each level above the grant whose capabilities carry {@code maxCalls}, the node id and
 * those capabilities, so that every grant of a node draws from the same ledger counters as the node
 * itself and its ancestors' budgets bind it).
 *
 * <p>Immutable (the lists are copied), so thread-safe.
 *
 * @param audience the audiences ({@code aud}; one when minted here)
 * @param parentGrantId {@code pgr}, or {@code null} for a grant minted from a node
 * @param grantChain {@code gch}: ancestor grant ids, root first; its last is {@code pgr}
 * @param delegators the principals from the root down to the node, from {@code act} and {@code sub}
 * @param traceparent the W3C trace context, or {@code null}
 * @param graphId {@code gid}, or {@code null} for a grant minted without a graph (its scope is then
 *     {@code iss:} and the issuer)
 * @param budgetScopes {@code bud}: the budgeted levels above the grant's own capabilities
 */
public record GrantContent(
    String issuer,
    String subject,
    List<String> audience,
    Instant issuedAt,
    Instant notBefore,
    Instant expiresAt,
    String id,
    String nodeId,
    List<String> path,
    List<ExecutionView.Lineage> lineage,
    CapabilitySet capabilities,
    String parentGrantId,
    List<String> grantChain,
    List<String> delegators,
    String traceparent,
    Map<String, String> attributes,
    String graphId,
    List<ExecutionView.BudgetScope> budgetScopes) {

  /** Nesting of {@code act} beyond which a grant is refused. */
  public static final int MAX_ACT_DEPTH = 64;

  public GrantContent {
    Objects.requireNonNull(issuer, "issuer");
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(issuedAt, "issuedAt");
    Objects.requireNonNull(notBefore, "notBefore");
    Objects.requireNonNull(expiresAt, "expiresAt");
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(nodeId, "nodeId");
    Objects.requireNonNull(capabilities, "capabilities");
    audience = List.copyOf(audience);
    path = List.copyOf(path);
    lineage = List.copyOf(lineage);
    grantChain = List.copyOf(grantChain);
    delegators = List.copyOf(delegators);
    attributes = Map.copyOf(attributes);
    budgetScopes = List.copyOf(budgetScopes);
    if (graphId != null && graphId.isEmpty()) {
      throw new IllegalArgumentException("graphId must not be empty");
    }
  }

  /**
   * The scope revocations and budgets of this grant are kept under: its graph id, or {@code
   * iss:<issuer>} for a grant minted without one.
   */
  public String scope() {
    return graphId != null ? graphId : "iss:" + issuer;
  }

  /**
   * A claim that is missing or malformed; {@link #missing()} tells which.
   *
   * <p>Thread-safe once thrown: its fields are final.
   */
  public static final class ClaimException extends Exception {
    private final boolean missing;

    ClaimException(boolean missing, String message) {
      super(message, null, false, false);
      this.missing = missing;
    }

    public boolean missing() {
      return missing;
    }
  }

  /** The execution view this grant carries, with the given deadline. */
  public ExecutionView view(Instant deadline) {
    ExecutionView.Lineage self = lineage.get(0);
    TraceContext trace = traceparent == null ? derivedTrace(id) : TraceContext.parse(traceparent);
    return new ExecutionView(
        scope(),
        nodeId,
        self.kind(),
        self.depth(),
        subject,
        path,
        lineage,
        delegators,
        attributes,
        capabilities,
        deadline,
        trace,
        budgetScopes);
  }

  /** The JSON claims object, in the order of CONTRACT §4. */
  public Map<String, Object> toClaims() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("iss", issuer);
    m.put("sub", subject);
    m.put("aud", audience.size() == 1 ? audience.get(0) : audience);
    m.put("iat", issuedAt.getEpochSecond());
    m.put("nbf", notBefore.getEpochSecond());
    m.put("exp", expiresAt.getEpochSecond());
    m.put("jti", id);
    m.put("ctx", nodeId);
    m.put("path", path);
    m.put("cap", capabilities.texts());
    if (parentGrantId != null) {
      m.put("pgr", parentGrantId);
      m.put("gch", grantChain);
    }
    Map<String, Object> act = null;
    for (int i = 0; i < delegators.size() - 1; i++) { // innermost = root
      Map<String, Object> a = new LinkedHashMap<>();
      a.put("sub", delegators.get(i));
      if (act != null) {
        a.put("act", act);
      }
      act = a;
    }
    if (act != null) {
      m.put("act", act);
    }
    if (traceparent != null) {
      m.put("traceparent", traceparent);
    }
    List<Map<String, Object>> lin = new ArrayList<>(lineage.size());
    for (ExecutionView.Lineage l : lineage) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("id", l.id());
      e.put("kind", l.kind());
      e.put("depth", l.depth());
      e.put("parents", l.parents());
      lin.add(e);
    }
    m.put("lin", lin);
    if (!attributes.isEmpty()) {
      m.put("atr", new java.util.TreeMap<>(attributes));
    }
    if (graphId != null) {
      m.put("gid", graphId);
    }
    if (!budgetScopes.isEmpty()) {
      List<Map<String, Object>> bud = new ArrayList<>(budgetScopes.size());
      for (ExecutionView.BudgetScope b : budgetScopes) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("node", b.nodeId());
        e.put("cap", b.capabilities().texts());
        e.put("exp", b.notAfter().getEpochSecond());
        bud.add(e);
      }
      m.put("bud", bud);
    }
    return m;
  }

  /**
   * Reads the claims of a grant whose signature has been verified.
   *
   * @throws ClaimException naming the claim that is missing or malformed
   */
  public static GrantContent fromClaims(Map<String, Object> c) throws ClaimException {
    String iss = string(c, "iss");
    String sub = string(c, "sub");
    List<String> aud;
    Object a = require(c, "aud");
    if (a instanceof String s) {
      aud = List.of(s);
    } else {
      aud = strings(a, "aud");
    }
    Instant exp = time(c, "exp");
    Instant iat = time(c, "iat");
    Instant nbf = time(c, "nbf");
    String jti = string(c, "jti");
    String ctx = string(c, "ctx");
    List<String> path = strings(require(c, "path"), "path");
    if (path.isEmpty() || !path.get(path.size() - 1).equals(ctx)) {
      throw invalid("path must end with the node id ctx '" + ctx + "'");
    }
    List<String> capTexts = strings(require(c, "cap"), "cap");
    List<Capability> caps = new ArrayList<>(capTexts.size());
    for (int i = 0; i < capTexts.size(); i++) {
      try {
        caps.add(Capability.parse(capTexts.get(i)));
      } catch (CapabilitySyntaxException e) {
        throw invalid("cap[" + i + "] is not a capability: " + e.getMessage());
      }
    }
    String pgr = null;
    List<String> gch = List.of();
    if (c.containsKey("pgr")) {
      pgr = string(c, "pgr");
      gch = strings(require(c, "gch"), "gch");
      if (gch.isEmpty() || !gch.get(gch.size() - 1).equals(pgr)) {
        throw invalid("gch must end with the parent grant id pgr");
      }
    } else if (c.containsKey("gch")) {
      throw invalid("gch without pgr");
    }
    List<String> delegators = new ArrayList<>();
    Object act = c.get("act");
    int depth = 0;
    while (act != null) {
      if (!(act instanceof Map<?, ?> m) || !(m.get("sub") instanceof String s) || s.isEmpty()) {
        throw invalid("act must nest objects each with a sub");
      }
      if (++depth > MAX_ACT_DEPTH) {
        throw invalid("act nests deeper than " + MAX_ACT_DEPTH);
      }
      delegators.add(0, s);
      act = m.get("act");
    }
    delegators.add(sub);
    String traceparent = null;
    if (c.containsKey("traceparent")) {
      traceparent = string(c, "traceparent");
      try {
        TraceContext.parse(traceparent);
      } catch (IllegalArgumentException e) {
        throw invalid("traceparent: " + e.getMessage());
      }
    }
    List<ExecutionView.Lineage> lineage = lineage(require(c, "lin"), ctx, path);
    Map<String, String> attributes = Map.of();
    if (c.containsKey("atr")) {
      if (!(c.get("atr") instanceof Map<?, ?> m)) {
        throw invalid("atr must be an object of strings");
      }
      Map<String, String> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!(e.getValue() instanceof String v)) {
          throw invalid("atr." + e.getKey() + " must be a string");
        }
        out.put((String) e.getKey(), v);
      }
      attributes = out;
    }
    String gid = c.containsKey("gid") ? string(c, "gid") : null;
    List<ExecutionView.BudgetScope> bud =
        c.containsKey("bud") ? budgetScopes(c.get("bud"), lineage) : List.of();
    return new GrantContent(
        iss,
        sub,
        aud,
        iat,
        nbf,
        exp,
        jti,
        ctx,
        path,
        lineage,
        CapabilitySet.of(caps),
        pgr,
        gch,
        delegators,
        traceparent,
        attributes,
        gid,
        bud);
  }

  /**
   * {@code bud}: an array of {@code {"node": id, "cap": [capability, …], "exp": seconds}}, each
   * node in lin; {@code exp} is that node's deadline, until which its counters are kept.
   */
  private static List<ExecutionView.BudgetScope> budgetScopes(
      Object v, List<ExecutionView.Lineage> lineage) throws ClaimException {
    if (!(v instanceof List<?> list)) {
      throw invalid("bud must be an array of budget scopes");
    }
    Set<String> ids = new HashSet<>();
    for (ExecutionView.Lineage l : lineage) {
      ids.add(l.id());
    }
    List<ExecutionView.BudgetScope> out = new ArrayList<>(list.size());
    for (int i = 0; i < list.size(); i++) {
      if (!(list.get(i) instanceof Map<?, ?> m)
          || m.size() != 3
          || !(m.get("node") instanceof String node)
          || !(m.get("exp") instanceof Number exp)
          || exp.longValue() < 0
          || exp.longValue() > Instant.MAX.getEpochSecond()) {
        throw invalid("bud[" + i + "] must be an object with exactly a node, a cap and an exp");
      }
      if (!ids.contains(node)) {
        throw invalid("bud[" + i + "] names node '" + node + "', which lin does not");
      }
      List<String> texts = strings(m.get("cap"), "bud[" + i + "].cap");
      if (texts.isEmpty()) {
        throw invalid("bud[" + i + "].cap must not be empty");
      }
      List<Capability> caps = new ArrayList<>(texts.size());
      boolean budgeted = false;
      for (int k = 0; k < texts.size(); k++) {
        try {
          Capability cap = Capability.parse(texts.get(k));
          budgeted |= cap.maxCalls().isPresent();
          caps.add(cap);
        } catch (CapabilitySyntaxException e) {
          throw invalid("bud[" + i + "].cap[" + k + "] is not a capability: " + e.getMessage());
        }
      }
      if (!budgeted) {
        throw invalid("bud[" + i + "] has no capability with maxCalls");
      }
      out.add(
          new ExecutionView.BudgetScope(
              node, CapabilitySet.of(caps), Instant.ofEpochSecond(exp.longValue())));
    }
    return out;
  }

  /**
   * The budget scope of one level: its capabilities with {@code maxCalls} and those overlapping
   * them (a request one of those serves spends nothing there, as in the graph); empty when none has
   * a budget.
   */
  public static java.util.Optional<ExecutionView.BudgetScope> budgetScope(
      String nodeId, CapabilitySet capabilities, Instant notAfter) {
    List<Capability> budgeted = new ArrayList<>(0);
    for (Capability c : capabilities) {
      if (c.maxCalls().isPresent()) {
        budgeted.add(c);
      }
    }
    if (budgeted.isEmpty()) {
      return java.util.Optional.empty();
    }
    List<Capability> keep = new ArrayList<>(budgeted);
    for (Capability c : capabilities) {
      if (c.maxCalls().isEmpty()) {
        for (Capability b : budgeted) {
          if (c.action().overlaps(b.action()) && c.resource().overlaps(b.resource())) {
            keep.add(c);
            break;
          }
        }
      }
    }
    return java.util.Optional.of(
        new ExecutionView.BudgetScope(nodeId, CapabilitySet.of(keep), notAfter));
  }

  private static List<ExecutionView.Lineage> lineage(Object v, String ctx, List<String> path)
      throws ClaimException {
    if (!(v instanceof List<?> list) || list.isEmpty()) {
      throw invalid("lin must be a non-empty array");
    }
    List<ExecutionView.Lineage> out = new ArrayList<>(list.size());
    Set<String> ids = new HashSet<>();
    for (Object o : list) {
      if (!(o instanceof Map<?, ?> m)
          || !(m.get("id") instanceof String id)
          || !(m.get("kind") instanceof String kind)
          || !(m.get("depth") instanceof Number d)
          || d.longValue() < 0
          || d.longValue() > 10_000
          || d.doubleValue() != d.longValue()) {
        throw invalid("lin entries must have an id, a kind and a depth");
      }
      List<String> parents = strings(m.get("parents"), "lin[].parents");
      if (!ids.add(id)) {
        throw invalid("lin names node '" + id + "' twice");
      }
      out.add(new ExecutionView.Lineage(id, kind, (int) d.longValue(), parents));
    }
    if (!out.get(0).id().equals(ctx)) {
      throw invalid("lin must start with the node ctx '" + ctx + "'");
    }
    if (!ids.containsAll(path)) {
      throw invalid("path names a node that lin does not");
    }
    return out;
  }

  private static Object require(Map<String, Object> c, String name) throws ClaimException {
    Object v = c.get(name);
    if (v == null) {
      throw new ClaimException(true, "the grant has no '" + name + "' claim");
    }
    return v;
  }

  private static String string(Map<String, Object> c, String name) throws ClaimException {
    if (!(require(c, name) instanceof String s) || s.isEmpty()) {
      throw invalid(name + " must be a non-empty string");
    }
    return s;
  }

  private static List<String> strings(Object v, String name) throws ClaimException {
    if (!(v instanceof List<?> list)) {
      throw invalid(name + " must be an array of strings");
    }
    List<String> out = new ArrayList<>(list.size());
    for (Object o : list) {
      if (!(o instanceof String s)) {
        throw invalid(name + " must be an array of strings");
      }
      out.add(s);
    }
    return out;
  }

  private static Instant time(Map<String, Object> c, String name) throws ClaimException {
    if (!(require(c, name) instanceof Number n)
        || Double.isNaN(n.doubleValue())
        || Math.abs(n.doubleValue()) > 1e11) {
      throw invalid(name + " must be a NumericDate (seconds since the epoch)");
    }
    return Instant.ofEpochSecond((long) Math.floor(n.doubleValue()));
  }

  private static ClaimException invalid(String message) {
    return new ClaimException(false, message);
  }

  /** A trace context derived from the grant id, for a grant minted without one. */
  private static TraceContext derivedTrace(String jti) {
    try {
      byte[] h =
          MessageDigest.getInstance("SHA-256")
              .digest(("exec-grant:" + jti).getBytes(StandardCharsets.UTF_8));
      h[0] |= 1; // never all zero
      h[16] |= 1;
      String hex = HexFormat.of().formatHex(h);
      return new TraceContext(hex.substring(0, 32), hex.substring(32, 48), 0);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
