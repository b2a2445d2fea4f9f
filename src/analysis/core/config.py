"""Validate the pipeline configuration against its JSON schema, filling in defaults.

Written here rather than with ``snakemake.utils.validate`` (Snakemake 9.27.1) for two reasons
that still hold: that function tries pandas and polars on every call (the imports alone cost
about 0.5 s here, on every snakemake start including a no-op rerun), and it raises jsonschema's
first message without the key path. Errors here name the path: ``inputs.registr``. Defaults are
filled in as jsonschema's FAQ recipe does; the schema is the only place a default is written.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from analysis.core.yamlio import load_yaml


class ConfigError(ValueError):
    """A configuration value or key that the schema does not allow."""


def _with_defaults(validator_class):
    validate_properties = validator_class.VALIDATORS["properties"]

    def set_defaults(validator, properties, instance, schema):
        if isinstance(instance, dict):
            for name, sub in properties.items():
                if "default" in sub and name not in instance:
                    instance[name] = _copy(sub["default"])
        yield from validate_properties(validator, properties, instance, schema)

    from jsonschema import validators

    return validators.extend(validator_class, {"properties": set_defaults})


def _copy(value):
    import copy

    return copy.deepcopy(value)


def _path(error) -> str:
    return ".".join(str(p) for p in error.absolute_path)


def value_problems(config: dict) -> list[str]:
    """What the schema cannot say: a year range in order, a date that exists on the calendar.

    ``study_years: [2021, 2014]`` passes the schema but selects no year, so the public series would
    silently vanish from a green build; ``register_end: 2021-02-30`` matches the date pattern and
    used to crash a job. Both stop the run here, naming the key.
    """
    problems = []
    years = config.get("study_years")
    if isinstance(years, list) and len(years) == 2 and years[0] > years[1]:
        problems.append(
            f"configuration key 'study_years': {years} is reversed; give [first, last] with "
            f"first <= last, e.g. [{years[1]}, {years[0]}]"
        )
    for role, block in sorted((config.get("mapping") or {}).items()):
        if (
            isinstance(block, dict)
            and block.get("checkbox_unticked") == ""
            and "checkbox_all_empty" not in block
        ):
            problems.append(
                f"configuration key 'mapping.{role}.checkbox_all_empty' is required with "
                f'checkbox_unticked "": a checkbox question whose boxes are ALL empty is either not '
                "answered or answered with nothing ticked, and the export cannot tell which; set "
                "checkbox_all_empty: unanswered (left out of the base) or none_ticked (every option 0)"
            )
    end = config.get("register_end")
    if isinstance(end, str):
        try:
            dt.date.fromisoformat(end)
        except ValueError:
            problems.append(
                f"configuration key 'register_end': '{end[:20]}' is not a date on the calendar "
                "(YYYY-MM-DD, e.g. 2021-03-31)"
            )
    return problems


def validate_config(config: dict, schema_path: str | Path) -> dict:
    """Fill defaults into ``config`` in place and raise ConfigError on the first problem."""
    from jsonschema import Draft202012Validator

    schema = load_yaml(schema_path)
    validator = _with_defaults(Draft202012Validator)(schema)
    errors = sorted(validator.iter_errors(config), key=lambda e: (len(e.absolute_path), _path(e)))
    if not errors:
        problems = value_problems(config)
        if problems:
            raise ConfigError("; ".join(problems))
        return config
    err = errors[0]
    where = _path(err)
    if err.validator == "additionalProperties":
        allowed = sorted(err.schema.get("properties", {}))
        extra = sorted(set(err.instance) - set(allowed))
        keys = ", ".join(f"'{where + '.' if where else ''}{k}'" for k in extra)
        raise ConfigError(
            f"Unknown configuration key(s) {keys}: allowed here are {allowed} "
            f"(schema: {Path(schema_path).name}; config files: config.yaml and any --configfile)"
        )
    if err.validator == "required":
        raise ConfigError(f"configuration {where or 'top level'}: {err.message}")
    raise ConfigError(f"configuration key '{where}': {err.message}")


def _json_exact(value) -> str | None:
    """``value`` as JSON text when it reads back as exactly ``value`` (plain mappings with string
    keys, lists, strings, numbers, booleans, null), else None."""
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return None
    return text if json.loads(text) == value else None


def validate_config_cached(config: dict, schema_path: str | Path, cache) -> dict:
    """:func:`validate_config` for the Snakefile: the filled-in config of the last run is kept in
    ``cache`` (an :class:`analysis.core.filecache.FileCache`) under the schema file and the config's
    exact text, so an unchanged config is neither validated nor is jsonschema imported again (about
    0.1 s of every snakemake start). A config that fails is never kept: it is validated, and fails,
    every time. Fills ``config`` in place, as validate_config does."""
    text = _json_exact(config)
    if text is None:
        return validate_config(config, schema_path)

    def compute(path):
        filled = validate_config(json.loads(text), path)
        return filled if _json_exact(filled) is not None else None

    filled = cache.get("config", schema_path, compute, key=text)
    if filled is None:  # a default JSON cannot hold exactly
        return validate_config(config, schema_path)
    config.clear()
    config.update(json.loads(json.dumps(filled)))  # a copy: the run may change its config
    return config


# Input keys that name a folder; every other key under `inputs:` names a file.
FOLDER_INPUTS = frozenset({"public_dir"})


def input_path_problems(inputs: dict, read) -> list[str]:
    """One message per input key in ``read`` whose path is missing or of the wrong kind.

    A file key naming a folder (an export unpacked into a directory, a path cut one level short)
    would otherwise fail inside a job with ``IsADirectoryError``; here it stops the run before any
    job starts, naming the key.
    """
    problems = []
    for key in read:
        path = Path(inputs[key])
        if not path.exists():
            problems.append(f"inputs.{key}: file not found: {path}")
        elif key in FOLDER_INPUTS and not path.is_dir():
            problems.append(f"inputs.{key}: {path} is a file; it must be the folder of public data")
        elif key not in FOLDER_INPUTS and path.is_dir():
            problems.append(f"inputs.{key}: {path} is a folder; it must name one file (the export itself)")
        elif key not in FOLDER_INPUTS and not path.is_file():
            problems.append(f"inputs.{key}: {path} is not a regular file")
    return problems


def schema_keys(schema: dict, prefix: str = "") -> dict[str, dict]:
    """Every key of the config schema by dotted path (``inputs.register``), with its sub-schema."""
    out = {}
    named = dict(schema.get("properties", {}))
    for pattern, sub in schema.get("patternProperties", {}).items():  # ^survey_\d{4}$ -> survey_<YYYY>
        named[pattern.strip("^$").replace("\\d{4}", "<YYYY>")] = sub
    for name, sub in named.items():
        path = f"{prefix}{name}"
        out[path] = sub
        if sub.get("type") == "object" and "properties" in sub:
            out.update(schema_keys(sub, path + "."))
    return out


def describe_keys(schema_path: str | Path, keys: list[str]) -> list[str]:
    """One line per key for ``./run.sh --help``: path, default (from the schema) and description."""
    import json
    import textwrap

    known = schema_keys(load_yaml(schema_path))
    lines = []
    for key in keys:
        if key not in known:
            raise ConfigError(f"describe_keys: no key '{key}' in {Path(schema_path).name}")
        sub = known[key]
        default = f" (default {json.dumps(sub['default'], ensure_ascii=False)})" if "default" in sub else ""
        text = textwrap.fill(" ".join(str(sub.get("description", "")).split()), 94)
        lines.append(f"  {key}{default}\n" + textwrap.indent(text, "      "))
    return lines


if __name__ == "__main__":  # python -m analysis.core.config SCHEMA KEY...  (used by ./run.sh --help)
    import sys

    print("\n".join(describe_keys(sys.argv[1], sys.argv[2:])))
