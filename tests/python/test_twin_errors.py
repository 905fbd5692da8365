"""The local AWS twin's expected failures, each one `error:` line and a non-zero exit
from `lakehouse twin`, no traceback: no Java 24+, no Maven Central, a Trino that fails
to start (its log's tail in the line), a port in use, and moto lacking an API."""

from __future__ import annotations

import os
import shutil
import socket
import stat

import pytest

from lakecore.errors import PipelineError
from tests.python.conftest import run_cli
from tests.python.test_cli import _one_error_line

pytestmark = pytest.mark.aws


def _twin_error(**env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if k not in ("AWS_ENDPOINT_URL",)}
    clean.pop("LAKEHOUSE_TWIN_TRINO_URL", None)
    proc = run_cli("twin", env={**clean, **env}, timeout=300)
    assert proc.returncode != 0
    return _one_error_line(proc)


def test_a_java_older_than_24_is_refused():
    java17 = shutil.which("java")
    assert java17, "the machine's Java (17) runs Spark"
    line = _twin_error(LAKEHOUSE_TRINO_JAVA=java17)
    assert "Trino 476 needs Java 24+" in line and java17 in line


def test_no_maven_central_names_the_download_and_the_mirror_variable(tmp_path):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    line = _twin_error(
        XDG_CACHE_HOME=str(tmp_path / "empty-cache"),
        LAKEHOUSE_MAVEN_URL=f"http://127.0.0.1:{port}/maven2",
    )
    assert f"cannot download http://127.0.0.1:{port}/maven2/io/trino/trino-server-core" in line
    assert "LAKEHOUSE_MAVEN_URL" in line


def test_a_trino_that_dies_at_start_shows_its_log_tail(tmp_path):
    """A Java 25 whose server exits at once, as a broken Trino would: the error line
    carries what it wrote last."""
    fake = tmp_path / "java"
    fake.write_text(
        "#!/bin/sh\n"
        'case "$1" in -version) echo \'openjdk version "25.0.1" 2025-10-21\' >&2; exit 0;; esac\n'
        "echo 'ERROR main io.trino.server.Server Configuration errors: bad catalog'\n"
        "exit 1\n"
    )
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    line = _twin_error(LAKEHOUSE_TRINO_JAVA=str(fake))
    assert "Trino did not start on http://127.0.0.1:" in line
    assert "Configuration errors: bad catalog" in line


def test_a_port_in_use_is_named(tmp_path):
    from athena_twin.errors import TwinError
    from athena_twin.trino import TrinoInstall, trino_server

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        busy_port = pytest.raises(TwinError, match=rf"port {port} on 127.0.0.1 is in use")
        install = TrinoInstall(tmp_path, tmp_path / "java", "476")
        with busy_port, trino_server(install, "http://127.0.0.1:1", port, "us-east-1", tmp_path):
            pass


def test_an_api_moto_lacks_is_one_line(aws_env, monkeypatch, capsys):
    """A call the twin's moto does not model answers NotImplemented, naming the service
    and action (not moto's HTML 500 page, retried), and the CLI reports it in one line."""
    import boto3
    from botocore.exceptions import ClientError

    from lakehouse import cli, stages

    glue = boto3.client("glue")
    with pytest.raises(ClientError) as raised:
        glue.get_data_quality_result(ResultId="dqr-1")
    error = raised.value.response["Error"]
    assert error["Code"] == "NotImplemented"
    assert "does not model glue GetDataQualityResult" in error["Message"]
    assert raised.value.response["ResponseMetadata"]["RetryAttempts"] == 0

    # A stage that makes that call: `lakehouse` prints one line and exits 2.
    monkeypatch.setattr(
        stages, "generate", lambda *a: glue.get_data_quality_result(ResultId="dqr-1")
    )
    capsys.readouterr()
    assert cli.main(["generate", "--out", "unused"]) == 2
    captured = capsys.readouterr()
    lines = [line for line in captured.err.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in captured.out + captured.err
    assert lines[0].startswith("error: AWS refused GetDataQualityResult: NotImplemented: ")


def test_a_twin_named_by_the_environment_that_does_not_answer(tmp_path):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    proc = run_cli(
        "demo-aws",
        *("--generated", str(tmp_path / "g"), "--workdir", str(tmp_path / "w")),
        env={
            "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
            "LAKEHOUSE_TWIN_TRINO_URL": f"http://127.0.0.1:{port}",
        },
    )
    line = _one_error_line(proc)
    assert f"name a twin (http://127.0.0.1:{port}" in line and "make twin" in line


def test_a_query_sent_before_trinos_node_serves_its_catalog_is_sent_again(monkeypatch):
    """Just after Trino starts, a scan can fail with NO_NODES_AVAILABLE (the node has not
    announced its catalogs yet; Athena has no such moment): the bridge sends the query
    again until it runs, and any other failure, or a node still missing after
    NODE_WAIT, comes back at once as the query's error. Trino's own client error class,
    raised by a cursor that fails as Trino's does."""
    from trino.exceptions import TrinoQueryError

    from athena_twin import athena_bridge

    monkeypatch.setattr(athena_bridge.time, "sleep", lambda _s: None)

    def error(name: str) -> TrinoQueryError:
        return TrinoQueryError({"errorName": name, "message": name, "errorType": "INTERNAL_ERROR"})

    class Cursor:
        def __init__(self, failures: list[str]) -> None:
            self.failures, self.sent = failures, 0

        def execute(self, _sql: str) -> None:
            self.sent += 1
            if self.failures:
                raise error(self.failures.pop(0))

        def fetchall(self) -> list:
            return [["1"]]

    ready_later = Cursor(["NO_NODES_AVAILABLE"] * 3)
    assert athena_bridge._run_once_a_node_serves_the_catalog(ready_later, "select 1") == [["1"]]
    assert ready_later.sent == 4
    broken = Cursor(["SYNTAX_ERROR", "NO_NODES_AVAILABLE"])
    with pytest.raises(TrinoQueryError, match="SYNTAX_ERROR"):
        athena_bridge._run_once_a_node_serves_the_catalog(broken, "selec 1")
    assert broken.sent == 1
    monkeypatch.setattr(athena_bridge, "NODE_WAIT", -1.0)  # the wait is over at once
    never = Cursor(["NO_NODES_AVAILABLE"] * 100)
    with pytest.raises(TrinoQueryError, match="NO_NODES_AVAILABLE"):
        athena_bridge._run_once_a_node_serves_the_catalog(never, "select 1")
    assert never.sent == 1


def test_a_maven_download_is_checked_against_its_pinned_sha256(tmp_path, monkeypatch):
    """The Java side of the lock: a file whose bytes differ from the pinned SHA-256 is
    refused (a mirror serving another file), and so is a file with no pin at all."""
    import http.server
    import threading

    from lakecore import maven

    path = "org/apache/hadoop/hadoop-aws/3.3.4/hadoop-aws-3.3.4.jar"
    served = tmp_path / "mirror" / path
    served.parent.mkdir(parents=True)
    served.write_bytes(b"not the jar")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

    handler = lambda *a, **kw: Quiet(*a, directory=str(tmp_path / "mirror"), **kw)  # noqa: E731
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        monkeypatch.setattr(maven, "MAVEN", f"http://127.0.0.1:{server.server_port}")
        with pytest.raises(PipelineError, match="is not the pinned 53f9ae03"):
            maven.download(path, tmp_path / "out.jar", "a test")
        server.shutdown()
    with pytest.raises(PipelineError, match=r"not pinned in lakecore/maven\.py"):
        maven.download("org/example/x/1/x-1.jar", tmp_path / "x.jar", "a test")
