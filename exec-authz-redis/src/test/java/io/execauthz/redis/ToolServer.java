package io.execauthz.redis;

import io.execauthz.Authorizer;
import io.execauthz.Decision;
import io.execauthz.jwt.GrantAuthorizer;
import io.execauthz.jwt.GrantVerifier;
import io.execauthz.jwt.PublicKeySet;
import io.execauthz.spi.PolicyEngine;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A tool server in its own JVM, for the multi-process tests: it verifies grants offline against a
 * JWKS file, with revocations and budgets shared through Redis, and answers commands read one per
 * line on stdin with one line on stdout.
 *
 * <p>Arguments: Redis URI, key prefix, JWKS file, issuer, audience, staleness bound in ms.
 * Commands: {@code current}; {@code authorize TOKEN ACTION RESOURCE}; {@code until-deny TOKEN
 * ACTION RESOURCE MS} (polls until refused); {@code spend TOKEN THREADS ACTION RESOURCE} (threads
 * call until the budget is exhausted); {@code watch PREFIX N} (the instant each grant id
 * PREFIX0..PREFIXn-1 is seen revoked); {@code quit}.
 */
public final class ToolServer {
  private ToolServer() {}

  public static void main(String[] args) throws Exception {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    RedisStore store =
        RedisStore.newBuilder()
            .uri(args[0])
            .keyPrefix(args[1])
            .timeout(Duration.ofSeconds(2))
            .build();
    RedisRevocationRegistry revocations =
        RedisRevocationRegistry.newBuilder(store)
            .stalenessBound(Duration.ofMillis(Long.parseLong(args[5])))
            .build();
    GrantAuthorizer tools =
        GrantAuthorizer.newBuilder()
            .verifier(
                GrantVerifier.newBuilder()
                    .keys(PublicKeySet.read(Path.of(args[2])))
                    .issuer(args[3])
                    .audience(args[4])
                    .revocations(revocations)
                    .build())
            .authorizer(
                Authorizer.newBuilder()
                    .budgetLedger(store.budgetLedger())
                    .policyEngine(PolicyEngine.permitAll()))
            .build();
    // a tool server reports itself ready once its copy of the revocations is current
    long ready = System.nanoTime() + 30_000_000_000L;
    while (!revocations.isCurrent() && System.nanoTime() < ready) {
      Thread.sleep(10);
    }
    out.println("READY " + revocations.isCurrent());
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      String[] c = line.split(" ");
      switch (c[0]) {
        case "current" -> out.println(revocations.isCurrent());
        case "authorize" -> out.println(text(tools.authorize(c[1], c[2], c[3])));
        case "until-deny" -> {
          long deadline = System.nanoTime() + Long.parseLong(c[4]) * 1_000_000;
          Decision d = tools.authorize(c[1], c[2], c[3]);
          while (d.isPermit() && System.nanoTime() < deadline) {
            Thread.sleep(1);
            d = tools.authorize(c[1], c[2], c[3]);
          }
          out.println(text(d));
        }
        case "spend" -> {
          int threads = Integer.parseInt(c[2]);
          AtomicLong permits = new AtomicLong();
          AtomicLong other = new AtomicLong();
          java.util.concurrent.atomic.AtomicReference<String> firstOther =
              new java.util.concurrent.atomic.AtomicReference<>();
          List<Thread> ts = new ArrayList<>();
          for (int i = 0; i < threads; i++) {
            Thread t =
                new Thread(
                    () -> {
                      while (true) {
                        Decision d = tools.authorize(c[1], c[3], c[4]);
                        if (d.isPermit()) {
                          permits.incrementAndGet();
                        } else if (text(d).equals("DENY BUDGET_EXHAUSTED")) {
                          return;
                        } else {
                          firstOther.compareAndSet(null, text(d));
                          other.incrementAndGet();
                          if (other.get() > 10_000) {
                            return;
                          }
                        }
                      }
                    });
            t.start();
            ts.add(t);
          }
          for (Thread t : ts) {
            t.join();
          }
          out.println(
              "PERMITS "
                  + permits.get()
                  + " OTHER "
                  + other.get()
                  + (firstOther.get() == null ? "" : " FIRST " + firstOther.get()));
        }
        case "watch" -> {
          int n = Integer.parseInt(c[2]);
          out.println("WATCHING");
          StringBuilder sb = new StringBuilder("SEEN");
          for (int i = 0; i < n; i++) {
            String id = c[1] + i;
            while (!revocations.isGrantRevoked(id)) {
              java.util.concurrent.locks.LockSupport.parkNanos(20_000); // not a busy spin: 2 cores
            }
            Instant t = Instant.now();
            sb.append(' ').append(t.getEpochSecond() * 1_000_000 + t.getNano() / 1_000);
          }
          out.println(sb);
        }
        case "quit" -> {
          revocations.close();
          store.close();
          return;
        }
        default -> out.println("unknown command " + c[0]);
      }
    }
  }

  private static String text(Decision d) {
    return d instanceof Decision.Deny deny ? "DENY " + deny.reason() : "PERMIT";
  }
}
