"""The one exception type for failures a user can fix (bad input, missing file, bad
argument). The CLI prints its message as a single line and exits non-zero; anything
else is a bug and keeps its traceback."""


class PipelineError(Exception):
    """An expected, user-fixable failure. The message names the file/column and the fix."""
