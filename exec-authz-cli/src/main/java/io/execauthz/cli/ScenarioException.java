package io.execauthz.cli;

/**
 * A scenario file that is not valid: the message names the file, the step number (1-based) and the
 * key, so a security team can fix it without reading Java. Exit code 2.
 */
final class ScenarioException extends RuntimeException {
  ScenarioException(String message) {
    super(message);
  }

  ScenarioException(String message, Throwable cause) {
    super(message, cause);
  }
}
