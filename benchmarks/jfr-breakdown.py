#!/usr/bin/env python3
"""Where one uncached decision's time goes, from a JFR recording of a JMH run.

    java -jar benchmarks/target/benchmarks.jar 'AuthorizeBenchmark.uncached$' -p schema=default \
        -f 1 -wi 10 -i 10 -prof "jfr:dir=/tmp/jfr;configName=profile"
    python3 benchmarks/jfr-breakdown.py /tmp/jfr/*/profile.jfr

Java samples (jdk.ExecutionSample) are attributed to the first frame, from the top of the stack,
that belongs to a part we can name: our request mapping, cedar-java (its Jackson serialization of
the request and parsing of the answer counted apart), our audit record, the rest of our pipeline,
the JMH harness. Native samples (jdk.NativeMethodSample) count only when the thread is inside
cedar-java's JNI call (JSON parsing on the Rust side, entity and context building, evaluation);
threads parked waiting for an answer are native too and are left out. Each kind of sample is
weighted by its sampling period: JFR's "profile" settings sample Java every 10 ms and native code
every 20 ms (pass other periods as two more arguments).
"""
import re
import subprocess
import sys
from collections import Counter

PARTS = [
    ("io.execauthz.cedar.internal.RequestMapper", "our mapping to cedar-java objects"),
    ("io.execauthz.audit.", "our audit record (JSON line, SHA-256, write)"),
    ("com.cedarpolicy.", "cedar-java, Java side"),
    ("io.execauthz.", "our pipeline (graph checks, cache, engine glue)"),
    ("org.openjdk.jmh.", "JMH harness"),
]


def events(path, kind):
    out = subprocess.run(
        ["jfr", "print", "--events", kind, "--stack-depth", "256", path],
        capture_output=True, text=True, check=True).stdout
    for block in out.split(kind + " {")[1:]:
        frames = re.findall(r"^\s+([\w$.<>]+)\(", block.split("stackTrace = [", 1)[-1], re.M)
        yield frames


def classify(frames):
    jackson = False
    for f in frames:
        if f.startswith("com.fasterxml.jackson."):
            jackson = True
        for prefix, part in PARTS:
            if f.startswith(prefix):
                if prefix == "com.cedarpolicy." and jackson:
                    return "cedar-java, JSON serialization/parsing (Jackson)"
                return part
    return "other (JDK, JIT, GC)"


def main(path, java_period=10, native_period=20):
    time = Counter()
    for frames in events(path, "jdk.ExecutionSample"):
        time[classify(frames)] += java_period
    for frames in events(path, "jdk.NativeMethodSample"):
        if frames and "callCedarJNI" in frames[0]:
            time["native: JNI, Rust-side JSON parsing, entities, evaluation"] += native_period
    total = sum(time.values())
    print(f"sampling: Java every {java_period} ms, native every {native_period} ms")
    print(f"{'part':<62} {'share':>6}")
    for part, t in time.most_common():
        print(f"{part:<62} {100 * t / total:5.1f}%")


if __name__ == "__main__":
    if len(sys.argv) not in (2, 4):
        sys.exit("usage: jfr-breakdown.py <profile.jfr> [<java period ms> <native period ms>]")
    main(sys.argv[1], *[int(a) for a in sys.argv[2:]])
