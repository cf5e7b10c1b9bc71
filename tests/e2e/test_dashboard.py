"""The billing dashboard served by the gateway, driven in headless Chromium against real traffic: the page shows
exactly what `GET /v1/billing/usage` reports, renders HTML-looking aliases as text under the strict CSP, keeps
the key out of localStorage unless asked, shows the gateway's errors, and fits a 375px screen.

Needs Chromium and chromedriver (Debian: `chromium`, `chromium-driver`; override the paths with
$SWITCHBOARD_CHROMIUM / $SWITCHBOARD_CHROMEDRIVER) and the `selenium` package. Set
$SWITCHBOARD_DASHBOARD_SCREENSHOT to a path (e.g. docs/dashboard.png) to save the desktop screenshot there; by
default it goes to the test's tmp_path.
"""

from __future__ import annotations

import json
import os
import time
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import httpx2 as httpx
import openai
import pytest
from openai import OpenAI

from conftest import gateway_config

try:
    from selenium import webdriver
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError as error:  # a clear failure, not a skip: CI must run this test
    webdriver = None
    SELENIUM_IMPORT_ERROR = error
else:
    SELENIUM_IMPORT_ERROR = None

CHROMIUM = os.environ.get("SWITCHBOARD_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("SWITCHBOARD_CHROMEDRIVER", "/usr/bin/chromedriver")
SCREENSHOT_ENV = "SWITCHBOARD_DASHBOARD_SCREENSHOT"

HTML_ALIAS = "<img/src=x/onerror=alert(1)><b>bold</b>"
PRICING = """
pricing:
  gpt-fake: { input_per_1m: 2.5, output_per_1m: 15 }
"""
# The alias is a quoted YAML key (it has no whitespace, which aliases may not contain).
HTML_ROUTE = f'  "{HTML_ALIAS}": {{ targets: [ {{ provider: "openai_compatible:fake", model: "gpt-fake" }} ] }}\n'
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
STORAGE_KEY = "switchboard.dashboard.key"
WAIT = 15

# Installed before any page script: records CSP violations and alert() calls (an alert would also show up as a
# CSP violation, since inline handlers are blocked, or as an open dialog).
PRELUDE = """
window.__csp = [];
window.__alerts = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__csp.push(e.violatedDirective + ' ' + e.blockedURI);
});
var nativeAlert = window.alert;
window.alert = function (m) { window.__alerts.push(String(m)); return nativeAlert.apply(window, arguments); };
"""


# MARK: helpers


def avoid_utc_midnight(seconds_needed: float = 60) -> None:
    """All seeded requests must fall on today's UTC day: wait for the new day if this one ends too soon."""
    into_day = time.time() % 86400
    if into_day > 86400 - seconds_needed:
        time.sleep(86400 - into_day + 0.5)


def prompt(words: int) -> str:
    return " ".join(f"word{i % 97}" for i in range(words))


def usage(gw, key: str, frm: str, to: str) -> httpx.Response:
    return httpx.get(f"{gw.base_url}/billing/usage", params={"from": frm, "to": to, "group_by": "model,day,key"},
                     headers={"authorization": f"Bearer {key}"}, timeout=10)


def wait_for_usage(gw, key: str, frm: str, to: str, total: int, timeout: float = 15) -> dict:
    """Polls the report until `total` requests are in it (the request log is written asynchronously)."""
    deadline = time.monotonic() + timeout
    while True:
        response = usage(gw, key, frm, to)
        assert response.status_code == 200, response.text
        body = json.loads(response.text, parse_float=Decimal)
        if body["summary"]["totalRequests"] >= total:
            return body
        if time.monotonic() > deadline:
            raise AssertionError(f"usage never reached {total} requests: {body['summary']}")
        time.sleep(0.1)


def require_browser() -> None:
    """Fails (never skips: CI installs them) when selenium, Chromium or chromedriver is missing."""
    if webdriver is None:
        pytest.fail(f"the dashboard test needs selenium (pip install -r tests/e2e/requirements.txt): "
                    f"{SELENIUM_IMPORT_ERROR}")
    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not (os.path.isfile(path) and os.access(path, os.X_OK))]
    if missing:
        pytest.fail(f"the dashboard test needs Chromium and chromedriver; not found: {', '.join(missing)} "
                    "(Debian/Ubuntu: apt-get install chromium chromium-driver; or set $SWITCHBOARD_CHROMIUM / "
                    "$SWITCHBOARD_CHROMEDRIVER)")


