package io.execauthz.cedar.internal;

import com.cedarpolicy.model.exception.CacheException;
import com.cedarpolicy.model.exception.InternalException;
import com.cedarpolicy.model.schema.Schema;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A parsed schema, and what the request mapping needs from it: for each action of the empty
 * namespace, the top-level context attributes it declares. Only those are sent, so that {@code
 * args} (undeclared in the default schema) never makes request validation fail, while a schema that
 * declares {@code args} gets it checked. Built on a large-stack thread (parsing is native).
 *
 * <p>Thread-safe once built; the {@link Schema} is never changed after {@link #tryCache()}.
 */
public final class SchemaInfo {
  private final String name;
  private final Schema schema;
  private final Map<String, Set<String>> contextAttributes;
  private final Map<String, SchemaShape.Applies> omittable;
  private final boolean actionGroups;
  private volatile boolean cached;

  private SchemaInfo(
      String name,
      Schema schema,
      Map<String, Set<String>> contextAttributes,
      Map<String, SchemaShape.Applies> omittable,
      boolean actionGroups) {
    this.name = name;
    this.schema = schema;
    this.contextAttributes = contextAttributes;
    this.omittable = omittable;
    this.actionGroups = actionGroups;
  }

  /**
   * Parses a schema in Cedar's schema syntax.
   *
   * @throws IllegalArgumentException naming the source and the parser's complaint
   */
  public static SchemaInfo parse(String name, String text) {
    Schema schema;
    JsonNode json;
    try {
      schema = Schema.parse(Schema.JsonOrCedar.Cedar, text);
      json = schema.toJsonFormat();
    } catch (InternalException e) {
      throw new IllegalArgumentException(
          name + ": invalid schema: " + String.join("; ", Loader.messages(e)), e);
    } catch (Exception e) {
      throw new IllegalArgumentException(name + ": invalid schema: " + e.getMessage(), e);
    }
    Map<String, Set<String>> attrs = new HashMap<>();
    JsonNode ns = json.path("");
    JsonNode actions = ns.path("actions");
    for (Iterator<String> it = actions.fieldNames(); it.hasNext(); ) {
      String action = it.next();
      Set<String> declared = declared(ns, actions.path(action).path("appliesTo").path("context"));
      if (declared != null) {
        attrs.put(action, Set.copyOf(declared));
      }
    }
    SchemaShape shape = new SchemaShape(json);
    return new SchemaInfo(name, schema, Map.copyOf(attrs), shape.omittable(), shape.actionGroups());
  }

  private static Set<String> declared(JsonNode ns, JsonNode context) {
    if (context.isMissingNode()) {
      return Set.of(); // an action without context takes an empty record
    }
    String type = context.path("type").asText("");
    if (type.equals("Record")) {
      Set<String> out = new LinkedHashSet<>();
      context.path("attributes").fieldNames().forEachRemaining(out::add);
      return out;
    }
    String ref = type.equals("EntityOrCommon") ? context.path("name").asText("") : type;
    JsonNode common = ns.path("commonTypes").path(ref);
    if (common.isObject() && common.path("type").asText("").equals("Record")) {
      Set<String> out = new LinkedHashSet<>();
      common.path("attributes").fieldNames().forEachRemaining(out::add);
      return out;
    }
    return null; // unknown shape: send everything and let validation decide
  }

  /** The schema source's name. */
  public String name() {
    return name;
  }

  public Schema schema() {
    return schema;
  }

  /**
   * The top-level context attributes {@code action} declares, or empty if the schema does not say
   * (then every attribute is sent).
   */
  public Optional<Set<String>> contextAttributes(String action) {
    return Optional.ofNullable(contextAttributes.get(action));
  }

  /**
   * Whether a request for {@code action} with these principal and resource types may be sent
   * without the schema and without request validation, and answer exactly as with them: the schema
   * declares the action with exactly the context the mapping sends (no {@code args}), the {@code
   * Execution} type exactly as the default schema does, no action groups, and these types among the
   * action's principals and resources. Otherwise (a request the schema would reject included) the
   * schema is sent and Cedar decides.
   */
  public boolean mayOmit(String action, String principalType, String resourceType) {
    SchemaShape.Applies a = omittable.get(action);
    return a != null
        && a.principals().contains(principalType)
        && a.resources().contains(resourceType);
  }

  /** Whether some action is declared a member of another (an action group). */
  public boolean actionGroups() {
    return actionGroups;
  }

  /** Whether the native side holds a parsed copy (a request needs it to take the cached path). */
  public boolean cached() {
    return cached;
  }

  /**
   * Asks the native side to keep a parsed copy; false when its global cache is full. Call on a
   * large-stack thread.
   */
  public synchronized boolean tryCache() {
    if (cached) {
      return true;
    }
    try {
      schema.cache();
      cached = true;
    } catch (CacheException | RuntimeException e) {
      cached = false;
    }
    return cached;
  }
}
