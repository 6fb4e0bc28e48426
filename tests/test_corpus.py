"""The classifier on failure messages users met, copied word for word from public threads and sorter sources
(every tests/data/failure_corpus*.yaml). Each entry is labelled by what its thread found, not by what its text says.

The corpus is split by source into a development part, which rules may be written from, and a held-out part,
which they may not (the split rule below; an entry read while fixing a rule is moved to the development part and
says why). Both parts are scored: right / scored, and false blocks -- a classified verdict where the thread found
a sorter bug, or a category other than the thread's. Entries whose thread never settled the cause (``ambiguous``)
are left out; those whose text can't tell silent data from a detection set up wrong (``needs_evidence``) are
scored on their class only: the canary settles the category from the window's data.

Development misses are printed by id. The held-out part prints counts only (right / scored, false blocks): an id
leads to a message, and a rule written after reading it would turn the held-out part into a development part.
``SORTCANARY_SHOW_HELDOUT=1`` prints the held-out misses and false blocks by id too; whoever sets it must move
the source of every entry it shows to the development part (``moved_to_dev: "read while fixing <rule>"``).
``SORTCANARY_HIDE_HELDOUT=1`` leaves the held-out part unscored: a rule writer sets it, so that the held-out score
is measured once, after the rules are written, and not watched while they are.

Every development miss says why no rule gives its label: it is a known false block (KNOWN_FALSE_BLOCKS), or its
entry says ``left: text_silent`` (the text does not state the cause its thread found) or ``left: bug_lookalike``
(it states a mechanism whose words are, elsewhere, a bug or another cause: a rule would false-block those), with
``left_why`` naming what the text lacks or the entry that shows the look-alike. A new miss without a reason, or a
reason on an entry now right, turns the test red. The score over the texts that state their cause (``text_silent``
left out) is what rules on the text alone can still be asked for.

Every held-out entry says the same of its text, judged by an annotator who never ran the classifier nor read its
rules, and who writes none: ``text_states_cause`` (true for a bug's text, whose right answer needs no cause), with
``text_silent_why`` where it is false. The held-out score over the texts that state their cause is printed beside
the whole part's, as counts only, so that the two parts can be compared on the same footing.
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections import Counter, defaultdict
from pathlib import Path

import pytest
import yaml

from sortcanary.classification import classify
from sortcanary.taxonomy import CLASSES, Verdict

DATA = Path(__file__).parent / "data"
CORPORA = sorted(DATA.glob("failure_corpus*.yaml"))
FIRST = DATA / "failure_corpus.yaml"  # written before the split: every entry moved to dev
# Floors that keep what the rules reach, so a change that loses a right answer or adds a false block turns this red.
# The first held-out part (41 scored) was moved to the development part on 2026-12-05: its ids had been shown once while
# its floor was set. The held-out part is now collected afresh from sources in no other file (failure_corpus_heldout_*).
# Issue 25's target for the held-out part is 90 % (TARGET); raising a floor needs rules written from the development part.
# Round 3's development entries (failure_corpus_r3_*) joined the development part on 2026-12-05: scored before any rule
# was written from them they gave 48/79 (60.8 %) with 4 false blocks; the dev floor is what the rules reach with them.
# The new held-out part, measured once with these rules before anyone read it: 35/57 right (61.4 %), 4 false blocks.
# The four were then read and moved to the development part (KNOWN_FALSE_BLOCKS); the rest scores 35/53 (66.0 %).
# Round 4's development entries (failure_corpus_r4_*) joined on 2026-12-05: scored before any rule was written from
# them, infra 24/44 (54.5 %) with 4 false blocks, sorters 20/27 (74.1 %) with 1; the dev floor is what the rules reach.
# Round 4's held-out entries (failure_corpus_heldout_r4_*) joined the held-out part the same day. Measured before anyone
# read them: with round 4's rules the whole held-out part scored 72/115 (62.6 %), 6 false blocks (round 3's 35/53 and
# round 4's 37/62, all six); with round 5's rules, 76/115 (66.1 %): round 3's 36/53, round 4's 40/62, the same six
# false blocks. The six were then read and moved to the development part with their sources (7 entries); two rules
# changed from them (an overflowed allocation size, a bare std::bad_alloc: see KNOWN_FALSE_BLOCKS), which changed no
# held-out answer: the rest scores 75/108 (69.4 %), 0 false blocks. Round 6's rules, written from the raise sites of
# the installed libraries (no corpus entry), measured once after: 76/108 (70.4 %), 0 false blocks. Round 7's, from the
# sources of the programs around the sorter that aren't installed here (schedulers, container engines, the NVIDIA
# stack, MATLAB and Kilosort 2/3, HDF5, installers, the kernel: 239 cases), measured once after: 77/108 (71.3 %), 0.
# Round 9's, from the sorters' and readers' own messages in the versions users run (149 cases): 78/108 (72.2 %), 0.
# Round 10's, from the pipelines around the sorters (MATLAB's launch, ecephys_spike_sorting, CuPy, numba.cuda, phy:
# 46 cases): unchanged, 78/108. Round 11's, from Kilosort 4's failures reproduced for real on data and settings users
# get wrong (49 cases): unchanged, 78/108, 0 false blocks. Round 5's dev entries joined on 2026-12-06, scored before any
# rule was written from them: 508/608 the whole dev part (83.6 %), 21 false blocks; after round 12's rules: 528/608
# (86.8 %), 12 false blocks (KNOWN_FALSE_BLOCKS, two of them round 5's). Round 5's held-out entries
# (failure_corpus_heldout_r5_*) joined the held-out part the same day, measured before anyone read them or any rule
# was written from round 5: 26/43 (60.5 %; infra 15/24, sorters 11/19), 5 false blocks. The five were read and moved
# to the development part with their sources; the rest scored 26/38. After round 12's rules, measured once: round 5's
# 28/38 (73.7 %), the whole held-out part 106/146 (72.6 %), 0 false blocks (the older parts unchanged, 78/108).
# Round 6's dev entries joined on 2026-12-06, scored before any rule was written from them: 563/662 the whole dev
# part (85.0 %), 18 false blocks; after round 13's rules: 577/662 (87.2 %), 13 false blocks (KNOWN_FALSE_BLOCKS).
# Round 6's held-out entries (failure_corpus_heldout_r6_*) joined the held-out part the same day, measured before
# anyone read them or any rule was written from round 6: 32/42 (76.2 %; infra 18/24, sorters 14/18), 1 false
# block, which was read and moved to the development part with its source; the rest scored 32/41. After round
# 13's rules, measured once: round 6's 33/41 (80.5 %), the whole held-out part 139/187 (74.3 %), 0 false blocks
# (the older parts unchanged, 106/146). Round 7's dev entries joined on 2026-12-06, scored before any rule was written
# from them: 635/755 the whole dev part (84.1 %), 23 false blocks; after round 14's rules: 655/755 (86.8 %), 15 false
# blocks (KNOWN_FALSE_BLOCKS, two of them round 7's).
# Round 7's held-out entries (failure_corpus_heldout_r7_*) joined the held-out part the same day, measured before
# anyone read them or any rule was written from round 7: 45/64 (70.3 %; gpu 12/24, hpc 22/26, sorters 11/14), 7
# false blocks (six in containers and GPUs), which were read and moved to the development part with their sources;
# the rest scored 45/57. After round 14's rules, measured once: round 7's 46/57 (80.7 %), the whole held-out part
# 185/244 (75.8 %), 0 false blocks (the older parts unchanged, 139/187). Round 8's dev entries joined on 2026-12-06,
# scored before any rule was written from them: 708/847 the whole dev part (83.6 %), 25 false blocks; after round 15's
# rules: 729/847 (86.1 %), 19 false blocks (KNOWN_FALSE_BLOCKS, four of them round 8's).
# Round 8's held-out entries (failure_corpus_heldout_r8_*) joined the held-out part the same day, measured before
# anyone read them or any rule was written from round 8: 27/49 (55.1 %; qa 14/27, ml 8/12, ephys 5/10), 6 false
# blocks, which were read and moved to the development part with their sources (10 entries); the rest scored 26/40.
# After round 15's rules, measured once: round 8's 26/40 (65.0 %, unchanged), the whole held-out part 211/284
# (74.3 %), 0 false blocks (the older parts unchanged, 185/244). Round 9's dev entries joined on 2026-12-06, scored
# before any rule was written from them: 770/922 the whole dev part (83.5 %), 23 false blocks; after round 16's rules:
# 796/922 (86.3 %), 20 false blocks (KNOWN_FALSE_BLOCKS, one of them round 9's).
# Round 9's held-out entries (failure_corpus_heldout_r9_*) joined the held-out part the same day, measured before
# anyone read them or any rule was written from round 9: 28/48 (58.3 %; cloud 11/19, data 8/15, win 9/14), 1 false
# block, read and moved to the development part; the rest scored 28/47. After round 16's rules, measured once:
# round 9's 30/47 with 2 false blocks that round 16's cloud rule made (ECS's CannotPullContainerError on a node
# whose disk had no room for the layers, one source's two entries): read, moved to the development part (both
# now right there) and the rule given the container rules' disk check. Round 9's part then scored 30/45 (66.7 %),
# the whole held-out part 242/329 (73.6 %), 0 false blocks (the older parts 212/284: one more right in round 6's),
# the development part 798/924 (86.4 %). Round 10's dev entries joined on 2026-12-06, scored before any rule was
# written from them: 839/992 the whole dev part (84.6 %), 23 false blocks; after round 17's rules: 853/992 (86.0 %),
# 20 false blocks (KNOWN_FALSE_BLOCKS, none of them round 10's).
# Round 10's held-out entries (failure_corpus_heldout_r10_*) joined the held-out part the same day, measured before
# anyone read them or any rule was written from round 10: 26/48 (54.2 %; cpu 6/17, remote 3/11, pipelines 17/20),
# no false block. After round 17's rules, measured once: round 10's 29/48 (60.4 %), the whole held-out part
# 271/377 (71.9 %), 0 false blocks (the older parts unchanged, 242/329).
# Round 11's dev entries joined on 2026-12-06, scored before any rule was written from them: 872/1032 the whole dev
# part (84.5 %), 22 false blocks; after round 18's rules: 884/1032 (85.7 %), 20 false blocks (KNOWN_FALSE_BLOCKS).
# Round 11's held-out entries (failure_corpus_heldout_r11_*) joined the held-out part the same day, measured before
# anyone read them or any rule was written from round 11: 13/20 (65.0 %; envs 9/14, matlab 4/6), 1 false block
# (round 17's numba-cache rule on a file inside an .egg), read and moved to the development part; the rest 13/19.
# After round 18's rules, measured once: round 11's 13/19 (68.4 %, unchanged), the whole held-out part 284/396
# (71.7 %), 0 false blocks (the older parts unchanged, 271/377).
MIN_RIGHT = {"dev": 0.856, "heldout": 0.717}
# Texts that are the mechanism's own, word for word as its genuine cases write it, whose thread found another cause:
# mostly bugs fixed in code (labelled unclassified) -- a kill at LSF's memory limit, a read-only filesystem, a bare
# EMFILE, MATLAB's own words for a GPU array too large --, and one bare ENOSPC that was /dev/shm, not the disk. No
# rule on the text can leave these alone without missing those, so they stay false blocks, named: a new false block,
# or one of these no longer one, turns the test red. (Round 4's entries among them were scored before any rule was
# written from them; si-223's bare "module 'os' has no attribute 'getuid'" left the list on 2026-12-05: a missing
# module attribute with no frame to say who asked is no longer blamed on the versions.)
KNOWN_FALSE_BLOCKS = {
    "lsf-plugin-pr4-term-memlimit-per-slot": "TERM_MEMLIMIT, from a plugin that requested one slot's memory",
    "souporcell-20-term-memlimit": "TERM_MEMLIMIT, from a tool's chunking bug",
    "singularity-5271-writable-tmpfs-read-only-regression": "EROFS, from a Singularity regression",
    "dynesty-479-pool-too-many-open-files-leak": "a bare EMFILE, from a pool created in a loop (starch-1's text too)",
    "smite-27-gpu-pmaxsize-available-vs-total-memory": "gpuArray's pmaxsize, from chunks sized by total memory",
    "megatron-878-errno28-docker-shm": "a bare ENOSPC that was the container's /dev/shm, not the disk",
    # round 4's held-out false blocks, read and moved on 2026-12-05 (the other two read, an allocation of 2**64 - n
    # elements and a bare std::bad_alloc, are now left alone: allocations.wrapped_size, families' host-out-of-memory)
    "spyglass-873-populate-wrong-sorter-not-installed": "SpikeInterface's own 'sorter is not installed', for a "
                                                        "sorter a pipeline's bug picked",
    "ks-308-spikedetector3pc-undefined": "MATLAB's undefined CUDA function, from a release that left its source out",
    "sf2-2-singularity-container-creation-failed-mount": "Singularity's failed bind mount, from a wrapper's bug",
    "ks-593-ks3-extract-spikes-invalid-config": "Kilosort 3's invalid configuration argument in its own frame, "
                                                "unresolved (sparse data in other threads)",
    # round 5's: CUDA's cudaErrorDevicesUnavailable (a GPU in exclusive-process mode another process holds), in
    # machin-25's words a node's setting, here from scripts that put their work on the wrong GPU
    "safe-gpu-1-busy-unavailable-sge-exclusive": "'all CUDA-capable devices are busy or unavailable', machin-25's "
                                                 "text word for word, from a caller's process touching the GPU",
    "nanogpt-pr116-busy-unavailable-ddp-set-device": "the same CUDA error in CUDA 11's spelling, from a script "
                                                     "without set_device per rank",
    # round 6's: sbatch's refusal in arjuna-17's words, from a plugin whose unquoted --comment swallowed -A/-p
    "smk-slurm-118-comment-quoting-invalid-account": "sbatch's 'invalid account or account/partition combination', "
                                                     "arjuna-17's words, from a plugin's unquoted --comment",
    # round 7's: the same refusal from a provisioning tool that set the accounting association up wrong; and ENOSPC
    # writing an engine's staging file in /tmp, which a /tmp too small for the image writes in the same words
    "r7hpc-elasticluster-553-sbatch-account": "sbatch's 'invalid account or account/partition combination', "
                                              "arjuna-17's words, from a cluster tool's wrong association",
    "singularity-3939-tmp-full-despite-tmpdir": "ENOSPC on the engine's staging file in /tmp (a small /tmp's own "
                                                "words), from a Singularity that ignored SINGULARITY_TMPDIR",
    # round 8's: words that genuine cases in the development part write the same, from bugs
    "s2p-815-torch-ifft-defaultcpuallocator": "torch's 'DefaultCPUAllocator: not enough memory' (east-15's words), "
                                              "from suite2p's switch to torch.ifft",
    "r8qa-nesi-badconstraints-slurm-bug": "SLURM's bare pending reason BadConstraints (r7hpc-ufl's), from a "
                                          "centre's node targeting and a Slurm bug",
    "r8qa-cscs-uenv9-module-command-bug": "'bash: module: command not found' (r8qa-ulhpc's words), from a uenv "
                                          "release that removed the module command",
    "r8qa-alcf-jax-xla-no-kernel-image-bug": "CUDA's 'no kernel image is available for execution on the device' "
                                             "(a dozen genuine cases' words), from an XLA bug",
    # round 9's: runc's refused exec of the entrypoint in sbfspot-10's words, from a job definition that ran a zip file
    "agc-211-engine-job-runs-zip-exec-format": "runc's 'exec user process caused: exec format error' (sbfspot-10's "
                                               "words), from a tool's job definition that executed a zip file",
}
TARGET = {"heldout": 0.90}
MIN_MESSAGES, MIN_SOURCES = 250, 120
HELD_OUT_FILES = "failure_corpus_heldout_"
FIELDS = {"id", "source", "message", "category", "error_class", "ambiguous", "resolution", "part"}
LEFT = ("text_silent", "bug_lookalike")  # why a development miss was left: see the module's docstring


def hashed_part(source: str) -> str:
    """The split rule: about 40 % of the sources are held out, fixed by a hash of the source's URL."""
    return "heldout" if int(hashlib.sha256(source.encode()).hexdigest()[:8], 16) % 5 < 2 else "dev"