def make_driver():
    require_browser()
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1280,1000", "--hide-scrollbars", "--force-color-profile=srgb"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": PRELUDE})
    except BaseException:
        driver.quit()
        raise
    return driver


class Page:
    def __init__(self, driver, root: str):
        self.driver = driver
        self.root = root

    def js(self, script: str, *args):
        return self.driver.execute_script(script, *args)

    def wait(self, condition, message: str, timeout: float = WAIT):
        return WebDriverWait(self.driver, timeout).until(lambda _: condition(), message)

    def open(self) -> None:
        self.driver.get(self.root + "/dashboard")
        self.wait(lambda: self.js("return document.readyState === 'complete' "
                                  "&& document.getElementById('to').value !== ''"),
                  "the dashboard did not initialise (is app.js served and allowed by the CSP?)")

    def element(self, element_id: str):
        return self.driver.find_element(By.ID, element_id)

    def text(self, element_id: str) -> str:
        return self.js("return document.getElementById(arguments[0]).textContent", element_id)

    def value(self, element_id: str) -> str:
        return self.element(element_id).get_attribute("data-value")

    def visible(self, element_id: str) -> bool:
        return self.element(element_id).is_displayed()

    def set_input(self, element_id: str, value: str) -> None:
        """Sets an input (date inputs included) and fires input/change like a user edit."""
        self.js("""var e = document.getElementById(arguments[0]); e.value = arguments[1];
                   e.dispatchEvent(new Event('input', {bubbles: true}));
                   e.dispatchEvent(new Event('change', {bubbles: true}));""", element_id, value)

    def type_key(self, key: str) -> None:
        field = self.element("api-key")
        field.clear()
        field.send_keys(key)

    def stored_key(self):
        return self.js("return window.localStorage.getItem(arguments[0])", STORAGE_KEY)

    def load(self, *, expect_error: bool = False) -> None:
        # Clear the status first so a previous "Usage loaded." cannot satisfy the wait.
        self.js("document.getElementById('status').textContent = ''")
        self.element("load").click()
        if expect_error:
            self.wait(lambda: self.visible("error") and self.element("load").is_enabled(),
                      "no error was shown after Load")
        else:
            self.wait(lambda: self.text("status") == "Usage loaded." or self.visible("error"),
                      "the usage did not load")
            assert not self.visible("error"), f"the dashboard shows an error: {self.text('error')!r}"
            assert self.visible("results")

    def set_viewport(self, width: int, height: int, *, mobile: bool = False) -> None:
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                    {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})
        # The charts re-render (debounced) when the width changes: wait until they fit the new width.
        self.wait(lambda: self.js("""return window.innerWidth === arguments[0] &&
                      ['chart-requests', 'chart-tokens', 'chart-cost'].every(function (id) {
                        var svg = document.getElementById(id);
                        var box = svg.getAttribute('viewBox');
                        var want = Math.max(Math.round(svg.getBoundingClientRect().width), 260);
                        return box !== null && +box.split(' ')[2] === want; })""", width),
                  f"the charts did not re-render at {width}px")

    def browser_log(self) -> list[dict]:
        return self.driver.get_log("browser")

    def assert_no_alert(self) -> None:
        try:
            alert = self.driver.switch_to.alert
        except NoAlertPresentException:
            pass
        else:
            text = alert.text
            alert.dismiss()
            raise AssertionError(f"a JavaScript alert opened: {text!r}")
        assert self.js("return window.__alerts") == []


def as_decimal(text) -> Decimal:
    return Decimal(str(text))


# MARK: the test


