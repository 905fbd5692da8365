"""The Glue package: the zip alone provides the job's imports (the cleaning room and the
shared base), the script is the job."""

import subprocess
import sys
import zipfile

from deployment.glue_package import build


def test_zip_is_importable_on_its_own(tmp_path):
    archive, script = build(tmp_path / "dist")
    names = zipfile.ZipFile(archive).namelist()
    assert "glue_etl/jobs/clean.py" in names and "lakecore/contract.py" in names
    # The job's packages and nothing else: the cleaning room imports only the shared base.
    assert {n.split("/")[0] for n in names} == {"glue_etl", "lakecore"}
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    assert script.read_text().startswith('"""Glue job')
    # -I: no cwd, no PYTHONPATH; the zip first on the path, as --extra-py-files puts it.
    code = (
        f"import sys; sys.path.insert(0, {str(archive)!r}); "
        "import glue_etl.jobs.clean as job, glue_etl.pipeline, lakecore.contract as s; "
        "print(job.__file__); print(len(s.DATASETS))"
    )
    out = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True,
                         cwd=tmp_path, check=True).stdout.split()  # fmt: skip
    assert out[0].startswith(str(archive))
    assert int(out[1]) >= 10


def test_build_is_reproducible(tmp_path):
    a, _ = build(tmp_path / "a")
    b, _ = build(tmp_path / "b")
    assert a.read_bytes() == b.read_bytes()
