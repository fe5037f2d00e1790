package io.execauthz.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Draws {@code RealTrafficBenchmark}'s results as an SVG bar chart: for each policy set, the
 * latency of our pipeline (cache on and off) beside raw cedar-java, on a logarithmic axis (the
 * values span three orders of magnitude). Reads JMH's JSON output ({@code -rf json}); no chart
 * library, so the picture is reproducible from the repository alone.
 *
 * <pre>{@code
 * java -jar benchmarks/target/benchmarks.jar RealTrafficBenchmark -rf json -rff real-traffic.json
 * java -cp benchmarks/target/benchmarks.jar io.execauthz.benchmarks.Chart \
 *     real-traffic.json docs/real-traffic.svg
 * }</pre>
 */
public final class Chart {
  private static final List<String> SERIES = List.of("ours", "oursUncached", "rawCedar");
  private static final Map<String, String> LABELS =
      Map.of(
          "ours", "exec-authz, cache on",
          "oursUncached", "exec-authz, cache off",
          "rawCedar", "raw cedar-java");
  private static final Map<String, String> COLOURS =
      Map.of("ours", "#2f7d32", "oursUncached", "#7cb342", "rawCedar", "#9e9e9e");

  private Chart() {}

  /** One measured score: benchmark method, policy set, mean µs/op. */
  record Score(String method, String policies, double micros) {}

  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      System.err.println("usage: Chart <jmh-result.json> <out.svg>");
      System.exit(2);
    }
    List<Score> scores = read(Path.of(args[0]));
    Files.writeString(Path.of(args[1]), svg(scores), StandardCharsets.UTF_8);
    System.out.println("wrote " + args[1] + " (" + scores.size() + " scores)");
  }

  /** The scores of {@code RealTrafficBenchmark} in a JMH JSON result file, in µs/op. */
  static List<Score> read(Path json) throws IOException {
    JsonNode root = new ObjectMapper().readTree(json.toFile());
    List<Score> out = new ArrayList<>();
    for (JsonNode run : root) {
      String name = run.path("benchmark").asText();
      int dot = name.lastIndexOf('.');
      if (!name.substring(0, Math.max(0, dot)).endsWith("RealTrafficBenchmark")) {
        continue;
      }
      String unit = run.path("primaryMetric").path("scoreUnit").asText();
      if (!unit.equals("us/op")) {
        throw new IllegalArgumentException(
            name + ": expected us/op (-bm avgt -tu us), was " + unit);
      }
      out.add(
          new Score(
              name.substring(dot + 1),
              run.path("params").path("policies").asText(),
              run.path("primaryMetric").path("score").asDouble()));
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException(json + ": no RealTrafficBenchmark results");
    }
    return out;
  }

  /** A grouped bar chart, one group per policy set, log10 µs axis. */
  static String svg(List<Score> scores) {
    Map<String, Map<String, Double>> groups = new LinkedHashMap<>();
    double max = 1;
    double min = 1;
    for (Score s : scores) {
      groups.computeIfAbsent(s.policies(), k -> new LinkedHashMap<>()).put(s.method(), s.micros());
      max = Math.max(max, s.micros());
      min = Math.min(min, s.micros());
    }
    int lo = (int) Math.floor(Math.log10(min));
    int hi = (int) Math.ceil(Math.log10(max));
    int width = 140 + groups.size() * 200;
    int height = 360;
    int top = 40;
    int bottom = 300;
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            Locale.ROOT,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
                + " font-family=\"sans-serif\" font-size=\"12\">%n",
            width,
            height));
    sb.append(
        "<text x=\"10\" y=\"20\" font-size=\"14\">Real tool calls: µs per decision (log scale,"
            + " lower is better)</text>\n");
    for (int e = lo; e <= hi; e++) {
      double y = y(Math.pow(10, e), lo, hi, top, bottom);
      sb.append(
          String.format(
              Locale.ROOT,
              "<line x1=\"70\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                  + "<text x=\"64\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
              width - 10,
              y,
              y,
              y + 4,
              label(Math.pow(10, e))));
    }
    int g = 0;
    for (Map.Entry<String, Map<String, Double>> group : groups.entrySet()) {
      int x0 = 90 + g * 200;
      int i = 0;
      for (String series : SERIES) {
        Double v = group.getValue().get(series);
        if (v != null) {
          double y = y(v, lo, hi, top, bottom);
          int x = x0 + i * 55;
          sb.append(
              String.format(
                  Locale.ROOT,
                  "<rect x=\"%d\" y=\"%.1f\" width=\"50\" height=\"%.1f\" fill=\"%s\">"
                      + "<title>%s %s: %s µs</title></rect>"
                      + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"middle\">%s</text>%n",
                  x,
                  y,
                  bottom - y,
                  COLOURS.get(series),
                  group.getKey(),
                  LABELS.get(series),
                  label(v),
                  x + 25,
                  y - 4,
                  label(v)));
        }
        i++;
      }
      sb.append(
          String.format(
              Locale.ROOT,
              "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
              x0 + 80,
              bottom + 18,
              group.getKey()));
      g++;
    }
    int lx = 90;
    for (String series : SERIES) {
      sb.append(
          String.format(
              Locale.ROOT,
              "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/>"
                  + "<text x=\"%d\" y=\"%d\">%s</text>%n",
              lx,
              bottom + 34,
              COLOURS.get(series),
              lx + 16,
              bottom + 45,
              LABELS.get(series)));
      lx += 190;
    }
    sb.append("</svg>\n");
    return sb.toString();
  }

  private static double y(double v, int lo, int hi, int top, int bottom) {
    double f = (Math.log10(v) - lo) / Math.max(1, hi - lo);
    return bottom - f * (bottom - top);
  }

  private static String label(double v) {
    if (v >= 10) {
      return String.format(Locale.ROOT, "%.0f", v);
    }
    if (v >= 1) {
      return String.format(Locale.ROOT, "%.1f", v);
    }
    return String.format(Locale.ROOT, "%.2f", v);
  }
}
