"""Expected failures print one clear line and exit non-zero, never a traceback."""

import os
import shutil
import sys
from pathlib import Path

import pytest

from lakecore import errors
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


def test_missing_java(tmp_path, tiny_raw):
    """Cleaning landed files without Java is one clear line (with nothing to read,
    clean does not start Spark and needs no Java)."""
    from ingestion.land import ingest
    from lakecore.storage import LocalStore

    ingest(tiny_raw, LocalStore(str(tmp_path)))
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


def test_clean_on_an_s3_lake_without_its_bucket_is_one_clear_line(aws_env):
    """An S3 lake whose bucket does not exist (on the twin's moto): one line naming the
    S3 location and S3's answer, not a botocore or Java traceback."""
    line = _one_error_line(run_cli("--lake", "s3://no-such-bucket/x", "clean", env=aws_env))
    # The first object a writing run touches is the lake's lock.
    assert "s3://no-such-bucket/x/_audit/lock" in line and "NoSuchBucket" in line


def test_an_unreachable_s3_is_one_clear_line(tmp_path):
    """No network to S3 (a closed loopback port here): one line naming the location."""
    from athena_twin import dummy_env
    from athena_twin.net import free_port

    env = dummy_env(f"http://127.0.0.1:{free_port()}")
    env["AWS_MAX_ATTEMPTS"] = "1"
    line = _one_error_line(run_cli("--lake", "s3://bucket/x", "clean", env=env))
    assert "s3://bucket/x/_audit/lock" in line and "AWS_ENDPOINT_URL" in line


def test_a_full_disk_is_one_clear_line(tmp_path, monkeypatch, capsys):
    """The disk fills while a file lands (Python's ENOSPC; Spark's and DuckDB's carry the
    same words): one line saying to free space and run the same command again."""
    import errno

    from datagen.generate import generate
    from lakecore.storage import LocalStore

    def full(self, local_path, key, on_bytes=None):
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "lake" / key))

    generate(tmp_path / "delivery", scale=0.001, seed=3)
    monkeypatch.setattr(LocalStore, "put_file", full)
    capsys.readouterr()
    code = cli.main(
        ["--lake", str(tmp_path / "lake"), "ingest", "--source", str(tmp_path / "delivery")]
    )
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert "no space left on the disk" in err and "run the same command again" in err
    assert errors.disk_full(RuntimeError("py4j: java.io.IOException: No space left on device"))
    assert errors.disk_full(RuntimeError("some other failure")) is None


def test_transform_on_a_lake_with_nothing_cleaned_says_what_to_run_first(tmp_path):
    line = _one_error_line(run_cli("--lake", str(tmp_path / "empty"), "transform"))
    assert f"{tmp_path / 'empty'}/cleaned: nothing cleaned yet" in line
    assert "`lakehouse ingest --source DIR` and `lakehouse clean` first" in line
    assert not (tmp_path / "empty").exists()  # refused before anything is written


@pytest.mark.parametrize("root", ["s3://bucket/a/../b", "s3://bucket//x", "s3://bucket/x\x07"])
def test_an_s3_lake_prefix_with_dots_or_odd_characters_is_refused(root):
    line = _one_error_line(run_cli("--lake", root, "clean"))
    assert "an S3 lake's prefix is plain folder names" in line


def test_a_lake_that_is_neither_a_folder_nor_s3(tmp_path):
    line = _one_error_line(run_cli("--lake", "gs://bucket/x", "clean"))
    assert "a lake is a local folder or s3://bucket/prefix" in line


def test_generate_with_a_scale_of_zero_or_less(tmp_path):
    line = _one_error_line(run_cli("generate", "--scale", "-1", "--out", str(tmp_path / "g")))
    assert "--scale -1.0: pass a number greater than 0" in line
