"""Fixtures for the end-to-end suite: a real `dsql start` process configured for IAM
authentication with fake access keys, and token generation with boto3.

The server's credentials file is in the AWS shared-credentials format, so the same file could be
given to boto3 with AWS_SHARED_CREDENTIALS_FILE; here the tests pass keys to boto3 explicitly.
"""

import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass

import boto3
import pytest

REGION = "us-east-1"
HOST = "localhost"
# The server accepts tokens up to this far in the future or past their expiry; small so the
# expiry test does not wait long.
CLOCK_SKEW_SECONDS = 1

ADMIN_KEY = ("AKIDADMINEXAMPLE0001", "admin-secret-key-for-tests")
APP_KEY = ("AKIDAPPEXAMPLE000002", "app-secret-key-for-tests")
APP_ARN = "arn:aws:iam::123456789012:role/app"
TEMP_KEY = ("ASIATEMPEXAMPLE00003", "temporary-secret-key", "session-token-for-tests")

CREDENTIALS = f"""
# Fake keys for the end-to-end tests.
[admin]
aws_access_key_id = {ADMIN_KEY[0]}
aws_secret_access_key = {ADMIN_KEY[1]}

[app]
aws_access_key_id = {APP_KEY[0]}
aws_secret_access_key = {APP_KEY[1]}
principal_arn = {APP_ARN}

[temporary]
aws_access_key_id = {TEMP_KEY[0]}
aws_secret_access_key = {TEMP_KEY[1]}
aws_session_token = {TEMP_KEY[2]}
"""


def dsql_client(key_id, secret, session_token=None, region=REGION):
    session = boto3.session.Session(
        aws_access_key_id=key_id,
        aws_secret_access_key=secret,
        aws_session_token=session_token,
    )
    return session.client("dsql", region_name=region)


def admin_token(key=ADMIN_KEY, region=REGION, host=HOST, expires=900):
    client = dsql_client(*key, region=region)
    return client.generate_db_connect_admin_auth_token(host, region, expires)


def role_token(key=APP_KEY, region=REGION, host=HOST, expires=900):
    client = dsql_client(*key, region=region)
    return client.generate_db_connect_auth_token(host, region, expires)


@dataclass
class Server:
    process: subprocess.Popen
    port: int
    data_dir: str
    ca: str
    credentials: str

    def conninfo(self, user="admin", **extra):
        params = {
            "host": HOST,
            "port": str(self.port),
            "user": user,
            "dbname": "postgres",
            "sslmode": "verify-full",
            "sslrootcert": self.ca,
        }
        params.update({k: str(v) for k, v in extra.items()})
        return " ".join(f"{k}={v}" for k, v in params.items())


def start_server(extra_args=()):
    data_dir = tempfile.mkdtemp(prefix="dsql-e2e-")
    credentials = os.path.join(data_dir, "test-credentials")
    with open(credentials, "w") as f:
        f.write(CREDENTIALS)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.pop("DSQL_PASSWORD", None)
    process = subprocess.Popen(
        [
            os.environ["DSQL_BIN"],
            "start",
            "--data-dir", data_dir,
            "--listen", "127.0.0.1:0",
            "--iam-credentials", credentials,
            "--region", REGION,
            "--endpoint", HOST,
            "--iam-clock-skew", f"{CLOCK_SKEW_SECONDS}s",
            *extra_args,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    port = None
    output = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        output.append(line)
        m = re.search(r"listening on [^\s]*:(\d+)", line)
        if m:
            port = int(m.group(1))
            break
    if port is None:
        process.kill()
        raise RuntimeError("dsql did not start:\n" + "".join(output))
    ca = os.path.join(data_dir, "tls", "ca.crt")
    # Keep draining the output so the server never blocks on a full pipe.
    drain = subprocess.Popen(["cat"], stdin=process.stdout, stdout=subprocess.DEVNULL)
    server = Server(process, port, data_dir, ca, credentials)
    server._drain = drain
    return server


def stop_server(server):
    server.process.terminate()
    try:
        server.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.process.kill()
    server._drain.wait(timeout=5)
    shutil.rmtree(server.data_dir, ignore_errors=True)


@pytest.fixture(scope="module")
def server():
    s = start_server()
    yield s
    stop_server(s)


def psql(server, sql, password, user="admin", **extra):
    """Runs `psql -c sql` with the token as PGPASSWORD; returns (returncode, stdout, stderr)."""
    env = dict(os.environ, PGPASSWORD=password, PGCONNECT_TIMEOUT="10")
    result = subprocess.run(
        ["psql", "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql, server.conninfo(user, **extra)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    return result.returncode, result.stdout.strip(), result.stderr.strip()
