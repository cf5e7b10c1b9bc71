"""Billing end to end: every request priced exactly from the tokens the upstream reported, reports per tenant
through the API (JSON and CSV) and the CLI."""

from __future__ import annotations

import csv
import io
import json
import time
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import httpx2 as httpx
import openai
import pytest
from openai import OpenAI

from conftest import gateway_config

PRICES = {"input": Decimal("2.5"), "output": Decimal("15")}
PRICING = """
pricing:
  gpt-fake: { input_per_1m: 2.5, output_per_1m: "15" }
"""
MILLION = Decimal(1_000_000)


def today() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%d")


def report(gw, key: str, **params) -> httpx.Response:
    return httpx.get(f"{gw.base_url}/billing/usage", params=params, headers={"authorization": f"Bearer {key}"},
                     timeout=10)


def wait_for_report(gw, key: str, total: int, **params) -> dict:
    deadline = time.monotonic() + 15
    while True:
        response = report(gw, key, **params)
        assert response.status_code == 200, response.text
        body = json.loads(response.text, parse_float=Decimal)
        if body["summary"]["totalRequests"] >= total or time.monotonic() > deadline:
            return body
        time.sleep(0.1)


@pytest.fixture
def billed(gateway, fake):
    """A gateway with priced and unpriced traffic from two tenants; returns it with the expected totals."""
    gw = gateway(gateway_config(fake.base_url, extra=PRICING))
    alice = gw.create_key("alice", label="alice-prod")
    alice_ci = gw.create_key("alice", label="alice-ci")
    bob = gw.create_key("bob")
    admin = gw.create_key("ops", admin=True)
    client = OpenAI(base_url=gw.base_url, api_key=alice, max_retries=0)
    expected = {"cost": Decimal(0), "input": 0, "output": 0}

    def count(usage) -> None:
        expected["input"] += usage.prompt_tokens
        expected["output"] += usage.completion_tokens
        expected["cost"] += (usage.prompt_tokens * PRICES["input"] + usage.completion_tokens * PRICES["output"]) / MILLION

    for text in ["hello", "a somewhat longer question about billing", "three"]:
        count(client.chat.completions.create(model="chat", messages=[{"role": "user", "content": text}]).usage)
    stream = client.chat.completions.create(
        model="chat", messages=[{"role": "user", "content": "stream please"}], stream=True,
        stream_options={"include_usage": True})
    usage = [chunk.usage for chunk in stream if chunk.usage][-1]
    count(usage)
    # A model without a price: counted, its tokens too, but reported as unpriced rather than costed at zero.
    unpriced = OpenAI(base_url=gw.base_url, api_key=alice_ci, max_retries=0).chat.completions.create(
        model="tools", messages=[{"role": "user", "content": "hi"}]).usage
    expected["input"] += unpriced.prompt_tokens
    expected["output"] += unpriced.completion_tokens
    with pytest.raises(openai.BadRequestError):
        client.chat.completions.create(model="bad", messages=[{"role": "user", "content": "fail"}])
    OpenAI(base_url=gw.base_url, api_key=bob, max_retries=0).chat.completions.create(
        model="chat", messages=[{"role": "user", "content": "bob's"}])
    client.models.list()  # reading the API is not usage
    return gw, {"alice": alice, "bob": bob, "admin": admin}, expected


