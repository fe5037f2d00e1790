package io.execauthz.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.Transformer;
import javax.xml.transform.TransformerException;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * Scenario results as a JUnit XML report, the format CI systems (GitHub Actions reporters, GitLab,
 * Jenkins, Azure DevOps) show as tests: {@code <testsuites>} holding one {@code <testsuite>} per
 * scenario file and one {@code <testcase>} per step with an {@code expect}; a step whose
 * expectation failed has a {@code <failure>} saying what was expected and what came, and a file
 * that could not be run is one test case with an {@code <error>}. Times are not measured (a step
 * takes microseconds), so the report is the same every run.
 */
final class JUnitReport {
  private JUnitReport() {}

  static void write(Path file, List<ScenarioReport> reports) throws IOException {
    Document doc;
    try {
      doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().newDocument();
    } catch (ParserConfigurationException e) {
      throw new IllegalStateException("the JDK's XML support is not available", e);
    }
    doc.setXmlStandalone(true);
    Element root = doc.createElement("testsuites");
    root.setAttribute("name", "exec-authz simulate");
    doc.appendChild(root);
    long tests = 0;
    long failures = 0;
    long errors = 0;
    for (ScenarioReport r : reports) {
      Element suite = doc.createElement("testsuite");
      suite.setAttribute("name", clean(r.name()));
      suite.setAttribute("file", clean(r.file().toString()));
      long suiteTests = 0;
      long suiteFailures = 0;
      if (r.error() != null) {
        Element tc = testcase(doc, r, "load " + r.file().getFileName());
        Element error = doc.createElement("error");
        error.setAttribute("type", "InvalidScenario");
        error.setAttribute("message", clean(r.error()));
        error.setTextContent(clean(r.error()));
        tc.appendChild(error);
        suite.appendChild(tc);
        suiteTests = 1;
        errors++;
      }
      for (StepResult s : r.steps()) {
        if (s.expected() == null) {
          continue;
        }
        suiteTests++;
        Element tc = testcase(doc, r, name(s));
        if (!s.ok()) {
          suiteFailures++;
          Element failure = doc.createElement("failure");
          failure.setAttribute("type", "ExpectationFailed");
          failure.setAttribute(
              "message", clean("expected " + s.expected() + ", got " + s.outcome()));
          StringBuilder body =
              new StringBuilder("expected: ")
                  .append(s.expected())
                  .append("\ngot:      ")
                  .append(s.outcome());
          if (s.detail() != null) {
            body.append("\ndetail:   ").append(s.detail());
          }
          body.append("\nstep:     ").append(s.line());
          failure.setTextContent(clean(body.toString()));
          tc.appendChild(failure);
        }
        suite.appendChild(tc);
      }
      suite.setAttribute("tests", Long.toString(suiteTests));
      suite.setAttribute("failures", Long.toString(suiteFailures));
      suite.setAttribute("errors", r.error() == null ? "0" : "1");
      suite.setAttribute("skipped", "0");
      suite.setAttribute("time", "0");
      root.appendChild(suite);
      tests += suiteTests;
      failures += suiteFailures;
    }
    root.setAttribute("tests", Long.toString(tests));
    root.setAttribute("failures", Long.toString(failures));
    root.setAttribute("errors", Long.toString(errors));
    root.setAttribute("time", "0");
    try (OutputStream out = Files.newOutputStream(file)) {
      Transformer t = TransformerFactory.newInstance().newTransformer();
      t.setOutputProperty(OutputKeys.INDENT, "yes");
      t.setOutputProperty(OutputKeys.ENCODING, "UTF-8");
      t.setOutputProperty("{http://xml.apache.org/xslt}indent-amount", "2");
      t.transform(new DOMSource(doc), new StreamResult(out));
    } catch (TransformerException e) {
      throw new IOException("cannot write the JUnit report " + file + ": " + e.getMessage(), e);
    }
  }

  private static Element testcase(Document doc, ScenarioReport r, String name) {
    Element tc = doc.createElement("testcase");
    tc.setAttribute("classname", clean(r.name()));
    tc.setAttribute("name", clean(name));
    tc.setAttribute("file", clean(r.file().toString()));
    tc.setAttribute("time", "0");
    return tc;
  }

  /** {@code step 7: authorize b1 fs.write fs:/repo/a.md expects DENY OUT_OF_SCOPE}. */
  static String name(StepResult s) {
    String subject = StepPrinter.Text.subject(s);
    String what =
        s.step() instanceof Scenario.Authorize a ? " " + a.action() + " " + a.resource() : "";
    return "step "
        + s.step().number()
        + ": "
        + s.step().op()
        + (subject.isEmpty() ? "" : " " + subject)
        + what
        + " expects "
        + s.expected();
  }

  /** XML 1.0 cannot carry most control characters, even escaped: they become U+FFFD. */
  static String clean(String s) {
    StringBuilder b = new StringBuilder(s.length());
    s.codePoints()
        .forEach(
            c -> {
              boolean ok =
                  c == 0x9
                      || c == 0xA
                      || c == 0xD
                      || (c >= 0x20 && c <= 0xD7FF)
                      || (c >= 0xE000 && c <= 0xFFFD)
                      || (c >= 0x10000 && c <= 0x10FFFF);
              b.appendCodePoint(ok ? c : 0xFFFD);
            });
    return b.toString();
  }
}
