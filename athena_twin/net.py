"""Loopback ports and readiness for the twin's servers."""

from __future__ import annotations

import socket
import subprocess
import urllib.request


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_is_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def wait_for_url(
    url: str, proc: subprocess.Popen, timeout: float, expect: bytes | None = None
) -> bool:
    """Poll until `url` answers (with `expect` in its body, if given); False if the server
    process exits or time runs out (the caller names what did not start, with its log)."""
    from tenacity import Retrying, retry_if_result, stop_after_delay, wait_fixed

    def answers() -> bool | None:  # None: not yet; False: the process is gone
        try:
            body = urllib.request.urlopen(url, timeout=2).read()  # nosec B310 # http to the twin on loopback, built here
            if expect is None or expect in body:
                return True
        except OSError:
            pass
        return False if proc.poll() is not None else None

    retrying = Retrying(
        stop=stop_after_delay(timeout),
        wait=wait_fixed(0.2),
        retry=retry_if_result(lambda answer: answer is None),
        retry_error_callback=lambda _: False,
    )
    return bool(retrying(answers))


def stop(proc: subprocess.Popen, grace: float) -> None:
    """SIGTERM, then SIGKILL if the server has not exited after `grace` seconds."""
    proc.terminate()
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def die_with_parent() -> None:
    """For subprocess.Popen(preexec_fn=...): the child gets SIGTERM when the process
    that started it dies, however it dies, so no twin server outlives its owner (Linux;
    elsewhere a no-op)."""
    import contextlib
    import ctypes
    import signal

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