def test_costs_are_exact_and_each_tenant_sees_only_its_own(billed):
    gw, keys, expected = billed
    body = wait_for_report(gw, keys["alice"], 6)
    assert body["tenantId"] == "alice"
    assert body["period"] == {"from": (datetime.now(timezone.utc) - timedelta(days=29)).strftime("%Y-%m-%d"),
                              "to": today()}
    summary = body["summary"]
    assert summary["totalRequests"] == 6
    assert summary["successfulRequests"] == 5
    assert summary["failedRequests"] == 1
    assert summary["totalInputTokens"] == expected["input"]
    assert summary["totalOutputTokens"] == expected["output"]
    assert Decimal(summary["estimatedCostUsd"]) == expected["cost"]
    assert expected["cost"] > 0
    assert summary["unpricedRequests"] == 1
    assert body["unpricedModels"] == ["openai_compatible:fake/tool-model"]
    by_model = {m["model"]: m for m in body["byModel"]}
    assert set(by_model) == {"chat", "tools", "bad"}
    assert by_model["chat"]["requests"] == 4 and Decimal(by_model["chat"]["estimatedCostUsd"]) == expected["cost"]
    assert by_model["bad"]["failedRequests"] == 1
    assert [d["date"] for d in body["byDate"]][-1] == today() and len(body["byDate"]) == 30
    assert body["byDate"][-1]["requests"] == 6
    assert "byKey" not in body

    bob = wait_for_report(gw, keys["bob"], 1)
    assert bob["tenantId"] == "bob" and bob["summary"]["totalRequests"] == 1
    forbidden = report(gw, keys["alice"], tenant="bob")
    assert forbidden.status_code == 403
    assert "admin" in forbidden.json()["error"]["message"]
    as_admin = json.loads(report(gw, keys["admin"], tenant="alice").text, parse_float=Decimal)
    assert as_admin["summary"] == summary


def test_grouping_by_key_and_csv(billed):
    gw, keys, expected = billed
    wait_for_report(gw, keys["alice"], 6)
    body = report(gw, keys["alice"], group_by="key", **{"from": today(), "to": today()}).json()
    assert set(body) >= {"byKey"} and "byModel" not in body and "byDate" not in body
    labels = {k["label"]: k["requests"] for k in body["byKey"]}
    assert labels == {"alice-prod": 5, "alice-ci": 1}

    response = report(gw, keys["alice"], format="csv", group_by="day,model")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"].startswith('attachment; filename="usage-alice-')
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert {(r["date"], r["model"]) for r in rows} == {(today(), "chat"), (today(), "tools"), (today(), "bad")}
    assert sum(Decimal(r["estimated_cost_usd"]) for r in rows) == expected["cost"]
    assert sum(int(r["input_tokens"]) for r in rows) == expected["input"]


@pytest.mark.parametrize("params, param", [
    ({"from": "2026-02-30"}, "from"),
    ({"to": "11/29/2026"}, "to"),
    ({"from": "2026-05-02", "to": "2026-05-01"}, "from"),
    ({"from": "2024-01-01", "to": "2026-01-01"}, "from"),
    ({"group_by": "tenant"}, "group_by"),
    ({"format": "xlsx"}, "format"),
])
def test_invalid_parameters_are_a_clear_400(gateway, fake, params, param):
    gw = gateway(gateway_config(fake.base_url))
    key = gw.create_key("alice")
    response = report(gw, key, **params)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["param"] == param and error["message"]
    with pytest.raises(openai.BadRequestError):
        OpenAI(base_url=gw.base_url, api_key=key).get("/billing/usage", cast_to=object, options={"params": params})


def test_the_cli_prints_the_same_report(billed):
    gw, keys, expected = billed
    api = wait_for_report(gw, keys["alice"], 6)
    result = gw.cli("usage", "--tenant", "alice", "--format", "json", check=True)
    assert json.loads(result.stdout, parse_float=Decimal) == api
    table = gw.cli("usage", "--tenant", "alice", "--from", today(), check=True).stdout
    assert "Usage of tenant alice" in table
    assert f"Estimated cost ${api['summary']['estimatedCostUsd']}" in table
    assert "no price for: openai_compatible:fake/tool-model" in table
    lines = table.splitlines()
    header = next(line for line in lines if line.startswith("date"))
    assert header.split()[:3] == ["date", "model", "requests"]
    assert any(line.split()[:3] == [today(), "chat", "4"] for line in lines)
    bad = gw.cli("usage", "--from", "2026-13-01")
    assert bad.returncode != 0 and "'from' must be a date" in bad.stderr
