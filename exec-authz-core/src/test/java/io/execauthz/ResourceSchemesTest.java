package io.execauthz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

import io.execauthz.capability.Capability;
import io.execauthz.capability.CapabilitySyntaxException;
import io.execauthz.capability.ResourceCanonicalizer;
import io.execauthz.capability.ResourcePattern;
import io.execauthz.capability.ResourceSchemes;
import io.execauthz.spi.GrantSource;
import io.execauthz.spi.PolicyDecision;
import io.execauthz.spi.PolicyEngine;
import io.execauthz.spi.PolicyRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

final class ResourceSchemesTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final ResourceSchemes DEFAULTS = ResourceSchemes.defaults();

  private static void assertRefused(
      ResourceSchemes schemes, String text, int position, String problem) {
    assertThatThrownBy(() -> schemes.resource(text))
        .as("resource %s", text)
        .asInstanceOf(type(CapabilitySyntaxException.class))
        .satisfies(
            e -> {
              assertThat(e.position()).as("position in %s", text).isEqualTo(position);
              assertThat(e.input()).isEqualTo(text);
              assertThat(e.getMessage()).contains(problem);
            });
  }

  // ---------------------------------------------------------------- every scheme

  @ParameterizedTest(name = "[{index}] {0} fails at {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "fs:/repo/a\\u0000b      | 10 | NUL U+0000",
        "fs:/repo/a\\u0085b      | 10 | control character U+0085",
        "fs:/repo/a\\u009bb      | 10 | control character U+009B",
        "fs:/repo/a\\u2028b      | 10 | line or paragraph separator U+2028",
        "fs:/repo/a\\u2029b      | 10 | line or paragraph separator U+2029",
        "fs:/repo/\\u202egpj.exe | 9  | format character (invisible or bidirectional control) U+202E",
        "fs:/repo/a\\u2066b      | 10 | format character (invisible or bidirectional control) U+2066",
        "fs:/repo/a\\u200bb      | 10 | format character (invisible or bidirectional control) U+200B",
        "fs:/repo/\\ufeffa       | 9  | format character (invisible or bidirectional control) U+FEFF",
        "fs:/repo/a\\u00a0b      | 10 | whitespace U+00A0",
        "fs:/repo/a\\u3000b      | 10 | whitespace U+3000",
        "tool:git\\u00adhub/x    | 8  | format character (invisible or bidirectional control) U+00AD",
        "secret:A\\u0001         | 8  | control character U+0001",
        "fs:/repo/e\\u0301       | 9  | not in Unicode NFC",
        "fs:/repo/\\u212b        | 9  | not in Unicode NFC",
        "tool:cafe\\u0301        | 8  | not in Unicode NFC",
        "fs:/repo/\\ud800x       | 9  | unpaired surrogate",
        "fs:/repo/x\\udc00       | 10 | unpaired surrogate",
      })
  void everyScheme_invisibleOrUnnormalizedText_isRefusedAtItsPosition(
      String escaped, int position, String problem) {
    assertRefused(DEFAULTS, unescape(escaped), position, problem);
  }

  @Test
  void refusalMessages_neverCarryTheInvisibleCharacters() {
    String bidi = "fs:/repo/\u202egpj.exe";

    assertThatThrownBy(() -> DEFAULTS.resource(bidi))
        .hasMessageContaining("\\u202e")
        .hasMessageNotContaining("\u202e");
  }

  @Test
  void nfcText_andSurrogatePairs_areAccepted() {
    assertThat(DEFAULTS.canonical("fs:/repo/caf\u00e9/\ud83d\ude00.txt"))
        .isEqualTo("fs:/repo/caf\u00e9/\ud83d\ude00.txt");
  }

  @Test
  void scheme_isCaseInsensitive_andCanonicallyLowerCase() {
    assertThat(DEFAULTS.canonical("FS:/repo/a")).isEqualTo("fs:/repo/a");
    assertThat(DEFAULTS.canonical("Tool:github/x")).isEqualTo("tool:github/x");
    assertThat(
            ResourcePattern.parse("FS:/repo/**")
                .covers(ResourcePattern.parseConcrete("fs:/repo/a")))
        .isTrue();
    assertThat(Capability.parse("fs.read FS:/repo/**")).hasToString("fs.read fs:/repo/**");
  }

  // ---------------------------------------------------------------- fs

  @ParameterizedTest(name = "[{index}] {0} fails at {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "fs:/repo/src/%2e%2e/%2e%2e/etc/passwd | 13 | percent-escapes are not allowed in fs: paths",
        "fs:/repo/%73rc/b.java                 | 9  | percent-escapes are not allowed in fs: paths",
        "fs:/repo/src/%2eenv                   | 13 | percent-escapes are not allowed in fs: paths",
        "fs:/repo/src/..\\..\\etc\\passwd      | 15 | backslashes are not allowed in fs: paths",
        "fs:/repo/src\\b.java                  | 12 | backslashes are not allowed in fs: paths",
        "fs:/repo/src/.env.                    | 17 | may not end in '.'",
        "fs:/repo/src/...                      | 15 | may not end in '.'",
        "fs:/repo/../etc                       | 9  | path segment '..' is not allowed",
        "fs:/repo/./a                          | 9  | path segment '.' is not allowed",
        "fs:/repo//a                           | 9  | empty path segment",
        "fs:/repo/a/                           | 11 | empty path segment",
      })
  void fs_escapesBackslashesDotsAndEmptySegments_areRefusedAtTheirPosition(
      String text, int position, String problem) {
    assertRefused(DEFAULTS, text, position, problem);
  }

  @Test
  void fs_ordinaryNames_areTheirOwnCanonicalForm() {
    for (String s :
        List.of(
            "fs:/repo/.env",
            "fs:/repo/a.b/...x/.c",
            "fs:/repo/src/Main.java",
            "fs:relative/a",
            "fs:/repo/~tmp#1:2@x")) {
      assertThat(DEFAULTS.canonical(s)).as(s).isEqualTo(s);
    }
  }

  @ParameterizedTest(name = "[{index}] {0} fails at {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "fs.write fs:/repo/%73rc/**        | 18 | percent-escapes are not allowed in fs: paths",
        "fs.write fs:/repo\\src/**         | 17 | backslashes are not allowed in fs: paths",
        "fs.write fs:/repo/e\\u0301/**     | 18 | not in Unicode NFC",
        "fs.write fs:/repo/\\u202e/**      | 18 | format character",
        "net.connect net:*.example.com:443 | 16 | '*' must be a whole segment",
        "net.connect net:a_b.example.com   | 16 | not a valid host name",
      })
  void capabilityPatterns_areHeldToTheCanonicalRulesAtParse(
      String escaped, int position, String problem) {
    String text = unescape(escaped);

    assertThatThrownBy(() -> Capability.parse(text))
        .asInstanceOf(type(CapabilitySyntaxException.class))
        .satisfies(
            e -> {
              assertThat(e.position()).isEqualTo(position);
              assertThat(e.getMessage()).contains(problem);
            });
  }

  @Test
  void claimPatterns_areHeldToTheCanonicalRulesAtParse() {
    assertThatThrownBy(() -> NodeSpec.builder("b").claims("fs:/repo/%73rc/**"))
        .asInstanceOf(type(CapabilitySyntaxException.class))
        .satisfies(e -> assertThat(e.position()).isEqualTo(9));
  }

  private static final ResourceSchemes WINDOWS =
      DEFAULTS.with("fs", ResourceCanonicalizer.windowsPaths()).caseInsensitive("fs");

  @ParameterizedTest(name = "[{index}] {0} fails at {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "fs:/C:/repo/.env::$DATA     | 16 | ':' is only allowed after a drive letter",
        "fs:/C:/repo/a:b             | 13 | ':' is only allowed after a drive letter",
        "fs:/repo/C:/x               | 10 | ':' is only allowed after a drive letter",
        "fs:/C:/PROGRA~1/x           | 13 | 8.3 short name",
        "fs:/C:/repo/NUL             | 12 | names a Windows device",
        "fs:/C:/repo/con.txt         | 12 | names a Windows device",
        "fs:/C:/repo/COM\u00b9.log  | 12 | names a Windows device",
        "fs:/C:/repo/a?.txt          | 13 | wildcard or redirection",
        "fs:/C:/repo/a<b             | 13 | wildcard or redirection",
        "fs:/C:/repo/a%2e            | 13 | percent-escapes",
        "fs:/C:/repo/a.env.          | 17 | may not end in '.'",
      })
  void windowsPaths_streamsShortNamesDevicesAndWildcards_areRefused(
      String escaped, int position, String problem) {
    assertRefused(WINDOWS, unescape(escaped), position, problem);
  }

  @Test
  void windowsPaths_ordinaryPaths_foldToOneSpelling() {
    assertThat(WINDOWS.canonical("fs:/C:/Repo/Src/Main.java"))
        .isEqualTo("fs:/c:/repo/src/main.java");
    assertThat(WINDOWS.canonical("fs:C:/a/consul.txt")).isEqualTo("fs:c:/a/consul.txt");
    assertThat(WINDOWS.pattern("fs:/C:/repo/*/**")).hasToString("fs:/C:/repo/*/**");
  }

  // ---------------------------------------------------------------- URLs and hosts

  @ParameterizedTest(name = "[{index}] {0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "https://Example.COM:443/a/b          | https://example.com/a/b",
        "HTTPS://example.com                   | https://example.com",
        "https://example.com/                  | https://example.com",
        "https://example.com.:00443/           | https://example.com",
        "https://example.com:/x                | https://example.com/x",
        "https://example.com:8443/x            | https://example.com:8443/x",
        "http://example.com:80/x               | http://example.com/x",
        "http://example.com:443/x              | http://example.com:443/x",
        "https://b\\u00fccher.de/x             | https://xn--bcher-kva.de/x",
        "https://B\\u00dcCHER.de/x             | https://xn--bcher-kva.de/x",
        "https://xn--bcher-kva.de/x            | https://xn--bcher-kva.de/x",
        "https://\\uff25\\uff38\\uff21\\uff2d\\uff30\\uff2c\\uff25.com/ | https://example.com",
        "https://example.com/%7e%41%62/x      | https://example.com/~Ab/x",
        "https://example.com/a%3ab            | https://example.com/a%3Ab",
        "https://example.com/caf\\u00e9        | https://example.com/caf%C3%A9",
        "https://example.com/a%20b            | https://example.com/a%20b",
        "https://example.com/a{b}             | https://example.com/a%7Bb%7D",
        "https://example.com?q=1              | https://example.com/?q=1",
        "https://example.com/s?u=a%2fb        | https://example.com/s?u=a%2Fb",
        "https://127.0.0.1:8443/x             | https://127.0.0.1:8443/x",
        "https://[::1]/x                       | https://[0:0:0:0:0:0:0:1]/x",
        "https://[0:0::1]:443                  | https://[0:0:0:0:0:0:0:1]",
        "net:API.Example.com:443               | net:api.example.com:443",
        "net:api.example.com:0443              | net:api.example.com:443",
        "net:b\\u00fccher.de                   | net:xn--bcher-kva.de",
        "net:[::1]:22                          | net:[0:0:0:0:0:0:0:1]:22",
      })
  void urlsAndHosts_haveOneCanonicalSpelling(String escaped, String canonical) {
    String text = unescape(escaped);

    assertThat(DEFAULTS.canonical(text)).isEqualTo(canonical);
    assertThat(DEFAULTS.canonical(canonical)).as("idempotent").isEqualTo(canonical);
  }

  @ParameterizedTest(name = "[{index}] {0} fails at {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "https:example.com              | 6  | expected '//' and a host",
        "https://user@example.com/      | 12 | user information",
        "https://example.com/a#frag     | 21 | fragment",
        "https://example.com/a\\b       | 21 | backslashes are not allowed in URLs",
        "https://example.com/a%2fb      | 21 | an escaped '/' or '\\' is not allowed",
        "https://example.com/a%5cb      | 21 | an escaped '/' or '\\' is not allowed",
        "https://example.com/%2e%2e/x   | 20 | path segment '..' is not allowed",
        "https://example.com/a/%2E      | 22 | path segment '.' is not allowed",
        "https://example.com/v1/..;x/a  | 23 | path segment '..' is not allowed",
        "https://example.com/%252e%252e | 20 | double-encoded escape",
        "https://example.com//a         | 20 | empty path segment",
        "https://example.com/a%00       | 21 | escaped control character",
        "https://example.com/a%zz       | 21 | malformed percent-escape",
        "https://example.com/a%4        | 21 | malformed percent-escape",
        "https://example.com:0/         | 20 | a port is a decimal number",
        "https://example.com:65536/     | 20 | a port is a decimal number",
        "https://example.com:8o/        | 21 | a port is a decimal number",
        "https://127.1/                 | 8  | must be written as four decimal numbers",
        "https://0x7f.0.0.1/            | 8  | must be written as four decimal numbers",
        "https://1.2.3.04/              | 8  | must be written as four decimal numbers",
        "https://256.1.1.1/             | 8  | must be written as four decimal numbers",
        "https://-a.example/            | 8  | not a valid host name",
        "https://a..b/                  | 8  | not a valid host name",
        "https://fa\\u00df.de/          | 10 | IDNA2003 and IDNA2008",
        "https://[::1%25eth0]/          | 12 | zone ids are refused",
        "https://[::ffff:1.2.3.4]/      | 9  | IPv4-mapped",
        "https://[::1/                  | 8  | expected ']'",
        "https://*.example.com/         | 8  | '*' must be a whole segment",
        "https://example.com/*          | 20 | a requested resource cannot contain a wildcard",
        "net:api.example.com/x          | 19 | host[:port], without '/'",
      })
  void urlsAndHosts_withoutACanonicalSpelling_areRefusedAtTheirPosition(
      String escaped, int position, String problem) {
    assertRefused(DEFAULTS, unescape(escaped), position, problem);
  }

  @Test
  void urlPatterns_areCanonicalizedAtParse() {
    assertThat(ResourcePattern.parse("HTTPS://API.example.com:443/v1/**"))
        .hasToString("https://api.example.com/v1/**");
    assertThat(
            ResourcePattern.parse("https://**")
                .covers(ResourcePattern.parseConcrete("https://x.org/a")))
        .isTrue();
    assertThat(
            ResourcePattern.parse("https:**")
                .covers(ResourcePattern.parseConcrete("https://x.org")))
        .isTrue();
    assertThat(
            ResourcePattern.parse("https://*/v1/**")
                .covers(ResourcePattern.parseConcrete("https://API.example.com:443/v1/a")))
        .isTrue();
    assertThat(
            ResourcePattern.parse("https://api.example.com/v1/**")
                .covers(ResourcePattern.parseConcrete("https://api.example.com:8443/v1/a")))
        .isFalse();
  }

  // ---------------------------------------------------------------- the registry

  @Test
  void with_registersACanonicalizerForAScheme_positionsCountInTheWholeText() {
    ResourceCanonicalizer upper =
        path -> {
          int bad = path.indexOf('!');
          if (bad >= 0) {
            throw new CapabilitySyntaxException(path, bad, "no '!' in a bucket key");
          }
          return path.toUpperCase(Locale.ROOT);
        };
    ResourceSchemes schemes = DEFAULTS.with("S3", upper);

    assertThat(schemes.canonicalizer("s3")).isSameAs(upper);
    assertThat(schemes.canonical("s3:bucket/key")).isEqualTo("s3:BUCKET/KEY");
    assertRefused(schemes, "s3:bucket/k!ey", 11, "no '!' in a bucket key");
    assertThat(DEFAULTS.canonical("s3:bucket/key"))
        .as("defaults unchanged")
        .isEqualTo("s3:bucket/key");
    assertThat(DEFAULTS.with("https", ResourceCanonicalizer.generic()).canonical("https:X"))
        .isEqualTo("https:X");
  }

  @Test
  void with_aCanonicalizerThatProducesForbiddenText_isRefused() {
    ResourceSchemes schemes =
        DEFAULTS
            .with("x", path -> path + "\u0000")
            .with("y", path -> path + "/..")
            .with("z", path -> "");

    assertRefused(schemes, "x:a", 2, "canonicalizer returned a malformed path: NUL U+0000");
    assertRefused(schemes, "y:a", 2, "path segment '..' is not allowed");
    assertRefused(schemes, "z:a", 2, "returned no path");
  }

  @Test
  void with_badSchemeNames_areRefused() {
    assertThatThrownBy(() -> DEFAULTS.with("1fs", ResourceCanonicalizer.generic()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a scheme name");
    assertThatThrownBy(() -> DEFAULTS.caseInsensitive("f s"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ResourceCanonicalizer.urls(0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void registries_areValues() {
    assertThat(DEFAULTS.caseInsensitive("FS")).isEqualTo(DEFAULTS.caseInsensitive("fs"));
    assertThat(DEFAULTS.caseInsensitive("fs")).isNotEqualTo(DEFAULTS);
    assertThat(DEFAULTS.with("s3", ResourceCanonicalizer.urls(443)))
        .isEqualTo(DEFAULTS.with("s3", ResourceCanonicalizer.urls(443)))
        .hasSameHashCodeAs(DEFAULTS.with("s3", ResourceCanonicalizer.urls(443)));
    assertThat(DEFAULTS.isCaseInsensitive("fs")).isFalse();
    assertThat(DEFAULTS.caseInsensitive("fs").isCaseInsensitive("FS")).isTrue();
  }

  @Test
  void caseInsensitiveScheme_foldsRequestsAndComparesPatternsFolded() {
    ResourceSchemes ci = DEFAULTS.caseInsensitive("fs");

    ResourcePattern r = ci.resource("fs:/Repo/SRC/.ENV");
    assertThat(r).hasToString("fs:/repo/src/.env");
    assertThat(ResourcePattern.parse("fs:/REPO/src/**").covers(r)).isTrue();
    assertThat(ResourcePattern.parse("fs:/repo/*/.Env").covers(r)).isTrue();
    assertThat(ResourcePattern.parse("fs:/repo/lib/**").covers(r)).isFalse();
    assertThat(ci.canonical("fs:/repo/\u017frc")).as("long s folds to s").isEqualTo("fs:/repo/src");
    assertThat(ci.canonical("tool:GitHub/X"))
        .as("other schemes keep case")
        .isEqualTo("tool:GitHub/X");
    assertThat(ci.pattern("fs:/REPO/**").overlaps(ci.pattern("fs:/repo/a/*"))).isTrue();
    assertThat(ResourcePattern.parse("fs:/REPO/**").overlaps(ResourcePattern.parse("fs:/repo/a")))
        .as("patterns from the defaults stay case-sensitive")
        .isFalse();
  }

  // ---------------------------------------------------------------- through the authorizer

  private final MutableClock clock = new MutableClock(T0);
  private final ExecutionGraph graph =
      ExecutionGraph.newBuilder().clock(clock).random(new SplittableRandom(3)).build();

  private static Decision.Deny assertDeny(Decision d, Reason reason) {
    assertThat(d).as("decision").isInstanceOf(Decision.Deny.class);
    Decision.Deny deny = (Decision.Deny) d;
    assertThat(deny.reason()).as("reason of %s", deny).isEqualTo(reason);
    return deny;
  }

  /** A permit-all engine that records what it was asked. */
  private static final class Recording implements PolicyEngine {
    final List<String> resources = new ArrayList<>();

    @Override
    public PolicyDecision evaluate(PolicyRequest request) {
      resources.add(request.resource());
      return new PolicyDecision(!request.resource().endsWith("/.env"), List.of("p"), List.of());
    }

    @Override
    public boolean readsTime() {
      return false;
    }
  }

  @Test
  void authorizer_sendsAndCachesOnlyTheCanonicalText() {
    graph.spawn(
        NodeSpec.builder("n")
            .principal("user:a")
            .capabilities("net.call https://api.example.com/**")
            .build());
    Recording engine = new Recording();
    Authorizer authz =
        Authorizer.newBuilder().graph(graph).policyEngine(engine).admitEveryAnswer().build();

    for (String spelling :
        List.of(
            "https://api.example.com/v1/x",
            "HTTPS://API.EXAMPLE.COM:443/v1/x",
            "https://api.example.com.:443/v1/%78")) {
      assertThat(authz.authorize("n", "net.call", spelling))
          .as(spelling)
          .isInstanceOf(Decision.Permit.class);
    }

    assertThat(engine.resources).containsExactly("https://api.example.com/v1/x");
    assertThat(authz.cacheStats().hits()).isEqualTo(2);
  }

  @Test
  void authorizer_refusalDetail_saysNotCanonicalAndWhy() {
    graph.spawn(
        NodeSpec.builder("w").principal("user:a").capabilities("fs.write fs:/repo/**").build());
    Authorizer authz =
        Authorizer.newBuilder().graph(graph).policyEngine(PolicyEngine.permitAll()).build();

    Decision.Deny d =
        assertDeny(authz.authorize("w", "fs.write", "fs:/repo/%2e%2e/etc/passwd"), Reason.ERROR);

    assertThat(d.detail())
        .startsWith("malformed request: the resource is not in canonical form: ")
        .contains("percent-escapes are not allowed in fs: paths")
        .contains("position 9");
  }

  @Test
  void authorizer_caseInsensitiveFs_noCaseSpellingPassesAForbidOrAClaim() {
    graph.spawn(NodeSpec.builder("s").principal("user:a").capabilities("fs.* fs:/repo/**").build());
    graph.spawn(
        "s",
        NodeSpec.builder("b1").capabilities("fs.* fs:/repo/**").claims("fs:/repo/src/**").build());
    graph.spawn("s", NodeSpec.builder("b2").capabilities("fs.* fs:/repo/**").build());
    Recording engine = new Recording();
    Authorizer ci =
        Authorizer.newBuilder()
            .graph(graph)
            .policyEngine(engine)
            .resourceSchemes(DEFAULTS.caseInsensitive("fs"))
            .build();
    Authorizer cs = Authorizer.newBuilder().graph(graph).policyEngine(engine).build();

    assertDeny(ci.authorize("b2", "fs.write", "fs:/REPO/Src/b.java"), Reason.CLAIMED);
    assertDeny(ci.authorize("b1", "fs.write", "fs:/repo/src/.ENV"), Reason.POLICY);
    assertThat(ci.authorize("b1", "fs.write", "fs:/REPO/SRC/b.java"))
        .isInstanceOf(Decision.Permit.class);
    // the same requests on a case-sensitive authorizer name other files
    assertDeny(cs.authorize("b2", "fs.write", "fs:/REPO/Src/b.java"), Reason.OUT_OF_SCOPE);
    assertThat(cs.authorize("b1", "fs.write", "fs:/repo/src/.ENV"))
        .isInstanceOf(Decision.Permit.class);
  }

  @Test
  void authorizerOnGrants_canonicalizesLikeTheGraph() {
    graph.spawn(
        NodeSpec.builder("t").principal("user:a").capabilities("fs.write fs:/repo/src/**").build());
    ExecutionView view = graph.node("t").view();
    GrantSource grants = token -> new GrantSource.Accepted(view, token);
    Authorizer toolServer =
        Authorizer.newBuilder()
            .policyEngine(PolicyEngine.permitAll())
            .clock(clock)
            .grantSource(grants)
            .build();

    assertDeny(
        toolServer.authorize(
            "jti", AuthorizationRequest.of("", "fs.write", "fs:/repo/src/%2e%2e/x")),
        Reason.ERROR);
    assertThat(
            toolServer.authorize("jti", AuthorizationRequest.of("", "fs.write", "FS:/repo/src/x")))
        .isInstanceOf(Decision.Permit.class);
  }

  @Test
  void builder_resourceSchemes_isSetOnce() {
    Authorizer.Builder b = Authorizer.newBuilder().resourceSchemes(DEFAULTS);

    assertThatThrownBy(() -> b.resourceSchemes(DEFAULTS))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("resourceSchemes");
  }

  /** Reads {@code \}{@code uXXXX} escapes, so that test tables can hold invisible characters. */
  private static String unescape(String s) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      if (s.startsWith("\\u", i) && i + 6 <= s.length()) {
        sb.append((char) Integer.parseInt(s.substring(i + 2, i + 6), 16));
        i += 5;
      } else {
        sb.append(s.charAt(i));
      }
    }
    return sb.toString();
  }
}
