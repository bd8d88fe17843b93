import pytest


@pytest.fixture
def cast(db):
    from tequio.testing.personas import build_cast

    return build_cast()


@pytest.fixture
def client_for(cast):
    """A signed-in test client for a persona of the cast (anonymous for "anonymous")."""
    from django.test import Client

    def make(persona: str) -> Client:
        client = Client()
        user = cast.users[persona]
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture(autouse=True)
def _english_default(settings):
    # Tests assert English messages unless they switch language themselves.
    settings.LANGUAGE_CODE = "en"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
