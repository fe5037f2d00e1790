package io.execauthz.otel;

import io.execauthz.AuthorizationRequest;
import io.execauthz.Decision;
import io.execauthz.ExecutionView;
import io.execauthz.Reason;
import io.execauthz.TraceContext;
import io.execauthz.spi.DecisionObserver;
import io.execauthz.spi.PolicyDecision;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import java.time.Instant;
import java.time.InstantSource;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Reports every decision to OpenTelemetry: a span (or an event on the caller's span) and four
 * metrics. Register it with {@code Authorizer.newBuilder().observer(..)}.
 *
 * <p><b>Why a span per decision, by default.</b> A decision is an operation with its own duration,
 * identity ({@code exec_authz.decision.id}, also in the audit record) and outcome, and it belongs
 * to the execution node's trace rather than to whatever span happens to be current on the deciding
 * thread: the span is parented on the request's {@code traceparent}, else on the node's trace
 * context ({@link ExecutionView#trace()}), else on the current context. Trace volume is governed by
 * sampling: with the usual parent-based sampler an unsampled node trace costs no exported span.
 * Users who already trace each tool call and want no extra spans choose {@link
 * Builder#eventsOnCurrentSpan()}: the decision becomes an event on the current span when there is a
 * recording one (a span is still started when there is none, so no decision goes unrecorded).
 *
 * <p><b>Metrics</b> (low-cardinality attributes only: outcome and reason, never principal or
 * resource):
 *
 * <ul>
 *   <li>{@value #DECISIONS} ({@code {decision}}) by {@code exec_authz.decision} and {@code
 *       exec_authz.reason}
 *   <li>{@value #DURATION} ({@code s}) histogram by {@code exec_authz.decision}
 *   <li>{@value #POLICY_EVALUATIONS} ({@code {evaluation}}) by {@code exec_authz.policy.cache_hit}:
 *       the cache hit ratio is hits over the total
 *   <li>{@value #SHADOW_DISAGREEMENTS} ({@code {disagreement}}) by the enforcing and the shadow
 *       answer
 * </ul>
 *
 * <p>Thread-safe: instruments and the tracer are thread-safe, and the observer keeps no other
 * state.
 */
public final class OtelDecisionObserver implements DecisionObserver {

  /** The instrumentation scope name of the tracer and the meter. */
  public static final String SCOPE = "io.execauthz";

  /** The decisions counter. */
  public static final String DECISIONS = "exec_authz.decisions";

  /** The decision latency histogram, in seconds. */
  public static final String DURATION = "exec_authz.decision.duration";

  /** Policy evaluations, by whether the answer came from the decision cache. */
  public static final String POLICY_EVALUATIONS = "exec_authz.policy.evaluations";

  /** Decisions where the shadow policies would have answered otherwise. */
  public static final String SHADOW_DISAGREEMENTS = "exec_authz.shadow.disagreements";

  /** The span name (one per decision) and the event name (in event mode). */
  public static final String SPAN_NAME = "exec_authz.authorize";

  public static final AttributeKey<String> NODE = AttributeKey.stringKey("exec_authz.node.id");
  public static final AttributeKey<List<String>> NODE_PATH =
      AttributeKey.stringArrayKey("exec_authz.node.path");
  public static final AttributeKey<String> GRAPH = AttributeKey.stringKey("exec_authz.graph.id");
  public static final AttributeKey<String> PRINCIPAL =
      AttributeKey.stringKey("exec_authz.principal");
  public static final AttributeKey<String> ACTION = AttributeKey.stringKey("exec_authz.action");
  public static final AttributeKey<String> RESOURCE = AttributeKey.stringKey("exec_authz.resource");
  public static final AttributeKey<String> DECISION = AttributeKey.stringKey("exec_authz.decision");
  public static final AttributeKey<String> DECISION_ID =
      AttributeKey.stringKey("exec_authz.decision.id");
  public static final AttributeKey<String> REASON = AttributeKey.stringKey("exec_authz.reason");
  public static final AttributeKey<List<String>> POLICIES =
      AttributeKey.stringArrayKey("exec_authz.policies");
  public static final AttributeKey<String> GRANT = AttributeKey.stringKey("exec_authz.grant.id");
  public static final AttributeKey<Boolean> CACHE_HIT =
      AttributeKey.booleanKey("exec_authz.policy.cache_hit");
  public static final AttributeKey<Boolean> SHADOW_DISAGREES =
      AttributeKey.booleanKey("exec_authz.shadow.disagrees");
  public static final AttributeKey<String> SHADOW_DECISION =
      AttributeKey.stringKey("exec_authz.shadow.decision");
  public static final AttributeKey<List<String>> SHADOW_POLICIES =
      AttributeKey.stringArrayKey("exec_authz.shadow.policies");

  private static final String PERMIT = "permit";
  private static final String DENY = "deny";
  private static final String ERROR = "error";

  /** Bucket advice for latencies from a microsecond (a cache hit) to a second. */
  private static final List<Double> BUCKETS =
      List.of(
          1e-6, 2.5e-6, 5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 1e-2,
          2.5e-2, 5e-2, 0.1, 0.25, 0.5, 1.0);

  private final Tracer tracer;
  private final boolean events;
  private final InstantSource clock;
  private final LongCounter decisions;
  private final DoubleHistogram duration;
  private final LongCounter evaluations;
  private final LongCounter disagreements;
  // metric attributes, built once: the hot path allocates none
  private final Attributes permitAttrs;
  private final Map<Reason, Attributes> denyAttrs = new EnumMap<>(Reason.class);
  private final Attributes denyOnly;
  private final Attributes hit;
  private final Attributes miss;

  private OtelDecisionObserver(Builder b) {
    OpenTelemetry otel = b.otel;
    this.tracer = otel.getTracer(SCOPE);
    this.events = b.events;
    this.clock = b.clock;
    Meter meter = otel.getMeter(SCOPE);
    this.decisions =
        meter
            .counterBuilder(DECISIONS)
            .setUnit("{decision}")
            .setDescription("Authorization decisions, by outcome and reason.")
            .build();
    this.duration =
        meter
            .histogramBuilder(DURATION)
            .setUnit("s")
            .setDescription("How long a decision took, audit included.")
            .setExplicitBucketBoundariesAdvice(BUCKETS)
            .build();
    this.evaluations =
        meter
            .counterBuilder(POLICY_EVALUATIONS)
            .setUnit("{evaluation}")
            .setDescription("Policy answers, by whether they came from the decision cache.")
            .build();
    this.disagreements =
        meter
            .counterBuilder(SHADOW_DISAGREEMENTS)
            .setUnit("{disagreement}")
            .setDescription("Decisions the shadow policies would have answered otherwise.")
            .build();
    this.permitAttrs = Attributes.of(DECISION, PERMIT);
    for (Reason r : Reason.values()) {
      denyAttrs.put(r, Attributes.of(DECISION, DENY, REASON, r.name()));
    }
    this.denyOnly = Attributes.of(DECISION, DENY);
    this.hit = Attributes.of(CACHE_HIT, true);
    this.miss = Attributes.of(CACHE_HIT, false);
  }

  /** An observer with spans per decision on this OpenTelemetry instance. */
  public static OtelDecisionObserver of(OpenTelemetry otel) {
    return newBuilder(otel).build();
  }

  public static Builder newBuilder(OpenTelemetry otel) {
    return new Builder(otel);
  }

  @Override
  public void onDecision(Observation o) {
    Decision d = o.decision();
    boolean permit = d instanceof Decision.Permit;
    decisions.add(1, permit ? permitAttrs : denyAttrs.get(((Decision.Deny) d).reason()));
    duration.record(o.nanos() / 1e9, permit ? permitAttrs : denyOnly);
    if (o.policy() != null) {
      evaluations.add(1, o.policyFromCache() ? hit : miss);
    }
    boolean disagrees = o.shadowDisagrees();
    if (disagrees) {
      disagreements.add(
          1,
          Attributes.of(
              DECISION, answer(o.policy()),
              SHADOW_DECISION, answer(o.shadow())));
    }
    trace(o, disagrees);
  }

  private void trace(Observation o, boolean disagrees) {
    if (events) {
      Span current = Span.current();
      if (current.isRecording()) {
        Instant now = clock.instant();
        current.addEvent(SPAN_NAME, attributes(o, disagrees), now);
        return;
      }
    }
    long end = epochNanos(clock.instant());
    Span span =
        tracer
            .spanBuilder(SPAN_NAME)
            .setParent(parent(o.request(), o.view()))
            .setSpanKind(SpanKind.INTERNAL)
            .setStartTimestamp(end - o.nanos(), TimeUnit.NANOSECONDS)
            .startSpan();
    if (!span.isRecording()) {
      return; // not sampled (an unsampled node trace, or a no-op SDK): build nothing more
    }
    span.setAllAttributes(attributes(o, disagrees));
    if (o.decision() instanceof Decision.Deny deny && deny.reason() == Reason.ERROR) {
      span.setStatus(StatusCode.ERROR, deny.detail());
    }
    span.end(end, TimeUnit.NANOSECONDS);
  }

  private static Attributes attributes(Observation o, boolean disagrees) {
    AuthorizationRequest r = o.request();
    Decision d = o.decision();
    ExecutionView v = o.view();
    AttributesBuilder a = Attributes.builder();
    a.put(NODE, r.nodeId());
    a.put(ACTION, r.action());
    a.put(RESOURCE, r.resource());
    a.put(DECISION, d.isPermit() ? PERMIT : DENY);
    a.put(DECISION_ID, d.decisionId());
    if (d instanceof Decision.Deny deny) {
      a.put(REASON, deny.reason().name());
    }
    a.put(POLICIES, d.determiningPolicies());
    if (!d.nodePath().isEmpty()) {
      a.put(NODE_PATH, d.nodePath());
    }
    if (v != null) {
      a.put(PRINCIPAL, v.principal());
      a.put(GRAPH, v.graphId());
    }
    if (o.grantId() != null) {
      a.put(GRANT, o.grantId());
    }
    if (o.policy() != null) {
      a.put(CACHE_HIT, o.policyFromCache());
    }
    if (o.shadow() != null && o.policy() != null) {
      a.put(SHADOW_DISAGREES, disagrees);
      a.put(SHADOW_DECISION, answer(o.shadow()));
      a.put(SHADOW_POLICIES, o.shadow().determiningPolicies());
    }
    return a.build();
  }

  /**
   * The parent: the request's {@code traceparent} (the caller's span for this call), else the
   * node's trace context, else the current context.
   */
  static Context parent(AuthorizationRequest request, ExecutionView view) {
    TraceContext tc = null;
    if (request.traceparent() != null) {
      try {
        tc = TraceContext.parse(request.traceparent());
      } catch (IllegalArgumentException e) {
        tc = null; // a malformed caller header: fall back to the node's own context
      }
    }
    if (tc == null && view != null) {
      tc = view.trace();
    }
    if (tc == null) {
      return Context.current();
    }
    SpanContext sc =
        SpanContext.createFromRemoteParent(
            tc.traceId(),
            tc.spanId(),
            TraceFlags.fromByte((byte) tc.flags()),
            TraceState.getDefault());
    return sc.isValid() ? Context.root().with(Span.wrap(sc)) : Context.current();
  }

  private static String answer(PolicyDecision pd) {
    return !pd.errors().isEmpty() ? ERROR : pd.permitted() ? PERMIT : DENY;
  }

  private static long epochNanos(Instant t) {
    return TimeUnit.SECONDS.toNanos(t.getEpochSecond()) + t.getNano();
  }

  /**
   * Options for an {@link OtelDecisionObserver}; each may be set once.
   *
   * <p>Not thread-safe: configure on one thread.
   */
  public static final class Builder {
    private final OpenTelemetry otel;
    private boolean events;
    private boolean eventsSet;
    private InstantSource clock = InstantSource.system();
    private boolean clockSet;

    private Builder(OpenTelemetry otel) {
      this.otel = Objects.requireNonNull(otel, "otel");
    }

    /**
     * Records each decision as an event on the current span when one is recording, instead of a
     * span of its own (fewer spans for users who already trace every tool call).
     */
    public Builder eventsOnCurrentSpan() {
      if (eventsSet) {
        throw new IllegalStateException("eventsOnCurrentSpan is already set");
      }
      eventsSet = true;
      events = true;
      return this;
    }

    /** The clock span timestamps are read from; the system clock by default. */
    public Builder clock(InstantSource clock) {
      if (clockSet) {
        throw new IllegalStateException("clock is already set");
      }
      clockSet = true;
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    public OtelDecisionObserver build() {
      return new OtelDecisionObserver(this);
    }
  }
}
