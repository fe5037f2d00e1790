package io.execauthz.cedar.internal;

import com.cedarpolicy.model.AuthorizationRequest;
import com.cedarpolicy.model.entity.Entity;
import com.cedarpolicy.model.schema.Schema;
import com.cedarpolicy.value.CedarList;
import com.cedarpolicy.value.CedarMap;
import com.cedarpolicy.value.EntityTypeName;
import com.cedarpolicy.value.EntityUID;
import com.cedarpolicy.value.PrimBool;
import com.cedarpolicy.value.PrimLong;
import com.cedarpolicy.value.PrimString;
import com.cedarpolicy.value.Value;
import io.execauthz.ExecutionView;
import io.execauthz.spi.PolicyRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A request with everything CONTRACT §3 says it carries — the whole lineage with every attribute,
 * every context attribute, every argument — built here by hand, not by {@link RequestMapper}, so
 * that a property comparing the engine with it does not compare the mapping with itself. Test
 * arguments are strings and longs only.
 */
final class FullRequest {
  final AuthorizationRequest request;
  final Set<Entity> entities;

  private FullRequest(AuthorizationRequest request, Set<Entity> entities) {
    this.request = request;
    this.entities = entities;
  }

  /**
   * @param schema sent and validated when not null
   * @param withArgs whether {@code args} goes into the context (no schema, or one declaring it)
   */
  static FullRequest of(PolicyRequest r, Schema schema, boolean withArgs) {
    ExecutionView v = r.view();
    Set<Entity> entities = new HashSet<>();
    boolean self = false;
    for (ExecutionView.Lineage l : v.lineage()) {
      Set<EntityUID> parents = new HashSet<>();
      l.parents().forEach(p -> parents.add(uid("Execution", p)));
      entities.add(execution(l.id(), l.kind(), l.depth(), parents));
      self |= l.id().equals(v.nodeId());
    }
    if (!self) {
      entities.add(execution(v.nodeId(), v.kind(), v.depth(), new HashSet<>()));
    }
    Map<String, Value> context = new HashMap<>();
    context.put("execution", uid("Execution", v.nodeId()));
    context.put("kind", new PrimString(v.kind()));
    context.put("depth", new PrimLong(v.depth()));
    context.put("approved", new PrimBool(r.approved()));
    List<Value> delegators = new ArrayList<>();
    v.delegators().forEach(d -> delegators.add(new PrimString(d)));
    context.put("delegators", new CedarList(delegators));
    context.put("now", new PrimLong(r.now().getEpochSecond()));
    if (withArgs) {
      Map<String, Value> args = new HashMap<>();
      r.args()
          .forEach(
              (k, a) ->
                  args.put(k, a instanceof Long n ? new PrimLong(n) : new PrimString((String) a)));
      context.put("args", new CedarMap(args));
    }
    return new FullRequest(
        new AuthorizationRequest(
            principal(v.principal()),
            uid("Action", r.action()),
            resource(r.resource()),
            Optional.of(context),
            Optional.ofNullable(schema),
            schema != null),
        entities);
  }

  private static Entity execution(String id, String kind, int depth, Set<EntityUID> parents) {
    Map<String, Value> attrs = new HashMap<>();
    attrs.put("kind", new PrimString(kind));
    attrs.put("depth", new PrimLong(depth));
    return new Entity(uid("Execution", id), attrs, parents);
  }

  private static EntityUID principal(String p) {
    if (p.startsWith("user:")) {
      return uid("User", p.substring(5));
    }
    if (p.startsWith("agent:")) {
      return uid("Agent", p.substring(6));
    }
    return uid("Workload", p);
  }

  private static EntityUID resource(String r) {
    int colon = r.indexOf(':');
    String type =
        switch (r.substring(0, colon)) {
          case "tool" -> "Tool";
          case "fs" -> "Path";
          case "net" -> "Host";
          case "secret" -> "Secret";
          default -> "Resource";
        };
    return uid(type, r.substring(colon + 1));
  }

  private static EntityUID uid(String type, String id) {
    return new EntityUID(EntityTypeName.parse(type).orElseThrow(), id);
  }
}