@pytest.fixture(scope="module")
def corpus() -> list[dict]:
    entries = []
    for path in CORPORA:
        entries += [{**entry, "file": path.name} for entry in yaml.safe_load(path.read_text())]
    return entries


@functools.cache
def verdict_of(message: str, exit_code: int | None) -> Verdict:
    """One verdict per message, shared by the tests that score it."""
    return classify(message, exit_code=exit_code)


def outcome(entry: dict) -> tuple[bool, bool]:
    """(right, false block) for one entry."""
    verdict = verdict_of(entry["message"], entry.get("exit_code"))
    if entry.get("needs_evidence"):  # scored on the class; another class is a false block if it blames elsewhere
        right = verdict.error_class == entry["error_class"]
    else:
        right = (verdict.category, verdict.error_class) == (entry["category"], entry["error_class"])
    false_block = not right and verdict.classified and verdict.category != entry["category"]
    return right, false_block


def test_corpus_is_well_formed(corpus):
    ids = [e["id"] for e in corpus]
    assert len(ids) == len(set(ids)), "duplicate ids across the corpus files"
    for entry in corpus:
        assert set(entry) >= FIELDS, entry["id"]
        assert entry["message"].strip() and entry["resolution"].strip(), entry["id"]
        assert entry["category"] in ("environment", "resource", "biological", "unclassified"), entry["id"]
        assert entry["error_class"] == "unclassified" or entry["error_class"] in CLASSES, entry["id"]
        if entry.get("needs_evidence"):
            assert CLASSES[entry["error_class"]].needs_evidence, entry["id"]
        elif entry["error_class"] != "unclassified" and not entry["ambiguous"]:
            assert CLASSES[entry["error_class"]].category == entry["category"], entry["id"]
        if entry["part"] == "heldout" and not entry["ambiguous"]:  # the annotator's word: see the module's docstring
            assert isinstance(entry.get("text_states_cause"), bool), f"{entry['id']}: text_states_cause: true|false"
            silent_why = str(entry.get("text_silent_why", "")).strip()
            assert bool(silent_why) == (not entry["text_states_cause"]), f"{entry['id']}: text_silent_why iff false"
        if "left" in entry or "left_why" in entry:  # a reason is the rule writers' word on a miss they read
            assert entry["part"] == "dev" and not entry["ambiguous"], f"{entry['id']}: a reason on an unread miss"
            assert entry.get("left") in LEFT and str(entry.get("left_why", "")).strip(), entry["id"]
            assert entry["id"] not in KNOWN_FALSE_BLOCKS, f"{entry['id']}: explained in KNOWN_FALSE_BLOCKS"


