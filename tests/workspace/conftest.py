"""A real PostgreSQL server for the whole session; each test gets its own empty workspace."""
from __future__ import annotations

import pytest

from pg_server import PgServer


@pytest.fixture(scope="session")
def pg():
    server = PgServer().start()
    yield server
    server.stop()


@pytest.fixture
def workspace_url(pg) -> str:
    return pg.new_database()
