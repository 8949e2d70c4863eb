"""Reading the JSON files that commands import, with errors people can act on."""

import json


def read_json(path, error_class):
    """The parsed JSON of `path`; `error_class` with the reason if it cannot be read."""
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except FileNotFoundError:
        raise error_class(f"{path}: no such file") from None
    except UnicodeDecodeError as error:
        raise error_class(f"{path}: not UTF-8 text ({error.reason})") from None
    except json.JSONDecodeError as error:
        raise error_class(
            f"{path}: not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})"
        ) from None
    except IsADirectoryError:
        raise error_class(f"{path}: is a folder, not a file") from None
    except RecursionError:
        raise error_class(f"{path}: not valid JSON (nested too deeply)") from None
    except ValueError as error:  # e.g. a number of over 4,300 digits
        raise error_class(f"{path}: not valid JSON ({error})") from None
