"""The one exception type the core raises for problems a user can fix.

Its message is a single line that names the file or value at fault; the CLI prints it as
is and the app shows it as a notification.
"""


class ReaderError(Exception):
    """A problem with the user's input, files or store, explained in one line."""


class UsageError(ReaderError):
    """A bad value on the command line (an unknown or ambiguous id, say): exit status 2."""
