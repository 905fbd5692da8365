"""Expected failures print one clear line and exit non-zero, never a traceback."""

import os
import shutil
import sys
from pathlib import Path

import pytest

from glue_etl.errors import PipelineError
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
