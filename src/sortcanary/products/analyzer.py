"""The SpikeInterface SortingAnalyzer behind curation, units.npz, NWB and the figures.

Only what those outputs read is computed: seven extensions and five quality metrics. Why so few:
SpikeInterface's defaults (and ``export_to_phy``) add principal components, PCA-based and
sliding-refractory metrics, which on a long recording can take longer than the sort itself. The
phy folder is KS4's own, so none of that is needed. Random choices are seeded, so the same sort
gives the same analyzer.
"""

from __future__ import annotations

from pathlib import Path

from ..boundary import Analyzer, JSONDict, Metrics, Recording, Sorting

# Quality metric names as SpikeInterface knows them (isi_violation gives the isi_violations_ratio
# and isi_violations_count columns).
METRICS = ("firing_rate", "presence_ratio", "isi_violation", "snr", "amplitude_cutoff")
SEED = 0


def build_analyzer(recording: Recording, sorting: Sorting, folder: Path, params: JSONDict,
                   job_kwargs: JSONDict) -> Analyzer:
    """Create the analyzer in ``folder`` (binary_folder format) and compute what the outputs read.
    ``params``: the outputs.analyzer section. The progress bars go to the job log, where they are
    the sign of life the inactivity watchdog looks for."""
    from spikeinterface.core import create_sorting_analyzer

    jobs = {**job_kwargs, "progress_bar": True}
    analyzer = create_sorting_analyzer(sorting, recording, format="binary_folder", folder=folder, sparse=True,
                                       overwrite=True, seed=SEED, job_kwargs=jobs)
    analyzer.compute(
        {
            "random_spikes": {"max_spikes_per_unit": params["max_spikes_per_unit"], "seed": SEED},
            "waveforms": {"ms_before": params["ms_before"], "ms_after": params["ms_after"]},
            "templates": {"operators": ["average", "std"]},
            "noise_levels": {"random_slices_kwargs": {"seed": SEED}},
            "unit_locations": {},
            "spike_amplitudes": {},
            "quality_metrics": {"metric_names": list(METRICS), "seed": SEED},
        },
        **jobs,
    )
    return analyzer


def metrics_table(analyzer: Analyzer) -> Metrics:
    """The quality metrics as a DataFrame indexed by unit id."""
    return analyzer.get_extension("quality_metrics").get_data()


def best_channels(analyzer: Analyzer) -> list[int]:
    """Each unit's main channel (largest peak), as channel indices in unit order."""
    return [int(c) for c in analyzer.get_main_channels(outputs="index")]
