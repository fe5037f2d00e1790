package io.execauthz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import io.execauthz.capability.CapabilitySyntaxException;
import io.execauthz.capability.ResourcePattern;
import io.execauthz.capability.ResourceSchemes;
import io.execauthz.spi.PolicyDecision;
import io.execauthz.spi.PolicyEngine;
import io.execauthz.spi.PolicyRequest;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.function.LongConsumer;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Property suite for canonical resources (CONTRACT §1 "Canonical form", ARCHITECTURE §6 invariant
 * 9), through a real {@link Authorizer} on a real {@link ExecutionGraph}, over seeded {@link
 * Random} generators. Every case is one dynamic test named by its seed, and every assertion names
 * the seed and the spelling. Replay one case with {@code -Dexecauthz.properties.seed=N
 * -Dexecauthz.properties.cases=1}.
 *
 * <p>Spellings are built from segments, dots (plain, escaped, double-escaped and look-alike),
 * separators (slash, backslash, escaped, look-alike), percent-escapes of ordinary letters,
 * combining characters, invisible characters and case changes. The oracle, {@link #read}, is a
 * deliberately sloppy tool: it percent-decodes until nothing changes, maps compatibility and
 * best-fit look-alikes of {@code . / \ %} to ASCII, drops format characters, stops at a NUL, reads
 * backslashes as slashes, normalizes to NFC, trims Windows' trailing dots and resolves {@code .}
 * and {@code ..} — independently of the code under test.
 */
final class CanonicalResourceProperties {
  private static final int CASES = Integer.getInteger("execauthz.properties.cases", 1000);
  private static final long FIRST_SEED = Long.getLong("execauthz.properties.seed", 20261201L);
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  // ---------------------------------------------------------------- the generator

  private static final String[] NAMES = {
    "src", "etc", "passwd", "a", "b.java", ".env", "repo", "caf\u00e9", "x.y", "~tmp",
  };
  private static final String[] SEPARATORS = {
    "/", "\\", "%2f", "%2F", "%5c", "%5C", "//", "%252f", "\u2215", "\uff0f", "\uff3c", "\u00a5",
  };
  private static final String[] DOTS = {
    ".",
    "..",
    "%2e",
    "%2E",
    "%2e%2e",
    ".%2e",
    "%2e.",
    "%252e%252e",
    "\uff0e\uff0e",
    "\u2025",
    "...",
    "a.",
    "\ufe52",
    "..%00",
  };
  private static final String[] ODD = {
    "\u0000", "\u200b", "\u202e", "\u0085", "\u2028", "\ufeff", "e\u0301", "\u212b", "\u0301",
    "%00", "%", "%zz", " ",
  };

  /** A random spelling of a path under {@code fs:}; {@code cased} adds case changes. */
  private static String spelling(Random r, boolean cased) {
    String[] bases = {"/repo/src/", "/repo/", "/", "/repo/src", "/repo/x/"};
    StringBuilder sb = new StringBuilder(bases[r.nextInt(bases.length)]);
    int n = r.nextInt(7);
    for (int i = 0; i < n; i++) {
      int kind = r.nextInt(10);
      String piece =
          switch (kind) {
            case 0, 1, 2 -> NAMES[r.nextInt(NAMES.length)];
            case 3 -> SEPARATORS[r.nextInt(SEPARATORS.length)];
            case 4, 5 -> DOTS[r.nextInt(DOTS.length)];
            case 6 -> escapeOne(r, r.nextBoolean() ? "src" : NAMES[r.nextInt(NAMES.length)]);
            case 7 -> ODD[r.nextInt(ODD.length)];
            default -> "/";
          };
      if (cased && r.nextInt(3) == 0) {
        piece = r.nextBoolean() ? piece.toUpperCase(Locale.ROOT) : flipOne(r, piece);
      }
      sb.append(piece);
      if (r.nextInt(3) > 0) {
        sb.append('/');
      }
    }
    if (r.nextInt(4) == 0 && sb.length() > 1 && sb.charAt(sb.length() - 1) == '/') {
      sb.setLength(sb.length() - 1);
    }
    String path = sb.toString();
    return (r.nextInt(10) == 0 ? "FS:" : "fs:") + path;
  }

  /** The name with one of its characters percent-escaped ({@code %73rc}), as UTF-8. */
  private static String escapeOne(Random r, String name) {
    int i = r.nextInt(name.length());
    StringBuilder sb = new StringBuilder(name.substring(0, i));
    for (byte b : name.substring(i, i + 1).getBytes(StandardCharsets.UTF_8)) {
      sb.append(String.format(r.nextBoolean() ? "%%%02x" : "%%%02X", b & 0xff));
    }
    return sb.append(name.substring(i + 1)).toString();
  }

  private static String flipOne(Random r, String s) {
    if (s.isEmpty()) {
      return s;
    }
    int i = r.nextInt(s.length());
    char c = s.charAt(i);
    char f = Character.isUpperCase(c) ? Character.toLowerCase(c) : Character.toUpperCase(c);
    return s.substring(0, i) + f + s.substring(i + 1);
  }

  // ---------------------------------------------------------------- the oracle

  /**
   * The file a sloppy tool would touch for this resource: the absolute path after every decoding,
   * mapping and normalization the tool might do, resolved; {@code fold} also lower-cases it (a
   * case-insensitive file system).
   */
  static String read(String resource, boolean fold) {
    String s = resource.substring(resource.indexOf(':') + 1);
    for (int i = 0; i < 4; i++) {
      String d = percentDecode(s);
      if (d.equals(s)) {
        break;
      }
      s = d;
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == 0) {
        break; // a C string ends here
      }
      if (Character.getType(c) == Character.FORMAT) {
        continue; // rendered as nothing, and dropped by some tools
      }
      if (c == 0xa5 || c == 0x20a9) {
        sb.append('\\'); // best-fit in the Japanese and Korean code pages
        continue;
      }
      String k = Normalizer.normalize(String.valueOf(c), Normalizer.Form.NFKC);
      if (k.length() == 1 && "./\\%:".indexOf(k.charAt(0)) >= 0) {
        sb.append(k.charAt(0));
      } else if (c > 0x7f && k.chars().allMatch(x -> x == '.')) {
        sb.append(k); // dot leaders
      } else {
        sb.append(c);
      }
    }
    s = Normalizer.normalize(sb.toString().replace('\\', '/'), Normalizer.Form.NFC);
    if (fold) {
      s = s.toUpperCase(Locale.ROOT).toLowerCase(Locale.ROOT);
      s = Normalizer.normalize(s, Normalizer.Form.NFC);
    }
    Deque<String> out = new ArrayDeque<>();
    for (String seg : s.split("/", -1)) {
      String t = seg;
      while (t.endsWith(".") && !t.equals(".") && !t.equals("..")) {
        t = t.substring(0, t.length() - 1); // Windows trims trailing dots
      }
      if (t.isEmpty() || t.equals(".")) {
        continue;
      }
      if (t.equals("..")) {
        out.pollLast();
        continue;
      }
      out.addLast(t);
    }
    return "/" + String.join("/", out);
  }

  /** Lenient percent-decoding as UTF-8: malformed escapes stay as they are. */
  private static String percentDecode(String s) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    byte[] raw = s.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < raw.length; i++) {
      if (raw[i] == '%' && i + 2 < raw.length) {
        int hi = Character.digit(raw[i + 1], 16);
        int lo = Character.digit(raw[i + 2], 16);
        if (hi >= 0 && lo >= 0) {
          bytes.write(hi * 16 + lo);
          i += 2;
          continue;
        }
      }
      bytes.write(raw[i]);
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  private static boolean inside(String path, String dir) {
    return path.equals(dir) || path.startsWith(dir + "/");
  }

  // ---------------------------------------------------------------- the system under test

  private static final PolicyEngine PERMIT_ALL =
      new PolicyEngine() {
        @Override
        public PolicyDecision evaluate(PolicyRequest request) {
          return new PolicyDecision(true, List.of("permit-all"), List.of());
        }

        @Override
        public boolean readsTime() {
          return false;
        }
      };

  /**
   * s holds {@code fs.* fs:/repo/**}; w (under s) holds {@code fs.write fs:/repo/src/**}; b1 claims
   * {@code fs:/repo/src/**}; b2, its sibling, holds the whole repo.
   */
  private static ExecutionGraph graph() {
    ExecutionGraph g =
        ExecutionGraph.newBuilder()
            .clock(new MutableClock(T0))
            .random(new SplittableRandom(11))
            .build();
    g.spawn(NodeSpec.builder("s").principal("user:a").capabilities("fs.* fs:/repo/**").build());
    g.spawn(
        "s",
        NodeSpec.builder("b1").capabilities("fs.* fs:/repo/**").claims("fs:/repo/src/**").build());
    g.spawn("b1", NodeSpec.builder("w").capabilities("fs.write fs:/repo/src/**").build());
    g.spawn("s", NodeSpec.builder("b2").capabilities("fs.* fs:/repo/**").build());
    return g;
  }

  private static Authorizer[] authorizers(ExecutionGraph g, ResourceSchemes schemes) {
    return new Authorizer[] {
      Authorizer.newBuilder().graph(g).policyEngine(PERMIT_ALL).resourceSchemes(schemes).build(),
      Authorizer.newBuilder()
          .graph(g)
          .policyEngine(PERMIT_ALL)
          .resourceSchemes(schemes)
          .decisionCache(0)
          .build(),
    };
  }

  /** Decides with the cache on and off, checks they agree, and returns the decision. */
  private static Decision decide(
      long seed, Authorizer[] authz, String node, String action, String resource) {
    Decision cached = authz[0].authorize(node, action, resource);
    Decision uncached = authz[1].authorize(node, action, resource);
    assertThat(reasonOf(cached))
        .as("seed=%d %s on %s: cache on and off agree", seed, node, printable(resource))
        .isEqualTo(reasonOf(uncached));
    return cached;
  }

  private static String reasonOf(Decision d) {
    return d instanceof Decision.Deny x ? x.reason().name() : "PERMIT";
  }

  private static String printable(String s) {
    StringBuilder sb = new StringBuilder();
    for (char c : s.toCharArray()) {
      sb.append(c < 0x20 || c > 0x7e ? String.format("\\u%04x", (int) c) : String.valueOf(c));
    }
    return sb.toString();
  }

  // ---------------------------------------------------------------- properties

  @TestFactory
  Stream<DynamicTest> aPermittedResource_liesInsideTheCapability_asAnyToolReadsIt() {
    ExecutionGraph g = graph();
    Authorizer[] authz = authorizers(g, ResourceSchemes.defaults());
    return forEachSeed(
        seed -> {
          Random r = new Random(seed);
          String spelling = spelling(r, false);
          String file = read(spelling, false);

          Decision d = decide(seed, authz, "w", "fs.write", spelling);

          if (d instanceof Decision.Permit) {
            assertThat(inside(file, "/repo/src"))
                .as("seed=%d %s permitted but a tool reads %s", seed, printable(spelling), file)
                .isTrue();
            assertThat("fs:" + file)
                .as("seed=%d a permitted spelling means exactly what it says", seed)
                .isEqualTo(ResourceSchemes.defaults().canonical(spelling));
          }
          checkCleanForm(seed, authz, "w", file, inside(file, "/repo/src"), Reason.OUT_OF_SCOPE);
        });
  }

  @TestFactory
  Stream<DynamicTest> aClaim_coversEverySpellingOfThePathsItCovers() {
    ExecutionGraph g = graph();
    Authorizer[] authz = authorizers(g, ResourceSchemes.defaults());
    return forEachSeed(
        seed -> {
          Random r = new Random(seed);
          String spelling = spelling(r, false);
          String file = read(spelling, false);

          Decision d = decide(seed, authz, "b2", "fs.write", spelling);

          if (inside(file, "/repo/src")) {
            assertThat(d)
                .as("seed=%d %s reads as claimed %s", seed, printable(spelling), file)
                .isInstanceOf(Decision.Deny.class);
            assertThat(((Decision.Deny) d).reason())
                .as("seed=%d %s", seed, printable(spelling))
                .isIn(Reason.CLAIMED, Reason.ERROR);
          }
          checkCleanForm(
              seed,
              authz,
              "b2",
              file,
              inside(file, "/repo") && !inside(file, "/repo/src"),
              inside(file, "/repo") ? Reason.CLAIMED : Reason.OUT_OF_SCOPE);
        });
  }

  @TestFactory
  Stream<DynamicTest> caseInsensitiveFs_noSpellingInAnyCaseEscapesACapabilityOrAClaim() {
    ExecutionGraph g = graph();
    Authorizer[] authz = authorizers(g, ResourceSchemes.defaults().caseInsensitive("fs"));
    return forEachSeed(
        seed -> {
          Random r = new Random(seed);
          String spelling = spelling(r, true);
          String file = read(spelling, true);

          Decision w = decide(seed, authz, "w", "fs.write", spelling);
          Decision b2 = decide(seed, authz, "b2", "fs.write", spelling);

          if (w instanceof Decision.Permit) {
            assertThat(inside(file, "/repo/src"))
                .as("seed=%d %s permitted to w but reads %s", seed, printable(spelling), file)
                .isTrue();
          }
          if (inside(file, "/repo/src")) {
            assertThat(reasonOf(b2))
                .as("seed=%d %s reads as claimed %s", seed, printable(spelling), file)
                .isIn(Reason.CLAIMED.name(), Reason.ERROR.name());
          }
        });
  }

  /**
   * The non-vacuity half: the clean spelling of what a tool reads, when it has a canonical form, is
   * permitted exactly when it lies inside ({@code expectPermit}), and otherwise denied with {@code
   * otherwise}.
   */
  private static void checkCleanForm(
      long seed, Authorizer[] authz, String node, String file, boolean expectPermit, Reason no) {
    String clean = "fs:" + file;
    try {
      ResourceSchemes.defaults().resource(clean);
    } catch (CapabilitySyntaxException e) {
      return; // the tool reads a name that cannot be asked for (for example one with '%' in it)
    }
    Decision d = decide(seed, authz, node, "fs.write", clean);
    assertThat(reasonOf(d))
        .as("seed=%d clean form %s on %s", seed, printable(clean), node)
        .isEqualTo(expectPermit ? "PERMIT" : no.name());
  }

  @TestFactory
  Stream<DynamicTest> twoSpellingsOfOneUrl_getTheSameAnswer_andThePolicySeesOne() {
    ExecutionGraph g =
        ExecutionGraph.newBuilder()
            .clock(new MutableClock(T0))
            .random(new SplittableRandom(5))
            .build();
    g.spawn(
        NodeSpec.builder("n")
            .principal("user:a")
            .capabilities(
                "net.call https://api.example.com/v1/**", "net.call https://xn--bcher-kva.de/**")
            .build());
    List<String> seen = new ArrayList<>();
    PolicyEngine recording =
        new PolicyEngine() {
          @Override
          public synchronized PolicyDecision evaluate(PolicyRequest request) {
            seen.add(request.resource());
            return new PolicyDecision(
                !request.resource().endsWith("/secret"), List.of("p"), List.of());
          }
        };
    Authorizer authz = Authorizer.newBuilder().graph(g).policyEngine(recording).build();
    return forEachSeed(
        seed -> {
          Random r = new Random(seed);
          String[] hosts = {"api.example.com", "b\u00fccher.de", "other.example"};
          int h = r.nextInt(hosts.length);
          List<String> segs = new ArrayList<>();
          int n = r.nextInt(4);
          for (int i = 0; i < n; i++) {
            segs.add(new String[] {"v1", "v2", "a", "secret", "caf\u00e9"}[r.nextInt(5)]);
          }
          String canonicalPath = canonicalUrlPath(segs);
          String canonical = "https://" + (h == 1 ? "xn--bcher-kva.de" : hosts[h]) + canonicalPath;

          String spelled = urlSpelling(r, hosts[h], h == 1, segs);
          Decision expected = authz.authorize("n", "net.call", canonical);
          seen.clear();
          Decision actual = authz.authorize("n", "net.call", spelled);

          assertThat(ResourceSchemes.defaults().canonical(spelled))
              .as("seed=%d %s", seed, printable(spelled))
              .isEqualTo(canonical);
          assertThat(reasonOf(actual))
              .as("seed=%d %s against %s", seed, printable(spelled), canonical)
              .isEqualTo(reasonOf(expected));
          if (actual instanceof Decision.Deny a && expected instanceof Decision.Deny e) {
            assertThat(a.detail()).as("seed=%d", seed).isEqualTo(e.detail());
          }
          assertThat(seen)
              .as("seed=%d the policy engine sees only the canonical text", seed)
              .allMatch(canonical::equals);
        });
  }

  private static String canonicalUrlPath(List<String> segs) {
    StringBuilder sb = new StringBuilder();
    for (String s : segs) {
      sb.append('/').append(s.replace("\u00e9", "%C3%A9"));
    }
    return sb.toString();
  }

  /** One of the many spellings of {@code https://host/segs...}. */
  private static String urlSpelling(Random r, String host, boolean idn, List<String> segs) {
    StringBuilder sb = new StringBuilder();
    String scheme = "https";
    if (r.nextBoolean()) {
      scheme = randomCase(r, scheme);
    }
    sb.append(scheme).append("://");
    String hostSpelling = idn && r.nextBoolean() ? "xn--bcher-kva.de" : host;
    if (r.nextBoolean()) {
      hostSpelling = randomCase(r, hostSpelling);
    }
    if (r.nextInt(4) == 0) {
      hostSpelling = hostSpelling + ".";
    }
    sb.append(hostSpelling);
    switch (r.nextInt(4)) {
      case 0 -> sb.append(":443");
      case 1 -> sb.append(":0443");
      case 2 -> sb.append(':');
      default -> {}
    }
    for (String s : segs) {
      sb.append('/');
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c == '\u00e9') {
          sb.append(r.nextBoolean() ? "\u00e9" : r.nextBoolean() ? "%C3%A9" : "%c3%a9");
        } else if (r.nextInt(4) == 0) {
          sb.append(String.format(r.nextBoolean() ? "%%%02x" : "%%%02X", (int) c));
        } else {
          sb.append(c);
        }
      }
    }
    if (segs.isEmpty() && r.nextBoolean()) {
      sb.append('/');
    }
    return sb.toString();
  }

  private static String randomCase(Random r, String s) {
    StringBuilder sb = new StringBuilder();
    for (char c : s.toCharArray()) {
      sb.append(r.nextBoolean() ? Character.toUpperCase(c) : c);
    }
    return sb.toString();
  }

  // ---------------------------------------------------------------- any text at all

  private static final String ALPHABET =
      "aZ09.-_~/\\%:@?#[]*! \u0000\u0085\u200b\u202e\u2028\u00e9\u0301\u212b\uff0e\u00df"
          + "\ud800\udc00\ud83d\ude00";

  /**
   * For any text under any scheme: canonicalization either refuses it with a position inside the
   * text, or returns a form that is its own canonical form, that parses to an equal resource, and
   * that a pattern of its own text covers — and nothing else is ever thrown.
   */
  @TestFactory
  Stream<DynamicTest> canonicalForm_isAFixedPoint_andRefusalsNameAPositionInTheText() {
    ResourceSchemes[] registries = {
      ResourceSchemes.defaults(), ResourceSchemes.defaults().caseInsensitive("fs")
    };
    String[] prefixes = {"fs:", "fs:/", "https://", "http://", "net:", "tool:", "FS:/", "HTTPS:"};
    return forEachSeed(
        seed -> {
          Random r = new Random(seed);
          StringBuilder sb = new StringBuilder(prefixes[r.nextInt(prefixes.length)]);
          int n = r.nextInt(16);
          int letters = r.nextBoolean() ? 9 : ALPHABET.length(); // half the cases: mostly valid
          for (int i = 0; i < n; i++) {
            sb.append(ALPHABET.charAt(r.nextInt(letters)));
          }
          String text = sb.toString();
          ResourceSchemes schemes = registries[r.nextInt(registries.length)];
          String canonical;
          try {
            canonical = schemes.canonical(text);
          } catch (CapabilitySyntaxException e) {
            assertThat(e.position())
                .as("seed=%d %s: %s", seed, printable(text), e.getMessage())
                .isBetween(0, text.length());
            assertThat(e.input()).as("seed=%d", seed).isEqualTo(text);
            return;
          } catch (RuntimeException e) {
            throw new AssertionError("seed=" + seed + " " + printable(text) + ": threw " + e, e);
          }
          assertThat(schemes.canonical(canonical))
              .as("seed=%d %s is its own canonical form", seed, printable(canonical))
              .isEqualTo(canonical);
          assertThat(schemes.resource(canonical))
              .as("seed=%d", seed)
              .isEqualTo(schemes.resource(text));
          assertThat(ResourcePattern.parse(canonical).covers(schemes.resource(text)))
              .as("seed=%d the pattern %s covers its own resource", seed, printable(canonical))
              .isTrue();
        });
  }

  /**
   * All-ASCII host names skip {@link java.net.IDN} for speed: they must be accepted and refused
   * exactly as {@code IDN.toASCII(host, USE_STD3_ASCII_RULES)} would (hosts ending in a number,
   * which are held to the IPv4 rule instead, are left out).
   */
  @TestFactory
  Stream<DynamicTest> asciiHostNames_areCheckedExactlyAsIdnWould() {
    return forEachSeed(
        seed -> {
          Random r = new Random(seed);
          StringBuilder sb = new StringBuilder();
          int n = 1 + r.nextInt(12);
          for (int i = 0; i < n; i++) {
            sb.append("aZ9-.xY".charAt(r.nextInt(7)));
          }
          if (r.nextInt(20) == 0) {
            sb.append("a".repeat(60 + r.nextInt(8)));
          }
          String host = sb.toString();
          String h = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
          String last = h.substring(h.lastIndexOf('.') + 1);
          if (!last.isEmpty() && last.chars().allMatch(Character::isDigit)) {
            return;
          }
          String idn;
          try {
            idn = java.net.IDN.toASCII(h, java.net.IDN.USE_STD3_ASCII_RULES);
          } catch (IllegalArgumentException e) {
            idn = null;
          }
          boolean expected =
              !h.isEmpty() && idn != null && !idn.startsWith(".") && !idn.endsWith(".");
          String got;
          try {
            got = ResourceSchemes.defaults().canonical("net:" + host);
          } catch (CapabilitySyntaxException e) {
            got = null;
          }
          assertThat(got)
              .as("seed=%d host %s (IDN: %s)", seed, host, idn)
              .isEqualTo(expected ? "net:" + idn.toLowerCase(Locale.ROOT) : null);
        });
  }

  // ---------------------------------------------------------------- the generator and the oracle

  /**
   * The suites above are only as strong as what they generate: over the same seeds, the generator
   * must reach permitted spellings, spellings that read outside the capability while their text
   * lies inside it, and non-canonical spellings of claimed paths.
   */
  @Test
  void theGenerator_reachesPermitsTraversalsAndClaimedSpellings() {
    ExecutionGraph g = graph();
    Authorizer[] authz = authorizers(g, ResourceSchemes.defaults());
    int permits = 0;
    int traversals = 0;
    int claimedSpellings = 0;
    for (long seed = FIRST_SEED; seed < FIRST_SEED + CASES; seed++) {
      String spelling = spelling(new Random(seed), false);
      String file = read(spelling, false);
      if (authz[0].authorize("w", "fs.write", spelling) instanceof Decision.Permit) {
        permits++;
      }
      if (spelling.substring(3).startsWith("/repo/src/") && !inside(file, "/repo/src")) {
        traversals++;
      }
      if (inside(file, "/repo/src") && !spelling.equals("fs:" + file)) {
        claimedSpellings++;
      }
    }
    int least = Math.max(1, CASES / 50);
    assertThat(permits)
        .as("permitted spellings, seeds %d..+%d", FIRST_SEED, CASES)
        .isGreaterThanOrEqualTo(least);
    assertThat(traversals)
        .as("traversing spellings, seeds %d..+%d", FIRST_SEED, CASES)
        .isGreaterThanOrEqualTo(least);
    assertThat(claimedSpellings)
        .as("other spellings of claimed paths, seeds %d..+%d", FIRST_SEED, CASES)
        .isGreaterThanOrEqualTo(least);
  }

  @TestFactory
  Stream<DynamicTest> theOracle_readsTheIssuesReproductionsAsAToolWould() {
    return Stream.of(
            new String[] {"fs:/repo/src/%2e%2e/%2e%2e/etc/passwd", "/etc/passwd"},
            new String[] {"fs:/repo/src/..\\..\\etc\\passwd", "/etc/passwd"},
            new String[] {"fs:/repo/%73rc/b.java", "/repo/src/b.java"},
            new String[] {"fs:/repo/src/%2eenv", "/repo/src/.env"},
            new String[] {"fs:/repo/src/\uff0e\uff0e/x", "/repo/x"},
            new String[] {"fs:/repo/src/.e\u200bnv.", "/repo/src/.env"})
        .map(
            c -> dynamicTest(printable(c[0]), () -> assertThat(read(c[0], false)).isEqualTo(c[1])));
  }

  private static Stream<DynamicTest> forEachSeed(LongConsumer body) {
    return LongStream.range(FIRST_SEED, FIRST_SEED + CASES)
        .mapToObj(seed -> dynamicTest("seed=" + seed, () -> body.accept(seed)));
  }
}
