import pytest


@pytest.fixture
def cast(db):
    from tequio.testing.personas import build_cast

    return build_cast()


@pytest.fixture(autouse=True)
def _english_default(settings):
    # Tests assert English messages unless they switch language themselves.
    settings.LANGUAGE_CODE = "en"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
