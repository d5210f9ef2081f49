"""SQLAlchemy 2 against dsql through psycopg2, psycopg 3 and asyncpg: schema reflection
(`MetaData.reflect`, `inspect()` for tables, columns, keys, indexes, comments) and ORM CRUD
with a relationship, logged in with an IAM token as a DSQL application would.

What DSQL users do differently from a PostgreSQL application, and so do the tests: keys the
application assigns (DSQL has no SERIAL), relationships without a database foreign key (not in
dsql yet), indexes made with CREATE INDEX ASYNC, and the psycopg 3 dialect created with
`use_native_hstore=False` (its hstore lookup runs in a SAVEPOINT, which DSQL refuses).
"""

import asyncio

import pytest
import sqlalchemy as sa
from sqlalchemy import ForeignKey, inspect, select
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    foreign,
    mapped_column,
    relationship,
    selectinload,
)

from conftest import admin_token, psql

SCHEMA = [
    "CREATE SCHEMA shop",
    """CREATE TABLE customer (
        id integer PRIMARY KEY,
        email text NOT NULL,
        name varchar(100),
        created_at timestamptz NOT NULL DEFAULT now())""",
    """CREATE TABLE orders (
        id bigint PRIMARY KEY,
        customer_id integer NOT NULL,
        total numeric(12,2),
        status text NOT NULL DEFAULT 'new')""",
    "CREATE TABLE shop.item (sku text PRIMARY KEY, price numeric DEFAULT 1.5)",
]
INDEXES = [
    "CREATE UNIQUE INDEX ASYNC customer_email_key ON customer (email)",
    "CREATE INDEX ASYNC orders_customer_idx ON orders (customer_id, status DESC)",
]


@pytest.fixture(scope="module")
def schema(server):
    token = admin_token()
    for statement in SCHEMA:
        code, out, err = psql(server, statement, token)
        assert code == 0, err
    for statement in INDEXES:
        code, job, err = psql(server, statement, token)
        assert code == 0, err
        code, done, err = psql(server, f"SELECT sys.wait_for_job('{job}')", token)
        assert (code, done) == (0, "t"), err
    return server


DRIVERS = ["psycopg2", "psycopg", "asyncpg"]


def sync_engine(server, driver):
    args = {"password": admin_token(), "sslmode": "verify-full", "sslrootcert": server.ca}
    options = {"use_native_hstore": False} if driver == "psycopg" else {}
    url = f"postgresql+{driver}://admin@localhost:{server.port}/postgres"
    return sa.create_engine(url, connect_args=args, **options)


def async_engine(server):
    import ssl

    context = ssl.create_default_context(cafile=server.ca)
    url = f"postgresql+asyncpg://admin@localhost:{server.port}/postgres"
    return create_async_engine(url, connect_args={"password": admin_token(), "ssl": context})


def run_sync(server, driver, work):
    """Runs `work(connection)` on a connection of `driver` (asyncpg through run_sync)."""
    if driver != "asyncpg":
        engine = sync_engine(server, driver)
        try:
            with engine.connect() as connection:
                return work(connection)
        finally:
            engine.dispose()

    async def main():
        engine = async_engine(server)
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(work)
        finally:
            await engine.dispose()

    return asyncio.run(main())


@pytest.mark.parametrize("driver", DRIVERS)
def test_metadata_reflects_the_schema(schema, driver):
    def work(connection):
        metadata = sa.MetaData()
        metadata.reflect(connection)
        shop = sa.MetaData()
        shop.reflect(connection, schema="shop")
        return metadata, shop

    metadata, shop = run_sync(schema, driver, work)
    assert sorted(metadata.tables) == ["customer", "orders"]
    assert sorted(shop.tables) == ["shop.item"]
    orders = metadata.tables["orders"]
    assert [c.name for c in orders.primary_key.columns] == ["id"]
    assert isinstance(orders.c.id.type, sa.BigInteger)
    assert isinstance(orders.c.total.type, sa.Numeric)
    assert (orders.c.total.type.precision, orders.c.total.type.scale) == (12, 2)
    assert orders.c.status.server_default.arg.text == "'new'::text"
    assert not orders.c.status.nullable and orders.c.total.nullable
    customer = metadata.tables["customer"]
    assert customer.c.name.type.length == 100
    assert customer.c.created_at.type.timezone
    assert {i.name for i in customer.indexes} == {"customer_email_key"}
    (email_key,) = customer.indexes
    assert email_key.unique and [c.name for c in email_key.columns] == ["email"]


