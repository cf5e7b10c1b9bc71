#!/usr/bin/env python3
"""Check the dashboard in real headless Chromium against dev/serve.py.

    python3 -m venv /tmp/dashvenv && /tmp/dashvenv/bin/pip install selenium
    /tmp/dashvenv/bin/python dashboard/dev/check.py [--shots /tmp]

Starts serve.py on a free port, drives the page with Selenium and asserts: the summary
equals the stub's JSON, HTML-looking model names render as literal text (no element is
created from them), no console errors and no CSP violations, the API key reaches
localStorage only when "remember" is checked, 401/400 and network errors are shown,
CSV download works, and at 375px nothing overflows horizontally. Saves
dashboard-desktop.png, dashboard-phone.png and dashboard-dark.png into --shots.
"""

import argparse
import datetime as dt
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

HERE = Path(__file__).resolve().parent
XSS_MODEL = "<img src=x onerror=alert(1)><b>bold</b>"
STORAGE_KEY = "switchboard.dashboard.key"

failures = []


def check(cond, what):
    print(("  ok   " if cond else "  FAIL ") + what, flush=True)
    if not cond:
        failures.append(what)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port):
    proc = subprocess.Popen([sys.executable, str(HERE / "serve.py"), "--port", str(port), "--quiet"],
                            stdout=subprocess.DEVNULL)
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/dashboard", timeout=1).read()
            return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("serve.py did not start")


def stub_usage(base, frm, to, tenant=None):
    q = f"from={frm}&to={to}&group_by=model,day,key" + (f"&tenant={tenant}" if tenant else "")
    req = urllib.request.Request(f"{base}/v1/billing/usage?{q}", headers={"Authorization": "Bearer sk-test"})
    with urllib.request.urlopen(req) as r:
        return json.load(r)


def stub_error(base, frm, to, key):
    req = urllib.request.Request(f"{base}/v1/billing/usage?from={frm}&to={to}&group_by=model,day,key",
                                 headers={"Authorization": f"Bearer {key}"})
    try:
        urllib.request.urlopen(req)
    except urllib.error.HTTPError as e:
        return json.load(e)["error"]["message"]
    raise AssertionError("expected an error")


# Installed before any page script: records CSP violations and alert() calls.
PRELUDE = """
window.__csp = [];
window.__alerts = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__csp.push(e.violatedDirective + ' ' + e.blockedURI);
});
window.alert = function (m) { window.__alerts.push(String(m)); };
"""


def make_driver(download_dir):
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,1000"):
        opts.add_argument(a)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    opts.add_experimental_option("prefs", {
        "download.default_directory": download_dir,
        "download.prompt_for_download": False,
        "safebrowsing.enabled": False,
    })
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": PRELUDE})
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": download_dir})
    return driver


class Page:
    def __init__(self, driver, base):
        self.d = driver
        self.base = base

    def js(self, script, *args):
        return self.d.execute_script(script, *args)

    def open(self):
        self.d.get(self.base + "/dashboard")
        WebDriverWait(self.d, 10).until(lambda d: d.execute_script(
            "return document.readyState === 'complete' && document.getElementById('to').value !== ''"))

    def by_id(self, i):
        return self.d.find_element(By.ID, i)

    def text(self, i):
        return self.js("return document.getElementById(arguments[0]).textContent", i)

    def attr(self, i, name):
        return self.by_id(i).get_attribute(name)

    def set_value(self, i, value):
        # Works for type=date too; fires input/change like a user edit.
        self.js("""var e = document.getElementById(arguments[0]); e.value = arguments[1];
                   e.dispatchEvent(new Event('input', {bubbles: true}));
                   e.dispatchEvent(new Event('change', {bubbles: true}));""", i, value)

    def type_key(self, key):
        f = self.by_id("api-key")
        f.clear()
        if key:
            f.send_keys(key)

    def stored_key(self):
        return self.js("return localStorage.getItem(arguments[0])", STORAGE_KEY)

    def load(self):
        self.by_id("load").click()
        try:
            WebDriverWait(self.d, 10).until(lambda d: not self.by_id("load").get_attribute("disabled")
                                             and self.by_id("load").text == "Load")
        except TimeoutException:
            check(False, "load finished within 10s")

    def visible(self, i):
        return self.by_id(i).is_displayed()

    def logs(self):
        return self.d.get_log("browser")

    def csp(self):
        return self.js("return window.__csp.slice()")


