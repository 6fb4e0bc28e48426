"""The built-in rules, one per mechanism of failure, grouped by family.

Structural rules read the parsed failure's facts (sortcanary.classification.structural; an API that
changed between two packages' versions, sortcanary.classification.versions); text rules cover what
only words say (a registry's reply, a driver's complaint), each pattern a family of phrasings, never a bare word
like "error"; words another mechanism also prints are told apart by sortcanary.classification.lookalikes. Within a
category the list order is the order tried; across categories environment > resource > biological (rules.ranked).
"""

from __future__ import annotations

from . import allocations as a
from . import limits as m
from . import lookalikes as lk
from . import paths as p
from . import sorter_logs as k
from . import structural as s
from . import versions as v
from .cloud import CLOUD
from .containers import CONTAINERS
from .environments import ENVIRONMENTS
from .gpu import GPU_DEVICE, GPU_SETUP
from .inputs import INPUTS
from .installers import INSTALLERS
from .rules import Rule, parsed_rule, text_rule
from .storage import STORAGE

_rule, _t = parsed_rule, text_rule
BUILT_IN: tuple[Rule, ...] = (
    *CONTAINERS,  # their output wraps every other message, so they come first
    *CLOUD,  # the cloud's batch systems wrap it too (sortcanary.classification.cloud)
    # -- environment: the install
    _rule("missing-container-client", "container_runtime_missing", s.missing("container"),
          "the container engine's Python client is not installed"),
    _rule("missing-exporter-package", "exporter_unavailable", s.missing("exporter"),
          "a package an output in the config needs is not installed"),
    _t("sorter-not-installed", "sorter_not_installed", r"(The|This) sorter \S+ is not installed|\b(kilosort\w*|mountainsort"
       r"\w*|spyking\w*|ironclust|tridesclous\w*|herdingspikes|hdsort|waveclus|klusta|combinato|yass) is not installed|"
       r"\b(KILOSORT[\d_]*|IRONCLUST|"
       r"HDSORT|WAVECLUS|KLUSTA)_PATH\b", "SpikeInterface finds no such sorter installed (a MATLAB sorter's path unset)"),
    _rule("missing-sorter", "sorter_not_installed", s.missing("sorter"), "the sorter's own package is not installed"),
    _rule("missing-dependency", "dependency_missing", s.missing("dependency"),
          "a module the sorter stack imports is not installed"),
    _rule("missing-compiled-part", "binary_import_broken", s.missing("broken"),
          "an installed package lacks its own compiled part: a broken build"),
    _rule("sorter-lacks-module", "sorter_version_unsupported", s.missing("sorter_version"),
          "the installed sorter lacks a module its caller imports: another version is needed"),
    _rule("package-lacks-module", "dependency_version_mismatch", s.missing("version"),
          "an installed package lacks a module its caller imports: another version is needed"),
    _rule("sorter-lacks-name", "sorter_version_unsupported", s.missing_symbol(in_sorter=True),
          "the installed sorter lacks a name its caller imports"),
    _rule("package-lacks-name", "dependency_version_mismatch", s.missing_symbol(in_sorter=False),
          "an installed package lacks a name its caller imports"),
    _rule("stale-compiled-extension", "binary_import_broken", v.compiled_call_mismatch, "a compiled extension's "
          "signature does not fit its own package's call: built from another version"),
    _rule("sorter-call-changed", "sorter_version_unsupported", v.call_mismatch(in_sorter=True),
          "a call between the sorter and its wrapper no longer fits the installed version"),
    _rule("package-call-changed", "dependency_version_mismatch", v.call_mismatch(in_sorter=False),
          "a call into an installed package no longer fits its signature"),
    _rule("sorter-name-removed", "sorter_version_unsupported", v.attribute_removed(in_sorter=True),
          "a name the sorter or its wrapper uses is gone from the installed version"),
    _rule("package-name-removed", "dependency_version_mismatch", v.attribute_removed(in_sorter=False),
          "a name the caller uses is gone from the installed package (removed in a release)"),
    _t("plugin-api-mismatch", "dependency_version_mismatch", r"\bMismatched (\w+ )?plugin (\w+ )?API version\b",
       "a plugin built against another version of its framework's API (JAX's PJRT plugin beside another jaxlib)"),
    _rule("program-missing", "dependency_missing", s.program_missing, "a program a tool runs is not installed (its "
          "subprocess could not start it)"),
    *INSTALLERS,  # what an install or a package's own check says is missing (sortcanary.classification.installers)
    _t("version-requirement", "dependency_version_mismatch", r"\b(needs|requires) [\w.-]+ (version )?['\"]?[<>=~]*\s*\d+"
       r"(\.\d+)*['\"]? or (less|greater|newer|older|later|higher|lower|above|below)\b|VersionConflict|version '?[\d.]+'? "
       r"currently installed|\brequires [\w.-]+ ?(>=|<=|==|~=|<|>) ?\d|\bincompatible with [\w.-]+ ?(>=|<=|==|<|>|version) ?\d|"
       r"conflicting dependencies|ResolutionImpossible|UnsatisfiableError|requires? a different Python\b|"
       r"\bNumpy is not available\b|\bversion (must|should|needs to) be (at least|>=|greater than|newer than|higher "
       r"than) v?\d|is not a supported wheel on this platform|No specification for '\w+' in namespace '(core|hdmf-"
       r"common|hdmf-experimental)'", "a package, or the installer, says the versions asked for do not fit together "
       "(pip: a wheel built for another Python or word size; HDMF: a file whose core schema is newer than the installed "
       "one's, not an extension's namespace left unloaded; conda: not a solve for another system's packages)",
       applies=lk.versions_not_platform),
    _t("optional-dependency-missing", "dependency_missing", r"Missing optional dependency '[\w.-]+'|\b(pip|conda) "
       r"install [\w.-]+ to use\b|\bTo use [^\n,]{1,60}?,? (please )?install [\w.-]+:?\s*`?(pip|conda) install\b|"
       r"(could not|couldn't|cannot) (be )?import(ed)?\b[^\n]{0,160}?\b[Pp]lease run `?(pip|conda) install\b|"
       r"\b[Bb]ash is not installed\b|\b(Import|ModuleNotFound)Error: (The )?(package|module) [`'\"]?[\w.-]+[`'\"]? is "
       r"required\b|\bneeds [\w.-]+ which is not installed\b|\bmust (first )?install the [\w.-]+ "
       r"package|must be installed:? `?(pip|conda) install\b|install it with:? `?(pip|conda) install\b|there is no "
       r"package called|\byou must have the \S+ (toolbox|repository)\b|\b(needs?|requires?) [\w.-]+ to be installed\b|"
       r"\b(you (must|need to|have to|should)|please) install (?!(it|them|this|that|the|a|an)\b)[\w.-]+( (for|to use)\b|"
       r"\s*(\(|:|\n|$))|\bTo use [^\n,]{1,60}? run:\s*(>>>\s*)?(pip|conda) install [\w.-]+|\bTo use [^\n,]{1,60}? "
       r"install [\w.-]+ and [\w.-]+:?\s*`?(pip|conda) install\b|\bTo (use|download|load|read|write|run) [^\n,]{1,60}?,? "
       r"you (need|have) to install [\w.-]+\b|"
       r"\bTo use [^\n,]{1,60}? install [\w.-]+\s*(\n|$)|\brequires? (?P<needed>[\w.-]+):?\s*`?(pip|conda) install "
       r"(?P=needed)\b|"
       r"\b(you )?(don't|do not) have [\w.-]+ installed\b|(^|\n|: )(?!(CUDA|nvcc|the|it|this|that|sorter|driver)\b)"
       r"'?[A-Za-z][\w.-]*'? is not installed\s*(\n|$)|No Qt bindings could be found|none of these packages could be "
       r"imported",
       "a package (an R library, a MATLAB sorter naming a toolbox or repository it needs on the path, too) says "
       "a module it needs for this is not installed"),
    _t("build-tools-missing", "dependency_missing", r"Microsoft Visual C\+\+ [\d.]+ or greater is required|unable to "
       r"execute '([\w-]*-)?(gcc|g\+\+|cc|c\+\+|clang|cl\.exe)': No such file or directory|error: command '(\S*[\\/])?"
       r"([\w-]*-)?(gcc|g\+\+|cc|c\+\+|clang|cl\.exe)' failed: No such file or directory|fatal error: Python\.h: No such file "
       r"or directory", "a package with a compiled part (isosplit5, a sorter's extension) found no compiler or no "
       "Python headers to build it"),
    _t("cuda-python-missing", "dependency_missing", r"requires cuda, but the package ('cuda-python' )?is not installed",
       "SpikeInterface's GPU container path needs the cuda-python package"),
    _t("matlab-toolbox-missing", "dependency_missing", r"the following products? must be licensed, installed, and "
       r"enabled|Undefined function '(?!mex|spikedetector)\w+' for input arguments of type 'gpuArray'|(Undefined|"
       r"Unrecognized) function (or variable )?'(gpuArray|gpuDevice|parpool)'|License checkout failed",
       "a MATLAB toolbox the sorter needs is not installed or not licensed (gpuArray: the Parallel Computing "
       "Toolbox)"),
    _rule("matlab-eig-not-converging", "sorter_version_unsupported", k.eig_not_converging, "Kilosort 2's gpuArray/eig "
          "does not converge on this MATLAB release"),
    _t("sorter-version-unsupported", "sorter_version_unsupported", r"only supports \S+ versions?\b|\b(kilosort|"
       r"spikeinterface|probeinterface|torch|numpy|python|matlab)\w*\s+versions?\b[^\n]{0,80}\bnot (supported|"
       r"compatible)|\bThe sorter \S+ is archived and no longer supported\b", "the sorter refuses the installed "
       "versions (SpikeInterface's release no longer runs an archived sorter)"),
    _t("unknown-sorter", "unknown_sorter", r"sortcanary: unknown sorter", "the configured sorter does not exist"),
    _t("os-access-denied", "permission_denied", r"\bAccess is denied\b|Change file permissions? to (readable|writable)|"
       r"you (may )?(do not|don't) have (write|read) permission", "the OS refused a file in its own words (Windows' "
       "'Access is denied', MATLAB's 'Change file permission'): a MEX file or a folder the user may not read or write; "
       "not a Windows rename refused for a file held open in it, nor a sync client's own file)",
       applies=lk.not_held_by_another_program),
    # -- environment: the GPU (driver before broken binaries: a missing nvcuda.dll is the driver)
    *GPU_SETUP,  # the driver, the CUDA toolkit, the sorter's kernels (sortcanary.classification.gpu)
    # MATLAB's bare "Undefined/Unrecognized function or variable 'x'" is left alone: MATLAB says itself that it
    # can't tell a function off the path from a variable the code never assigned (the corpus holds both)
    *GPU_DEVICE,  # the requested device unusable, busy or not there (sortcanary.classification.gpu)
    # -- environment: broken binaries, downloads, the scheduler, permissions
    _t("binary-import-broken", "binary_import_broken", r"DLL load failed|libcudart functions unavailable|cannot open "
       r"shared object file|Initializing "
       r"\S+, but found \S+ already initialized|error while loading shared libraries|\.so[.\d]*: (file too short|invalid "
       r"ELF header|wrong ELF class)|version `?(GLIBC|GLIBCXX|CXXABI)_[\d.]+'? not found|version `[A-Z][A-Z\d]*_[\d.]+[a-z]?"
       r"' not found \(required by|symbol lookup error: [^\n]*undefined symbol: |No such operator \w+::\w+|operator "
       r"\w+::\w+ does not exist|Library not loaded: |Symbol not "
       r"found: |\[WinError 12[67]\]|Error loading \"[^\"\n]+\.dll\"|Could not load (dynamic )?library|version "
       r"incompatibility: \w+ was compiled\s+against|MKL FATAL ERROR: Cannot load|"
       r"HDF5 library version mismatched|header files used to compile this application do not match|Headers are "
       r"[\d.]+, library is [\d.]+|\[WinError 193\]|CUDNN_STATUS_NOT_INITIALIZED|Found cu(DNN|BLAS|FFT|SPARSE|SOLVER) "
       r"version \d+, but \w+ was built against|Outdated cu(DNN|BLAS|FFT|SPARSE|SOLVER) installation|CUDNN_STATUS_VERSION_"
       r"MISMATCH|Loaded runtime "
       r"cu\w+ library: [\d.]+ but source was compiled with|failed to open lib[\w.+-]+\.so\b|exec format error|"
       r"Unable to load any of \{lib|Could not find module '[^'\n]+\.(dll|pyd)' \(or one of its dependencies\)|"
       r"Cannot load symbol \w+|compiled "
       r"with different CUDA (major )?versions",
       "a compiled library does not load (missing, truncated, built for another system, or the loader can't find it: "
       "Windows' `Could not find module 'x.dll' (or one of its dependencies)` too; a versioned symbol set the loader "
       "lacks; a compiled operator that never registered: torchvision's built for another torch; not a DLL refused "
       "memory: Windows' paging file too small)", applies=lk.not_the_commit_limit),
    _t("gpu-backend-fell-back", "gpu_unused", r"CUDA backend failed to initialize|CUDA-enabled jaxlib is not installed",
       "a GPU framework's CUDA backend did not start (a CPU-only or mismatched build), so it fell back to the CPU "
       "(JAX's bare 'falling back to CPU' is left alone: it says so on every machine without a GPU)"),
    _rule("undefined-symbol", "binary_import_broken", s.undefined_symbol, "a compiled library needs a symbol the "
          "loaded libraries lack: builds that don't match"),
    _t("cpu-instruction-missing", "binary_import_broken", r"compiled to use (AVX|SSE|FMA)\w*(\.\d)? instructions,? but "
       r"these aren't available|but your machine doesn't support:? \(?(AVX|SSE|FMA)|processor must support the [^\n]{0,80}"
       r"(instructions|SSE|AVX)|(CPU|processor) (does not|doesn't) support (the )?(AVX|SSE\d|FMA)", "the binary says it "
       "was built for instructions this CPU lacks (a bare SIGILL says nothing: the same crash comes from bugs)"),
    _t("numpy-abi-mismatch", "dependency_version_mismatch", r"compiled using NumPy 1\.x cannot be run\s+in\s+NumPy 2|module "
       r"compiled against (ABI|API) version \S+ but this version of numpy is|"
       r"numpy\.(dtype|ndarray|ufunc) size changed, may indicate "
       r"binary incompatibility|_ARRAY_API not found", "a compiled extension "
       "was built against another NumPy than the one installed (a bare 'numpy.core.multiarray failed to import' is "
       "any failure to import NumPy's C part: left alone unless the ABI's own line is there)"),
    _t("job-shell-command-missing", "job_environment_incomplete", r"(slurm_script|\.sh|job[\w.-]*): line \d+: "
       r"[\w.-]+: command not found|execve\(\): [\w.-]+: No such file or directory|Your shell has not been properly "
       r"configured to use 'conda activate'|Run '?conda init'? before '?conda activate'?|MODULEPATH is undefined|(^|sh: |: )"
       r"(\d+: )?(module|ml|conda|mamba|micromamba|activate|deactivate): (command not found|not found|No such file or "
       r"directory)|\bsource: not found|/usr/bin/env: .?python[\d.]*.?: No such file or directory|The following "
       r"module\(s\) are unknown|Unable to locate a modulefile for|Could not find conda environment: |"
       r"EnvironmentLocationNotFound|'[\w.-]+' is not recognized as an internal or external command|(^|\b[a-z]*sh: )"
       r"(line \d+: )?[\w.+-]+: command not found|\b[a-z]*sh: \d+: [\w.+-]+: not found|exist but cannot be loaded as "
       r"requested|invalid choice: 'activate'|\bERROR:\d+: Unknown shell type\b",
       "the batch job's shell lacks what the login shell sets up (module, conda, PATH; a module command that does "
       "not know its shell: a script not started as a login shell)"),
    *ENVIRONMENTS,  # modules that conflict, a locale unknown, a pool's port (sortcanary.classification.environments)
    _rule("command-not-found", "job_environment_incomplete", s.exit_is(127), "the job's shell found no such command "
          "(exit status 127)"),
    _t("shared-memory", "shared_memory_unavailable", r"(error|failed|cannot|unable)[^\n]*shared memory|shared memory"
       r"[^\n]*(error|failed|too small)|out of shared memory|shm_open failed|/dev/shm[^\n]*(No space left|Permission "
       r"denied)|(No space left on device|Permission denied)[^\n]*['\"]/dev/shm/|unable to (write to|"
       r"open shared memory object) (file )?<?/torch_|"
       r"DataLoader worker \(pid \d+\) is killed by signal: Bus error", "the job's /dev/shm is too small "
       "or not writable (torch's /torch_* segments are there)"),
    _rule("memory-fs-full", "shared_memory_unavailable", p.memory_fs_full, "ENOSPC in a library that passes data "
          "through /dev/shm by default (pandarallel's memory file system): /dev/shm is full, not the disk"),
    _t("hdf5-lock-refused", "hdf5_file_lock_refused", r"unable to f?lock (the )?file[^\n]*(errno = (30|37|38|95|524)\b|No "
       r"locks available|Function not implemented|Operation not supported|Read-only file system)|file locking disabled "
       r"on this file system",
       "the filesystem does not support HDF5's file locks (ENOLCK, ENOSYS, EOPNOTSUPP, the kernel's ENOTSUPP 524, a "
       "read-only mount's EROFS; a lock another process holds is EAGAIN)"),
    _rule("no-locks", "hdf5_file_lock_refused", s.errno_is("ENOLCK"), "the filesystem gives no file locks (ENOLCK)"),
    _t("download-failed", "download_failed", r"urllib\.error\.(HTTPError|URLError)|<urlopen error|HTTP Error [45]\d\d:|"
       r"download_url_to_file|Download failed|Unable to download|Failed to download(?![^\n]*failed to write)|"
       r"Temporary failure in name resolution|Name or service not known|CondaHTTPError|HTTP 000 CONNECTION FAILED|"
       r"nodename nor servname provided|getaddrinfo failed|Could not resolve host|libmamba Download error \(\d+\)|"
       r"(?<!Unix)HTTPS?ConnectionPool\(host='(?!localhost)[^'\n]*', port=\d+\)(?!: Read timed out)|"
       r"CERTIFICATE_VERIFY_FAILED|ProxyError|407 Proxy Authentication|"
       r"(couldn't|could not|can't|cannot|unable to|failed to) (connect|reach)( to)? ['\"]?https?://(?!localhost)|"
       r"\b(API|server) returned (status |HTTP )?[45]\d\d\b",
       "a run-time download failed (the network, DNS, a proxy or the server; not a read timeout, the server's load)"),
    _rule("network-layer", "download_failed", s.network_layer_failed, "a traceback that ends in the network layer"),
    _rule("network-unreachable", "download_failed", s.errno_is("ENETUNREACH"), "the node has no route to the network "
          "(ENETUNREACH: a compute node without internet)"),
    _t("scheduler-rejected", "scheduler_request_rejected", r"Batch job submission failed|sbatch failed|Requested node "
       r"configuration is not available|Unable to allocate resources: |Invalid (account|partition name|qos specification)|"
       r"Memory specification can not be satisfied|Invalid generic resource \(gres\) specification|More processors "
       r"requested than permitted|violates accounting/QOS policy|invalid partition specified|(^|\n)\s*qsub: (?!waiting "
       r"for job|job \S+ (ready|completed|killed)|(command )?not found)\w|Request aborted by esub|Job exceeds queue (and/or "
       r"server )?resource limits|Illegal attribute or resource value|Requested time limit is invalid|\bJob not "
       r"submitted\b|Unable to run job: |requirements? exceeds? available (memory|CPUs)|\bjob rejected: |"
       r"DeniedByDrmException|\b(?-i:BadConstraints|(QOS|Assoc)Max\w*PerJob(Limit)?|Partition(Time|Node)Limit)\b|\b(sbatch|"
       r"salloc|srun): error: [^\n]*\bsupported polic(y|ies)\b|\berror: [^\n]*\b(sbatch|salloc)\b[^\n]* is disabled\b",
       "the scheduler refused the request (not a controller that did not answer; SLURM's pending reason "
       "BadConstraints: no node can satisfy it; a per-job limit of the QOS or partition the job exceeds, not a "
       "per-user one it waits out; a site's submission policy)", applies=lk.scheduler_answered),
    _rule("access-denied", "permission_denied", p.access_denied, "the filesystem refused access (EACCES; not to a "
          "file in the shared temporary folder, another user's under a name the program fixed)"),
    _rule("scheduler-access-denied", "permission_denied", p.scheduler_access_denied, "the scheduler may not run the "
          "job's script or read its configuration (EACCES in SLURM's words)"),
    _t("nfs-server-not-responding", "io_stall", r"\bnfs: server \S+ not responding", "the NFS server holding the data "
       "stopped answering (the kernel's RPC client timed out on it)"),
    _rule("output-appeared-late", "io_stall", p.output_late, "an output the job wrote appeared on the shared "
          "filesystem after Snakemake stopped waiting for it"),
    _rule("read-only-storage", "permission_denied", p.read_only_user_storage, "the user's storage is mounted read-only "
          "where the job runs (EROFS on a path outside the system's and the packages' trees)"),
    _t("access-denied-text", "permission_denied", r"\[WinError 5\] Access is denied|NotWritableError|do(es)? not have "
       r"(write )?permissions? (to|on|for)\b|(cannot|can't|could not|couldn't|unable to|failed to) (create|open|write|"
       r"remove|delete|access|make|read|execute|copy|move|rename|touch|stat|save|overwrite)\b[^\n]{0,160}?: Permission "
       r"denied\b|FileNotFoundException: \S+ \(Permission denied\)|java\.nio\.file\.AccessDeniedException: |(^|"
       r"\n)-?(\S*/)?(ba|da|z|k)?sh: (\d+: |line \d+: )?[./~][^\n:]*(?<!rc)(?<!profile)(?<!_login): Permission "
       r"denied\b", "the filesystem or the OS refused access to a path (a shell's own '<path>: Permission denied': a "
       "program it may not run; not its start-up file, .bashrc or .profile, which it skips with that warning and goes "
       "on; not a Windows rename, nor a node that does not know the user)", applies=lk.the_users_permission),
    # -- environment: the data and the configuration
    *STORAGE,  # object stores, network mounts, HDF5's drivers (sortcanary.classification.storage)
    *INPUTS,  # the data files, the probe, the sorter's parameters (sortcanary.classification.inputs)
    _t("exporter-switched-on", "exporter_unavailable", r"sortcanary: outputs\.\S+ is on but",
       "an output is on without its package"),
    _t("allocation-implausible", "allocation_implausible", r"allocate|Requested", "an allocation far beyond any "
       "machine: a wrong parameter", applies=a.implausible_allocation),
    # -- resource
    m.MEMORY_WATCHDOG,  # a framework's monitor stopped a worker near its limit: before its exception's words
    _rule("gpu-memory-exception", "gpu_out_of_memory", m.memory_exception(gpu=True), "the GPU's allocator gave up"),
    _t("gpu-out-of-memory", "gpu_out_of_memory", r"CUDA out of memory|CUBLAS_STATUS_ALLOC_FAILED|Out of memory on (the "
       r")?(device|GPU)|CUDA_ERROR_OUT_OF_MEMORY|cuda(Error)?MemoryAllocation|CUDA (runtime )?error[^\n]{0,20}out of "
       r"memory|\b(HIP|ROCm) out of memory|CUDA error was:\s*(CUDA_ERROR_)?out of memory|"
       r"Cuda failure '?out of memory|CU(BLAS|DNN|SOLVER|SPARSE|RAND)"
       r"_STATUS_ALLOC_FAILED|CUFFT_ALLOC_FAILED|MPS backend out of memory|"
       r"MEM_OBJECT_ALLOCATION_FAILURE|Maximum "
       r"variable size allowed on the device is exceeded|OOM when allocating tensor(?![^\n]*CPU)[^\n]*\n?[^\n]*\bGPU\b|"
       r"cudaMalloc[^\n]{0,60}out "
       r"of memory|\bout of (GPU|device) memory\b|exceeds the maximum allowed size on the device|"
       r"\b(CUDA|GPU) OOM\b|RESOURCE_EXHAUSTED:?[^\n]{0,20}(Out of memory while "
       r"trying to allocate|Failed to allocate request)|\bGPU "
       r"(is )?out of memory\b|\(GPU_\d+_bfc\) ran out of memory",
       "the GPU ran out of memory (not in CuPy's own allocation)", applies=lambda text: not m.CUPY_RUNTIME_OOM.search(text)),
    _rule("host-memory-exception", "host_out_of_memory", m.memory_exception(gpu=False), "an allocation on the host "
          "failed (MemoryError)"),
    # A bare C++ std::bad_alloc is left alone, as a bare MemoryError is (limits.memory_exception): it
    # says no size, and the corpus holds it from a host out of memory and from a sorter's bug alike.
    _t("host-out-of-memory", "host_out_of_memory", r"Unable to allocate .* for an array|DefaultCPUAllocator: can't "
       r"allocate memory|DefaultCPUAllocator: not enough memory|\[WinError 1455\]|paging file is too "
       r"small|Out of memory\. Type \"?help memory|exceeds maximum array size preference|OOM when allocating tensor"
       r"[^\n]*CPU|\bCannot allocate memory\b|insufficient memory for the Java Runtime Environment|cannot allocate "
       r"vector of size \d",
       "an allocation on the host failed", applies=lambda text: not (a.not_the_memory(text) or m.fork_refused(text))),
    _rule("host-memory-errno", "host_out_of_memory", m.memory_refused, "the kernel refused memory (ENOMEM; not to a "
          "fork, which copies the parent's address space)"),
    _rule("matlab-out-of-memory", "host_out_of_memory", k.matlab_out_of_memory_in_sorter, "MATLAB ran out of host "
          "memory while the sorter ran"),
    _rule("scheduler-out-of-memory", "host_out_of_memory", s.scheduler_state("OUT_OF_MEMORY"), "the scheduler or the "
          "kernel killed the job for memory"),
    _rule("scheduler-time-limit", "scheduler_time_limit", s.scheduler_state("TIME_LIMIT"), "the scheduler stopped the job at "
          "its time limit"),
    _rule("killed", "host_out_of_memory", s.killed, "the process was SIGKILLed (the out-of-memory killer)"),
    _rule("cpu-time-limit", "scheduler_time_limit", s.cpu_time, "SIGXCPU or a batch system's run-limit exit status"),
    _rule("disk-full", "disk_exhausted", s.errno_is("ENOSPC"), "the disk is full (ENOSPC; a quota, EDQUOT, is "
          "charged to the files' owner or group, which the text does not show: a tool that writes under the wrong "
          "group meets it with room to spare)"),
    _rule("home-quota", "disk_exhausted", p.home_quota, "the quota of the user's home folder is full (EDQUOT on a "
          "path in a home folder)"),
    _t("disk-full-text", "disk_exhausted", r"No space left on device|There is not enough (free )?space on (the |one "
       r"of the )?[\w: -]{0,20}?\b(disk|drive)s?\b|\[WinError 112\]|\b(not enough|insufficient) (free )?disk space|"
       r"\b(user|your|home) (disk )?quota (is )?(exceeded|full)|exceeded your (disk )?quota|low on resource: "
       r"ephemeral-storage|Error writing batch \d+ to \S+\. Check available disk space",
       "the disk, or the user's own quota, is full (Kilosort 2/3's short write of its batch says so; a pipeline's own "
       "check of a drive's free space, not one that does not know what it needs)", applies=lk.free_space_known),
    _rule("open-files-limit", "too_many_open_files", m.open_files_limit, "the open-files limit (EMFILE, ENFILE, or "
          "a tool's own check finding it too low)"),
    _rule("thread-limit", "too_many_open_files", m.thread_limit, "the per-user limit of processes and threads "
          "(RLIMIT_NPROC): a thread the C library could not start"),
    # -- biological, or a detection set up wrong (the canary weighs the window's data)
    _rule("ks2-no-good-channels", "no_good_channels", k.no_good_channels, "Kilosort 2's log: no good channel left"),
    _t("channels-mostly-bad", "no_good_channels", r"\b(more than half|most|all) (of )?(the )?channels (are|were) "
       r"(considered|marked|detected as|flagged as) bad\b", "the sorter's own channel detection found too many "
       "channels bad to sort (pykilosort's and iblsorter's check)"),
    _rule("ks2-starved", "insufficient_activity", k.ks2_starved, "Kilosort 2's kernel launch failed on a log that "
          "shows too little activity"),
    _rule("ks2-empty-kernel", "no_spikes_found", k.ks2_empty_kernel, "Kilosort 2's kernel launch had an empty grid "
          "and its log shows no activity figures"),
    _rule("sorter-counted-no-spikes", "no_spikes_found", k.counted_no_spikes, "the sorter's log counted no spikes "
          "before it failed"),
    _t("no-spikes", "no_spikes_found", r"Found array with 0 sample\(s\)|n_samples=\d+ should be >= n_clusters=\d+|No "
       r"spikes (were )?(detected|found)|(?<![\d.,])0 spikes (extracted|detected|found)|\b(found|detected) 0 spikes\b|only had 0 "
       r"spikes|has fewer than Nfilt spikes|No peaks (were )?(detected|found)|(less|fewer) than \d+ spikes "
       r"(were )?(detected|found)|\bNot enough spikes (in the (file|recording|data)|(were )?(detected|found)|to "
       r"(cluster|sort))\b|\bNo waveforms (were )?found\b(?! (for|in|on) )",
       "the sorter found no spikes, or too few to cluster (none at all: not one unit's or channel's)"),
)
