package io.execauthz.cli;

/** How a command prints its results: readable lines for people, or JSON lines for machines. */
enum OutputFormat {
  /** Readable lines (the default). */
  TEXT,
  /** One JSON object per line. */
  JSON
}
