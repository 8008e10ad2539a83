"""The one error type for bad input: the CLI prints its message on one line and exits 2."""


class InputError(ValueError):
    """Raised for a parameter outside its allowed range; the message names the parameter."""
