"""The twin's exceptions.

`TwinError`: a failure its user can fix (no Java 24+, a port in use, a server that did
not start, a running twin that does not answer). Its message is one line naming the
cause and the fix; a caller's CLI prints it without a traceback.

`Unsupported` and `Refused`: a statement the twin's Athena fails, as Athena would
(bridge.py and iceberg_sql.py raise them; athena_bridge.py makes them FAILED queries)."""


class TwinError(Exception):
    """An expected, user-fixable failure of the twin."""


class Unsupported(Exception):
    """A statement the twin cannot run as Athena would (NOT_SUPPORTED, naming it)."""


class Refused(Exception):
    """A statement Athena refuses: its error name and message (see `refusals.py`)."""

    error_type = "USER_ERROR"  # Athena's error category 2, as Trino names it

    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"{name}: {message}")
        self.error_name, self.message = name, message
