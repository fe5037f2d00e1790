package io.execauthz;

import io.execauthz.spi.GraphListener;
import java.util.ArrayList;
import java.util.List;

/**
 * A graph's listeners, told of each completion and revocation after the graph's lock is released.
 * One that throws neither undoes the change nor stops the others; the failures are then thrown
 * together in a {@link GraphListenerException}.
 *
 * <p>Immutable and thread-safe (as far as the listeners themselves are).
 */
final class GraphListeners {
  private static final System.Logger LOG = System.getLogger(ExecutionGraph.class.getName());

  private final List<GraphListener> all;

  GraphListeners(List<GraphListener> all) {
    this.all = List.copyOf(all);
  }

  /**
   * Tells every listener that {@code n} ended with {@code to}.
   *
   * @throws GraphListenerException carrying each failure, once every listener was called
   */
  void ended(Node n, NodeState to, String reason) {
    List<Throwable> failures = null;
    for (GraphListener l : all) {
      try {
        l.onEnded(n, to, reason);
      } catch (VirtualMachineError e) {
        throw e;
      } catch (Throwable e) {
        LOG.log(System.Logger.Level.WARNING, "graph listener failed on node " + n.id, e);
        if (failures == null) {
          failures = new ArrayList<>(1);
        }
        failures.add(e);
      }
    }
    if (failures != null) {
      throw new GraphListenerException(n.id, to, all.size(), failures);
    }
  }
}