def full_height_screenshot(page, width, path, mobile):
    d = page.d
    d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                      {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": mobile})
    time.sleep(0.6)  # the page re-renders charts on resize (debounced)
    height = page.js("return Math.ceil(document.documentElement.scrollHeight)")
    d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                      {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})
    time.sleep(0.4)
    d.save_screenshot(str(path))
    print(f"  saved {path} ({width}x{height})")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shots", default="/tmp", help="directory for the screenshots")
    args = ap.parse_args()

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(port)
    downloads = tempfile.mkdtemp(prefix="dash-dl-")
    driver = make_driver(downloads)
    p = Page(driver, base)
    today = dt.datetime.now(dt.timezone.utc).date()
    try:
        print("page load")
        p.open()
        check(p.by_id("gateway").get_attribute("value") == base, "gateway defaults to location.origin")
        check(p.attr("to", "value") == today.isoformat(), "To defaults to today (UTC)")
        check(p.attr("from", "value") == (today - dt.timedelta(days=29)).isoformat(), "From defaults to 30 days back")
        check(p.attr("api-key", "type") == "password" and p.attr("api-key", "autocomplete") == "off",
              "API key field is a password field with autocomplete=off")
        check(not p.visible("results"), "results hidden before loading")
        check(p.stored_key() is None, "nothing in localStorage initially")

        print("load with sk-test (remember unchecked)")
        p.type_key("sk-test")
        p.load()
        frm, to = p.attr("from", "value"), p.attr("to", "value")
        data = stub_usage(base, frm, to)
        s = data["summary"]
        check(p.visible("results") and not p.visible("error"), "results shown, no error")
        check(p.text("tenant") == data["tenantId"], "#tenant = tenantId")
        check(p.text("period") == f"{frm} \u2013 {to}", "#period text")
        check(p.attr("total-requests", "data-value") == str(s["totalRequests"]), "total requests data-value")
        check(p.text("total-requests") == f"{s['totalRequests']:,}", "total requests text")
        check(float(p.attr("success-rate", "data-value")) == s["successRate"], "success rate data-value")
        check(p.text("success-rate") == f"{s['successRate'] * 100:.1f}%", "success rate text")
        check(p.attr("input-tokens", "data-value") == str(s["totalInputTokens"]), "input tokens data-value")
        check(p.text("input-tokens") == f"{s['totalInputTokens']:,}", "input tokens text")
        check(p.attr("output-tokens", "data-value") == str(s["totalOutputTokens"]), "output tokens data-value")
        check(float(p.attr("cost", "data-value")) == s["estimatedCostUsd"], "cost data-value")
        check(p.text("cost").startswith("$"), f"cost text ({p.text('cost')})")
        check(p.attr("failed-requests", "data-value") == str(s["failedRequests"]), "failed requests data-value")
        n = s["unpricedRequests"]
        want = (f"{n} request{'s' if n != 1 else ''} could not be priced "
                f"(no price for: {', '.join(data['unpricedModels'])})")
        check(p.visible("unpriced") and p.text("unpriced") == want, f"#unpriced note ({p.text('unpriced')!r})")

        rows = p.js("""return Array.from(document.querySelectorAll('#models-table tbody tr')).map(function (tr) {
            return {model: tr.getAttribute('data-model'),
                    cells: Array.from(tr.cells).map(function (c) { return c.textContent; })}; })""")
        check([r["model"] for r in rows] == [m["model"] for m in data["byModel"]], "models table rows in byModel order")
        xss_row = next((r for r in rows if r["model"] == XSS_MODEL), None)
        xss = next(m for m in data["byModel"] if m["model"] == XSS_MODEL)
        check(xss_row is not None and xss_row["cells"][0] == XSS_MODEL, "HTML-named model is literal text in the table")
        check(xss_row is not None and xss_row["cells"][1] == f"{xss['requests']:,}"
              and xss_row["cells"][3] == f"{xss['inputTokens']:,}", "table numbers use thousands separators")
        heads = p.js("return Array.from(document.querySelectorAll('#models-table thead th')).map(function (c) { return c.textContent.trim(); })")
        check(heads == ["Model", "Requests", "Success rate", "Input tokens", "Output tokens", "Cost"], "models table header")

        bars = p.js("""return Array.from(document.querySelectorAll('#chart-cost g.model-bar')).map(function (g) {
            return {model: g.getAttribute('data-model'), label: g.querySelector('text').textContent,
                    rect: !!g.querySelector('rect')}; })""")
        check([b["model"] for b in bars] == [m["model"] for m in data["byModel"]], "one cost bar per model")
        check(any(b["model"] == XSS_MODEL and b["label"] == XSS_MODEL and b["rect"] for b in bars),
              "HTML-named model is literal text in the cost chart")
        check(p.js("return document.querySelectorAll('img, b').length") == 0, "no <img>/<b> element was created")
        check(p.js("return window.__alerts.length") == 0, "alert() never called")

        req = p.js("""function q(c) { return Array.from(document.querySelectorAll('#chart-requests rect.' + c)); }
            return {ok: q('bar-ok').map(function (r) { return +r.getAttribute('data-count'); }),
                    failed: q('bar-failed').map(function (r) { return +r.getAttribute('data-count'); }),
                    dates: q('bar-ok').map(function (r) { return r.getAttribute('data-date'); }),
                    title: q('bar-ok')[0].querySelector('title').textContent,
                    role: document.getElementById('chart-requests').getAttribute('role'),
                    xlabels: document.querySelectorAll('#chart-requests .x-label').length}""")
        check(req["dates"] == [d["date"] for d in data["byDate"]], "requests chart: one bar per day, in order")
        check(sum(req["ok"]) == s["successfulRequests"], "requests chart: successful counts add up")
        check(sum(req["failed"]) == s["failedRequests"] + s["cancelledRequests"], "requests chart: failed counts add up")
        d0 = data["byDate"][0]
        check(req["title"] == f"{d0['date']}: {d0['successfulRequests']:,} successful", f"bar title ({req['title']!r})")
        check(req["role"] == "img", "chart role=img")
        check(0 < req["xlabels"] < len(data["byDate"]), f"sparse x labels ({req['xlabels']})")
        tok = p.js("""function s(c) { return Array.from(document.querySelectorAll('#chart-tokens rect.' + c))
                        .reduce(function (a, r) { return a + +r.getAttribute('data-count'); }, 0); }
            return [s('bar-input'), s('bar-output')]""")
        check(tok == [s["totalInputTokens"], s["totalOutputTokens"]], "tokens chart sums")

        keys = p.js("""return Array.from(document.querySelectorAll('#keys-table tbody tr')).map(function (tr) {
            return Array.from(tr.cells).map(function (c) { return c.textContent; }); })""")
        check([k[1] for k in keys] == [k["keyId"] for k in data["byKey"]], "keys table rows")
        check(any(k[0] == "ci & <nightly>" for k in keys), "key label rendered literally")
        check(p.stored_key() is None, "key not in localStorage (remember unchecked)")

        print("quick range 7 days + tenant")
        driver.find_element(By.CSS_SELECTOR, '.range-button[data-days="7"]').click()
        check(p.attr("from", "value") == (today - dt.timedelta(days=6)).isoformat(), "7-day button sets From")
        p.set_value("tenant-input", "t_bob")
        p.load()
        check(p.text("tenant") == "t_bob", "tenant= is sent and shown")
        check(p.js("return document.querySelectorAll('#chart-requests rect.bar-ok').length") == 7, "7 bars")
        p.set_value("tenant-input", "")

        print("empty period")
        p.set_value("from", "2023-01-01")
        p.set_value("to", "2023-01-10")
        p.load()
        check(p.text("success-rate") == "\u2013" and p.attr("success-rate", "data-value") == "",
              "successRate null shows a dash and an empty data-value")
        check(p.attr("total-requests", "data-value") == "0", "zero requests")
        check(p.attr("chart-requests", "data-empty") == "true"
              and "No requests" in p.js("return document.getElementById('chart-requests').textContent"),
              "requests chart empty state")
        check(p.attr("chart-tokens", "data-empty") == "true", "tokens chart empty state")
        check(not p.visible("unpriced"), "no unpriced note")
        check(p.js("return document.querySelectorAll('#models-table tbody tr[data-model]').length") == 0,
              "no model rows")
        driver.find_element(By.CSS_SELECTOR, '.range-button[data-days="30"]').click()

        print("remember key")
        p.by_id("remember-key").click()
        check(p.stored_key() == "sk-test", "checking remember stores the key")
        p.open()
        check(p.attr("api-key", "value") == "sk-test" and p.by_id("remember-key").is_selected(),
              "remembered key restored on load and box checked")
        p.by_id("remember-key").click()
        check(p.stored_key() is None, "unchecking removes the key")
        p.by_id("remember-key").click()
        check(p.stored_key() == "sk-test", "re-checking stores it again")
        p.by_id("forget-key").click()
        check(p.stored_key() is None and p.attr("api-key", "value") == ""
              and not p.by_id("remember-key").is_selected(), "Forget key clears storage, field and box")

        print("CSV download")
        p.type_key("sk-test")
        frm, to = p.attr("from", "value"), p.attr("to", "value")
        p.by_id("download-csv").click()
        target = Path(downloads) / f"usage-{frm}-{to}.csv"
        deadline = time.time() + 10
        while time.time() < deadline and not target.exists():
            time.sleep(0.1)
        check(target.exists() and target.read_text().startswith("date,model"), f"downloaded {target.name}")

        print("console / CSP (happy path)")
        p.load()
        entries = p.logs()
        for e in entries:
            print("    console:", e["level"], e["message"][:200])
        check(not any(e["level"] == "SEVERE" for e in entries), "no console errors")
        check(not any("Content Security Policy" in e["message"] for e in entries), "no CSP messages in console")
        check(p.csp() == [], f"no securitypolicyviolation events ({p.csp()})")

        print("screenshots")
        full_height_screenshot(p, 1280, Path(args.shots) / "dashboard-desktop.png", mobile=False)
        full_height_screenshot(p, 375, Path(args.shots) / "dashboard-phone.png", mobile=True)
        sw = p.js("return [window.innerWidth, document.documentElement.scrollWidth]")
        check(sw[0] == 375 and sw[1] <= 375, f"no horizontal overflow at 375px (innerWidth, scrollWidth = {sw})")
        wide = p.js("""var out = []; document.querySelectorAll('body *').forEach(function (e) {
            var r = e.getBoundingClientRect(); if (r.right > 376 && !e.closest('.table-wrap')) out.push(e.tagName + '#' + e.id + '.' + e.className); });
            return out.slice(0, 10)""")
        check(wide == [], f"no element sticks out at 375px ({wide})")
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia",
                               {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
        full_height_screenshot(p, 1280, Path(args.shots) / "dashboard-dark.png", mobile=False)
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})

        print("errors")
        p.logs()
        p.type_key("sk-wrong")
        p.load()
        msg = stub_error(base, p.attr("from", "value"), p.attr("to", "value"), "sk-wrong")
        check(p.visible("error") and p.text("error") == msg, f"401 message shown ({p.text('error')!r})")
        check(p.attr("error", "role") == "alert", "#error has role=alert")
        check(not p.visible("results"), "stale results hidden on error")
        p.type_key("sk-test")
        p.load()
        check(p.visible("results") and not p.visible("error"), "error cleared after a good load")
        p.set_value("from", "2026-12-10")
        p.set_value("to", "2026-12-01")
        p.load()
        msg = stub_error(base, "2026-12-10", "2026-12-01", "sk-test")
        check(p.visible("error") and p.text("error") == msg and not p.visible("results"),
              f"400 message shown ({p.text('error')!r})")
        entries = p.logs()
        unexpected = [e for e in entries if e["level"] == "SEVERE"
                      and not (e.get("source") == "network" and ("401" in e["message"] or "400" in e["message"]))]
        check(unexpected == [], f"only the expected 401/400 network messages ({unexpected})")
        check(p.csp() == [], "still no CSP violations")

        print("network failure")
        server.terminate()
        server.wait(5)
        p.set_value("from", frm)
        p.set_value("to", to)
        p.load()
        check(p.visible("error") and "Could not reach the gateway" in p.text("error"),
              f"network failure shown ({p.text('error')!r})")
        check(p.by_id("load").text == "Load" and p.by_id("load").is_enabled(), "Load button re-enabled")
    finally:
        driver.quit()
        if server.poll() is None:
            server.terminate()

    print()
    if failures:
        print(f"{len(failures)} check(s) failed:")
        for f in failures:
            print("  -", f)
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
