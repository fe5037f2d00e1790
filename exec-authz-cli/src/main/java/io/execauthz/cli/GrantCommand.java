package io.execauthz.cli;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.execauthz.ExecutionGraph;
import io.execauthz.ExecutionGraphException;
import io.execauthz.ExecutionNode;
import io.execauthz.NodeSpec;
import io.execauthz.capability.CapabilitySet;
import io.execauthz.capability.CapabilitySyntaxException;
import io.execauthz.jwt.GrantIssuanceException;
import io.execauthz.jwt.GrantIssuer;
import io.execauthz.jwt.GrantToken;
import io.execauthz.jwt.GrantVerificationException;
import io.execauthz.jwt.GrantVerifier;
import io.execauthz.jwt.PublicKeySet;
import io.execauthz.jwt.SigningKey;
import io.execauthz.jwt.VerifiedGrant;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code exec-authz grant …}: mint, verify and inspect grants by hand. */
@Command(
    name = "grant",
    mixinStandardHelpOptions = true,
    description = "Mints, verifies and inspects grants (signed, attenuated JWTs).",
    subcommands = {GrantCommand.Issue.class, GrantCommand.Verify.class, GrantCommand.Inspect.class})
final class GrantCommand implements Runnable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Reads a token's parts strictly: a member named twice (two {@code cap} claims) or anything after
   * the object makes the part malformed, never shown as one of its readings.
   */
  private static final ObjectMapper STRICT =
      JsonMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** {@code exec-authz grant issue …}. */
  @Command(
      name = "issue",
      mixinStandardHelpOptions = true,
      description = {
        "Prints a signed grant, or with --parent an attenuation of one.",
        "",
        "Mints a grant for principal S at audience A with the given capabilities, or with --parent"
            + " a narrower grant from that one: refused with ATTENUATION (exit 1) if it asks for"
            + " more. The compact JWT alone goes to stdout, so TOKEN=$(exec-authz grant issue …)"
            + " captures it; with --format text (the default) one readable line about it goes to"
            + " stderr, with --format json nothing else.",
        "",
        "Exit 0 when issued, 1 when refused, 2 on a bad option."
      },
      footerHeading = "%nExamples:%n",
      footer = {
        "  exec-authz keys generate --out key.json --public jwks.json",
        "  TOKEN=$(exec-authz grant issue --key key.json --iss orchestrator \\",
        "      --sub agent:coder --aud mcp:files --ttl 10m --cap 'fs.read fs:/repo/**')",
        "",
        "  A narrower grant for a sub-agent, from that one:",
        "  exec-authz grant issue --key key.json --iss orchestrator --parent \"$TOKEN\" \\",
        "      --ttl 2m --cap 'fs.read fs:/repo/docs/**'"
      })
  static final class Issue implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--key", required = true, paramLabel = "KEY.json", description = "Private JWK.")
    Path key;

    @Option(names = "--iss", required = true, paramLabel = "I", description = "Issuer name.")
    String iss;

    @Option(
        names = "--sub",
        paramLabel = "S",
        description = "Principal (user:…, agent:…, spiffe://…).")
    String sub;

    @Option(names = "--aud", paramLabel = "A", description = "Audience: the tool server.")
    String aud;

    @Option(
        names = "--ttl",
        defaultValue = "5m",
        paramLabel = "D",
        description = "Lifetime (default 5m).")
    String ttl;

    @Option(
        names = "--cap",
        required = true,
        paramLabel = "CAP",
        description = "A capability; repeat for more.")
    List<String> caps;

    @Option(names = "--parent", paramLabel = "TOKEN", description = "Attenuate this grant.")
    String parent;

    @Option(
        names = "--format",
        paramLabel = "text|json",
        defaultValue = "text",
        description =
            "text (the default): the token on stdout and a readable line on stderr; json: the"
                + " token alone.")
    OutputFormat format;

    @Override
    public Integer call() throws IOException {
      var err = spec.commandLine().getErr();
      Duration lifetime;
      CapabilitySet capabilities;
      try {
        lifetime = Durations.parse(ttl);
        capabilities = CapabilitySet.parse(caps);
      } catch (CapabilitySyntaxException e) {
        err.println("exec-authz: --cap: " + e.getMessage());
        return 2;
      } catch (IllegalArgumentException e) {
        err.println("exec-authz: --ttl: " + e.getMessage());
        return 2;
      }
      SigningKey signingKey = SigningKey.read(key);
      // one instant for the whole command, so the node's deadline and the grant's iat agree
      InstantSource now = InstantSource.fixed(InstantSource.system().instant());
      // a command line sees no graph and no registry: a --parent is attenuated on its signature
      // and time alone (its node may have ended; the tool server's verifier still checks that)
      GrantIssuer issuer =
          GrantIssuer.newBuilder()
              .signingKey(signingKey)
              .issuer(iss)
              .clock(now)
              .withoutRevocationChecks()
              .build();
      try {
        GrantToken token;
        if (parent != null) {
          token = issuer.attenuate(parent.strip(), capabilities, lifetime);
        } else {
          if (sub == null || aud == null) {
            err.println("exec-authz: --sub and --aud are required without --parent");
            return 2;
          }
          // a grant is minted for a node: the one-node execution these options describe
          ExecutionGraph graph = ExecutionGraph.newBuilder().clock(now).build();
          ExecutionNode node =
              graph.spawn(
                  NodeSpec.builder("cli")
                      .kind("session")
                      .principal(sub)
                      .capabilities(capabilities)
                      .ttl(lifetime)
                      .build());
          token = issuer.mint(node, aud, lifetime);
        }
        spec.commandLine().getOut().println(token.compact());
        if (format == OutputFormat.TEXT) {
          // stdout stays the token alone (CONTRACT §6); people read what they got on stderr
          err.println(GrantText.issued(token.compact(), now.instant()));
        }
        return 0;
      } catch (GrantIssuanceException e) {
        err.println(e.getMessage());
        return 1;
      } catch (GrantVerificationException e) {
        err.println("exec-authz: --parent: " + e.getMessage());
        return 1;
      } catch (ExecutionGraphException e) {
        err.println("exec-authz: " + e.getMessage());
        return 2;
      }
    }
  }

  /**
   * {@code exec-authz grant verify --jwks JWKS.json --iss I --aud A [--at INSTANT] [--format
   * text|json] TOKEN}.
   */
  @Command(
      name = "verify",
      mixinStandardHelpOptions = true,
      description = {
        "Verifies a grant offline: what it grants, or why it is invalid.",
        "",
        "Checks the grant as a tool server does (signature, issuer, audience, time), but without a"
            + " revocation registry: a revoked node's grant verifies until its exp. Prints VALID"
            + " with the principal, node, graph, capabilities, expiry and delegation chain (exit"
            + " 0), or INVALID with the check that refused it (exit 1); with --format json the"
            + " claims as JSON. Either way a refusal is also one line on stderr: INVALID_GRANT"
            + " <check>, EXPIRED, ...",
        "",
        "Exit 0 when valid, 1 when not, 2 on a bad option."
      },
      footerHeading = "%nExamples:%n",
      footer = {
        "  exec-authz grant verify --jwks jwks.json --iss orchestrator \\",
        "      --aud mcp:files \"$TOKEN\"",
        "  exec-authz grant verify --format json --jwks jwks.json --iss orchestrator \\",
        "      --aud mcp:files \"$TOKEN\" | jq -r .sub"
      })
  static final class Verify implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--jwks",
        required = true,
        paramLabel = "JWKS.json",
        description = "Public JWK set.")
    Path jwks;

    @Option(names = "--iss", required = true, paramLabel = "I", description = "Expected issuer.")
    String iss;

    @Option(
        names = "--aud",
        required = true,
        paramLabel = "A",
        description = "This server's audience.")
    String aud;

    @Option(
        names = "--at",
        paramLabel = "INSTANT",
        description = "Verify as of this instant (RFC 3339).")
    String at;

    @Option(
        names = "--format",
        paramLabel = "text|json",
        defaultValue = "text",
        description = "Readable lines (text, the default) or the claims as JSON (json).")
    OutputFormat format;

    @Parameters(paramLabel = "TOKEN", description = "The grant.")
    String token;

    @Override
    public Integer call() throws IOException {
      var err = spec.commandLine().getErr();
      var out = spec.commandLine().getOut();
      InstantSource clock = InstantSource.system();
      if (at != null) {
        try {
          clock = InstantSource.fixed(OffsetDateTime.parse(at).toInstant());
        } catch (DateTimeParseException e) {
          err.println("exec-authz: --at: expected an RFC 3339 instant, found '" + at + "'");
          return 2;
        }
      }
      GrantVerifier verifier =
          GrantVerifier.newBuilder()
              .keys(PublicKeySet.read(jwks))
              .issuer(iss)
              .audience(aud)
              .clock(clock)
              .withoutRevocationChecks()
              .build();
      // the instant shown: --at as given, or now to the second (the verifier reads its own clock)
      Instant now = at != null ? clock.instant() : clock.instant().truncatedTo(ChronoUnit.SECONDS);
      VerifiedGrant verified;
      try {
        verified = verifier.verify(token.strip());
      } catch (GrantVerificationException e) {
        if (format == OutputFormat.TEXT) {
          GrantText.invalid(out, Main.ansi(spec), e, readableClaims(token.strip()), now);
          out.flush();
        }
        String reason = e.check().reason().name();
        // the message starts with the check's name: "AUDIENCE: …", "EXPIRED: …"
        err.println(
            reason.equals("INVALID_GRANT") ? "INVALID_GRANT " + e.getMessage() : e.getMessage());
        return 1;
      }
      if (format == OutputFormat.TEXT) {
        GrantText.valid(out, Main.ansi(spec), verified, now);
        out.flush();
        return 0;
      }
      out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(part(token.strip(), 1)));
      return 0;
    }

    /** The claims of a token that did not verify, to show as such; null when unreadable. */
    private static JsonNode readableClaims(String token) {
      try {
        return part(token, 1);
      } catch (IllegalArgumentException e) {
        return null;
      }
    }
  }

  /** {@code exec-authz grant inspect [--format text|json] TOKEN}. */
  @Command(
      name = "inspect",
      mixinStandardHelpOptions = true,
      description = {
        "Prints a grant's header and claims WITHOUT verifying it.",
        "",
        "Never checks or prints the signature: what it shows may be forged. Prints them labelled,"
            + " with times absolute and relative, under NOT VERIFIED; with --format json one JSON"
            + " object with \"verified\": false.",
        "",
        "Exit 0 when shown, 2 when it is not a compact JWS of JSON objects, or names a member"
            + " twice."
      })
  static final class Inspect implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--format",
        paramLabel = "text|json",
        defaultValue = "text",
        description = "Readable lines (text, the default) or one JSON object (json).")
    OutputFormat format;

    @Parameters(paramLabel = "TOKEN", description = "The grant.")
    String token;

    @Override
    public Integer call() throws IOException {
      JsonNode header;
      JsonNode claims;
      try {
        header = part(token.strip(), 0);
        claims = part(token.strip(), 1);
      } catch (IllegalArgumentException e) {
        spec.commandLine()
            .getErr()
            .println("exec-authz: not a grant (malformed): " + oneLine(e.getMessage()));
        return 2;
      }
      if (format == OutputFormat.TEXT) {
        var out = spec.commandLine().getOut();
        Instant now = InstantSource.system().instant().truncatedTo(ChronoUnit.SECONDS);
        GrantText.inspected(out, Main.ansi(spec), header, claims, now);
        out.flush();
        return 0;
      }
      ObjectNode out = JSON.createObjectNode();
      out.set("header", header);
      out.set("claims", claims);
      out.put("verified", false);
      spec.commandLine()
          .getOut()
          .println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(out));
      return 0;
    }
  }

  /**
   * Decodes part {@code i} (0 header, 1 claims) of a compact JWS; never the signature.
   *
   * @throws IllegalArgumentException saying why the part is malformed, on one line
   */
  static JsonNode part(String token, int i) {
    String[] parts = token.split("\\.", -1);
    if (parts.length != 3) {
      throw new IllegalArgumentException(
          "expected three dot-separated parts, found " + parts.length);
    }
    if (token.length() > 64 * 1024) {
      throw new IllegalArgumentException("longer than 64 KiB");
    }
    String what = i == 0 ? "header" : "claims";
    byte[] bytes;
    try {
      bytes = Base64.getUrlDecoder().decode(parts[i]);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(what + " is not base64url: " + e.getMessage(), e);
    }
    JsonNode n;
    try {
      n = STRICT.readTree(new String(bytes, StandardCharsets.UTF_8));
    } catch (JsonParseException e) {
      String m = e.getOriginalMessage();
      if (m != null && m.startsWith("Duplicate field")) {
        throw new IllegalArgumentException(
            what + ": the member " + m.substring("Duplicate field ".length()) + " is named twice",
            e);
      }
      throw new IllegalArgumentException(what + " is not JSON", e);
    } catch (IOException e) {
      throw new IllegalArgumentException(what + " is not JSON", e);
    }
    if (n == null || !n.isObject()) {
      throw new IllegalArgumentException(what + " is not a JSON object");
    }
    return n;
  }

  /** A message for one line of stderr: control characters (a newline in a member name) as '?'. */
  private static String oneLine(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (int k = 0; k < s.length(); k++) {
      char c = s.charAt(k);
      sb.append(c < ' ' || c == 0x7f ? '?' : c);
    }
    return sb.toString();
  }
}
