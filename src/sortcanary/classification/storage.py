"""The built-in rules for where a job's files live beyond the local disk: object stores, network mounts, HDF5's
remote drivers, and the caches a library writes beside installed code. Each reads the layer's own words for a
refusal, not a sentence of one tool.

An object store that refused the caller's credentials (Google Cloud Storage's 401 to an anonymous caller, Azure's
AuthorizationFailure) is a permission; an object that does not exist is not. A mount the server refused (mount.cifs's
error(13), EACCES) is a permission; one whose server is down is not. A Go program's own path error ("mkdir <path>:
permission denied", the syscall's EACCES) is a permission, unless the path is in the shared temporary folder, where
another user's file under a fixed name is behind it. numba's "no locator available" for a real source file means no
folder it may write its cache to (an install owned by root, a read-only image); for code without a file (a notebook
cell, exec'd text) it says the same, and that is no permission; nor for a file inside an .egg install, where numba
has no locator for any folder (a packaging defect the package fixes). HDF5 or h5py built without a virtual file driver
(ros3, the read-only S3 one) lacks a part the job needs; a driver that is there and failed to reach S3 is not this.
"""

from __future__ import annotations

from .rules import Rule, text_rule

_t = text_rule
STORAGE: tuple[Rule, ...] = (
    _t("object-store-credentials-refused", "permission_denied", r"\b401 Anonymous caller does not have [\w.]+ access\b|"
       r"\bErrorCode:\s*(AuthorizationFailure|AuthenticationFailed|InvalidAuthenticationInfo)\b|\bServer failed to "
       r"authenticate the request\b", "the object store refused the caller's credentials (none given: an anonymous "
       "caller; a key it did not accept)"),
    _t("mount-refused", "permission_denied", r"\bmount error\(13\): Permission denied|\bmount(\.nfs\d?)?: access "
       r"denied by server\b", "the server refused the network mount (mount.cifs's error(13), EACCES; NFS's access "
       "denied by server)"),
    _t("go-path-permission", "permission_denied", r"\b(mkdir|mkdirall|open|openat|stat|lstat|chmod|chown|remove|rename|"
       r"create|symlink|unlinkat) (?!/tmp/)/[^\s:]+: (?-i:permission denied)\b", "a Go program's path error: the "
       "filesystem refused the operation on that path (EACCES; not in the shared temporary folder)"),
    _t("numba-cache-unwritable", "permission_denied", r"\bcannot cache function '[^'\n]+': no locator available for "
       r"file '(?!<)(?![^'\n]*\.egg/)[^'\n]+'", "numba found no folder it may write the cache of a function in an "
       "installed file to (the install owned by another user, a read-only image; NUMBA_CACHE_DIR moves it; not a file "
       "inside an .egg, where it has no locator at all)"),
    _t("hdf5-driver-not-built", "dependency_missing", r"\bh5py was built without \w+ support\b|\b(Read-Only S3|ROS3|"
       r"HDFS|Direct|MPI-?IO|Mirror|Subfiling) VFD is not enabled\b", "HDF5 or h5py was built without the virtual "
       "file driver the job opens its file with (a build with it is needed, e.g. conda-forge's)"),
)
