"""pgjdbc (Debian's libpostgresql-jdbc-java) against dsql: DatabaseMetaData over the schema,
Connection.isValid (an empty query), named COMMIT and ROLLBACK statements, a portal fetched a
row at a time, with an IAM token as the password. `jdbc/Metadata.java` makes the calls and
prints their rows; the test compiles it with javac.

DatabaseMetaData's getPrimaryKeys and getIndexInfo select a composite-typed field
(`(information_schema._pg_expandarray(i.indkey)).n`), which dsql does not have yet: the test
asserts the error they fail with, so that it notices when they start to work.
"""

import os
import shutil
import subprocess

import pytest

from conftest import admin_token, psql

JAR = "/usr/share/java/postgresql.jar"
SOURCE = os.path.join(os.path.dirname(__file__), "jdbc", "Metadata.java")

pytestmark = pytest.mark.skipif(
    not (os.path.exists(JAR) and shutil.which("javac")),
    reason="needs javac and libpostgresql-jdbc-java (.ci/run installs them)",
)


@pytest.fixture(scope="module")
def output(server, tmp_path_factory):
    token = admin_token()
    for statement in [
        "CREATE SCHEMA shop",
        "CREATE TABLE customer (id integer PRIMARY KEY, email text NOT NULL)",
        "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id integer NOT NULL, "
        "total numeric(12,2), status text NOT NULL DEFAULT 'new')",
        "CREATE TABLE shop.item (sku text PRIMARY KEY)",
        "INSERT INTO orders (id, customer_id) VALUES (1, 1), (2, 1), (3, 2)",
    ]:
        code, _, err = psql(server, statement, token)
        assert code == 0, err
    classes = tmp_path_factory.mktemp("jdbc")
    subprocess.run(["javac", "-cp", JAR, "-d", str(classes), SOURCE], check=True)
    url = (
        f"jdbc:postgresql://localhost:{server.port}/postgres?user=admin"
        f"&sslmode=verify-full&sslrootcert={server.ca}"
    )
    result = subprocess.run(
        ["java", "-cp", f"{JAR}:{classes}", "Metadata", url, admin_token()],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    lines = {}
    for line in result.stdout.splitlines():
        call, _, rest = line.partition("|")
        lines.setdefault(call, []).append(rest)
    return lines


def test_product_and_connection(output):
    assert output["product"] == ["PostgreSQL|16"]
    assert output["valid"] == ["true"]


def test_get_tables_and_schemas(output):
    assert output["tables"] == [
        "TABLE_SCHEM=public|TABLE_NAME=customer|TABLE_TYPE=TABLE|REMARKS=null",
        "TABLE_SCHEM=public|TABLE_NAME=orders|TABLE_TYPE=TABLE|REMARKS=null",
    ]
    # Every type of relation, as PostgreSQL lists them: the primary key's index too.
    assert output["shop"] == [
        "TABLE_SCHEM=shop|TABLE_NAME=item_pkey|TABLE_TYPE=INDEX",
        "TABLE_SCHEM=shop|TABLE_NAME=item|TABLE_TYPE=TABLE",
    ]
    schemas = [line.split("=")[1] for line in output["schemas"]]
    assert {"public", "shop", "pg_catalog", "information_schema"} <= set(schemas)


def test_get_columns(output):
    assert output["columns"] == [
        "COLUMN_NAME=id|TYPE_NAME=int8|DATA_TYPE=-5|COLUMN_SIZE=19|DECIMAL_DIGITS=0"
        "|IS_NULLABLE=NO|COLUMN_DEF=null|IS_AUTOINCREMENT=NO|ORDINAL_POSITION=1",
        "COLUMN_NAME=customer_id|TYPE_NAME=int4|DATA_TYPE=4|COLUMN_SIZE=10|DECIMAL_DIGITS=0"
        "|IS_NULLABLE=NO|COLUMN_DEF=null|IS_AUTOINCREMENT=NO|ORDINAL_POSITION=2",
        "COLUMN_NAME=total|TYPE_NAME=numeric|DATA_TYPE=2|COLUMN_SIZE=12|DECIMAL_DIGITS=2"
        "|IS_NULLABLE=YES|COLUMN_DEF=null|IS_AUTOINCREMENT=NO|ORDINAL_POSITION=3",
        "COLUMN_NAME=status|TYPE_NAME=text|DATA_TYPE=12|COLUMN_SIZE=2147483647|DECIMAL_DIGITS=0"
        "|IS_NULLABLE=NO|COLUMN_DEF='new'::text|IS_AUTOINCREMENT=NO|ORDINAL_POSITION=4",
    ]


def test_get_functions_finds_no_user_functions(output):
    assert "functions" not in output


def test_transactions_and_a_portal_fetched_in_parts(output):
    assert output["fetch columns"] == ["int8|text"]
    assert output["fetch"] == ["id=1|status=new", "id=2|status=new", "id=3|status=new"]
    assert output["rolled back"] == ["n=0"]


def test_get_type_info_maps_types_as_for_postgresql(output):
    # What PostgreSQL 15 answers for the same type names (dsql has fewer types).
    types = dict(line.replace("TYPE_NAME=", "").split("|DATA_TYPE=") for line in output["type info"])
    expected = {
        "bool": "-7", "int8": "-5", "oid": "-5", "bpchar": "1", "numeric": "2", "int4": "4",
        "int2": "5", "float4": "7", "float8": "8", "name": "12", "text": "12", "varchar": "12",
        "date": "91", "timestamp": "93", "timestamptz": "93", "json": "1111",
        "regclass": "1111", "_int4": "2003",
    }
    assert {name: types.get(name) for name in expected} == expected


def test_calls_over_composite_fields_fail_clearly(output):
    # Composite-typed fields are not in dsql yet (see the module docstring).
    assert output["primary keys"] == ["ERROR|0A000 ERROR: field selection .n is not supported"]
    assert output["index info"] == ["ERROR|0A000 ERROR: field selection .n is not supported"]
