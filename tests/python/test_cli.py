"""Expected failures print one clear line and exit non-zero, never a traceback."""

import os
import shutil
import sys
from pathlib import Path

import pytest

from lakecore.errors import PipelineError
from lakehouse import cli
from tests.python.conftest import run_cli


def _one_error_line(proc) -> str:
    """Progress goes to stdout; stderr holds exactly one line: the error."""
    out = proc.stdout + proc.stderr
    assert proc.returncode == 2, out
    assert "Traceback" not in out
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, out
    assert lines[0].startswith("error:")
    return lines[0]


def test_missing_source_folder(tmp_path):
    line = _one_error_line(
        run_cli("--lake", str(tmp_path / "lake"), "ingest", "--source", str(tmp_path / "nowhere"))
    )
    assert "no such file or folder" in line


def test_missing_raw_file(tiny_raw, tmp_path):
    delivery = tmp_path / "d"
    shutil.copytree(tiny_raw, delivery)
    (delivery / "olist_orders_dataset.csv").unlink()
    line = _one_error_line(
        run_cli("--lake", str(tmp_path / "lake"), "ingest", "--source", str(delivery))
    )
    assert "missing raw file(s) olist_orders_dataset.csv" in line


def test_wrong_header(tiny_raw, tmp_path):
    delivery = tmp_path / "d"
    shutil.copytree(tiny_raw, delivery)
    path = delivery / "olist_products_dataset.csv"
    path.write_text(path.read_text().replace("product_name_lenght", "product_name_length", 1))
    line = _one_error_line(
        run_cli("--lake", str(tmp_path / "lake"), "ingest", "--source", str(delivery))
    )
    assert "olist_products_dataset.csv: wrong header" in line
    assert "product_name_lenght" in line


def test_missing_java(tmp_path):
    venv_bin = str(Path(sys.executable).parent)
    env = {"PATH": venv_bin, "JAVA_HOME": ""}
    env_clean = {k: v for k, v in os.environ.items() if k not in ("JAVA_HOME",)}
    env_clean.update(env)
    line = _one_error_line(run_cli("--lake", str(tmp_path), "clean", env=env_clean))
    assert "Java not found" in line


def test_unknown_entity(tmp_path):
    line = _one_error_line(run_cli("--lake", str(tmp_path), "clean", "--entities", "unicorns"))
    assert "unknown entity unicorns" in line


def test_wrong_python_is_refused(monkeypatch):
    monkeypatch.setattr(sys, "version_info", (3, 9, 18, "final", 0))
    with pytest.raises(PipelineError, match=r"Python 3.9 found; this project needs Python 3.11"):
        cli.check_python()


def test_clean_on_an_s3_lake_is_one_clear_line(tmp_path):
    """Local Spark has no S3 connector yet: the command says so before starting Spark,
    instead of ending in Java's `No FileSystem for scheme "s3"`."""
    env = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
           "AWS_DEFAULT_REGION": "us-east-1"}  # fmt: skip
    line = _one_error_line(run_cli("--lake", "s3://bucket/x", "clean", env=env))
    assert "--lake s3://bucket/x" in line and "S3 lake" in line


def test_a_lake_that_is_neither_a_folder_nor_s3(tmp_path):
    line = _one_error_line(run_cli("--lake", "gs://bucket/x", "clean"))
    assert "a lake is a local folder or s3://bucket/prefix" in line


def test_generate_with_a_scale_of_zero_or_less(tmp_path):
    line = _one_error_line(run_cli("generate", "--scale", "-1", "--out", str(tmp_path / "g")))
    assert "--scale -1.0: pass a number greater than 0" in line
