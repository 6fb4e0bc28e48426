#!/usr/bin/env bash
# local-cluster.sh - start/stop a throw-away one-node SLURM cluster on this host.
#
# Why: sortcanary's SLURM tests and CI must exercise a real scheduler
# (sbatch/squeue/srun through snakemake-executor-plugin-slurm), not a mock.
# This script brings up munged + slurmctld + slurmd on loopback only, with
# all SLURM state, spool and logs under STATE_DIR, and tears them down again.
# It does not use systemd (CI containers have none).
#
# Usage (as root):
#   bash tests/slurm/local-cluster.sh start STATE_DIR
#   source STATE_DIR/env          # sets SLURM_CONF for sbatch/squeue/snakemake
#   bash tests/slurm/local-cluster.sh stop STATE_DIR
#
# start: needs Debian's slurm-wlm + munge installed (it installs nothing; without
#   them it dies naming `make system-deps`), creates a munge key if none exists,
#   starts munged (unless one already answers), writes STATE_DIR/slurm.conf,
#   starts slurmctld then slurmd and waits until the node is idle. Records the
#   pids it started in STATE_DIR/pids and the line `export SLURM_CONF=...` in
#   STATE_DIR/env (also printed on stdout).
#   It also symlinks /etc/slurm/slurm.conf -> STATE_DIR/slurm.conf (only if
#   that path is free or already one of our links): snakemake's slurm-jobstep
#   executor strips every SLURM_* variable, SLURM_CONF included, before its
#   nested `srun`, so inside a job only the default config path works.
# stop: sends TERM (then KILL) to the pids in STATE_DIR/pids only, and removes
#   the /etc/slurm/slurm.conf link if it still points at STATE_DIR. Idempotent.
#
# Knobs (environment): LOCAL_SLURM_CTLD_PORT (6817), LOCAL_SLURM_D_PORT (6818),
#   LOCAL_SLURM_TIMEOUT (seconds to wait for an idle node, 60), LOCAL_SLURM_GPUS (0).
#
# LOCAL_SLURM_GPUS=N gives the node N *bookkeeping-only* GPUs (GRES gpu whose device files are
# links to /dev/null), so jobs submitted with --gpus=1, as a real GPU cluster's profile does, are
# accepted and scheduled N at a time. There is no GPU behind them: such jobs must run on the CPU
# (sortcanary: torch_device: cpu).
set -euo pipefail

PROG="local-cluster"
CTLD_PORT="${LOCAL_SLURM_CTLD_PORT:-6817}"
SLURMD_PORT="${LOCAL_SLURM_D_PORT:-6818}"
TIMEOUT="${LOCAL_SLURM_TIMEOUT:-60}"
GPUS="${LOCAL_SLURM_GPUS:-0}"
ETC_CONF=/etc/slurm/slurm.conf
# Daemon names we are willing to signal; guards against pid reuse in `stop`.
OUR_DAEMONS=" munged slurmctld slurmd "

LAST_ERR=""
die() { LAST_ERR="$PROG: ERROR: $*"; echo "$LAST_ERR" >&2; exit 1; }
log() { echo "$PROG: $*" >&2; }

usage() { echo "usage: $0 {start|stop} STATE_DIR" >&2; exit 2; }

# True if pid $1 exists and is not a zombie.
alive() {
    [[ -n "${1:-}" ]] && kill -0 "$1" 2>/dev/null || return 1
    local st
    st="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
    st="${st##*) }"
    [[ "${st:0:1}" != Z ]]
}

# ------------------------------------------------------------- packages --
# The packages come from `make system-deps` (as root, once per machine), never from this script.
require_packages() {
    local missing="" bin
    for bin in slurmctld slurmd munged sbatch; do
        command -v "$bin" >/dev/null 2>&1 || [[ -x "/usr/sbin/$bin" ]] || missing+=" $bin"
    done
    [[ -z "$missing" ]] || die "not installed:$missing; install slurm-wlm and munge with \`make system-deps\` (as root)"
}

# ------------------------------------------------------------------ munge --
munge_works() { munge -n 2>/dev/null | unmunge >/dev/null 2>&1; }

