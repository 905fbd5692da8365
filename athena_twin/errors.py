"""The twin's one exception type: a failure its user can fix (no Java 24+, a port in
use, a server that did not start, a running twin that does not answer). Its message is
one line naming the cause and the fix; a caller's CLI prints it without a traceback."""


class TwinError(Exception):
    """An expected, user-fixable failure of the twin."""
