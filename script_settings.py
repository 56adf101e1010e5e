# Copyright 2026 The BERT-faithful authors. Licensed under the Apache License, Version 2.0.
"""A script's flags, read once into a plain value.

Every script follows one convention:

  def define_flags(flag_values=flags.FLAGS):   # each default written once
    flags.DEFINE_integer("max_seq_length", 128, "...", flag_values=flag_values)

  def main(_):
    run(script_settings.from_flags(FLAGS))     # FLAGS read here, once

  def run(settings): ...                       # everything below takes values

`from_flags` turns parsed absl flags into a `Settings`: an immutable value
with one attribute per flag (`settings.max_seq_length`). Nothing below `main`
reads the global `FLAGS`, apart from the original API's documented fallbacks
(run_squad's `read_squad_examples`, `write_predictions` and `get_final_text`
take an argument left out from its flag, as the original did) and
script_utils' handling of the run itself (the start-of-run checks, verbosity,
--help). So a notebook or a test can run a whole task in-process with the
defaults the command line would have:

  settings = script_settings.defaults(run_classifier.define_flags,
                                      task_name="mrpc", data_dir=..., ...)
  run_classifier.run(settings)

`defaults` registers the script's flags on a fresh `flags.FlagValues`, so the
defaults come from the flag definitions themselves (there is no second table
of them to drift), and the global FLAGS, where several scripts' flags of the
same name would clash, are left alone.
"""

from absl import flags


class Settings(object):
  """An immutable set of named values, one per flag of a script.

  Reads like the flags it came from (`settings.output_dir`); `replace`
  returns a copy with some values changed, `as_dict` a plain dict.
  """

  __slots__ = ("_values",)

  def __init__(self, **values):
    object.__setattr__(self, "_values", dict(values))

  def __getattr__(self, name):
    try:
      return self._values[name]
    except KeyError:
      raise AttributeError("no setting %r (known: %s)" %
                           (name, ", ".join(sorted(self._values)))) from None

  def __setattr__(self, name, value):
    raise AttributeError("Settings are read-only: use replace(%s=...)" % name)

  def __contains__(self, name):
    return name in self._values

  def __eq__(self, other):
    return isinstance(other, Settings) and self._values == other._values

  def __hash__(self):
    return hash(tuple(sorted(self._values)))

  def __repr__(self):
    return "Settings(%s)" % ", ".join(
        "%s=%r" % item for item in sorted(self._values.items()))

  def replace(self, **changes):
    """A copy with `changes` applied.

    Raises:
      AttributeError: a name that is not a setting (a typo would otherwise
        be silently ignored).
    """
    unknown = sorted(set(changes) - set(self._values))
    if unknown:
      raise AttributeError("no setting %s" % ", ".join(map(repr, unknown)))
    values = dict(self._values)
    values.update(changes)
    return Settings(**values)

  def as_dict(self):
    return dict(self._values)


def from_flags(flag_values=None, names=None):
  """The values of parsed flags as `Settings`.

  Args:
    flag_values: a parsed `flags.FlagValues`; default the global FLAGS.
    names: the flags to take; default all of them that belong to the
      program (absl's own, such as --verbosity or --logtostderr, are left
      out unless named).

  Returns:
    Settings.
  """
  if flag_values is None:
    flag_values = flags.FLAGS
  if names is None:
    names = _own_flag_names(flag_values)
  return Settings(**{name: flag_values[name].value for name in names})


def defaults(define_flags, **overrides):
  """A script's settings without a command line: its defaults, overridden.

  Args:
    define_flags: the script's `define_flags(flag_values)`.
    **overrides: setting name -> value: as the flag holds it after parsing
      (an int for an integer flag, a list for a list flag) or as the
      command line would spell it ("3", "a,b").

  Returns:
    Settings.

  Raises:
    AttributeError: an override that names no flag of the script.
    ValueError: a value the flag's parser refuses (an enum's list, a
      number that does not parse); flags.IllegalFlagValueError: one a
      validator refuses.
  """
  flag_values = flags.FlagValues()
  define_flags(flag_values)
  flag_values.mark_as_parsed()
  unknown = sorted(set(overrides) - set(flag_values))
  if unknown:
    raise AttributeError("no setting %s" % ", ".join(map(repr, unknown)))
  for name, value in overrides.items():
    if value is not None:
      # The flag's parser checks and converts as on the command line: an
      # enum refuses a value outside its list, a float flag takes an int.
      value = flag_values[name].parser.parse(value)
    setattr(flag_values, name, value)  # Runs the flag's validators.
  return from_flags(flag_values)


def _own_flag_names(flag_values):
  """The flags a program defined, not absl's or TensorFlow's own."""
  foreign = ("absl.", "tensorflow.")
  owned = set()
  for module, module_flags in flag_values.flags_by_module_dict().items():
    if module.startswith(foreign):
      continue
    owned.update(flag.name for flag in module_flags)
  return sorted(owned)
