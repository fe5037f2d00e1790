package io.execauthz.cedar;

/**
 * Counters of a {@link CedarPolicyEngine}, since it was built.
 *
 * <p>Immutable and thread-safe.
 *
 * @param decisions requests evaluated
 * @param cachedEvaluations requests that took cedar-java's cached path (policies parsed once)
 * @param uncachedEvaluations requests evaluated uncached because the native cache was full (every
 *     policy re-sent and re-parsed)
 * @param rejectedRequests requests refused before reaching Cedar (unmappable principal or resource,
 *     arguments too deep or too large)
 * @param errors requests denied because of an error (rejected ones included)
 * @param cacheFailures loaded policy versions the native cache could not take
 */
public record CedarStats(
    long decisions,
    long cachedEvaluations,
    long uncachedEvaluations,
    long rejectedRequests,
    long errors,
    long cacheFailures) {}
