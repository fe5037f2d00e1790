package io.execauthz.cli;

import io.execauthz.NodeState;
import io.execauthz.redis.RedisRevocationRegistry;
import io.execauthz.redis.RedisStore;
import io.execauthz.redis.RedisUnavailableException;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code exec-authz revoke --revocations URI --iss I (--node ID [--graph GID] | --grant JTI)
 * [--until INSTANT]}: an operator's kill switch (CONTRACT §6). It records the revocation in the
 * shared Redis, so every process sharing it refuses the node's subtree — or the grant and its
 * attenuations — within its staleness bound.
 */
@Command(
    name = "revoke",
    mixinStandardHelpOptions = true,
    description = {
      "Revokes a node or grant in the shared store, for every process.",
      "",
      "A node is revoked with its whole subtree, a grant with every grant attenuated from it;"
          + " each process sharing the store (Redis) refuses them within its staleness bound.",
      "",
      "Exit 0 when recorded, 1 when Redis could not be reached, 2 on bad input."
    })
final class RevokeCommand implements Callable<Integer> {
  /** How long a revocation is kept when --until is not given: longer than any grant lives. */
  static final Duration DEFAULT_KEEP = Duration.ofHours(24);

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--revocations",
      paramLabel = "URI",
      description =
          "The shared store: redis://[user:password@]host[:port][/db], rediss://… (TLS), or"
              + " comma-separated cluster seeds.")
  String revocations;

  @Option(names = "--iss", paramLabel = "I", description = "The issuer whose grants it ends.")
  String issuer;

  @Option(
      names = "--node",
      paramLabel = "ID",
      description = "The node to revoke, with its subtree.")
  String node;

  @Option(
      names = "--graph",
      paramLabel = "GID",
      description = "The node's graph (the grants' gid); without it, the node in every graph.")
  String graph;

  @Option(names = "--grant", paramLabel = "JTI", description = "The grant id to revoke.")
  String grant;

  @Option(
      names = "--until",
      paramLabel = "INSTANT",
      description =
          "Keep the revocation until this RFC 3339 instant: after the last grant it concerns"
              + " expires (24 hours from now by default).")
  String until;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    String bad = validate();
    if (bad != null) {
      err.println("exec-authz revoke: " + bad);
      return 2;
    }
    Instant keepUntil;
    try {
      keepUntil = until == null ? Instant.now().plus(DEFAULT_KEEP) : Instant.parse(until);
    } catch (DateTimeParseException e) {
      err.println(
          "exec-authz revoke: --until: expected an RFC 3339 instant, found '" + until + "'");
      return 2;
    }
    RedisStore.Builder b;
    try {
      b = RedisStore.newBuilder().uri(revocations).timeout(Duration.ofSeconds(2));
    } catch (IllegalArgumentException e) {
      err.println("exec-authz revoke: --revocations: " + e.getMessage());
      return 2;
    }
    try (RedisStore store = b.build();
        RedisRevocationRegistry registry = RedisRevocationRegistry.newBuilder(store).build()) {
      String what;
      if (grant != null) {
        registry.revokeGrant(grant, keepUntil);
        what = "grant '" + grant + "'";
      } else if (graph != null) {
        registry.nodeEnded(issuer, graph, node, NodeState.REVOKED, keepUntil);
        what = "node '" + node + "' of graph '" + graph + "'";
      } else {
        registry.revokeNodeInEveryGraph(issuer, node, keepUntil);
        what = "node '" + node + "' in every graph";
      }
      spec.commandLine()
          .getOut()
          .printf("revoked %s of issuer '%s' until %s in %s%n", what, issuer, keepUntil, store);
      return 0;
    } catch (RedisUnavailableException e) {
      err.println("exec-authz revoke: --revocations: " + e.getMessage());
      return 1;
    }
  }

  /** The first thing wrong with the flags, naming the flag; null when they make sense. */
  private String validate() {
    if (revocations == null || revocations.isBlank()) {
      return "--revocations URI is required";
    }
    if (issuer == null || issuer.isEmpty()) {
      return "--iss is required (the issuer whose grants are revoked)";
    }
    if (node == null && grant == null) {
      return "--node or --grant is required";
    }
    if (node != null && grant != null) {
      return "--node and --grant exclude each other: revoke one at a time";
    }
    if (graph != null && node == null) {
      return "--graph goes with --node";
    }
    if ((node != null && node.isEmpty())
        || (grant != null && grant.isEmpty())
        || (graph != null && graph.isEmpty())) {
      return (node != null && node.isEmpty()
              ? "--node"
              : grant != null && grant.isEmpty() ? "--grant" : "--graph")
          + " must not be empty";
    }
    return null;
  }
}
