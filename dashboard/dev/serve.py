#!/usr/bin/env python3
"""Development server for the Switchboard billing dashboard (Python stdlib only).

Serves dashboard/index.html, app.js and app.css at /dashboard, /dashboard/app.js and
/dashboard/app.css with the same Content-Security-Policy as the gateway, plus a stub
GET /v1/billing/usage with deterministic sample data.

    python3 dashboard/dev/serve.py [--host 127.0.0.1] [--port 8787]

Keys accepted by the stub:
    sk-test      admin-like: may pass tenant=..., gets the sample data
    sk-user      ordinary key: tenant=... answers 403
    sk-limited   always answers 429
anything else (or no Authorization header) answers 401.
Days before 2024-01-01 have no usage (to see the empty states).
"""

import argparse
import csv
import datetime as dt
import io
import json
import random
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

DASHBOARD_DIR = Path(__file__).resolve().parent.parent

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)

STATIC = {
    "/dashboard": ("index.html", "text/html; charset=utf-8"),
    "/dashboard/": ("index.html", "text/html; charset=utf-8"),
    "/dashboard/index.html": ("index.html", "text/html; charset=utf-8"),
    "/dashboard/app.js": ("app.js", "text/javascript; charset=utf-8"),
    "/dashboard/app.css": ("app.css", "text/css; charset=utf-8"),
}

XSS_MODEL = "<img src=x onerror=alert(1)><b>bold</b>"

# alias -> (price per 1M input tokens, per 1M output tokens) or None when unpriced
MODELS = {
    "smart": (2.50, 10.00),
    "fast": (0.15, 0.60),
    "claude-sonnet": (3.00, 15.00),
    XSS_MODEL: (0.50, 1.50),
    "openai/some-new-model": None,
}

KEYS = [
    ("key_ab12", "alice-prod"),
    ("key_cd34", "alice-staging"),
    ("key_ef56", "ci & <nightly>"),
    ("key_gh78", None),
]

MAX_DAYS = 366
NO_USAGE_BEFORE = dt.date(2024, 1, 1)  # ranges before this are empty (empty states)


def openai_error(message, type_, code):
    return {"error": {"message": message, "type": type_, "param": None, "code": code}}


def zero():
    return {
        "requests": 0,
        "successfulRequests": 0,
        "failedRequests": 0,
        "cancelledRequests": 0,
        "inputTokens": 0,
        "outputTokens": 0,
        "cachedInputTokens": 0,
        "estimatedCostUsd": 0.0,
        "unpricedRequests": 0,
    }


def add(into, rec):
    for k in into:
        into[k] += rec[k]


