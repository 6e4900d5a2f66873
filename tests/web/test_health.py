"""What the operator's load balancer sees."""

from __future__ import annotations

from sqlalchemy import text


async def test_healthz_answers_while_the_process_is_up(client):
    response = await client.get("/healthz")

    assert response.json() == {"status": "ok"}


async def test_readyz_is_ready_when_the_database_is_migrated(client):
    response = await client.get("/readyz")

    assert response.status_code == 200
    assert response.json()["database"] == "ok"


async def test_readyz_is_unavailable_when_migrations_are_missing(client, engine):
    async with engine.begin() as connection:
        await connection.execute(text("DELETE FROM alembic_version"))

    response = await client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["database"] == "migrations pending"


async def test_unknown_routes_answer_json(client):
    response = await client.get("/nope")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