def test_split_is_by_source_and_follows_the_rule(corpus):
    parts = defaultdict(set)
    for entry in corpus:
        parts[entry["source"]].add(entry["part"])
        if entry.get("moved_to_dev"):
            assert entry["part"] == "dev" and str(entry["moved_to_dev"]).strip(), entry["id"]
        else:
            assert entry["part"] == hashed_part(entry["source"]), f"{entry['id']}: part is not the hash's"
        if entry["file"] == FIRST.name:
            assert entry.get("moved_to_dev"), f"{entry['id']}: the rules were written from {FIRST.name}"
        # held-out entries live in files of their own, so that whoever writes rules can leave them unread
        held_file = entry["file"].startswith(HELD_OUT_FILES)
        assert held_file == (entry["part"] == "heldout"), f"{entry['id']}: {entry['part']} entry in {entry['file']}"
    split = sorted(source for source, found in parts.items() if len(found) > 1)
    assert not split, f"sources with entries in both parts: {split}"


def test_corpus_is_large_and_varied_enough(corpus):
    sources = {e["source"] for e in corpus}
    print(f"\ncorpus: {len(corpus)} messages from {len(sources)} sources in {len(CORPORA)} files")
    assert len(corpus) >= MIN_MESSAGES and len(sources) >= MIN_SOURCES