ensure_munged() {
    getent passwd munge >/dev/null || die "user 'munge' does not exist (munge package broken?)"
    install -d -o munge -g munge -m 0700 /etc/munge
    install -d -o munge -g munge -m 0700 /var/lib/munge /var/log/munge
    install -d -o munge -g munge -m 0755 /run/munge
    if [[ ! -s /etc/munge/munge.key ]]; then
        log "creating /etc/munge/munge.key"
        dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
    fi
    chown munge:munge /etc/munge/munge.key
    chmod 0400 /etc/munge/munge.key

    if munge_works; then
        log "munged already running; reusing it (not recorded, will not be stopped)"
        return 0
    fi
    local pidfile=/run/munge/munged.pid
    rm -f "$pidfile"
    # munged refuses to run as root; it daemonizes itself and writes $pidfile.
    runuser -u munge -- /usr/sbin/munged </dev/null >>"$STATE_DIR/log/munged.out" 2>&1 \
        || die "munged failed to start (see /var/log/munge/munged.log)"
    local i
    for ((i = 0; i < 50; i++)); do
        [[ -s $pidfile ]] && munge_works && break
        sleep 0.1
    done
    munge_works || die "munged started but munge -n | unmunge fails"
    local pid
    pid="$(cat "$pidfile")"
    echo "$pid" >> "$STATE_DIR/pids"
    log "munged running (pid $pid)"
}

# ------------------------------------------------------------------ slurm --
# SLURM's NoInAddrAny/NoCtldInAddrAny make daemons (and srun) bind to the
# first IPv4 address that `hostname` resolves to, instead of 0.0.0.0. That
# keeps everything on loopback only if the hostname resolves to 127.x.
comm_params_line() {
    local addr
    addr="$(getent ahostsv4 "$(hostname)" 2>/dev/null | awk 'NR == 1 { print $1 }')"
    if [[ "$addr" == 127.* ]]; then
        echo "CommunicationParameters=NoInAddrAny,NoCtldInAddrAny"
    else
        log "WARNING: hostname '$(hostname)' resolves to '${addr:-nothing}', not 127.x;" \
            "slurmctld/slurmd will listen on 0.0.0.0 (traffic still goes to 127.0.0.1 only)." \
            "Map the hostname to 127.0.0.1 in /etc/hosts for loopback-only listening."
        echo "# CommunicationParameters=NoInAddrAny left out: hostname is not loopback"
    fi
}

