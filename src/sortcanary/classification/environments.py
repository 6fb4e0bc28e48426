"""The built-in rules for the shell environment a job starts in: environment modules that refuse to load together,
a locale the environment names that the C library or Python does not know, and a MATLAB client whose pool could not
bind a port on its own host. Each is what the environment's own tool says of a refusal, not a sentence of one thread.

A module system that refuses a load because a loaded module conflicts (Environment Modules' ERROR:150, Lmod's "a
different version ... is already loaded", "Cannot load module ... because these module(s) are loaded") is the job's
environment; one whose modulefile failed in its own Tcl code says nothing of the cause (a modulefile's bug, a PATH that
put another tclsh first), so it is left alone. Python's "unknown locale" is its parse of LANG/LC_* (macOS' bare
"UTF-8"), and Click's refusal of an ASCII environment is a locale not set; Perl's "Setting locale failed" is a warning
it goes on after, so it is not this.
"""

from __future__ import annotations

from .rules import Rule, text_rule

_t = text_rule
ENVIRONMENTS: tuple[Rule, ...] = (
    _t("modules-conflict", "job_environment_incomplete", r"\bERROR:150: Module '[^'\n]+' conflicts with the currently "
       r"loaded module|\bA different version of the '[^'\n]+' module is already loaded\b|\bCannot load module \"?[^\s\"]+"
       r"\"? because these module\(s\) are loaded\b|\bModule cannot be loaded due to a conflict\b", "the module system "
       "refused a load: a module already loaded conflicts with it (another version, another toolchain)"),
    _t("locale-unknown", "job_environment_incomplete", r"\bValueError: unknown locale: \S+|\bClick will abort further "
       r"execution because Python (3 )?was configured to use ASCII as encoding for the environment", "the environment "
       "names a locale Python can't use (LANG/LC_* unset, or a bare 'UTF-8'): set LANG/LC_ALL to an installed one"),
    _t("matlab-pool-port-unbound", "job_environment_incomplete", r"\bFailed to open any port in the range \[\d+\s+\d+\]",
       "MATLAB's parallel pool could not bind any port of its range on this host (taken, or the host's network rules)"),
)
