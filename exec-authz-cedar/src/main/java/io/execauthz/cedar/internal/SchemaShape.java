package io.execauthz.cedar.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Finds, in a schema's JSON form, the actions whose requests validate exactly when their principal
 * and resource types are allowed: the action declares as its context exactly the record the request
 * mapping sends without {@code args} (CONTRACT §3's {@code execution}, {@code kind}, {@code depth},
 * {@code approved}, {@code delegators}, {@code now}, all required, typed as the mapping types
 * them), the {@code Execution} entity type is declared exactly as the default schema does ({@code
 * kind: String, depth: Long}, member of {@code Execution}), no action belongs to a group, and the
 * action's principal and resource types are no enumerations (whose ids validation checks). For such
 * a request the schema changes nothing — every value the mapping builds already has the declared
 * type, no attribute is type-directed (no extension type, no optional attribute), and there is no
 * action hierarchy to add — so it can be left out of the call.
 *
 * <p>Anything this reader does not recognize (a namespace, a key it does not know, an optional
 * attribute, a type it cannot resolve) leaves the action out: its requests send the schema.
 *
 * <p>Thread-safe once built (read-only after the constructor).
 */
final class SchemaShape {
  /**
   * The principal and resource types an omittable action applies to.
   *
   * <p>Immutable, so thread-safe.
   */
  record Applies(Set<String> principals, Set<String> resources) {}

  /** The context the mapping sends (without {@code args}), with each attribute's type. */
  private static final Map<String, String> CONTEXT =
      Map.of(
          "execution", "Entity:Execution",
          "kind", "String",
          "depth", "Long",
          "approved", "Bool",
          "delegators", "Set<String>",
          "now", "Long");

  private static final Map<String, String> EXECUTION = Map.of("kind", "String", "depth", "Long");
  private static final Set<String> PRIMITIVES = Set.of("String", "Long", "Bool", "Boolean");
  private static final Set<String> ENTITY_TYPE_KEYS = Set.of("memberOfTypes", "shape", "tags");

  private final JsonNode ns;
  private final boolean actionGroups;
  private final Map<String, Applies> omittable = new HashMap<>();

  SchemaShape(JsonNode json) {
    boolean onlyEmptyNamespace = json.isObject() && json.size() == 1 && json.has("");
    this.ns = onlyEmptyNamespace ? json.get("") : null;
    boolean groups = !onlyEmptyNamespace;
    JsonNode actions = ns == null ? null : ns.path("actions");
    if (actions != null) {
      for (JsonNode a : actions) {
        groups |=
            a.has("memberOf") && !(a.get("memberOf").isArray() && a.get("memberOf").isEmpty());
      }
    }
    this.actionGroups = groups;
    if (ns == null || groups || !executionAsDefault()) {
      return;
    }
    for (Iterator<String> it = actions.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      Applies a = applies(actions.get(name));
      if (a != null) {
        omittable.put(name, a);
      }
    }
  }

  Map<String, Applies> omittable() {
    return Map.copyOf(omittable);
  }

  /**
   * Whether an action is a member of a group, or the schema has a form this reader does not follow.
   */
  boolean actionGroups() {
    return actionGroups;
  }

  private boolean executionAsDefault() {
    JsonNode e = ns.path("entityTypes").path("Execution");
    if (!e.isObject() || !onlyKeys(e, Set.of("memberOfTypes", "shape"))) {
      return false;
    }
    JsonNode member = e.path("memberOfTypes");
    return member.isArray()
        && member.size() == 1
        && member.get(0).asText("").equals("Execution")
        && record(e.path("shape"), EXECUTION);
  }

