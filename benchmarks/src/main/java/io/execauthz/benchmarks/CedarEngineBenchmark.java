package io.execauthz.benchmarks;

import com.cedarpolicy.BasicAuthorizationEngine;
import com.cedarpolicy.CedarJson;
import com.cedarpolicy.model.AuthorizationRequest;
import com.cedarpolicy.model.AuthorizationResponse;
import com.cedarpolicy.model.AuthorizationSuccessResponse;
import com.cedarpolicy.model.entity.Entity;
import com.cedarpolicy.model.exception.AuthException;
import com.cedarpolicy.model.policy.PolicySet;
import com.cedarpolicy.value.EntityTypeName;
import com.cedarpolicy.value.EntityUID;
import com.cedarpolicy.value.Value;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import io.execauthz.ExecutionGraph;
import io.execauthz.cedar.CedarPolicyEngine;
import io.execauthz.cedar.PolicyStore;
import io.execauthz.cedar.internal.RequestMapper;
import io.execauthz.cedar.internal.SchemaInfo;
import io.execauthz.spi.PolicyDecision;
import io.execauthz.spi.PolicyRequest;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Our {@link CedarPolicyEngine#evaluate} against a bare cedar-java {@code isAuthorized} on
 * identical inputs (the very objects our mapping produces for the request, built once), and the
 * parts of one call, so that docs/benchmarks.md can say where each microsecond goes:
 *
 * <ul>
 *   <li>{@code mapRequest}: our mapping of a {@link PolicyRequest} to cedar-java objects (entity
 *       UIDs, one entity per lineage node, the context record, the limits on {@code args});
 *   <li>{@code serializeRequest}: cedar-java's Jackson serialization of that request, entities
 *       included, to the JSON text it hands to the native library (the same fields, written by the
 *       same {@code ObjectWriter}, as cedar-java's private request class for cached policy sets);
 *   <li>{@code nativeCall}: the native call alone on that text (the Rust side parses the JSON,
 *       validates the request against the schema, evaluates, writes its answer as JSON), reached
 *       through cedar-java's private {@code callCedarJNI}; {@code nativeCallUnvalidated} is the
 *       same call with request validation off, {@code nativeCallNoEntities} the same call without
 *       the four lineage entities (a probe of what they cost; the decision is the same);
 *   <li>{@code parseResponse}: cedar-java's Jackson parsing of the native answer;
 *   <li>{@code bareIsAuthorizedMinimal}: the floor of any call, one policy, no entities, no
 *       context, no schema.
 * </ul>
 *
 * <p>{@code bareIsAuthorized} ≈ serializeRequest + nativeCall + parseResponse; {@code
 * engineEvaluate} ≈ mapRequest + bareIsAuthorized + what is left (reading the snapshot, building
 * the request, interpreting the answer and mapping policy ids back to the users').
 *
 * <p>The benchmark reaches into {@code io.execauthz.cedar.internal} to measure the mapping on its
 * own; the library's modules never do.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 10, time = 1)
@Measurement(iterations = 10, time = 1)
public class CedarEngineBenchmark {
  private static final String STATEFUL = "StatefulAuthorizationOperation";

  @Param({"default", "none"})
  public String schema;

  private PolicyStore store;
  private CedarPolicyEngine engine;
  private PolicyRequest request;

  private SchemaInfo schemaInfo;
  private RequestMapper.Limits limits;

  private BasicAuthorizationEngine bare;
  private PolicySet policySet;
  private AuthorizationRequest bareRequest;
  private Set<Entity> entities;

  private ObjectWriter writer;
  private ObjectReader reader;
  private StatefulRequest stateful;
  private MethodHandle jni;
  private String requestJson;
  private String unvalidatedJson;
  private String noEntitiesJson;
  private String responseJson;

  private PolicySet minimalPolicySet;
  private AuthorizationRequest minimalRequest;

  /**
   * The fields cedar-java 4.10 sends for a request on a natively cached policy set (its private
   * {@code BasicAuthorizationEngine.StatefulAuthRequest}), serialized the same way.
   */
  @JsonInclude(JsonInclude.Include.NON_ABSENT)
  static final class StatefulRequest {
    @JsonProperty final Object principal;
    @JsonProperty final Object action;
    @JsonProperty final Object resource;
    @JsonProperty final Optional<Map<String, Value>> context;
    @JsonProperty final String preparsedPolicySetId;
    @JsonProperty final String preparsedSchemaName;
    @JsonProperty final boolean validateRequest;
    @JsonProperty final Set<Entity> entities;

    StatefulRequest(
        AuthorizationRequest q,
        String policySetId,
        String schemaName,
        boolean validate,
        Set<Entity> entities) {
      this.principal = q.principalEUID;
      this.action = q.actionEUID;
      this.resource = q.resourceEUID;
      this.context = q.context;
      this.preparsedPolicySetId = policySetId;
      this.preparsedSchemaName = schemaName;
      this.validateRequest = validate;
      this.entities = entities;
    }
  }

  @Setup(Level.Trial)
  public void setUp() throws Throwable {
    store = Fixtures.store(schema);
    engine = CedarPolicyEngine.of(store);
    ExecutionGraph graph = Fixtures.agentRun(ExecutionGraph.newBuilder());
    request =
        new PolicyRequest(
            graph.node(Fixtures.NODE).view(),
            Fixtures.ACTION,
            Fixtures.RESOURCE,
            Fixtures.ARGS,
            false,
            Instant.now());

    // the engine's own defaults (CedarPolicyEngine.Builder)
    limits = new RequestMapper.Limits(16, 1_000, 65_536, 1_024);
    if (schema.equals("default")) {
      schemaInfo = SchemaInfo.parse(PolicyStore.DEFAULT_SCHEMA, PolicyStore.defaultSchema());
      Fixtures.check(schemaInfo.tryCache(), "the schema is not natively cached");
    }

    bare = new BasicAuthorizationEngine();
    policySet = PolicySet.parsePolicies(Fixtures.POLICIES);
    policySet.cache();
    RequestMapper.Mapped m = RequestMapper.map(request, schemaInfo, limits);
    entities = m.entities();
    bareRequest =
        new AuthorizationRequest(
            m.principal(),
            m.action(),
            m.resource(),
            Optional.of(m.context()),
            schemaInfo == null ? Optional.empty() : Optional.of(schemaInfo.schema()),
            schemaInfo != null);

    writer = CedarJson.objectWriter();
    reader = CedarJson.objectReader();
    String policySetId = policySet.cacheKey().orElseThrow();
    String schemaId = schemaInfo == null ? null : schemaInfo.schema().cacheKey().orElseThrow();
    stateful =
        new StatefulRequest(bareRequest, policySetId, schemaId, schemaInfo != null, entities);
    requestJson = serializeRequest();
    unvalidatedJson =
        writer.writeValueAsString(
            new StatefulRequest(bareRequest, policySetId, schemaId, false, entities));
    noEntitiesJson =
        writer.writeValueAsString(
            new StatefulRequest(bareRequest, policySetId, schemaId, schemaInfo != null, Set.of()));
    jni =
        MethodHandles.privateLookupIn(BasicAuthorizationEngine.class, MethodHandles.lookup())
            .findStatic(
                BasicAuthorizationEngine.class,
                "callCedarJNI",
                MethodType.methodType(String.class, String.class, String.class));
    responseJson = nativeCall();

    minimalPolicySet = PolicySet.parsePolicies("permit(principal, action, resource);");
    minimalPolicySet.cache();
    minimalRequest =
        new AuthorizationRequest(
            new EntityUID(EntityTypeName.parse("User").orElseThrow(), "alice"),
            new EntityUID(EntityTypeName.parse("Action").orElseThrow(), "tool.call"),
            new EntityUID(EntityTypeName.parse("Tool").orElseThrow(), "github/create_issue"),
            Map.of());

    check();
  }

  private void check() throws Throwable {
    PolicyDecision ours = engineEvaluate();
    Fixtures.check(
        ours.permitted() && ours.errors().isEmpty() && ours.determiningPolicies().size() == 1,
        "our engine does not permit: " + ours);
    Fixtures.check(allowed(bareIsAuthorized()), "the bare call does not permit");
    Fixtures.check(allowed(parseResponse()), "the native call does not permit: " + responseJson);
    Fixtures.check(
        allowed(reader.readValue(nativeCallUnvalidated(), AuthorizationResponse.class)),
        "the unvalidated native call does not permit");
    Fixtures.check(
        allowed(reader.readValue(nativeCallNoEntities(), AuthorizationResponse.class)),
        "the native call without entities does not permit");
    Fixtures.check(allowed(bareIsAuthorizedMinimal()), "the minimal call does not permit");
    Fixtures.check(
        engine.stats().uncachedEvaluations() == 0, "our engine took cedar-java's uncached path");
  }

  private static boolean allowed(AuthorizationResponse r) {
    if (r.type != AuthorizationResponse.SuccessOrFailure.Success || r.success.isEmpty()) {
      return false;
    }
    AuthorizationSuccessResponse ok = r.success.get();
    return ok.getErrors().isEmpty()
        && ok.getDecision() == AuthorizationSuccessResponse.Decision.Allow;
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Throwable {
    check();
    store.close();
  }

  @Benchmark
  public PolicyDecision engineEvaluate() {
    return engine.evaluate(request);
  }

  @Benchmark
  public AuthorizationResponse bareIsAuthorized() throws AuthException {
    return bare.isAuthorized(bareRequest, policySet, entities);
  }

  @Benchmark
  public RequestMapper.Mapped mapRequest() throws RequestMapper.Rejected {
    return RequestMapper.map(request, schemaInfo, limits);
  }

  @Benchmark
  public String serializeRequest() throws JsonProcessingException {
    return writer.writeValueAsString(stateful);
  }

  @Benchmark
  public String nativeCall() throws Throwable {
    return (String) jni.invokeExact(STATEFUL, requestJson);
  }

  @Benchmark
  public String nativeCallUnvalidated() throws Throwable {
    return (String) jni.invokeExact(STATEFUL, unvalidatedJson);
  }

  @Benchmark
  public String nativeCallNoEntities() throws Throwable {
    return (String) jni.invokeExact(STATEFUL, noEntitiesJson);
  }

  @Benchmark
  public AuthorizationResponse parseResponse() throws IOException {
    return reader.readValue(responseJson, AuthorizationResponse.class);
  }

  @Benchmark
  public AuthorizationResponse bareIsAuthorizedMinimal() throws AuthException {
    return bare.isAuthorized(minimalRequest, minimalPolicySet, Set.of());
  }
}
