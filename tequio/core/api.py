"""Core API routes: communities, organizations, people, memberships, goals."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from .permissions import get_community_for_user, visible_communities
from .schemas import CommunityOut

router = Router(tags=["communities"])


@router.get("/communities", response=list[CommunityOut])
def community_list(request: HttpRequest):
    """Communities the caller may open: public ones and their own."""
    return list(visible_communities(request.user).order_by("name")[:500])


@router.get("/communities/{slug}", response=CommunityOut)
def community_detail(request: HttpRequest, slug: str):
    return get_community_for_user(request.user, slug).community
