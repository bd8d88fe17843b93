"""API input and output schemas of core."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema


class CommunityOut(Schema):
    slug: str
    name: str
    purpose: str
    languages: list[str]
    stage: str
    privacy: str
    member_led: bool
    created_at: datetime
