package io.execauthz;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * A node's lineage — the node and every ancestor once — counted, listed and searched, each in time
 * linear in the lineage (or better: a chain, or a lineage kept on its node). The graph uses the
 * count to bound what one request costs ({@link ExecutionGraphOptions#maxLineage}).
 *
 * <p>Stateless; reads only what is fixed on a node at spawn, so safe from any thread.
 */
final class Lineage {
  private Lineage() {}

  /**
   * The number of distinct nodes in the lineage of a node with these parents (itself included),
   * counted up to {@code cap + 1}: linear in the parents' lineages, stopping early past the cap.
   */
  static int sizeOf(Node[] parents, int cap) {
    if (parents.length == 0) {
      return 1;
    }
    if (parents.length == 1) {
      return parents[0].lineageSize + 1;
    }
    Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    ArrayDeque<Node> stack = new ArrayDeque<>();
    for (Node p : parents) {
      stack.push(p);
    }
    int count = 1;
    while (!stack.isEmpty() && count <= cap) {
      Node n = stack.pop();
      if (!seen.add(n)) {
        continue;
      }
      count++;
      for (Node p : n.parents) {
        stack.push(p);
      }
    }
    return count;
  }

  /**
   * {@code node} first, then every ancestor once: a depth-first walk over the parents in order, the
   * same order as "this node, then each parent's lineage in turn, skipping nodes already listed".
   */
  static Node[] of(Node node) {
    Node[] out = new Node[node.lineageSize];
    int i = 0;
    if (node.chain) {
      for (Node n = node; n != null; n = n.parents.length == 0 ? null : n.parents[0]) {
        out[i++] = n;
      }
      return out;
    }
    Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>(node.lineageSize * 2));
    ArrayDeque<Node> stack = new ArrayDeque<>();
    stack.push(node);
    while (!stack.isEmpty()) {
      Node n = stack.pop();
      if (!seen.add(n)) {
        continue;
      }
      out[i++] = n;
      for (int k = n.parents.length - 1; k >= 0; k--) {
        stack.push(n.parents[k]);
      }
    }
    return out;
  }

  /**
   * Whether {@code other} is {@code node} or one of its ancestors: a scan of the kept lineage, or a
   * walk up the parents that never goes above {@code other}'s depth.
   */
  static boolean contains(Node node, Node other) {
    if (other == node) {
      return true;
    }
    if (other.depth >= node.depth || other.seq > node.seq || other.graph != node.graph) {
      return false;
    }
    Node[] kept = node.keptLineage;
    if (kept != null) {
      for (Node n : kept) {
        if (n == other) {
          return true;
        }
      }
      return false;
    }
    if (node.chain) {
      Node n = node;
      while (n.depth > other.depth) {
        n = n.parents[0];
      }
      return n == other;
    }
    Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    ArrayDeque<Node> stack = new ArrayDeque<>();
    stack.push(node);
    while (!stack.isEmpty()) {
      Node n = stack.pop();
      if (n == other) {
        return true;
      }
      if (n.depth <= other.depth || !seen.add(n)) {
        continue;
      }
      for (Node p : n.parents) {
        stack.push(p);
      }
    }
    return false;
  }
}
