package io.execauthz.redis;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A Lua script run by its SHA-1, sent whole only when the server does not know it yet. */
final class Scripts {
  private final String text;
  private final String sha;

  Scripts(RedisClusterAsyncCommands<String, String> commands, String text) {
    this.text = text;
    this.sha = commands.digest(text);
  }

  /**
   * Runs the script and waits at most {@code timeout}.
   *
   * @throws RedisUnavailableException on any failure or timeout
   */
  <T> T run(
      RedisStore store,
      ScriptOutputType type,
      String[] keys,
      String[] args,
      Duration timeout,
      String what) {
    RedisClusterAsyncCommands<String, String> c = store.commands();
    try {
      try {
        return await(c.<T>evalsha(sha, type, keys, args), timeout);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof RedisNoScriptException)) {
          throw e;
        }
        return await(c.<T>eval(text, type, keys, args), timeout);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RedisUnavailableException(what + " at " + store.where() + " was interrupted", e);
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      throw new RedisUnavailableException(
          what + " at " + store.where() + " failed: " + RedisStore.cause(e), e);
    }
  }

  static <T> T await(io.lettuce.core.RedisFuture<T> f, Duration timeout)
      throws InterruptedException, ExecutionException, TimeoutException {
    try {
      return f.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      f.cancel(true);
      throw e;
    }
  }
}
