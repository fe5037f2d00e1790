package io.execauthz.spi;

import io.execauthz.ExecutionView;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One request as the policy engine sees it, after the graph checks passed.
 *
 * <p>Immutable and thread-safe.
 *
 * @param view the execution the request is made in
 * @param action the concrete action, such as {@code tool.call}
 * @param resource the concrete resource, such as {@code tool:github/create_issue}
 * @param args the call's arguments (String, Long, Double, Boolean, List, Map values)
 * @param approved whether an approval was given with the request
 * @param now the authorizer's clock at the time of the request
 */
public record PolicyRequest(
    ExecutionView view,
    String action,
    String resource,
    Map<String, Object> args,
    boolean approved,
    Instant now) {
  public PolicyRequest {
    Objects.requireNonNull(view, "view");
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(resource, "resource");
    Objects.requireNonNull(args, "args");
    Objects.requireNonNull(now, "now");
  }
}
