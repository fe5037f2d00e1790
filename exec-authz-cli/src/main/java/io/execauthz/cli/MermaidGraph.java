package io.execauthz.cli;

import io.execauthz.Decision;
import io.execauthz.ExecutionNode;
import io.execauthz.NodeState;
import io.execauthz.Reason;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;

/**
 * An execution graph as a Mermaid flowchart, the picture teams can read where they already read
 * (repository pages, docs): one box per node with its kind, capability count, final state, and the
 * decisions made on it (permits, denies by reason); an edge from each parent, every parent of a
 * join marked {@code merge}; the final states as classes, so revoked, completed, expired, held and
 * cancelled subtrees stand apart. Several graphs (one per scenario file) become subgraphs.
 *
 * <p>Node boxes get generated ids ({@code n1}, {@code n2}, … in spawn order) and the node's own id
 * as their first label line, so any node id is safe in the picture. Not thread-safe.
 */
final class MermaidGraph {
  private final List<Section> sections = new ArrayList<>();

  /** Starts a graph (a scenario file, or the demo) with this title. */
  Section section(String title) {
    Section s = new Section(title);
    sections.add(s);
    return s;
  }

  /** One execution graph: its nodes in spawn order and the decisions made on each. */
  static final class Section {
    private final String title;
    private final Map<String, ExecutionNode> nodes = new LinkedHashMap<>();
    private final Map<String, Tally> tallies = new HashMap<>();

    private Section(String title) {
      this.title = title;
    }

    /** Adds a node (again: ignored), its state to be read when the picture is drawn. */
    Section node(ExecutionNode node) {
      nodes.putIfAbsent(node.id(), node);
      return this;
    }

    /** Counts a decision on the node it was made on (decisions on no node are not drawn). */
    Section decision(Decision d) {
      if (!d.nodePath().isEmpty()) {
        String node = d.nodePath().get(d.nodePath().size() - 1);
        tallies.computeIfAbsent(node, k -> new Tally()).add(d);
      }
      return this;
    }
  }

  private static final class Tally {
    int permits;
    final Map<Reason, Integer> denies = new EnumMap<>(Reason.class);

    void add(Decision d) {
      if (d instanceof Decision.Deny deny) {
        denies.merge(deny.reason(), 1, Integer::sum);
      } else {
        permits++;
      }
    }
  }

  /** The state names used as Mermaid classes, with their look. */
  private static final Map<NodeState, String> STYLE = new EnumMap<>(NodeState.class);

  static {
    STYLE.put(NodeState.ACTIVE, "fill:#e8f5e9,stroke:#2e7d32");
    STYLE.put(NodeState.COMPLETED, "fill:#e3f2fd,stroke:#1565c0");
    STYLE.put(NodeState.REVOKED, "fill:#ffebee,stroke:#c62828,stroke-width:3px");
    STYLE.put(NodeState.EXPIRED, "fill:#fff8e1,stroke:#f9a825,stroke-dasharray:5 5");
    STYLE.put(NodeState.HELD, "fill:#f3e5f5,stroke:#6a1b9a,stroke-dasharray:2 2");
    STYLE.put(
        NodeState.CANCELLED, "fill:#eeeeee,stroke:#757575,stroke-dasharray:2 2,color:#757575");
  }

  /** The flowchart text, ending with a newline. */
  String render() {
    StringBuilder out = new StringBuilder("flowchart TD\n");
    boolean nested = sections.size() > 1;
    Map<NodeState, List<String>> byState = new TreeMap<>();
    List<String> edges = new ArrayList<>();
    for (int i = 0; i < sections.size(); i++) {
      Section s = sections.get(i);
      String prefix = nested ? "s" + (i + 1) : "";
      String indent = nested ? "    " : "  ";
      if (nested) {
        out.append("  subgraph ")
            .append(prefix)
            .append("[\"")
            .append(escape(s.title))
            .append("\"]\n");
      }
      Map<String, String> ids = new HashMap<>();
      int n = 0;
      for (ExecutionNode node : s.nodes.values()) {
        ids.put(node.id(), prefix + "n" + (++n));
      }
      for (ExecutionNode node : s.nodes.values()) {
        String id = ids.get(node.id());
        NodeState state = node.state();
        out.append(indent)
            .append(id)
            .append("[\"")
            .append(label(node, state, s.tallies.get(node.id())))
            .append("\"]\n");
        byState.computeIfAbsent(state, k -> new ArrayList<>()).add(id);
        boolean join = node.parents().size() > 1;
        for (String parent : node.parents()) {
          String from = ids.get(parent);
          if (from != null) {
            edges.add(from + (join ? " -->|merge| " : " --> ") + id);
          }
        }
      }
      if (nested) {
        out.append("  end\n");
      }
    }
    for (String e : edges) {
      out.append("  ").append(e).append('\n');
    }
    for (Map.Entry<NodeState, List<String>> e : byState.entrySet()) {
      out.append("  classDef ")
          .append(className(e.getKey()))
          .append(' ')
          .append(STYLE.get(e.getKey()))
          .append('\n');
    }
    for (Map.Entry<NodeState, List<String>> e : byState.entrySet()) {
      out.append("  class ")
          .append(String.join(",", e.getValue()))
          .append(' ')
          .append(className(e.getKey()))
          .append('\n');
    }
    return out.toString();
  }

  static String className(NodeState state) {
    return state.name().toLowerCase(Locale.ROOT);
  }

  private static String label(ExecutionNode node, NodeState state, Tally tally) {
    StringBuilder l = new StringBuilder();
    l.append(escape(node.id()))
        .append("<br/>")
        .append(escape(node.kind()))
        .append(" · ")
        .append(node.capabilities().size())
        .append(" caps · ")
        .append(state.name());
    if (tally != null) {
      l.append("<br/>permits ").append(tally.permits);
      if (!tally.denies.isEmpty()) {
        StringJoiner d = new StringJoiner(", ", " · denies ", "");
        tally.denies.forEach((r, c) -> d.add(r.name() + " " + c));
        l.append(d);
      }
    }
    return l.toString();
  }

  /** Text inside a quoted Mermaid label: entity codes for the characters Mermaid would read. */
  static String escape(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '#' -> b.append("#35;");
        case '"' -> b.append("#quot;");
        case '<' -> b.append("#lt;");
        case '>' -> b.append("#gt;");
        case '\n', '\r' -> b.append(' ');
        default -> b.append(c);
      }
    }
    return b.toString();
  }
}
