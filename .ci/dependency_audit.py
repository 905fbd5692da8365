"""Dependency audit for `make lint`: pip-audit over the packages installed in .venv,
against PyPI's vulnerability data (the `vulnerabilities` of its JSON API, fed by the
Python Packaging Advisory Database and OSV).

pip-audit cannot work offline: without that API it reports every package as "not
found" and still exits 0. So the API is probed first; when it does not answer (a
registry mirror that serves only the simple index, as on this project's build machines),
the audit is skipped with that reason in one line, instead of passing without auditing.
Where it answers, every installed package (the editable project itself aside) must be
audited and free of known vulnerabilities (--strict).
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from pathlib import Path

# pip-audit asks for each installed version: so does the probe (a mirror may answer the
# project page and not the version page).
PROBE = "https://pypi.org/pypi/pip/24.0/json"
SITE = Path(".venv/lib/python3.11/site-packages")


def reachable() -> str | None:
    """None when PyPI's JSON API answers with vulnerability data, else why not."""
    try:
        with urllib.request.urlopen(PROBE, timeout=10) as answer:  # nosec B310 # fixed https URL
            if "vulnerabilities" not in json.loads(answer.read()):
                return f"{PROBE} answers without vulnerability data"
    except (OSError, ValueError) as exc:
        return f"{PROBE} does not answer ({exc})"
    return None


def main() -> int:
    if not SITE.is_dir():
        print(f"dependency audit: {SITE} not found; run `make test` (or make lint) once")
        return 1
    why = reachable()
    if why:
        print(
            f"dependency audit: skipped: {why}; pip-audit needs it (it runs where PyPI is reachable)"
        )
        return 0
    pip_audit = str(Path(sys.executable).with_name("pip-audit"))  # .venv's, from the lock
    cmd = [pip_audit, "--strict", "--skip-editable", "--progress-spinner", "off",
           "--path", str(SITE)]  # fmt: skip
    return subprocess.run(cmd, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
