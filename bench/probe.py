#!/usr/bin/env python3
"""Benchmark probes that wrk cannot do (stdlib only).

  probe.py ttfb URL [--key KEY] [--requests 200]
      Streams the benchmark chat request over one keep-alive connection and prints the time from
      sending the request to the first body byte (first SSE event).
      Output: TTFB_RESULT n=200 p50_ms=.. p99_ms=.. mean_ms=..
  probe.py startup --runs 5 -- CMD ... {port} ...
      Starts CMD (with {port} replaced by a free port) and polls GET /health on it in a tight loop;
      prints the time from exec to the first 200, then stops the process with SIGTERM.
      Output: STARTUP_RESULT runs=5 median_ms=.. all_ms=a,b,c
"""
import argparse
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse

BODY = {"model": "bench", "messages": [{"role": "user", "content": "Say hello"}], "stream": True}


def percentile(values, fraction):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, int(round(fraction * len(ordered) + 0.5)) - 1))
    return ordered[index]


def ttfb(args):
    url = urllib.parse.urlsplit(args.url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    body = json.dumps(BODY).encode()
    headers = {"Content-Type": "application/json"}
    if args.key:
        headers["Authorization"] = "Bearer " + args.key
    samples = []
    for index in range(args.warmup + args.requests):
        start = time.perf_counter()
        conn.request("POST", url.path, body=body, headers=headers)
        response = conn.getresponse()
        first = response.read1(65536)
        elapsed = time.perf_counter() - start
        rest = response.read()
        if response.status != 200 or not first:
            sys.exit(f"ttfb: {args.url} answered {response.status}: {(first + rest)[:300]!r}")
        if index == 0 and b"data:" not in first + rest:
            sys.exit(f"ttfb: {args.url} did not stream SSE: {(first + rest)[:300]!r}")
        if index >= args.warmup:
            samples.append(elapsed * 1000)
    conn.close()
    print(
        f"TTFB_RESULT n={len(samples)} p50_ms={statistics.median(samples):.3f} "
        f"p99_ms={percentile(samples, 0.99):.3f} mean_ms={statistics.fmean(samples):.3f}"
    )


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def health_ok(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            data = sock.recv(64)
            return data.startswith(b"HTTP/1.1 200") or data.startswith(b"HTTP/1.0 200")
    except OSError:
        return False


def startup(args):
    command = args.command[1:] if args.command and args.command[0] == "--" else args.command
    if not command:
        sys.exit("startup: give the command after --")
    results = []
    for _ in range(args.runs):
        port = free_port()
        argv = [part.replace("{port}", str(port)) for part in command]
        log = open(args.log, "ab") if args.log else subprocess.DEVNULL
        start = time.perf_counter()
        process = subprocess.Popen(argv, stdout=log, stderr=log)
        try:
            deadline = start + args.timeout
            while not health_ok(port):
                if process.poll() is not None:
                    sys.exit(f"startup: process exited with {process.returncode} before /health answered")
                if time.perf_counter() > deadline:
                    sys.exit(f"startup: no 200 on /health within {args.timeout} s")
                time.sleep(0.0005)
            results.append((time.perf_counter() - start) * 1000)
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            if args.log:
                log.close()
    print(
        f"STARTUP_RESULT runs={len(results)} median_ms={statistics.median(results):.1f} "
        f"all_ms={','.join(f'{value:.1f}' for value in results)}"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="mode", required=True)
    t = sub.add_parser("ttfb")
    t.add_argument("url")
    t.add_argument("--key", default=os.environ.get("BENCH_AUTH"))
    t.add_argument("--requests", type=int, default=200)
    t.add_argument("--warmup", type=int, default=20)
    s = sub.add_parser("startup")
    s.add_argument("--runs", type=int, default=5)
    s.add_argument("--timeout", type=float, default=30)
    s.add_argument("--log")
    s.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    ttfb(args) if args.mode == "ttfb" else startup(args)


if __name__ == "__main__":
    main()
