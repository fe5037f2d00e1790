package io.execauthz.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.validation.SchemaFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * {@code simulate --junit} and {@code --mermaid}, {@code demo --mermaid} as processes: the JUnit
 * XML is parsed back with the JDK's parser and validated against the common JUnit report shape; the
 * Mermaid flowchart is parsed back for its nodes, edges and classes.
 */
final class ReportsEndToEndTest {
  private static final Path EXAMPLES = Path.of("..", "examples");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private Path write(String name, String yaml) throws IOException {
    Path f = dir.resolve(name);
    Files.writeString(f, yaml);
    return f;
  }

  private static Document parseAndValidate(Path xml) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
    Document doc = f.newDocumentBuilder().parse(xml.toFile());
    var schema =
        SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI)
            .newSchema(ReportsEndToEndTest.class.getResource("/junit-report.xsd"));
    schema.newValidator().validate(new DOMSource(doc));
    return doc;
  }

  private static List<Element> children(Element e, String name) {
    List<Element> out = new ArrayList<>();
    NodeList l = e.getChildNodes();
    for (int i = 0; i < l.getLength(); i++) {
      if (l.item(i) instanceof Element c && c.getTagName().equals(name)) {
        out.add(c);
      }
    }
    return out;
  }

  @Test
  void junit_oneSuitePerFile_oneCasePerExpectation_failuresAndErrorsCounted() throws Exception {
    Path failing =
        write(
            "failing.yaml",
            """
            name: a wrong expectation
            steps:
              - spawn: {id: s, principal: "user:a", capabilities: ["fs.read fs:/a/**"]}
              - advance: 1m
              - authorize: {node: s, action: fs.write, resource: "fs:/a/<x>&\\"y\\"", expect: PERMIT}
              - authorize: {node: s, action: fs.read, resource: "fs:/a/x", expect: PERMIT}
            """);
    Path invalid = write("invalid.yaml", "steps:\n  - explode: {}\n");
    Path claims = EXAMPLES.resolve("claims.yaml");
    Path report = dir.resolve("report.xml");
    Cli.Result r =
        Cli.run(
            "simulate",
            "--junit",
            report.toString(),
            claims.toString(),
            failing.toString(),
            invalid.toString());
    assertThat(r.exit()).isEqualTo(2);

    Document doc = parseAndValidate(report);
    Element root = doc.getDocumentElement();
    assertThat(root.getTagName()).isEqualTo("testsuites");
    List<Element> suites = children(root, "testsuite");
    assertThat(suites)
        .extracting(s -> s.getAttribute("name"))
        .containsExactly("claims", "a wrong expectation", "invalid.yaml");

    // claims.yaml: every step has an expectation (spawns default to OK), all pass
    long claimSteps =
        Cli.run("simulate", "--format", "json", claims.toString()).lines().stream()
            .filter(l -> l.contains("\"expected\""))
            .count();
    Element claimSuite = suites.get(0);
    assertThat(children(claimSuite, "testcase")).hasSize((int) claimSteps);
    assertThat(claimSuite.getAttribute("tests")).isEqualTo(Long.toString(claimSteps));
    assertThat(claimSuite.getAttribute("failures")).isEqualTo("0");
    assertThat(claimSuite.getAttribute("file")).isEqualTo(claims.toString());

    // the failing file: the advance expects nothing, so 3 cases; one failure with the expectation
    Element failSuite = suites.get(1);
    List<Element> cases = children(failSuite, "testcase");
    assertThat(cases).hasSize(3);
    assertThat(failSuite.getAttribute("tests")).isEqualTo("3");
    assertThat(failSuite.getAttribute("failures")).isEqualTo("1");
    Element failed = cases.get(1);
    assertThat(failed.getAttribute("classname")).isEqualTo("a wrong expectation");
    assertThat(failed.getAttribute("name"))
        .isEqualTo("step 3: authorize s fs.write fs:/a/<x>&\"y\" expects PERMIT");
    List<Element> failures = children(failed, "failure");
    assertThat(failures).hasSize(1);
    assertThat(failures.get(0).getAttribute("message"))
        .isEqualTo("expected PERMIT, got DENY OUT_OF_SCOPE");
    assertThat(failures.get(0).getTextContent())
        .contains("no capability of node 's' covers fs.write");
    assertThat(children(cases.get(0), "failure")).isEmpty();
    assertThat(children(cases.get(2), "failure")).isEmpty();

    // the invalid file: one case with an error naming the problem
    Element invalidSuite = suites.get(2);
    assertThat(invalidSuite.getAttribute("errors")).isEqualTo("1");
    List<Element> errors = children(children(invalidSuite, "testcase").get(0), "error");
    assertThat(errors).hasSize(1);
    assertThat(errors.get(0).getAttribute("message")).contains("unknown operation");

    assertThat(root.getAttribute("tests")).isEqualTo(Long.toString(claimSteps + 3 + 1));
    assertThat(root.getAttribute("failures")).isEqualTo("1");
    assertThat(root.getAttribute("errors")).isEqualTo("1");
  }

  @Test
  void junit_withJsonFormat_leavesStdoutUnchanged() throws Exception {
    Path claims = EXAMPLES.resolve("claims.yaml");
    Path report = dir.resolve("r.xml");
    Cli.Result plain = Cli.run("simulate", "--format", "json", claims.toString());
    Cli.Result withReports =
        Cli.run(
            "simulate",
            "--format",
            "json",
            "--junit",
            report.toString(),
            "--mermaid",
            dir.resolve("g.mmd").toString(),
            claims.toString());
    assertThat(withReports.out()).isEqualTo(plain.out());
    assertThat(parseAndValidate(report).getDocumentElement().getAttribute("failures"))
        .isEqualTo("0");
  }

  /** A parsed Mermaid flowchart. */
  record Flowchart(
      Map<String, String> labels,
      List<String[]> edges,
      Map<String, String> classOf,
      List<String> subgraphs) {
    /** The box id of the node whose label starts with {@code nodeId}. */
    String box(String nodeId) {
      return labels.entrySet().stream()
          .filter(e -> e.getValue().split("<br/>")[0].equals(nodeId))
          .map(Map.Entry::getKey)
          .findFirst()
          .orElseThrow(() -> new AssertionError("no box for node " + nodeId + " in " + labels));
    }

    String label(String nodeId) {
      return labels.get(box(nodeId));
    }

    boolean hasEdge(String from, String to, boolean merge) {
      return edges.stream()
          .anyMatch(
              e ->
                  e[0].equals(box(from))
                      && e[2].equals(box(to))
                      && e[1].equals(merge ? "-->|merge|" : "-->"));
    }
  }

  private static final Pattern NODE = Pattern.compile("^\\s*(\\w+)\\[\"([^\"]*)\"\\]$");
  private static final Pattern EDGE = Pattern.compile("^\\s*(\\w+) (-->|-->\\|merge\\|) (\\w+)$");
  private static final Pattern CLASS = Pattern.compile("^\\s*class ([\\w,]+) (\\w+)$");
  private static final Pattern CLASSDEF = Pattern.compile("^\\s*classDef (\\w+) \\S.*$");
  private static final Pattern SUBGRAPH =
      Pattern.compile("^\\s*subgraph (\\w+)\\[\"([^\"]*)\"\\]$");

  static Flowchart parseMermaid(String text) {
    List<String> lines = text.lines().toList();
    assertThat(lines.get(0)).isEqualTo("flowchart TD");
    Map<String, String> labels = new LinkedHashMap<>();
    List<String[]> edges = new ArrayList<>();
    Map<String, String> classOf = new HashMap<>();
    List<String> defs = new ArrayList<>();
    List<String> subgraphs = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      Matcher m;
      if ((m = NODE.matcher(line)).matches()) {
        assertThat(labels.put(m.group(1), m.group(2))).as("box defined twice: " + line).isNull();
      } else if ((m = EDGE.matcher(line)).matches()) {
        edges.add(new String[] {m.group(1), m.group(2), m.group(3)});
      } else if ((m = CLASS.matcher(line)).matches()) {
        for (String id : m.group(1).split(",")) {
          assertThat(classOf.put(id, m.group(2))).as("two classes for " + id).isNull();
        }
      } else if ((m = CLASSDEF.matcher(line)).matches()) {
        defs.add(m.group(1));
      } else if ((m = SUBGRAPH.matcher(line)).matches()) {
        subgraphs.add(m.group(2));
      } else {
        assertThat(line.strip()).as("an unexpected Mermaid line").isEqualTo("end");
      }
    }
    for (String[] e : edges) {
      assertThat(labels).containsKeys(e[0], e[2]);
    }
    assertThat(classOf.keySet()).isEqualTo(labels.keySet());
    assertThat(defs).containsAll(classOf.values());
    for (Map.Entry<String, String> e : labels.entrySet()) {
      String state = e.getValue().split("<br/>")[1].replaceAll(".* · ", "");
      assertThat(classOf.get(e.getKey())).isEqualTo(state.toLowerCase(java.util.Locale.ROOT));
    }
    return new Flowchart(labels, edges, classOf, subgraphs);
  }

  @Test
  void mermaid_contractExample_nodesEdgesMergesStatesAndDecisions() throws Exception {
    Path out = dir.resolve("graph.mmd");
    Cli.Result r =
        Cli.run(
            "simulate",
            "--mermaid",
            out.toString(),
            EXAMPLES.resolve("contract-example.yaml").toString());
    assertThat(r.exit()).as(r.err()).isZero();
    Flowchart g = parseMermaid(Files.readString(out, StandardCharsets.UTF_8));
    // x was refused (ATTENUATION): never a node
    assertThat(g.labels().values())
        .extracting(l -> l.split("<br/>")[0])
        .containsExactly("s", "b1", "b2", "m");
    assertThat(g.edges()).hasSize(4);
    assertThat(g.hasEdge("s", "b1", false)).isTrue();
    assertThat(g.hasEdge("s", "b2", false)).isTrue();
    assertThat(g.hasEdge("b1", "m", true)).isTrue();
    assertThat(g.hasEdge("s", "m", true)).isTrue();
    assertThat(g.label("s")).isEqualTo("s<br/>session · 2 caps · REVOKED");
    assertThat(g.classOf().get(g.box("s"))).isEqualTo("revoked");
    assertThat(g.label("b1"))
        .startsWith("b1<br/>batch · 1 caps · ")
        .endsWith("<br/>permits 2 · denies OUT_OF_SCOPE 1, EXPIRED 1");
    // b1's second permit is step 10's, made under grant g2 (minted for b1) at a tool server;
    // b2: one permit (step 13) and one REVOKED (step 15)
    assertThat(g.label("b2")).endsWith("<br/>permits 1 · denies REVOKED 1");
    assertThat(g.subgraphs()).isEmpty();
  }

  @Test
  void mermaid_heldAndCancelledNodes_areTheirOwnClasses_severalFiles_areSubgraphs()
      throws Exception {
    Path held =
        write(
            "held.yaml",
            """
            name: held and cancelled
            steps:
              - spawn: {id: root, principal: "user:a", capabilities: ["fs.* fs:/r/**"]}
              - spawn: {id: p, parent: root, capabilities: ["fs.* fs:/r/**"]}
              - spawn: {id: owner, parent: root, capabilities: ["fs.* fs:/r/a/**"], claims: ["fs:/r/a/**"]}
              - spawn: {id: waiter, parent: root, capabilities: ["fs.* fs:/r/a/**"], claims: ["fs:/r/a/**"],
                        onConflict: hold, expect: HELD}
              - spawn: {id: doomed, parent: p, capabilities: ["fs.* fs:/r/a/**"], claims: ["fs:/r/a/x/**"],
                        onConflict: hold, expect: HELD}
              - complete: {node: p}
              - authorize: {node: waiter, action: fs.write, resource: "fs:/r/a/f", expect: DENY HELD}
            """);
    Path out = dir.resolve("graph.mmd");
    Cli.Result r =
        Cli.run(
            "simulate",
            "--mermaid",
            out.toString(),
            held.toString(),
            EXAMPLES.resolve("merge-point.yaml").toString());
    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    Flowchart g = parseMermaid(Files.readString(out, StandardCharsets.UTF_8));
    assertThat(g.subgraphs()).hasSize(2).first().isEqualTo("held and cancelled");
    Map<String, String> byNode = new HashMap<>();
    g.labels()
        .forEach(
            (box, label) -> {
              if (box.startsWith("s1")) {
                byNode.put(label.split("<br/>")[0], g.classOf().get(box));
              }
            });
    assertThat(byNode)
        .containsEntry("waiter", "held")
        .containsEntry("doomed", "cancelled")
        .containsEntry("p", "completed")
        .containsEntry("owner", "active");
    assertThat(g.label("waiter")).endsWith("permits 0 · denies HELD 1");
    assertThat(g.labels().keySet()).anyMatch(k -> k.startsWith("s2n"));
  }

  @Test
  void demo_mermaid_isWhatTheReadmeShows() throws Exception {
    Path out = dir.resolve("demo.mmd");
    Cli.Result r = Cli.run("demo", "--mermaid", out.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    String mermaid = Files.readString(out, StandardCharsets.UTF_8);
    Flowchart g = parseMermaid(mermaid);
    assertThat(g.hasEdge("implement", "merge", true)).isTrue();
    assertThat(g.hasEdge("review", "merge", true)).isTrue();
    assertThat(g.hasEdge("session", "deploy", false)).isTrue();
    assertThat(g.classOf().get(g.box("deploy-us"))).isEqualTo("revoked");
    assertThat(g.classOf().get(g.box("slow-check"))).isEqualTo("expired");
    assertThat(g.classOf().get(g.box("research"))).isEqualTo("completed");
    assertThat(g.label("session")).isEqualTo("session<br/>session · 38 caps · ACTIVE");
    assertThat(g.label("api")).endsWith("permits 3 · denies BUDGET_EXHAUSTED 1");
    // every decision of the demo is counted on some node: 28 in all
    int decisions = 0;
    Pattern counts = Pattern.compile("(?:permits|[A-Z_]+) (\\d+)");
    for (String label : g.labels().values()) {
      String[] parts = label.split("<br/>");
      if (parts.length > 2) {
        Matcher m = counts.matcher(parts[2]);
        while (m.find()) {
          decisions += Integer.parseInt(m.group(1));
        }
      }
    }
    assertThat(decisions).isEqualTo(28);
    String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
    assertThat(readme)
        .as("README's demo picture; update it from ./exec-authz demo --mermaid FILE")
        .contains("```mermaid\n" + mermaid + "```\n");
  }

  @Test
  void everyExample_drawsOneBoxPerSpawnedNode() throws Exception {
    try (Stream<Path> files = Files.list(EXAMPLES)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
        Path out = dir.resolve(f.getFileName() + ".mmd");
        Cli.Result r =
            Cli.run("simulate", "--format", "json", "--mermaid", out.toString(), f.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        long spawned =
            r.lines().stream()
                .filter(l -> l.contains("\"state\":"))
                .map(
                    l -> {
                      try {
                        return JSON.readTree(l).get("node").asText();
                      } catch (IOException e) {
                        throw new AssertionError(e);
                      }
                    })
                .distinct()
                .count();
        Flowchart g = parseMermaid(Files.readString(out, StandardCharsets.UTF_8));
        assertThat(g.labels()).as(f.toString()).hasSize((int) spawned);
      }
    }
  }
}
