"""The tenant's request budget holds exactly under concurrency."""

from __future__ import annotations

import asyncio
from collections import Counter

import httpx2 as httpx

from conftest import avoid_minute_boundary, gateway_config

TOTAL = 500
CONCURRENCY = 64


async def fire(url: str, key: str) -> tuple[Counter, list[str]]:
    semaphore = asyncio.Semaphore(CONCURRENCY)
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    async with httpx.AsyncClient(timeout=30, limits=limits) as http:
        async def one(index: int) -> httpx.Response:
            async with semaphore:
                return await http.post(
                    url, headers={"authorization": f"Bearer {key}"},
                    json={"model": "mock", "messages": [{"role": "user", "content": f"request {index}"}]})

        responses = await asyncio.gather(*(one(i) for i in range(TOTAL)))
    statuses = Counter(r.status_code for r in responses)
    codes = [r.json()["error"]["code"] for r in responses if r.status_code == 429]
    return statuses, codes


def test_tenant_rpm_is_exact_under_concurrency(gateway, fake):
    gw = gateway(gateway_config(fake.base_url, limits="{ rpm: 100 }", mock_stream_delay_ms=0))
    key = gw.create_key("busy")
    avoid_minute_boundary(20)
    statuses, codes = asyncio.run(fire(gw.base_url + "/chat/completions", key))
    assert statuses == Counter({200: 100, 429: 400})
    assert set(codes) == {"rate_limit_exceeded"}
    events = gw.wait_for_events(lambda evs: len(evs) >= TOTAL, limit=1000, tenant="busy", timeout=20)
    assert Counter(e["http_status"] for e in events) == Counter({200: 100, 429: 400})
