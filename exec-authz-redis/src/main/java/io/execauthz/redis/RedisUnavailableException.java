package io.execauthz.redis;

/**
 * Redis could not be reached, or did not answer within the store's timeout. The message names the
 * store's location without user or password.
 *
 * <p>Thread-safe once thrown: its fields are final.
 */
public final class RedisUnavailableException extends RuntimeException {
  RedisUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
