package io.execauthz.capability;

import io.execauthz.Authorizer;
import io.execauthz.Reason;
import io.execauthz.internal.Text;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which {@link ResourceCanonicalizer} brings each scheme's resources to their canonical form
 * (CONTRACT §1 "Canonical form"), and which schemes compare case-insensitively. An {@link
 * Authorizer} canonicalizes every requested resource with its registry before it matches,
 * claim-checks, caches or asks the policy engine; a resource without a canonical form is denied
 * with {@link Reason#ERROR}.
 *
 * <p>{@link #defaults()}: {@code fs} → {@link ResourceCanonicalizer#fsPaths()}, {@code http} →
 * {@link ResourceCanonicalizer#urls urls(80)}, {@code https} → {@code urls(443)}, {@code net} →
 * {@link ResourceCanonicalizer#hostPort()}; every other scheme → {@link
 * ResourceCanonicalizer#generic()}. Schemes themselves are case-insensitive and canonically lower
 * case: {@code FS:/a} is {@code fs:/a}.
 *
 * <pre>{@code
 * ResourceSchemes schemes = ResourceSchemes.defaults()
 *     .caseInsensitive("fs")                                  // a macOS or Windows file system
 *     .with("s3", ResourceCanonicalizer.urls(443));           // s3://bucket/key
 * Authorizer authorizer = Authorizer.newBuilder().graph(graph)
 *     .policyEngine(engine).resourceSchemes(schemes).build();
 * }</pre>
 *
 * <p><b>Case-insensitive schemes</b> compare in a folded form (upper case, then lower case, then
 * NFC: {@code fs:/Repo/ſrc} and {@code fs:/repo/src} are one resource). A requested resource is
 * folded once, and its folded text is what the decision cache keys and the policy engine sees — so
 * policies over such a scheme should name resources in lower case. Patterns (capabilities, claims)
 * keep their text; they are folded when compared with a folded resource. Claims are compared with
 * each other by the graph, which folds nothing: two claims that differ only in case both hold, and
 * each then refuses the other's writes (fail closed).
 *
 * <p>Capabilities and claims are parsed with the defaults ({@link ResourcePattern#parse}); a
 * pattern of a scheme with its own canonicalizer here should be written in that canonical form (see
 * {@link #pattern}), or it matches nothing.
 *
 * <p>Immutable and thread-safe; {@link #with} and {@link #caseInsensitive} return new registries.
 */
public final class ResourceSchemes {
  static final ResourceSchemes DEFAULTS =
      new ResourceSchemes(
          Map.of(
              "fs", ResourceCanonicalizer.fsPaths(),
              "http", ResourceCanonicalizer.urls(80),
              "https", ResourceCanonicalizer.urls(443),
              "net", ResourceCanonicalizer.hostPort()),
          Set.of());

  private final Map<String, ResourceCanonicalizer> canonicalizers;
  private final Set<String> caseInsensitive;

  private ResourceSchemes(Map<String, ResourceCanonicalizer> canonicalizers, Set<String> folded) {
    this.canonicalizers = Map.copyOf(canonicalizers);
    this.caseInsensitive = Set.copyOf(folded);
  }

  /** The built-in canonicalizers, every scheme case-sensitive. */
  public static ResourceSchemes defaults() {
    return DEFAULTS;
  }

  /**
   * A registry in which {@code scheme} is canonicalized by {@code canonicalizer} (replacing any
   * built-in one).
   *
   * @throws IllegalArgumentException if {@code scheme} is not a scheme name
   */
  public ResourceSchemes with(String scheme, ResourceCanonicalizer canonicalizer) {
    Objects.requireNonNull(canonicalizer, "canonicalizer");
    Map<String, ResourceCanonicalizer> m = new HashMap<>(canonicalizers);
    m.put(schemeName(scheme), canonicalizer);
    return new ResourceSchemes(m, caseInsensitive);
  }

  /**
   * A registry in which resources of {@code scheme} compare case-insensitively — for a file system
   * that is ({@code fs} on default macOS and Windows installs), so that {@code fs:/REPO/.ENV}
   * cannot slip past a rule about {@code fs:/repo/.env}.
   *
   * @throws IllegalArgumentException if {@code scheme} is not a scheme name
   */
  public ResourceSchemes caseInsensitive(String scheme) {
    Set<String> s = new TreeSet<>(caseInsensitive);
    s.add(schemeName(scheme));
    return new ResourceSchemes(canonicalizers, s);
  }

  /** Whether resources of {@code scheme} compare case-insensitively here. */
  public boolean isCaseInsensitive(String scheme) {
    return caseInsensitive.contains(scheme.toLowerCase(Locale.ROOT));
  }

  /** The canonicalizer of {@code scheme}: its own, or {@link ResourceCanonicalizer#generic()}. */
  public ResourceCanonicalizer canonicalizer(String scheme) {
    return canonicalizers.getOrDefault(
        scheme.toLowerCase(Locale.ROOT), ResourceCanonicalizer.generic());
  }

  /**
   * A requested resource in its canonical form: what is matched, claim-checked, cached and given to
   * the policy engine, and what the tool must then act on.
   *
   * @throws CapabilitySyntaxException naming the position, if the text is malformed, contains a
   *     wildcard or has no canonical form
   */
  public ResourcePattern resource(String text) {
    Objects.requireNonNull(text, "resource");
    return ResourceParser.parse(text, text, 0, false, this);
  }

  /**
   * The canonical text of a requested resource ({@code resource(text).toString()}).
   *
   * @throws CapabilitySyntaxException as {@link #resource}
   */
  public String canonical(String text) {
    return resource(text).toString();
  }

  /**
   * A resource pattern canonicalized by this registry: the form in which capabilities and claims of
   * schemes registered here should be written.
   *
   * @throws CapabilitySyntaxException naming the position
   */
  public ResourcePattern pattern(String text) {
    Objects.requireNonNull(text, "pattern");
    return ResourceParser.parse(text, text, 0, true, this);
  }

  private static String schemeName(String scheme) {
    Objects.requireNonNull(scheme, "scheme");
    boolean ok = !scheme.isEmpty();
    for (int i = 0; ok && i < scheme.length(); i++) {
      ok = ResourceParser.schemeChar(scheme.charAt(i), i);
    }
    if (!ok) {
      throw new IllegalArgumentException(
          "not a scheme name: \""
              + Text.printable(scheme)
              + "\" (a letter, then letters,"
              + " digits, '+', '-' or '.')");
    }
    return scheme.toLowerCase(Locale.ROOT);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ResourceSchemes r
        && r.canonicalizers.equals(canonicalizers)
        && r.caseInsensitive.equals(caseInsensitive);
  }

  @Override
  public int hashCode() {
    return canonicalizers.hashCode() * 31 + caseInsensitive.hashCode();
  }

  @Override
  public String toString() {
    return "ResourceSchemes"
        + new java.util.TreeMap<>(canonicalizers)
        + " caseInsensitive="
        + new TreeSet<>(caseInsensitive);
  }
}