  private Applies applies(JsonNode action) {
    if (!onlyKeys(action, Set.of("appliesTo"))) {
      return null;
    }
    JsonNode to = action.path("appliesTo");
    if (!onlyKeys(to, Set.of("principalTypes", "resourceTypes", "context"))
        || !record(resolve(to.path("context"), 0), CONTEXT)) {
      return null;
    }
    Set<String> principals = entityTypes(to.path("principalTypes"));
    Set<String> resources = entityTypes(to.path("resourceTypes"));
    return principals == null || resources == null ? null : new Applies(principals, resources);
  }

  /** Names of declared, non-enumerated entity types; null if any is not. */
  private Set<String> entityTypes(JsonNode list) {
    if (!list.isArray()) {
      return null;
    }
    Set<String> out = new LinkedHashSet<>();
    for (JsonNode t : list) {
      JsonNode decl = ns.path("entityTypes").path(t.asText(""));
      if (!t.isTextual() || !decl.isObject() || !onlyKeys(decl, ENTITY_TYPE_KEYS)) {
        return null;
      }
      out.add(t.asText());
    }
    return Set.copyOf(out);
  }

  /** Whether {@code type} is a record of exactly these required attributes and types. */
  private boolean record(JsonNode type, Map<String, String> expected) {
    if (type == null
        || !type.path("type").asText("").equals("Record")
        || !onlyKeys(type, Set.of("type", "attributes"))) {
      return false;
    }
    JsonNode attrs = type.path("attributes");
    if (!attrs.isObject() || attrs.size() != expected.size()) {
      return false;
    }
    for (Map.Entry<String, String> e : expected.entrySet()) {
      JsonNode a = attrs.get(e.getKey());
      if (a == null || !e.getValue().equals(name(a, 0))) {
        return false;
      }
    }
    return true;
  }

  /** A common type reference resolved to its definition; null when it resolves to nothing. */
  private JsonNode resolve(JsonNode type, int depth) {
    if (depth > 16 || !type.isObject()) {
      return null;
    }
    String t = type.path("type").asText("");
    String ref = t.equals("EntityOrCommon") ? type.path("name").asText("") : t;
    JsonNode common = ns.path("commonTypes").path(ref);
    if (common.isObject() && onlyKeys(type, Set.of("type", "name"))) {
      return resolve(common, depth + 1);
    }
    return type;
  }

  /**
   * A required attribute's type as {@code String}, {@code Long}, {@code Bool}, {@code Set<String>}
   * or {@code Entity:Name}; null for anything else (optional, a record, an extension type, an
   * unknown key).
   */
  private String name(JsonNode attr, int depth) {
    if (depth > 16 || !attr.isObject() || attr.path("required").asBoolean(true) == false) {
      return null;
    }
    if (!onlyKeys(attr, Set.of("type", "name", "element", "required"))) {
      return null;
    }
    String t = attr.path("type").asText("");
    if (t.equals("Set")) {
      String element = name(attr.path("element"), depth + 1);
      return element == null ? null : "Set<" + element + ">";
    }
    String n = t.equals("EntityOrCommon") || t.equals("Entity") ? attr.path("name").asText("") : t;
    boolean common = ns.path("commonTypes").has(n);
    boolean entity = ns.path("entityTypes").has(n) && !PRIMITIVES.contains(n);
    if (n.startsWith("__cedar::")) {
      n = n.substring("__cedar::".length());
    } else if (t.equals("Entity")) {
      return entity ? "Entity:" + n : null;
    } else if (common && entity) {
      return null; // a name that is both: leave it to the schema
    } else if (common) {
      JsonNode c = ns.path("commonTypes").get(n);
      return c.path("type").asText("").equals("Record") ? null : name(c, depth + 1);
    } else if (entity) {
      return "Entity:" + n;
    }
    if (!PRIMITIVES.contains(n)) {
      return null;
    }
    return n.equals("Boolean") ? "Bool" : n;
  }

  private static boolean onlyKeys(JsonNode node, Set<String> allowed) {
    if (!node.isObject()) {
      return false;
    }
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      if (!allowed.contains(it.next())) {
        return false;
      }
    }
    return true;
  }
}
