"""The built-in rules for installers and the packages' own checks of what they need: a package that does not exist for
this platform, a build tool, a codec's package or a library Qt's platform plugin needs not installed, a package or
Qt half installed, a package's own minimum-version check, and Windows' path limit in an install.

A package asked for by name that pip finds no version of at all ("from versions: none"), or conda in no channel, is
missing for this platform or Python, unless pip could not reach the index (its connection errors beside it): then
nothing was looked up. A version pinned that is not found is not a missing package (that release, or that index);
a conda solve for another system's packages is left alone (lookalikes).
"""

from __future__ import annotations

import re

from . import paths as p
from .rules import Rule, parsed_rule, text_rule

_rule, _t = parsed_rule, text_rule
INDEX_UNREACHABLE = re.compile(r"NewConnectionError|ProxyError|SSLError|ConnectTimeout|Max retries exceeded|Temporary "
                               r"failure in name resolution|Could not fetch URL|Network is unreachable", re.IGNORECASE)


def _index_reached(text: str) -> bool:
    return not INDEX_UNREACHABLE.search(text)


INSTALLERS: tuple[Rule, ...] = (
    _t("package-not-for-platform", "dependency_missing", r"\bsatisfies the requirement [\w.-]+(\[[\w,.-]+\])? (\(from "
       r"[^)\n]*\) )?\(from versions: none\)|\b(ResolvePackageNotFound|PackagesNotFoundError)\b[^\n]*:\s*- "
       r"[\w.-]+[ \t]*(\n|$)", "the installer found no release at all of a package asked for by name (pip: no "
       "version; conda: not in the channels): none for this platform or Python", applies=_index_reached),
    _t("package-half-removed", "binary_import_broken", r"cannot import name ['\"]?\w+['\"]? from ['\"][\w.]+['\"] "
       r"\(unknown location\)", "a package's folder is there without its __init__ (Python imports it as a namespace "
       "package of unknown location): an install half removed or overwritten, not another version"),
    # Qt's platform plugin, which a GUI (phy, the sorters' own) loads first: the install's or the system's
    _t("qt-two-copies", "binary_import_broken", r"QObject::moveToThread: Current thread \(0x[0-9a-f]+\) is not the "
       r"object's thread[\s\S]*Qt platform plugin", "two copies of Qt in one process (opencv-python's own beside "
       "PyQt's): the platform plugin of one can't load into the other"),
    _t("qt-plugin-not-found", "binary_import_broken", r"Could not find the Qt platform plugin \"\w+\" in", "Qt's "
       "platform plugin is not where Qt looks (its plugins folder missing, or a path set for another Qt): the install"),
    _t("qt-plugin-libraries-missing", "dependency_missing", r"(could not|couldn't) (find or )?load the Qt platform "
       r"plugin|no Qt platform plugin could be initialized|is needed to load the Qt \w+ platform plugin", "Qt's platform "
       "plugin is there but a system library it needs is not (libxcb-cursor0, libxcb-xinerama0, ...)"),
    _t("build-tool-missing", "dependency_missing", r"\b(Ninja|CMake) (is required|must be installed) to (load|build|"
       r"compile)\b", "a build tool an extension is compiled with at load or install time is not installed"),
    _t("codec-not-registered", "dependency_missing", r"\bcodec not available: ['\"][\w.-]+['\"]", "a compression codec "
       "a file's array was written with is not registered (numcodecs: its package is not installed)"),
    _t("package-minimum-version", "dependency_version_mismatch", r"\b(requires|needs) at least version v?\d[\w.]* of "
       r"[\w.-]+", "a package's own check at import: another package it needs is older than it requires"),
    _t("windows-long-paths-off", "permission_denied", r"does not have Windows Long Path support enabled",
       "Windows refused a path past its 260-character limit: long paths are not enabled (pip's own hint)"),
    _rule("windows-path-too-long", "permission_denied", p.windows_path_too_long, "a file not found on a Windows path of "
          "260 characters or more: Windows' MAX_PATH, where long paths are not enabled"),
)