def records(day, tenant):
    """Deterministic per (day, model, key) usage records."""
    if day < NO_USAGE_BEFORE:
        return []
    rng = random.Random(f"{tenant}|{day.isoformat()}")
    weekend = day.weekday() >= 5
    out = []
    for model, price in MODELS.items():
        for key_id, _ in KEYS:
            base = {"smart": 4, "fast": 9, "claude-sonnet": 2, XSS_MODEL: 1, "openai/some-new-model": 1}[model]
            if weekend:
                base = max(0, base // 3)
            if key_id == "key_gh78" and rng.random() < 0.8:
                continue
            n = rng.randint(0, base)
            if n == 0:
                continue
            failed = sum(1 for _ in range(n) if rng.random() < 0.06)
            cancelled = sum(1 for _ in range(n - failed) if rng.random() < 0.03)
            ok = n - failed - cancelled
            inp = sum(rng.randint(200, 2400) for _ in range(ok)) + failed * 150
            outp = sum(rng.randint(50, 900) for _ in range(ok))
            cached = inp // 5 if model in ("smart", "claude-sonnet") else 0
            rec = zero()
            rec.update(
                requests=n,
                successfulRequests=ok,
                failedRequests=failed,
                cancelledRequests=cancelled,
                inputTokens=inp,
                outputTokens=outp,
                cachedInputTokens=cached,
            )
            if price is None:
                rec["unpricedRequests"] = ok
            else:
                rec["estimatedCostUsd"] = inp * price[0] / 1e6 + outp * price[1] / 1e6
            out.append((model, key_id, rec))
    return out


def usage(start, end, tenant, with_key):
    by_date, by_model, by_key = [], {}, {}
    summary = zero()
    day = start
    while day <= end:
        d = zero()
        for model, key_id, rec in records(day, tenant):
            add(d, rec)
            add(by_model.setdefault(model, zero()), rec)
            add(by_key.setdefault(key_id, zero()), rec)
        add(summary, d)
        d["estimatedCostUsd"] = round(d["estimatedCostUsd"], 12)
        by_date.append({"date": day.isoformat(), **d})
        day += dt.timedelta(days=1)

    def finish(rec):
        rec["estimatedCostUsd"] = round(rec["estimatedCostUsd"], 12)
        return rec

    models = [{"model": m, **finish(r)} for m, r in by_model.items()]
    models.sort(key=lambda r: (r["estimatedCostUsd"], r["requests"]), reverse=True)
    labels = dict(KEYS)
    keys = [{"keyId": k, "label": labels[k], **finish(r)} for k, r in by_key.items()]
    keys.sort(key=lambda r: (r["estimatedCostUsd"], r["requests"]), reverse=True)

    total = summary["requests"]
    body = {
        "object": "billing.usage",
        "tenantId": tenant,
        "period": {"from": start.isoformat(), "to": end.isoformat()},
        "currency": "USD",
        "generatedAt": dt.datetime.now(dt.timezone.utc).isoformat(),  # unknown field: ignored
        "summary": {
            "totalRequests": total,
            "successfulRequests": summary["successfulRequests"],
            "failedRequests": summary["failedRequests"],
            "cancelledRequests": summary["cancelledRequests"],
            "successRate": (summary["successfulRequests"] / total) if total else None,
            "totalInputTokens": summary["inputTokens"],
            "totalOutputTokens": summary["outputTokens"],
            "totalCachedInputTokens": summary["cachedInputTokens"],
            "estimatedCostUsd": round(summary["estimatedCostUsd"], 12),
            "unpricedRequests": summary["unpricedRequests"],
        },
        "byModel": models,
        "byDate": by_date,
        "unpricedModels": sorted(m for m, r in by_model.items() if MODELS[m] is None and r["unpricedRequests"] > 0),
    }
    if with_key:
        body["byKey"] = keys
    return body


def usage_csv(start, end, tenant):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    fields = ["requests", "successfulRequests", "failedRequests", "cancelledRequests", "inputTokens",
              "outputTokens", "cachedInputTokens", "estimatedCostUsd", "unpricedRequests"]
    w.writerow(["date", "model", "key_id", "key_label"] + fields)
    labels = dict(KEYS)
    day = start
    while day <= end:
        for model, key_id, rec in records(day, tenant):
            w.writerow([day.isoformat(), model, key_id, labels[key_id] or ""] +
                       [round(rec[f], 12) if f == "estimatedCostUsd" else rec[f] for f in fields])
        day += dt.timedelta(days=1)
    return buf.getvalue()


class Handler(BaseHTTPRequestHandler):
    server_version = "switchboard-dashboard-dev"
    quiet = False

    def log_message(self, fmt, *args):
        if not self.quiet:
            sys.stderr.write("%s - %s\n" % (self.address_string(), fmt % args))

    def send(self, status, body, content_type, extra=None):
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def send_json(self, status, obj):
        self.send(status, json.dumps(obj), "application/json")

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        url = urlsplit(self.path)
        if url.path in STATIC:
            name, ctype = STATIC[url.path]
            body = (DASHBOARD_DIR / name).read_bytes()
            self.send(200, body, ctype, {
                "Content-Security-Policy": CSP,
                "Referrer-Policy": "no-referrer",
                "X-Frame-Options": "DENY",
            })
            return
        if url.path == "/":
            self.send(302, "", "text/plain", {"Location": "/dashboard"})
            return
        if url.path == "/v1/billing/usage":
            self.usage(parse_qs(url.query))
            return
        self.send_json(404, openai_error(f"Unknown path {url.path}", "invalid_request_error", "not_found"))

    def usage(self, q):
        auth = self.headers.get("Authorization", "")
        key = auth[7:].strip() if auth.startswith("Bearer ") else ""
        if key not in ("sk-test", "sk-user", "sk-limited"):
            msg = "Incorrect API key provided." if key else "Missing API key. Send it as 'Authorization: Bearer <key>'."
            self.send_json(401, openai_error(msg, "invalid_request_error", "invalid_api_key"))
            return
        if key == "sk-limited":
            self.send_json(429, openai_error("Rate limit reached for billing requests. Try again in 20s.",
                                             "rate_limit_error", "rate_limit_exceeded"))
            return

        def one(name):
            v = q.get(name, [""])
            return v[0] if v else ""

        try:
            start = dt.date.fromisoformat(one("from"))
            end = dt.date.fromisoformat(one("to"))
        except ValueError:
            self.send_json(400, openai_error("'from' and 'to' must be dates formatted as YYYY-MM-DD.",
                                             "invalid_request_error", "invalid_date"))
            return
        if start > end:
            self.send_json(400, openai_error(f"'from' ({start}) must not be after 'to' ({end}).",
                                             "invalid_request_error", "invalid_range"))
            return
        if (end - start).days + 1 > MAX_DAYS:
            self.send_json(400, openai_error(f"The range may span at most {MAX_DAYS} days.",
                                             "invalid_request_error", "range_too_large"))
            return
        tenant = one("tenant")
        if tenant and key != "sk-test":
            self.send_json(403, openai_error("Only admin keys may query another tenant's usage.",
                                             "permission_error", "forbidden"))
            return
        tenant = tenant or "t_alice"
        group_by = [g.strip() for g in one("group_by").split(",") if g.strip()]
        if one("format") == "csv":
            self.send(200, usage_csv(start, end, tenant), "text/csv; charset=utf-8", {
                "Content-Disposition": f'attachment; filename="usage-{start}-{end}.csv"',
            })
            return
        self.send_json(200, usage(start, end, tenant, with_key="key" in group_by))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8787)
    ap.add_argument("--quiet", action="store_true", help="do not log requests")
    args = ap.parse_args(argv)
    Handler.quiet = args.quiet
    httpd = ThreadingHTTPServer((args.host, args.port), Handler)
    print(f"Dashboard: http://{args.host}:{httpd.server_address[1]}/dashboard  (key: sk-test)", flush=True)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
