package io.execauthz;

import java.util.concurrent.ConcurrentHashMap;

/**
 * The nodes a graph remembers, by id: live ones, and ended ones until they are forgotten.
 *
 * <p>Reads ({@link #get}) are thread-safe and take no lock; changes are made under the graph's lock
 * only.
 */
final class NodeTable {
  // replaced (under lock) by a smaller copy when most of its entries have been forgotten, since a
  // hash table never shrinks; read without the lock
  private volatile ConcurrentHashMap<String, Node> map = new ConcurrentHashMap<>();
  // guarded by the graph's lock
  private int highWater;

  Node get(String id) {
    return map.get(id);
  }

  void put(Node n) {
    map.put(n.id, n);
    highWater = Math.max(highWater, map.size());
  }

  /** Forgets {@code n}, unless its id has already been taken by another node. */
  void forget(Node n) {
    map.remove(n.id, n);
  }

  int size() {
    return map.size();
  }

  /**
   * Replaces the map by a right-sized copy once three quarters of its entries are gone: a hash
   * table never shrinks by itself, and a graph that once held a million nodes must not keep their
   * slots forever. Amortized O(1) per forgotten node.
   */
  void shrinkIfSparse() {
    int size = map.size();
    if (highWater > 4096 && size < highWater / 4) {
      ConcurrentHashMap<String, Node> copy = new ConcurrentHashMap<>(Math.max(16, size * 2));
      copy.putAll(map);
      map = copy;
      highWater = size;
    }
  }
}