def score(entries: list[dict]) -> tuple[int, int, list[str], list[str]]:
    """right, scored, misses (ids), false blocks (ids) of the unambiguous ``entries``."""
    scored = [e for e in entries if not e["ambiguous"]]
    results = {e["id"]: outcome(e) for e in scored}
    misses = sorted(i for i, (right, _) in results.items() if not right)
    false_blocks = sorted(i for i, (_, fb) in results.items() if fb)
    return len(scored) - len(misses), len(scored), misses, false_blocks


def test_scores_on_the_development_and_the_held_out_parts(corpus):
    report, failures = [], []
    show_heldout = os.environ.get("SORTCANARY_SHOW_HELDOUT") == "1"  # see the module's docstring before setting it
    hide_heldout = os.environ.get("SORTCANARY_HIDE_HELDOUT") == "1"
    for part in ("dev",) if hide_heldout else ("dev", "heldout"):
        right, scored, misses, false_blocks = score([e for e in corpus if e["part"] == part])
        report.append(f"{part}: {right}/{scored} right ({right / max(scored, 1):.1%}), {len(false_blocks)} false blocks")
        if part in TARGET and right / max(scored, 1) < TARGET[part]:
            report[-1] += f" (below the {TARGET[part]:.0%} target)"
        if part == "heldout":  # counts only, as above
            stating = [e for e in corpus if e["part"] == part and e.get("text_states_cause", True)]
            right_s, scored_s, _, _ = score(stating)
            report[-1] += f"; over the texts that state their cause: {right_s}/{scored_s} ({right_s / max(scored_s, 1):.1%})"
        if part == "dev" or show_heldout:
            report[-1] += f"; misses (ids): {misses}; false blocks (ids): {false_blocks}"
        known = set(KNOWN_FALSE_BLOCKS) if part == "dev" else set()
        if set(false_blocks) != known or right / max(scored, 1) < MIN_RIGHT[part]:
            failures.append(report[-1] + f"; known false blocks: {sorted(known)}")
    print("\n" + "\n".join(report))
    assert not failures, failures