@pytest.mark.parametrize("driver", DRIVERS)
def test_inspector_answers_as_for_postgresql(schema, driver):
    def work(connection):
        i = inspect(connection)
        return {
            "schemas": i.get_schema_names(),
            "tables": i.get_table_names(),
            "shop": i.get_table_names(schema="shop"),
            "views": i.get_view_names(),
            "columns": i.get_columns("orders"),
            "pk": i.get_pk_constraint("orders"),
            "indexes": i.get_indexes("orders"),
            "unique": i.get_unique_constraints("customer"),
            "fks": i.get_foreign_keys("orders"),
            "checks": i.get_check_constraints("orders"),
            "comment": i.get_table_comment("customer"),
            "has": (i.has_table("orders"), i.has_table("nope"), i.has_schema("shop")),
        }

    r = run_sync(schema, driver, work)
    assert "public" in r["schemas"] and "shop" in r["schemas"]
    assert r["tables"] == ["customer", "orders"]
    assert r["shop"] == ["item"]
    assert r["views"] == []
    columns = {c["name"]: c for c in r["columns"]}
    assert list(columns) == ["id", "customer_id", "total", "status"]
    assert columns["status"]["default"] == "'new'::text"
    assert columns["id"]["nullable"] is False and columns["total"]["nullable"] is True
    assert columns["id"]["autoincrement"] is False
    assert r["pk"]["name"] == "orders_pkey" and r["pk"]["constrained_columns"] == ["id"]
    (index,) = r["indexes"]
    assert index["name"] == "orders_customer_idx"
    assert index["column_names"] == ["customer_id", "status"]
    assert index["unique"] is False
    assert index["column_sorting"] == {"status": ("desc",)}
    assert r["unique"] == []  # a unique index is not a constraint
    assert r["fks"] == [] and r["checks"] == []
    assert r["comment"] == {"text": None}
    assert r["has"] == (True, False, True)


class Base(DeclarativeBase):
    pass


class Customer(Base):
    __tablename__ = "customer"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    email: Mapped[str]
    name: Mapped[str | None] = mapped_column(sa.String(100))
    orders: Mapped[list["Order"]] = relationship(
        primaryjoin="Customer.id == foreign(Order.customer_id)",
        back_populates="customer",
        order_by="Order.id",
    )


class Order(Base):
    __tablename__ = "orders"
    id: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
    customer_id: Mapped[int]
    total: Mapped[float | None] = mapped_column(sa.Numeric(12, 2))
    status: Mapped[str] = mapped_column(server_default="new")
    customer: Mapped[Customer] = relationship(
        primaryjoin="foreign(Order.customer_id) == Customer.id", back_populates="orders"
    )


@pytest.mark.parametrize("driver", DRIVERS)
def test_orm_crud_with_a_relationship(schema, driver):
    base = {"psycopg2": 100, "psycopg": 200, "asyncpg": 300}[driver]

    def work(connection):
        with Session(bind=connection) as session:
            ann = Customer(id=base, email=f"ann{base}@example.com", name="Ann")
            ann.orders = [Order(id=base + 1, total=10.5), Order(id=base + 2, total=3.25)]
            session.add(ann)
            session.commit()

            loaded = session.scalars(
                select(Customer).where(Customer.id == base).options(selectinload(Customer.orders))
            ).one()
            assert [o.id for o in loaded.orders] == [base + 1, base + 2]
            assert loaded.orders[0].status == "new"  # the server's default, read back
            assert loaded.orders[0].customer is loaded

            loaded.orders[1].status = "paid"
            loaded.name = "Ann B."
            session.commit()
            paid = session.scalars(select(Order).where(Order.status == "paid")).all()
            assert [o.id for o in paid if o.customer_id == base] == [base + 2]

            joined = session.execute(
                select(Customer.name, sa.func.count(Order.id), sa.func.sum(Order.total))
                .join(Order, Order.customer_id == Customer.id)
                .where(Customer.id == base)
                .group_by(Customer.name)
            ).one()
            assert (joined[0], joined[1], float(joined[2])) == ("Ann B.", 2, 13.75)

            session.delete(loaded.orders[0])
            session.commit()
            remaining = session.scalars(select(Order.id).where(Order.customer_id == base)).all()
            assert remaining == [base + 2]

    run_sync(schema, driver, work)
