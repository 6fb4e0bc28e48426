"""The words failures use for the facts they state, as the parser reads them (sortcanary.classification.parse).

A traceback names exception types and its frames' files; an OSError, HDF5 or a shell name an errno; a runner,
a workflow engine or a shell say how a process ended (an exit status, a signal, "Killed"); a scheduler or the
kernel says what it did to a job; a sorter names itself, its stage and, for Kilosort 2/2.5/3, what it saw of
the recording. Each pattern here reads one kind of fact in the shapes those tools print it; none judges it.
"""

import re

# A qualified exception type at a line's start or after a prefix, followed by ": message" or the line's end.
RAISED = re.compile(r"(?<![\w.])((?:[A-Za-z_]\w*\.)*_?[A-Z][A-Za-z0-9]*(?:Error|Exception|Exit|Interrupt|Failure))"
                    r"(?::\s+(.*)|:?\s*$)")
# A traceback's frame; also one whose paste lost its start ('site-packages/x/y.py", line 3, in f').
FRAME = re.compile(r"(?:File \"|^\s*(?=\S+\.py\"))([^\"]+)\", line \d+(?:, in (\S+))?")
NO_MODULE = re.compile(r"No module named [\\'\"]*([\w.]+)")
# A distribution the installer's metadata lacks (importlib.metadata, pkg_resources): not installed, as a module is.
NO_DISTRIBUTION = re.compile(r"No package metadata was found for [\'\"]?([\w.-]+)|The '([\w.-]+?)(?:[<>=!~\[ ][^']*)?' "
                             r"distribution was not found")
ERRNO = re.compile(r"\[Errno (\d+)\]|\berrno\s*=\s*(\d+)|\[WinError (5)\]|\bOs \{ code: (\d+)")  # WinError 5: EACCES
# An errno by the C library's own words for it, where a tool printed strerror alone ("touch: cannot touch 'x':
# Read-only file system", Java's "IOException: Disk quota exceeded", curl's "Network is unreachable"), in any case
# (Go's syscall table, which Docker, Apptainer and podman print, writes them lowercase); only words no other
# failure uses. Lowercase here, as they are compared.
STRERROR = {"read-only file system": "EROFS", "disk quota exceeded": "EDQUOT", "no space left on device": "ENOSPC",
            "network is unreachable": "ENETUNREACH"}
# An errno by its name, as Node ("Error: EACCES: permission denied"), Ruby (Errno::ENOSPC) or C tools print it;
# only the names the C library defines count (parse checks), so a word like "ERROR:" is not one.
ERRNO_NAME = re.compile(r"(?:\bErrno::|\berrno\.|(?<![\w.-]))(E[A-Z][A-Z0-9]{2,})\b(?=:|\)|,)")
EXIT = re.compile(r"exit(?:ed with)? (?:status|code)(?: is)?\s*[:=]?\s*\(?(-?\d+)|returned non-zero exit status (-?\d+)|"
                  r"\breturn ?code[\"']?\s*[:=]?\s*(-?\d+)|\bExited \((-?\d+)\)|\bexitcode[=:]\s*(-?\d+)|"
                  r"make(?:\[\d+\])?: \*\*\* \[[^\]\n]*\] Error (\d+)", re.IGNORECASE)
# A signal as a process's end is reported: "killed by signal 9", a worker pool's "{SIGKILL(-9)}", Python's
# Signals.SIGKILL, sacct's ExitCode 0:9, Airflow's "signal=-9", a managed service's "status of 9(SIGKILL)", a
# DataLoader worker "killed by signal: Killed", a shell's "Killed" or
# "Illegal instruction (core dumped)" (a bare mention of a signal's name is not one, nor CUDA's "an illegal
# instruction was encountered": a kernel's fault).
SIGNAL = re.compile(r"\b(?:killed by |terminated by |caught |received )?signal:? (\d+)\b|\bby signal: (Killed)\b|"
                    r"\b(SIG[A-Z]+)\s*\(-?\d+\)|Signals\.(SIG[A-Z]+)|(?:killed|terminated) (?:by|with) (SIG[A-Z]+)|"
                    r"ExitCode[=\s]+\d+:(\d+)|exitcode=-(SIG[A-Z]+)|Negsignal\.(SIG[A-Z]+)|\bsignal=-?(\d+)\b|"
                    r"\bstatus of \d+\((SIG[A-Z]+)\)|"
                    r"(?:^|[\]|>]:?)\s*Killed\s*$|: line \d+:\s+\d+ (Killed)\b|tasks? [\d,-]+: (Killed)\b|"
                    r"^\s*(Killed): 9\b|\bzsh: (killed)\b|\b(Killed) signal terminated program\b|"
                    r"^\[\d+\]\s+\d+ (killed)\s|(?:^\s*|sh: |Fatal Python error: |"
                    r": line \d+:\s+\d+ )([Ii]llegal instruction)\b(?! was)")
