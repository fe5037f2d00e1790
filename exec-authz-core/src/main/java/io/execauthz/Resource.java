package io.execauthz;

/**
 * Parsing of concrete resources as requests name them ({@code fs:/repo/a.md}, {@code
 * tool:github/create_issue}): the pattern syntax without wildcards, in the canonical form of {@link
 * ResourceSchemes#defaults()} (an {@link Authorizer} uses its own {@link ResourceSchemes}).
 */
public final class Resource {
  private Resource() {}

  /**
   * Parses a concrete resource and brings it to its canonical form ({@link
   * ResourcePattern#toString()}).
   *
   * @throws CapabilitySyntaxException if it is malformed, contains a wildcard segment or has no
   *     canonical form
   */
  public static ResourcePattern parse(String text) {
    java.util.Objects.requireNonNull(text, "resource");
    return ResourcePattern.parse(text, text, 0, false);
  }

  /**
   * Validates a concrete action such as {@code tool.call}.
   *
   * @throws CapabilitySyntaxException if it is malformed or a wildcard
   */
  public static String checkAction(String action) {
    java.util.Objects.requireNonNull(action, "action");
    ActionPattern.checkConcrete(action);
    return action;
  }
}