def test_every_development_miss_says_why_it_was_left(corpus):
    """A miss is a rule not written: each says why (see the module's docstring), so that the development score
    can be read as what a classifier on the text alone reaches, and a reason that went stale is removed."""
    dev = [e for e in corpus if e["part"] == "dev"]
    right, scored, misses, _ = score(dev)
    left = {e["id"]: e["left"] for e in dev if "left" in e}
    unexplained = sorted(set(misses) - set(KNOWN_FALSE_BLOCKS) - set(left))
    stale = sorted(set(left) - set(misses))
    reasons = Counter(left.get(i, "known_false_block") for i in misses if i not in unexplained)
    silent = sum(1 for i in misses if left.get(i) == "text_silent")
    print(f"\ndev misses by reason: {dict(sorted(reasons.items()))}, without one: {len(unexplained)}"
          f"\ndev, texts that state their cause: {right}/{scored - silent} ({right / max(scored - silent, 1):.1%})")
    assert not unexplained, f"development misses without a reason (left: {'|'.join(LEFT)}, left_why): {unexplained}"
    assert not stale, f"entries now right whose reason went stale (remove left, left_why): {stale}"


def test_bugs_fixed_in_code_stay_unclassified(corpus):
    """A sorter bug is reported, never blocked on: retrying, reinstalling or reconfiguring won't fix it. Checked
    by id on the development part; a held-out one classified counts as a false block in its part's score."""
    bugs = [e for e in corpus if e["part"] == "dev" and e["category"] == "unclassified" and not e["ambiguous"]]
    assert len(bugs) >= 10
    classified = [e["id"] for e in bugs if verdict_of(e["message"], e.get("exit_code")).classified]
    assert sorted(classified) == sorted(set(KNOWN_FALSE_BLOCKS) & {e["id"] for e in bugs})