def test_dashboard_shows_the_usage_report(gateway, fake, tmp_path):
    require_browser()
    gw = gateway(gateway_config(fake.base_url, extra=PRICING, extra_routes=HTML_ROUTE))
    key = gw.create_key("acme", label="production")
    ci_key = gw.create_key("acme", label="ci")
    other_key = gw.create_key("globex", label="globex-prod")

    avoid_utc_midnight()
    today = datetime.now(timezone.utc).date()
    frm, to = (today - timedelta(days=6)).isoformat(), today.isoformat()

    # Seed real traffic: priced calls on two keys, the HTML alias, a failure, and another tenant's call.
    client = OpenAI(base_url=gw.base_url, api_key=key, max_retries=0)
    ci = OpenAI(base_url=gw.base_url, api_key=ci_key, max_retries=0)
    # The fake upstream counts words as tokens and echoes the prompt: longer prompts give realistic-looking figures.
    for words in (1200, 2600, 800):
        client.chat.completions.create(model="chat", messages=[{"role": "user", "content": prompt(words)}])
    ci.chat.completions.create(model="chat", messages=[{"role": "user", "content": prompt(400)}])
    for words in (600, 900):
        client.chat.completions.create(model=HTML_ALIAS, messages=[{"role": "user", "content": prompt(words)}])
    with pytest.raises(openai.BadRequestError):
        client.chat.completions.create(model="bad", messages=[{"role": "user", "content": "fail"}])
    OpenAI(base_url=gw.base_url, api_key=other_key, max_retries=0).chat.completions.create(
        model="chat", messages=[{"role": "user", "content": "not acme's"}])
    expected_total = 7

    report = wait_for_usage(gw, key, frm, to, expected_total)
    summary = report["summary"]
    assert report["tenantId"] == "acme"
    assert summary["totalRequests"] == expected_total  # globex's request is not acme's
    assert summary["failedRequests"] == 1
    assert summary["estimatedCostUsd"] > 0
    models = {m["model"]: m for m in report["byModel"]}
    assert models["chat"]["requests"] == 4 and models[HTML_ALIAS]["requests"] == 2 and models["bad"]["requests"] == 1
    today_row = next(d for d in report["byDate"] if d["date"] == to)
    assert [d["date"] for d in report["byDate"]] == [(today - timedelta(days=6 - i)).isoformat() for i in range(7)]

    # The page and its assets carry the strict CSP.
    for path in ("/dashboard", "/dashboard/app.js", "/dashboard/app.css"):
        response = httpx.get(gw.root + path, timeout=10)
        assert response.status_code == 200, path
        assert response.headers.get("content-security-policy") == CSP, path
        assert response.headers.get("x-content-type-options") == "nosniff", path
    wrong = usage(gw, "sk-sb-not-a-real-key", frm, to)
    assert wrong.status_code == 401
    wrong_message = wrong.json()["error"]["message"]

    screenshot = Path(os.environ.get(SCREENSHOT_ENV) or tmp_path / "dashboard.png")
    driver = make_driver()
    try:
        page = Page(driver, gw.root)
        page.open()
        assert page.element("gateway").get_attribute("value") == gw.root
        assert page.stored_key() is None
        assert not page.visible("results")

        page.type_key(key)
        page.set_input("from", frm)
        page.set_input("to", to)
        page.load()

        # Summary cards: data-value is the API's number exactly, the text its formatted form.
        assert page.text("tenant") == "acme"
        assert page.text("period") == f"{frm} \u2013 {to}"
        assert page.value("total-requests") == str(summary["totalRequests"])
        assert page.text("total-requests") == f"{summary['totalRequests']:,}"
        assert page.value("failed-requests") == str(summary["failedRequests"])
        assert page.text("failed-requests") == f"{summary['failedRequests']:,}"
        assert page.value("input-tokens") == str(summary["totalInputTokens"])
        assert page.text("input-tokens") == f"{summary['totalInputTokens']:,}"
        assert page.value("output-tokens") == str(summary["totalOutputTokens"])
        assert page.text("output-tokens") == f"{summary['totalOutputTokens']:,}"
        assert as_decimal(page.value("success-rate")) == summary["successRate"]
        assert page.text("success-rate") == f"{summary['successRate'] * 100:.1f}%"
        assert as_decimal(page.value("cost")) == summary["estimatedCostUsd"], (page.value("cost"), summary)
        assert page.text("cost").startswith("$")
        assert page.visible("unpriced") == (summary["unpricedRequests"] > 0)

        # Models table: one row per byModel entry, in order, with the request counts.
        rows = page.js("""return Array.from(document.querySelectorAll('#models-table tbody tr[data-model]'))
            .map(function (tr) { return {model: tr.getAttribute('data-model'), name: tr.cells[0].textContent,
                                         requests: tr.cells[1].getAttribute('data-value'),
                                         inputTokens: tr.cells[3].getAttribute('data-value'),
                                         cost: tr.cells[5].getAttribute('data-value')}; })""")
        assert [r["model"] for r in rows] == [m["model"] for m in report["byModel"]]
        for row, model in zip(rows, report["byModel"]):
            assert row["name"] == model["model"]  # literal text, HTML alias included
            assert row["requests"] == str(model["requests"])
            assert row["inputTokens"] == str(model["inputTokens"])
            assert as_decimal(row["cost"]) == model["estimatedCostUsd"]

        # Requests chart: one bar per day; today's bar counts today's successful requests.
        bars = page.js("""return Array.from(document.querySelectorAll('svg#chart-requests rect.bar-ok'))
            .map(function (r) { return [r.getAttribute('data-date'), r.getAttribute('data-count')]; })""")
        assert [date for date, _ in bars] == [d["date"] for d in report["byDate"]]
        assert dict(bars)[to] == str(today_row["successfulRequests"])
        failed_today = page.js("return document.querySelector('svg#chart-requests rect.bar-failed[data-date=\"'"
                               " + arguments[0] + '\"]').getAttribute('data-count')", to)
        assert failed_today == str(today_row["failedRequests"] + today_row["cancelledRequests"])

        # Cost chart: one bar group per model; the HTML alias is a text label, nothing was parsed from it.
        cost_bars = page.js("""return Array.from(document.querySelectorAll('svg#chart-cost g.model-bar'))
            .map(function (g) { return {model: g.getAttribute('data-model'),
                                        label: g.querySelector('text.model-label').textContent}; })""")
        assert [b["model"] for b in cost_bars] == [m["model"] for m in report["byModel"]]
        assert {"model": HTML_ALIAS, "label": HTML_ALIAS} in cost_bars
        assert driver.find_elements(By.CSS_SELECTOR, "#results img, #results b") == []
        assert page.js("return document.querySelectorAll('img, b').length") == 0

        # By-key table: both acme keys, nothing of globex.
        key_labels = page.js("""return Array.from(document.querySelectorAll('#keys-table tbody tr'))
            .map(function (tr) { return tr.cells[0].textContent; })""")
        assert sorted(key_labels) == sorted(k["label"] for k in report["byKey"]) == ["ci", "production"]

        # No alert, no console errors, no CSP violations.
        page.assert_no_alert()
        log = page.browser_log()
        assert [e for e in log if e["level"] == "SEVERE"] == [], log
        assert [e for e in log if "Content Security Policy" in e["message"]] == [], log
        assert page.js("return window.__csp") == []

        # The key stays in memory unless "remember" is checked.
        assert page.stored_key() is None
        page.element("remember-key").click()
        assert page.stored_key() == key
        page.element("remember-key").click()
        assert page.stored_key() is None

        # Desktop screenshot: 1280 wide, tall enough for the whole page.
        page.set_viewport(1280, 900)
        height = page.js("return Math.ceil(document.documentElement.scrollHeight)")
        page.set_viewport(1280, height)
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        assert driver.save_screenshot(str(screenshot)), f"could not write {screenshot}"

        # Phone width: nothing overflows horizontally.
        page.set_viewport(375, 800, mobile=True)
        widths = page.js("return [window.innerWidth, document.documentElement.scrollWidth]")
        assert widths[0] == 375 and widths[1] <= 375, f"horizontal overflow at 375px: {widths}"
        height = page.js("return Math.ceil(document.documentElement.scrollHeight)")
        page.set_viewport(375, height, mobile=True)
        driver.save_screenshot(str(tmp_path / "dashboard-phone.png"))
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})

        # A wrong key shows the gateway's 401 message and hides the stale results.
        page.type_key("sk-sb-not-a-real-key")
        page.load(expect_error=True)
        assert page.text("error") == wrong_message
        assert not page.visible("results")
        assert page.stored_key() is None
        log = page.browser_log()
        unexpected = [e for e in log if e["level"] == "SEVERE"
                      and not (e.get("source") == "network" and " 401 " in e["message"])]
        assert unexpected == [], log
        assert page.js("return window.__csp") == []
        page.assert_no_alert()
    finally:
        driver.quit()
