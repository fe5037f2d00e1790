package io.execauthz;

import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Decision ids: a random prefix per authorizer, then a counter handed out in blocks per thread, so
 * threads do not contend on one counter on the hit path. Thread-safe.
 */
final class DecisionIds {
  private static final int BLOCK = 1024;
  private final String prefix = String.format("%08x", new SecureRandom().nextInt());
  private final AtomicLong next = new AtomicLong();
  private final ThreadLocal<long[]> block = ThreadLocal.withInitial(() -> new long[] {0, 0});

  String next() {
    long[] b = block.get(); // {next, end}
    if (b[0] == b[1]) {
      b[1] = next.addAndGet(BLOCK) + 1;
      b[0] = b[1] - BLOCK;
    }
    return prefix + "-" + Long.toHexString(b[0]++);
  }
}
