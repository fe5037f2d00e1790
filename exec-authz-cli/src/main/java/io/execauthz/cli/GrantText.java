package io.execauthz.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.execauthz.jwt.GrantVerificationException;
import io.execauthz.jwt.VerifiedGrant;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The readable form of {@code grant verify} and {@code grant inspect} (their default {@code
 * --format text}): one labelled row per fact, times absolute and relative to the instant of
 * verification. Everything read from a token that did not verify is marked so, and every string
 * from a token is printed with its control characters as {@code ?}: a forged token must not be able
 * to move the cursor or colour a terminal. Stateless.
 */
final class GrantText {
  /** Claims of CONTRACT §4 and what a person calls them, in the order they are shown. */
  private static final Map<String, String> LABELS =
      orderedLabels(
          "jti", "grant id",
          "sub", "principal",
          "iss", "issuer",
          "aud", "audience",
          "ctx", "node",
          "path", "node path",
          "lin", "lineage",
          "gid", "graph",
          "cap", "capabilities",
          "iat", "issued",
          "nbf", "valid from",
          "exp", "expires",
          "act", "delegators",
          "pgr", "parent grant",
          "gch", "grant chain",
          "bud", "budget scopes",
          "atr", "attributes",
          "traceparent", "trace");

  private static final String ROW = "  %-19s %s%n";

  private GrantText() {}

  /**
   * One line about a grant just issued, for stderr: {@code issued grant 3f…: agent:x at mcp:files,
   * 1 capability, node cli, expires 2026-… (in 5m)}.
   */
  static String issued(String compact, Instant now) {
    JsonNode c = GrantCommand.part(compact, 1);
    int caps = c.path("cap").size();
    StringBuilder line =
        new StringBuilder("issued grant ")
            .append(c.path("jti").asText())
            .append(": ")
            .append(c.path("sub").asText())
            .append(" at ")
            .append(value(c.path("aud")))
            .append(", ")
            .append(caps)
            .append(caps == 1 ? " capability" : " capabilities")
            .append(", node ")
            .append(c.path("ctx").asText());
    if (c.hasNonNull("pgr")) {
      line.append(", attenuating grant ").append(c.path("pgr").asText());
    }
    line.append(", expires ").append(when(Instant.ofEpochSecond(c.path("exp").asLong()), now));
    return clean(line.toString());
  }

  /** A grant that verified: VALID, then what it grants, to whom, where and until when. */
  static void valid(PrintWriter out, Ansi ansi, VerifiedGrant g, Instant now) {
    out.println(ansi.green("VALID") + "  grant " + clean(g.id()));
    row(out, "principal", g.principal());
    row(out, "issuer", g.issuer());
    row(out, "audience", String.join(", ", g.audience()));
    row(
        out,
        "node",
        g.nodeId() + " (" + g.view().kind() + "), path " + String.join(" > ", g.path()));
    row(out, "graph", g.view().graphId());
    rows(out, "capabilities", g.capabilities().texts());
    row(out, "issued", when(g.issuedAt(), now));
    if (!g.notBefore().equals(g.issuedAt())) {
      row(out, "valid from", when(g.notBefore(), now));
    }
    row(out, "expires", when(g.expiresAt(), now));
    row(out, "delegation", String.join(" > ", g.delegators()));
    List<String> chain = new ArrayList<>(g.grantChain());
    row(
        out,
        "grant chain",
        chain.isEmpty()
            ? "none: minted from node " + g.nodeId()
            : String.join(" > ", chain) + " > this grant");
    g.traceparent().ifPresent(t -> row(out, "trace", t));
    row(out, "signed", g.algorithm() + ", key " + g.keyId());
    out.printf(
        ROW,
        "not checked",
        ansi.dim(
            "revocation (no registry here: a revoked node's grant verifies until it expires)"));
  }

  /**
   * A grant that did not verify: INVALID with the check that refused it, then what the token claims
   * (if it can be read), under a warning that none of it is verified.
   *
   * @param claims the token's claims read without verifying, or null when they cannot be read
   */
  static void invalid(
      PrintWriter out, Ansi ansi, GrantVerificationException e, JsonNode claims, Instant now) {
    out.println(ansi.red("INVALID") + "  " + clean(e.getMessage()));
    row(
        out,
        "reason",
        e.check().reason()
            + (e.check().name().equals(e.check().reason().name())
                ? ""
                : " (check " + e.check() + ")"));
    row(out, "verified at", now.toString());
    if (claims != null) {
      out.println(ansi.yellow("what the token claims (NOT verified):"));
      claims(out, claims, now);
    }
  }

