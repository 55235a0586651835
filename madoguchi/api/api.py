"""The JSON API: one NinjaAPI, one router per app (see each app's api.py)."""

from __future__ import annotations

from ninja import NinjaAPI

api = NinjaAPI(
    title="madoguchi API",
    version="1",
    description="宮城県の新事業支援機関・支援事業の登録簿と、ワンストップ窓口の API。",
    urls_namespace="api",
)