write_slurm_conf() {
    local cpus mem comm gres_types="" node_gres=""
    comm="$(comm_params_line)"
    cpus="$(nproc)"
    # RealMemory: 90% of currently available memory, in MB (at least 512).
    mem="$(awk '/^MemAvailable:/ { m = int($2 / 1024 * 0.9); if (m < 512) m = 512; print m }' /proc/meminfo)"
    [[ "$GPUS" =~ ^[0-9]+$ ]] || die "LOCAL_SLURM_GPUS must be a whole number, got '$GPUS'"
    rm -rf "$STATE_DIR/gres.conf" "$STATE_DIR/dev"
    if ((GPUS > 0)); then
        # slurmd reads gres.conf beside slurm.conf. SLURM drops a GPU without a device File, so
        # each fake GPU is a link to /dev/null named gpuK (SLURM takes the index K from the name).
        gres_types="GresTypes=gpu"
        node_gres=" Gres=gpu:${GPUS}"
        mkdir -p "$STATE_DIR/dev"
        echo "AutoDetect=off" > "$STATE_DIR/gres.conf"
        local k
        for ((k = 0; k < GPUS; k++)); do
            ln -s /dev/null "$STATE_DIR/dev/gpu$k"
            echo "Name=gpu File=$STATE_DIR/dev/gpu$k" >> "$STATE_DIR/gres.conf"
        done
    fi
    cat > "$SLURM_CONF" <<EOF
# Generated by tests/slurm/local-cluster.sh - one-node loopback test cluster.
ClusterName=sortcanary-test
SlurmctldHost=${HOST}(127.0.0.1)
SlurmctldPort=${CTLD_PORT}
SlurmdPort=${SLURMD_PORT}
# Bind to the hostname's (loopback) address instead of 0.0.0.0; see comm_params_line.
${comm}
AuthType=auth/munge
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=256
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MailProg=/bin/true
ReturnToService=2
# Trust the node definition below instead of probing hardware.
SlurmdParameters=config_overrides
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
KillWait=5
# Finished jobs stay visible to squeue/scontrol for an hour: the plugin's squeue status
# checks and the tests read them after a run.
MinJobAge=3600
StateSaveLocation=${STATE_DIR}/state
SlurmdSpoolDir=${STATE_DIR}/spool
SlurmctldPidFile=${STATE_DIR}/run/slurmctld.pid
SlurmdPidFile=${STATE_DIR}/run/slurmd.pid
SlurmctldLogFile=${STATE_DIR}/log/slurmctld.log
SlurmdLogFile=${STATE_DIR}/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
# GPUs: bookkeeping only (LOCAL_SLURM_GPUS, see the script's header); none by default.
${gres_types:-# no GresTypes: this node has no GPUs as far as SLURM is concerned}
NodeName=${HOST} NodeAddr=127.0.0.1 NodeHostname=${HOST} CPUs=${cpus} RealMemory=${mem}${node_gres} State=UNKNOWN
PartitionName=debug Nodes=${HOST} Default=YES State=UP MaxTime=INFINITE
EOF
}

# Point the default config path at our slurm.conf (see header for why).
link_etc_conf() {
    mkdir -p /etc/slurm
    if [[ -L $ETC_CONF ]]; then
        local target owner p
        target="$(readlink "$ETC_CONF")"
        owner="$(dirname "$target")"
        if [[ -e $ETC_CONF && ! -f "$owner/.local-cluster" ]]; then
            die "$ETC_CONF is a symlink to $target, not made by this script; refusing to replace it"
        fi
        if [[ "$owner" != "$STATE_DIR" && -s "$owner/pids" ]]; then
            while read -r p; do
                alive "$p" && die "another local cluster ($owner, pid $p) is running; stop it first"
            done < "$owner/pids"
        fi
    elif [[ -e $ETC_CONF ]]; then
        die "$ETC_CONF exists and is not ours; nested srun in snakemake jobs would read it instead of $SLURM_CONF"
    fi
    ln -sfn "$SLURM_CONF" "$ETC_CONF"
    echo "$ETC_CONF" > "$STATE_DIR/etc-link"
}

unlink_etc_conf() {
    [[ -f "$STATE_DIR/etc-link" ]] || return 0
    if [[ -L $ETC_CONF && "$(readlink "$ETC_CONF")" == "$STATE_DIR/slurm.conf" ]]; then
        rm -f "$ETC_CONF"
    fi
    rm -f "$STATE_DIR/etc-link"
}

# Start "$@" in the background, detached from our session and with all fds
# pointing at a log file (so callers capturing our stdout do not hang), and
# record its pid in STATE_DIR/pids and in $SPAWNED.
SPAWNED=""
spawn() {
    local name="$1"; shift
    setsid "$@" </dev/null >>"$STATE_DIR/log/$name.out" 2>&1 &
    SPAWNED=$!
    echo "$SPAWNED" >> "$STATE_DIR/pids"
}

node_state() {
    sinfo -h -N -n "$HOST" -o '%T' 2>/dev/null | head -n1 || true
}

print_log_tails() {
    local d f
    # <daemon>.out (stdout/stderr) repeats <daemon>.log; show it only if the
    # daemon died before opening its log file.
    for d in slurmctld slurmd munged; do
        f="$STATE_DIR/log/$d.log"
        [[ -s $f ]] || f="$STATE_DIR/log/$d.out"
        [[ -s $f ]] || continue
        echo "----- tail -n 30 $f -----" >&2
        tail -n 30 "$f" >&2
    done
    [[ -r /var/log/munge/munged.log ]] && {
        echo "----- tail -n 10 /var/log/munge/munged.log -----" >&2
        tail -n 10 /var/log/munge/munged.log >&2
    }
    return 0
}

# EXIT trap while starting: on failure show the logs and stop what we started,
# so a failed start never leaves half a cluster behind.
on_start_exit() {
    local rc=$?
    [[ $rc -eq 0 ]] && return 0
    trap - EXIT INT TERM
    print_log_tails
    do_stop >/dev/null 2>&1 || true
    # Repeat the one-line reason after the log tails so it is the last line.
    echo "${LAST_ERR:-$PROG: ERROR: start failed (rc=$rc)}" >&2
    exit "$rc"
}

do_start() {
    [[ $EUID -eq 0 ]] || die "start must run as root"
    require_packages
    mkdir -p "$STATE_DIR"
    STATE_DIR="$(cd "$STATE_DIR" && pwd)"
    if [[ -s "$STATE_DIR/pids" ]]; then
        local p
        while read -r p; do
            alive "$p" && die "cluster in $STATE_DIR already running (pid $p); run stop first"
        done < "$STATE_DIR/pids"
    fi
    : > "$STATE_DIR/pids"
    : > "$STATE_DIR/.local-cluster"   # marks this dir as ours (see link_etc_conf)
    trap on_start_exit EXIT
    trap 'exit 130' INT TERM
    mkdir -p "$STATE_DIR"/{state,spool,run,log}
    chmod 0755 "$STATE_DIR"/{state,spool,run,log}

    HOST="$(hostname -s)"
    SLURM_CONF="$STATE_DIR/slurm.conf"
    export SLURM_CONF

    write_slurm_conf
    link_etc_conf
    local t0=$SECONDS
    ensure_munged
    echo "export SLURM_CONF=$SLURM_CONF" > "$STATE_DIR/env"

    # -c: start from a clean job state even if STATE_DIR is reused.
    spawn slurmctld /usr/sbin/slurmctld -D -c -f "$SLURM_CONF"
    local ctld_pid=$SPAWNED i
    for ((i = 0; i < TIMEOUT * 4; i++)); do
        alive "$ctld_pid" || die "slurmctld exited during startup"
        scontrol ping 2>/dev/null | grep -q 'UP' && break
        sleep 0.25
    done
    scontrol ping 2>/dev/null | grep -q 'UP' \
        || die "slurmctld did not answer 'scontrol ping' within ${TIMEOUT}s"

    spawn slurmd /usr/sbin/slurmd -D -f "$SLURM_CONF" -N "$HOST"
    local slurmd_pid=$SPAWNED
    local state=""
    while ((SECONDS - t0 < TIMEOUT)); do
        alive "$ctld_pid" || die "slurmctld died while waiting for the node"
        alive "$slurmd_pid" || die "slurmd exited during startup"
        state="$(node_state)"
        [[ "$state" == "idle" ]] && break
        sleep 0.25
    done
    [[ "$state" == "idle" ]] \
        || die "node $HOST not idle after ${TIMEOUT}s (state: '${state:-none}')"

    trap - EXIT INT TERM
    log "cluster up in $((SECONDS - t0))s: node $HOST idle, partition debug; logs in $STATE_DIR/log"
    echo "export SLURM_CONF=$SLURM_CONF"
}

active_jobs() {
    SLURM_CONF="$STATE_DIR/slurm.conf" timeout 5 \
        squeue -h -o %i -t pending,running,suspended,completing,configuring 2>/dev/null
}

cancel_jobs() {
    [[ -f "$STATE_DIR/slurm.conf" ]] || return 0
    local ids i
    ids="$(active_jobs)" || return 0
    [[ -n "$ids" ]] || return 0
    log "cancelling leftover job(s): ${ids//$'\n'/ }"
    # shellcheck disable=SC2086  # one word per job id
    SLURM_CONF="$STATE_DIR/slurm.conf" timeout 5 scancel $ids 2>/dev/null || true
    for ((i = 0; i < 60; i++)); do
        ids="$(active_jobs)" || return 0
        [[ -z "$ids" ]] && return 0
        sleep 0.25
    done
    log "WARNING: job(s) ${ids//$'\n'/ } still active after 15s; their processes may linger"
}

do_stop() {
    STATE_DIR="$(cd "$STATE_DIR" 2>/dev/null && pwd || echo "$STATE_DIR")"
    local pidfile="$STATE_DIR/pids"
    unlink_etc_conf
    [[ -f "$pidfile" ]] || { log "nothing to stop (no $pidfile)"; return 0; }
    local p comm pids=()
    while read -r p; do
        [[ "$p" =~ ^[0-9]+$ ]] || continue
        alive "$p" || continue
        comm="$(cat "/proc/$p/comm" 2>/dev/null || true)"
        if [[ "$OUR_DAEMONS" != *" $comm "* ]]; then
            log "pid $p is now '$comm', not one of our daemons; leaving it alone"
            continue
        fi
        pids+=("$p")
    done < "$pidfile"
    # Job processes (slurmstepd, srun, the job script) are not ours to kill by
    # pid, and they outlive slurmd/slurmctld; so while the daemons are still
    # up, let SLURM cancel whatever is left and wait (bounded) for it to end.
    [[ ${#pids[@]} -gt 0 ]] && cancel_jobs
    # Reverse start order: slurmd, slurmctld, munged.
    local n
    for ((n = ${#pids[@]} - 1; n >= 0; n--)); do
        kill -TERM "${pids[n]}" 2>/dev/null || true
    done
    local i left
    for ((i = 0; i < 50; i++)); do
        left=0
        for p in "${pids[@]}"; do alive "$p" && left=1; done
        [[ $left -eq 0 ]] && break
        sleep 0.1
    done
    for p in "${pids[@]}"; do
        if alive "$p"; then
            log "pid $p ignored TERM; sending KILL"
            kill -KILL "$p" 2>/dev/null || true
        fi
    done
    rm -f "$pidfile"
    log "stopped ${#pids[@]} daemon(s) from $STATE_DIR"
}

[[ $# -eq 2 ]] || usage
STATE_DIR="$2"
case "$1" in
    start) do_start ;;
    stop)  do_stop ;;
    *)     usage ;;
esac
