package io.execauthz.audit;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Splits a stream on {@code '\n'}, one line at a time, never holding more than the line limit — so
 * a hostile file cannot exhaust memory. Tells a terminated line from a torn last one and flags one
 * over the limit.
 *
 * <p>Not thread-safe: one reader per stream.
 */
final class LineReader implements AutoCloseable {
  private final InputStream in;
  private final int max;
  private final byte[] chunk = new byte[8192];
  private int chunkPos;
  private int chunkLen;
  private boolean eof;

  byte[] buf = new byte[1024];
  int len;
  boolean terminated;
  boolean tooLong;
  boolean any; // whether the last call to next() found a line

  LineReader(InputStream in, int max) {
    this.in = in;
    this.max = max;
  }

  /** Reads the next line into {@link #buf}; false at the end of the stream. */
  boolean next() throws IOException {
    len = 0;
    terminated = false;
    tooLong = false;
    any = false;
    while (true) {
      if (chunkPos == chunkLen) {
        if (eof) {
          return any;
        }
        chunkLen = in.read(chunk);
        chunkPos = 0;
        if (chunkLen < 0) {
          chunkLen = 0;
          eof = true;
          continue;
        }
      }
      any = true;
      int start = chunkPos;
      int end = start;
      while (end < chunkLen && chunk[end] != '\n') {
        end++;
      }
      append(start, end);
      if (tooLong) {
        return true;
      }
      if (end < chunkLen) {
        chunkPos = end + 1;
        terminated = true;
        return true;
      }
      chunkPos = chunkLen;
    }
  }

  private void append(int from, int to) {
    int count = to - from;
    if (len + count > max) {
      tooLong = true;
      return;
    }
    if (len + count > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(len + count, Math.min(buf.length * 2, max)));
    }
    System.arraycopy(chunk, from, buf, len, count);
    len += count;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