SCHEDULER = tuple((state, re.compile(pattern, re.IGNORECASE)) for state, pattern in (
    # (state, pattern): what the scheduler or the kernel said it did to the job
    # (sacct's State column: TIMEOUT or OUT_OF_ME+ beside the ExitCode column; SLURM's "Exceeded job memory
    # limit" is the notice it sends as it kills the step (src/interfaces/jobacct_gather.c, slurmd's
    # job_mem_limit.c), but "Exceeded job/step memory limit at some point" is an older cgroup warning it also
    # writes for jobs that succeed; Moab's "exceeded MEM usage hard limit" is its kill, its soft limit a notice)
    ("TIME_LIMIT", (r"DUE TO TIME LIMIT|(SLURM|sacct|state|status)[^\n]{0,40}(?-i:\bTIMEOUT\b)|(?-i:\bTIMEOUT\b)\s+"
                    r"\d+:\d+\b|walltime \S+ exceeded limit|TERM_RUNLIMIT|TERM_CPULIMIT|CPU time limit exceeded|"
                    r"exceeded (its |the )?(hard |soft )?(running |wall[- ]?clock |run[- ]?)?time limit|"
                    r"(?-i:\bDeadlineExceeded\b)|exceeded (hard|soft) wallclock time|active longer than specified "
                    r"deadline|exceeded (its )?allowed (execute|job|run) duration")),
    ("OUT_OF_MEMORY", (r"oom[-_ ]kill(?:ed)?\b|(?-i:\bOUT_OF_ME(?:MORY\b|\+))|tasks? [\d,-]+: Out Of Memory|"
                       r"TERM_(MEMLIMIT|SWAP)\b|Exceeded (job|step) memory limit(?! at some point)|"
                       r"Out of memory: Kill(?:ed)? process|(?-i:\bOOMKilled\b)(?![\"']?:\s*false)|killed by the "
                       r"cgroup out-of-memory "
                       r"handler|Memory cgroup out of memory|exceeded (its |the )?(virtual )?memory limit[^\n]{0,40}"
                       r"(being|was|been) killed|job "
                       r"killed: [pv]?mem \S+ exceeded limit|exceeded (MEM|memory) usage hard limit\b|"
                       r"running beyond (physical|virtual) memory limits|gone over (cgroup )?memory limit|hard limit \"?h_vmem|"
                       r"low on resource: memory\b|memory usage exceeded request_memory|killed because it exceeded (its |the )?"
                       r"(job's )?memory limit|invoked oom-killer|oom_reaper: reaped process|Killed \S+ due to memory "
                       r"(pressure|used)\b|killed by (the )?(kernel'?s? )?OOM[- ]killer|"
                       r"\bkilled by [\w.-]+ (due to|for|because of) (excessive|too much) memory\b")),
    ("PREEMPTED", r"DUE TO PREEMPTION|(?-i:\bPREEMPTED\b)"),
    ("NODE_FAIL", r"DUE TO NODE FAILURE|(?-i:\bNODE_FAIL\b)"),
))
SORTER_NAME = re.compile(r"\b(kilosort[ _]?(?:4|2[._]5|3|2)?|(?-i:KS(?:4|2\.5|3|2))|mountainsort[45]?|spyking[ _]?"
                         r"circus2?|ironclust|tridesclous|herdingspikes|pykilosort)\b", re.IGNORECASE)
STAGE = re.compile(r"stage: (.+?)\s*$|^\s*Time\s+\d+s\.\s+(.+?)\.*\s*$")
# Kilosort 1/2/2.5/3's log: what it saw of the recording before it failed (Kilosort 1's running spike total, NTOT);
# Kilosort 4's: the spikes each detection pass extracted, and the batches it cut the recording into.
MARKERS = {
    "channels": r"Recording has (\d+) channels",
    "bad_channels": r"found (\d+) bad channels",
    "good_channels": r"found (\d+) good channels",
    "threshold_crossings": r"found (\d+) threshold crossings",
    "crossing_seconds": r"threshold crossings in ([\d.]+) seconds",
    "units": r"batches, (\d+) units, nspks",
    "spikes_detected": r"batches, (\d+) spikes\b|Number of spikes before applying cutoff: (\d+)|\bNTOT (\d+)|"
                       r"(?<![\d.,])(\d+) spikes extracted in [\d.]+s; total\b",
    "batches": r"\bN batches: (\d+)\s*$",
    "nspks": r"nspks: ([\d.]+)",
    "no_good_channels_left": r"(Aborting because no good channels remained)",
}


SHELL_SIGNALS = {"killed": "SIGKILL", "illegal instruction": "SIGILL"}  # a shell's words for a signal