  /** {@code grant inspect}: header and claims under a warning that nothing was verified. */
  static void inspected(PrintWriter out, Ansi ansi, JsonNode header, JsonNode claims, Instant now) {
    out.println(
        ansi.red("NOT VERIFIED")
            + "  read without checking signature, issuer, audience or time: do not trust it");
    out.println("header");
    for (Map.Entry<String, JsonNode> f : header.properties()) {
      row(out, f.getKey(), value(f.getValue()));
    }
    out.println("claims");
    claims(out, claims, now);
  }

  /** The claims, known ones first in CONTRACT §4's order with their names, then any others. */
  private static void claims(PrintWriter out, JsonNode claims, Instant now) {
    for (Map.Entry<String, String> known : LABELS.entrySet()) {
      JsonNode v = claims.get(known.getKey());
      if (v != null) {
        claim(out, known.getValue() + " (" + known.getKey() + ")", v, now);
      }
    }
    for (Map.Entry<String, JsonNode> f : claims.properties()) {
      if (!LABELS.containsKey(f.getKey())) {
        claim(out, f.getKey(), f.getValue(), now);
      }
    }
  }

  private static void claim(PrintWriter out, String label, JsonNode v, Instant now) {
    boolean time = label.endsWith("(iat)") || label.endsWith("(nbf)") || label.endsWith("(exp)");
    if (time && v.canConvertToLong() && v.isIntegralNumber()) {
      row(out, label, v.asLong() + "  " + when(Instant.ofEpochSecond(v.asLong()), now));
    } else if (v.isArray() && v.size() > 0 && allText(v)) {
      List<String> items = new ArrayList<>();
      v.forEach(i -> items.add(i.asText()));
      rows(out, label, items);
    } else {
      row(out, label, value(v));
    }
  }

  private static boolean allText(JsonNode array) {
    for (JsonNode i : array) {
      if (!i.isTextual()) {
        return false;
      }
    }
    return true;
  }

  private static String value(JsonNode v) {
    return v.isTextual() ? v.asText() : v.toString();
  }

  private static void row(PrintWriter out, String label, String value) {
    out.printf(ROW, clean(label), clean(value));
  }

  private static void rows(PrintWriter out, String label, List<String> values) {
    if (values.isEmpty()) {
      row(out, label, "none");
      return;
    }
    row(out, label, values.get(0));
    for (String v : values.subList(1, values.size())) {
      out.printf(ROW, "", clean(v));
    }
  }

  /** An instant, and how far it is from {@code now}: {@code 2026-01-01T00:02:00Z (in 1m 58s)}. */
  static String when(Instant t, Instant now) {
    Duration d = Duration.between(now, t);
    if (d.isZero()) {
      return t + " (now)";
    }
    String span = span(d.abs());
    return t + (d.isNegative() ? " (" + span + " ago)" : " (in " + span + ")");
  }

  /** The two largest units of a duration: {@code 3d 4h}, {@code 1m 58s}, {@code 12s}. */
  static String span(Duration d) {
    long[] amounts = {d.toDays(), d.toHoursPart(), d.toMinutesPart(), d.toSecondsPart()};
    String[] units = {"d", "h", "m", "s"};
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < amounts.length && parts.size() < 2; i++) {
      if (amounts[i] > 0 || !parts.isEmpty()) {
        parts.add(amounts[i] + units[i]);
      }
    }
    if (parts.size() == 2 && parts.get(1).startsWith("0")) {
      parts.remove(1);
    }
    return parts.isEmpty() ? "under 1s" : String.join(" ", parts);
  }

  /** Control characters (escapes, newlines) as '?': a token's text never drives the terminal. */
  static String clean(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (int k = 0; k < s.length(); k++) {
      char c = s.charAt(k);
      boolean control = c < ' ' || (c >= 0x7f && c < 0xa0);
      // and the bidirectional overrides, which reorder what a terminal shows
      boolean bidi = (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
      sb.append(control || bidi || c == 0x200e || c == 0x200f ? '?' : c);
    }
    return sb.toString();
  }

  private static Map<String, String> orderedLabels(String... pairs) {
    Map<String, String> m = new java.util.LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      m.put(pairs[i], pairs[i + 1]);
    }
    return java.util.Collections.unmodifiableMap(m);
  }
}
