"""Schemathesis against the real WSGI app: no 5xx, every response as the schema says.

Each operation of /api/v1/openapi.json (core's and every capability's) becomes a test.
Requests carry the token of the cast's convener, so writes really run. Positive cases
are sent to the cast's community (random slugs would only ever meet 404s); cases that
violate the schema keep what was generated, since the violation may be the slug itself.

Cost, which grows with every operation a capability adds: the coverage phase sends
boundary values (longest strings, extreme numbers, every enum value, nulls), which is
where server errors hide; fuzzing adds a few random cases per operation, valid and
schema-violating, derandomized. Coverage's own schema-violating cases (one per field
and wrong type) are left out: they cost a quarter of the run and retest what strict
``Input`` schemas guarantee for every body, and test_api.py checks bad input by hand.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections, connection, transaction
from hypothesis import HealthCheck, settings

from tequio.core import registry, services
from tequio.core.models import Membership
from tequio.testing.personas import build_cast
from tequio.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
# The schema cannot say that a name is already taken or that a website is not a URL
# Django accepts: a schema-valid request may still be refused by a service, with a 400
# in the documented error shape. Every other check runs as schemathesis ships it.
schema.config.phases.coverage.generation.modes = [schemathesis.GenerationMode.POSITIVE]
schema.config.checks.positive_data_acceptance.expected_statuses = [
    *schema.config.checks.positive_data_acceptance.expected_statuses, "400",
]


# Also what tells pytest-django to create the test database for these tests: without
# it, a run of this module alone would reach the development database.
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def convener_token(django_db_setup, django_db_blocker):
    """One cast for all operations, in a transaction rolled back when the module ends.

    Each operation's test runs in a savepoint inside it, so every operation starts
    from the same data.
    """
    # Requests go through the real WSGI handler, which would close the connection (and
    # lose the transaction) after each response, as Django's own test client prevents.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        with django_db_blocker.unblock(), transaction.atomic():
            # Never the development database.
            assert "memory" in connection.settings_dict["NAME"] or connection.settings_dict["NAME"].startswith("test")
            cast = build_cast()
            convener = cast.users["convener"]
            goals = [services.goal_create(actor=convener, community=cast.community, title=title)
                     for title in ("Mapear a las organizaciones", "Definir la carta")]
            # One of each thing the capability apps' routes name (as the URL walk has them),
            # so that positive cases reach real rows, not only 404s.
            objects = {"organization": cast.organization, "person": cast.person, "goal": goals[0],
                       "membership": Membership.objects.get(community=cast.community, user=cast.users["member"])}
            for capability in registry.capabilities():
                if capability.url_walk_objects:
                    objects.update(capability.url_walk_objects(community=cast.community, actor=convener))
            ids = {name: getattr(value, "pk", None) for name, value in objects.items()}
            yield cast.community.slug, services.api_token_create(actor=convener, name="schemathesis")[1], ids
            transaction.set_rollback(True)
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=5, derandomize=True, database=None, deadline=None,
          suppress_health_check=list(HealthCheck))
def test_it_conforms_to_its_schema(case, convener_token):
    slug, secret, ids = convener_token
    if "slug" in (case.path_parameters or {}) and case.meta and case.meta.generation.mode.is_positive:
        case.path_parameters["slug"] = slug
        for name in case.path_parameters:
            entity = _entity(case.path, name)
            if ids.get(entity) is not None:
                case.path_parameters[name] = ids[entity]
    # The WSGI test client does not undo GZipMiddleware's compression.
    case.call_and_validate(headers={"Authorization": f"Bearer {secret}", "Accept-Encoding": "identity"})


# The collection a {pk} follows, as the entity the walk's objects are named by.
COLLECTIONS = {"organizations": "organization", "people": "person", "memberships": "membership", "goals": "goal",
               "ties": "tie", "surveys": "survey", "asks": "ask", "answers": "answer"}


def _entity(path: str, parameter: str) -> str:
    """``convening_id`` -> "convening"; ``pk`` -> the entity of the collection before it."""
    if parameter != "pk":
        return parameter.removesuffix("_id")
    before = path.split("{pk}")[0].rstrip("/").rsplit("/", 1)[-1]
    return COLLECTIONS.get(before, "")
