"""The classifier on Kilosort 4's failures reproduced for real, on the data and settings users get wrong.

Each case was produced by running ``spikeinterface.sorters.run_sorter("kilosort4", ...)`` (Kilosort 4.1.7,
SpikeInterface 0.105.3, ``torch_device="cpu"``) on a small generated recording (10 s x 16 channels at 25 kHz unless
the comment says otherwise; ``generate_ground_truth_recording``, ``sortcanary.demo``, ``NumpyRecording``) made wrong
the way a user's recording, probe or ``sorter_params`` are. Its text is what the run printed, copied, not retyped:
Kilosort 4's ``kilosort4.log`` lines at INFO and above just before the failure (its resource tables left out),
SpikeInterface's ``SpikeSortingError`` line, the inner traceback's frames from Kilosort's stage
(``run_kilosort.py``) through Kilosort's own to the raising one, the exception, and SpikeInterface's closing line;
a failure raised before the sorter ran is its traceback's last frames (the generating script's own left out).
Only the machine's paths were replaced (site-packages under /home/lab/.venv, the output folder
/data/lab/sorted/rec1) and Python's ``^^^`` marks dropped.

Each case names the cause that was induced (a class of sortcanary.taxonomy) and the verdict its text must get.
They differ where the text does not show the cause: a sorter that found no spikes is ``no_spikes_found``, which
the canary settles from the window's data (silent, flat, saturated, or detection set up wrong); NaN samples and
SpikeInterface's window checks stay unclassified (see each comment). Either way the verdict never blames another
category than the cause's, and the look-alikes at the end are the same failures with the words that carry the
mechanism (Kilosort's frame, its log's count) taken away or changed.
"""

from __future__ import annotations

import re

import pytest

from sortcanary.classification import classify
from sortcanary.taxonomy import CLASSES

CASES = [
    # a noise-only recording (sortcanary.demo.silent): the drift stage's spike detection found none, and TruncatedSVD
    # got 0 clips
    pytest.param('no_spikes_found', 'no_spikes_found', (
        '2026-12-06 04:06:16,652 kilosort.run_kilosort INFO     N samples: 250000\n'
        '2026-12-06 04:06:16,652 kilosort.run_kilosort INFO     N seconds: 10.0\n'
        '2026-12-06 04:06:16,652 kilosort.run_kilosort INFO     N batches: 5\n'
        '2026-12-06 04:06:16,854 kilosort.run_kilosort INFO     Preprocessing filters computed in 0.22s; total 0.22'
        's\n'
        '2026-12-06 04:06:16,981 kilosort.run_kilosort INFO     Computing drift correction.\n'
        '2026-12-06 04:06:16,981 kilosort.spikedetect INFO     Re-computing universal templates from data.\n'
        'spikeinterface.sorters.utils.misc.SpikeSortingError: Spike sorting error trace:\n'
        'Traceback (most recent call last):\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/run_kilosort.py", line 713, in compute_drift'
        '_correction\n'
        '    ops, st = datashift.run(ops, bfile, device=device, progress_bar=progress_bar,\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/datashift.py", line 198, in run\n'
        '    st, _, ops  = spikedetect.run(\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/spikedetect.py", line 208, in run\n'
        "    ops['wPCA'], ops['wTEMP'] = extract_wPCA_wTEMP(\n"
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/spikedetect.py", line 72, in extract_wPCA_wT'
        'EMP\n'
        "    model = TruncatedSVD(n_components=ops['settings']['n_pcs']).fit(clips)\n"
        '  File "/home/lab/.venv/lib/python3.11/site-packages/sklearn/utils/validation.py", line 1113, in check_arr'
        'ay\n'
        '    raise ValueError(\n'
        'ValueError: Found array with 0 sample(s) (shape=(0, 61)) while a minimum of 1 is required by TruncatedSVD.'
        '\n'
        '\n'
        'Spike sorting failed. You can inspect the runtime trace in /data/lab/sorted/rec1/spikeinterface_log.json.'),
                 id='silent'),
    # Th_universal=500 on a recording with units: the template stage detected none. The text says only 'no spikes';
    # the canary's data (signal there) settles it
    pytest.param('detection_config_error', 'no_spikes_found', (
        '2026-12-06 04:07:22,325 kilosort.spikedetect INFO     Re-computing universal templates from data.\n'
        '2026-12-06 04:07:22,750 kilosort.spikedetect INFO     Number of universal templates: 30\n'
        '2026-12-06 04:07:22,751 kilosort.spikedetect INFO     Detecting spikes...\n'
        '2026-12-06 04:07:24,812 kilosort.run_kilosort INFO     drift computed in 2.49s; total 2.57s\n'
        '2026-12-06 04:07:26,195 kilosort.run_kilosort INFO     Extracting spikes using templates\n'
        '2026-12-06 04:07:26,195 kilosort.spikedetect INFO     Re-computing universal templates from data.\n'
        'spikeinterface.sorters.utils.misc.SpikeSortingError: Spike sorting error trace:\n'
        'Traceback (most recent call last):\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/run_kilosort.py", line 789, in detect_spikes'
        '\n'
        '    st0, tF, ops = spikedetect.run(\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/spikedetect.py", line 208, in run\n'
        "    ops['wPCA'], ops['wTEMP'] = extract_wPCA_wTEMP(\n"
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/spikedetect.py", line 72, in extract_wPCA_wT'
        'EMP\n'
        "    model = TruncatedSVD(n_components=ops['settings']['n_pcs']).fit(clips)\n"
        '  File "/home/lab/.venv/lib/python3.11/site-packages/sklearn/utils/validation.py", line 1113, in check_arr'
        'ay\n'
        '    raise ValueError(\n'
        'ValueError: Found array with 0 sample(s) (shape=(0, 61)) while a minimum of 1 is required by TruncatedSVD.'
        '\n'
        '\n'
        'Spike sorting failed. You can inspect the runtime trace in /data/lab/sorted/rec1/spikeinterface_log.json.'),
                 id='th_universal_high'),
    # Th_learned=500: the learned pass extracted 0 spikes (its log says so), then clustering_qr raised 'never found
    # suitable channels' -- read as the probe's before the log's count was read
    pytest.param('detection_config_error', 'no_spikes_found', (
        '2026-12-06 04:07:35,652 kilosort.run_kilosort INFO     919 spikes extracted in 2.32s; total 6.41s\n'
        '2026-12-06 04:07:35,659 kilosort.run_kilosort INFO     First clustering\n'
        '2026-12-06 04:07:35,670 kilosort.run_kilosort INFO     4 clusters found, in 0.01s; total 6.43s\n'
        '2026-12-06 04:07:35,677 kilosort.run_kilosort INFO     Extracting spikes using cluster waveforms\n'
        '2026-12-06 04:07:36,120 kilosort.run_kilosort INFO     0 spikes extracted in 0.44s; total 6.88s\n'
        '2026-12-06 04:07:37,581 kilosort.run_kilosort INFO     Final clustering\n'
        'spikeinterface.sorters.utils.misc.SpikeSortingError: Spike sorting error trace:\n'
        'Traceback (most recent call last):\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/run_kilosort.py", line 910, in cluster_spike'
        's\n'
        '    clu, Wall = clustering_qr.run(\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/clustering_qr.py", line 546, in run\n'
        '    raise ValueError(\n'
        'ValueError: `get_data_cpu` never found suitable channels in `clustering_qr.run`.\n'
        'dmin, dminx, and xcenter are: (np.float32(20.0), 32, np.float64(10.0))\n'
        '\n'
        'Spike sorting failed. You can inspect the runtime trace in /data/lab/sorted/rec1/spikeinterface_log.json.'),
                 id='th_learned_high'),
    # a 0.5 s recording, shorter than two batches of the default batch_size (60000): whitening averaged no batch (N
    # batches: 1)
    pytest.param('sorter_params_invalid', 'input_invalid', (
        '2026-12-06 04:07:37,937 kilosort.run_kilosort INFO     Computing preprocessing variables.\n'
        '2026-12-06 04:07:37,938 kilosort.run_kilosort INFO     N samples: 12500\n'
        '2026-12-06 04:07:37,939 kilosort.run_kilosort INFO     N seconds: 0.5\n'
        '2026-12-06 04:07:37,939 kilosort.run_kilosort INFO     N batches: 1\n'
        'spikeinterface.sorters.utils.misc.SpikeSortingError: Spike sorting error trace:\n'
        'Traceback (most recent call last):\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/run_kilosort.py", line 629, in compute_prepr'
        'ocessing\n'
        '    whiten_mat = preprocessing.get_whitening_matrix(bfile, xc, yc, nskip=nskip,\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/preprocessing.py", line 117, in get_whitenin'
        'g_matrix\n'
        '    Wrot = whitening_local(CC, xc, yc, nrange=nrange, device=f.device)\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/preprocessing.py", line 31, in whitening_loc'
        'al\n'
        '    wrot = whitening_from_covariance(CC[np.ix_(ix, ix)])\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/preprocessing.py", line 14, in whitening_fro'
        'm_covariance\n'
        '    E,D,V =  torch.linalg.svd(CC)\n'
        'torch._C._LinAlgError: linalg.svd: The algorithm failed to converge because the input matrix contained non'
        '-finite values.\n'
        '\n'
        'Spike sorting failed. You can inspect the runtime trace in /data/lab/sorted/rec1/spikeinterface_log.json.'),
                 id='short_than_batch'),
    # a 50-sample recording, shorter than nt: the same one-batch whitening
    pytest.param('sorter_params_invalid', 'input_invalid', (
        '2026-12-06 04:07:38,253 kilosort.run_kilosort INFO     Computing preprocessing variables.\n'
        '2026-12-06 04:07:38,254 kilosort.run_kilosort INFO     N samples: 50\n'
        '2026-12-06 04:07:38,255 kilosort.run_kilosort INFO     N seconds: 0.002\n'
        '2026-12-06 04:07:38,255 kilosort.run_kilosort INFO     N batches: 1\n'
        'spikeinterface.sorters.utils.misc.SpikeSortingError: Spike sorting error trace:\n'
        'Traceback (most recent call last):\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/run_kilosort.py", line 629, in compute_prepr'
        'ocessing\n'
        '    whiten_mat = preprocessing.get_whitening_matrix(bfile, xc, yc, nskip=nskip,\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/preprocessing.py", line 117, in get_whitenin'
        'g_matrix\n'
        '    Wrot = whitening_local(CC, xc, yc, nrange=nrange, device=f.device)\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/preprocessing.py", line 31, in whitening_loc'
        'al\n'
        '    wrot = whitening_from_covariance(CC[np.ix_(ix, ix)])\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/preprocessing.py", line 14, in whitening_fro'
        'm_covariance\n'
        '    E,D,V =  torch.linalg.svd(CC)\n'
        'torch._C._LinAlgError: linalg.svd: The algorithm failed to converge because the input matrix contained non'
        '-finite values.\n'
        '\n'
        'Spike sorting failed. You can inspect the runtime trace in /data/lab/sorted/rec1/spikeinterface_log.json.'),
                 id='shorter_than_nt'),
    # batch_size=10_000_000 on a 10 s recording: one batch, whitening over none
    pytest.param('sorter_params_invalid', 'input_invalid', (
        '2026-12-06 04:13:29,068 kilosort.run_kilosort INFO     Computing preprocessing variables.\n'
        '2026-12-06 04:13:29,070 kilosort.run_kilosort INFO     N samples: 250000\n'
        '2026-12-06 04:13:29,070 kilosort.run_kilosort INFO     N seconds: 10.0\n'
        '2026-12-06 04:13:29,070 kilosort.run_kilosort INFO     N batches: 1\n'
        'spikeinterface.sorters.utils.misc.SpikeSortingError: Spike sorting error trace:\n'
        'Traceback (most recent call last):\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/run_kilosort.py", line 629, in compute_prepr'
        'ocessing\n'
        '    whiten_mat = preprocessing.get_whitening_matrix(bfile, xc, yc, nskip=nskip,\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/preprocessing.py", line 117, in get_whitenin'
        'g_matrix\n'
        '    Wrot = whitening_local(CC, xc, yc, nrange=nrange, device=f.device)\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/preprocessing.py", line 31, in whitening_loc'
        'al\n'
        '    wrot = whitening_from_covariance(CC[np.ix_(ix, ix)])\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/preprocessing.py", line 14, in whitening_fro'
        'm_covariance\n'
        '    E,D,V =  torch.linalg.svd(CC)\n'
        'torch._C._LinAlgError: linalg.svd: The algorithm failed to converge because the input matrix contained non'
        '-finite values.\n'
        '\n'
        'Spike sorting failed. You can inspect the runtime trace in /data/lab/sorted/rec1/spikeinterface_log.json.'),
                 id='batch_larger'),
    # 10 s of traces declared at 2500 Hz (an LFP stream's rate): 25000 samples, one batch. The rate mattered only
    # through the sample count: 30 s of 25 kHz traces declared at 2500 Hz (12 batches) sorted
    pytest.param('probe_config_error', 'input_invalid', (
        '2026-12-06 04:11:43,310 kilosort.run_kilosort INFO     Computing preprocessing variables.\n'
        '2026-12-06 04:11:43,325 kilosort.run_kilosort INFO     N samples: 25000\n'
        '2026-12-06 04:11:43,325 kilosort.run_kilosort INFO     N seconds: 10.0\n'
        '2026-12-06 04:11:43,325 kilosort.run_kilosort INFO     N batches: 1\n'
        'spikeinterface.sorters.utils.misc.SpikeSortingError: Spike sorting error trace:\n'
        'Traceback (most recent call last):\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/run_kilosort.py", line 629, in compute_prepr'
        'ocessing\n'
        '    whiten_mat = preprocessing.get_whitening_matrix(bfile, xc, yc, nskip=nskip,\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/preprocessing.py", line 117, in get_whitenin'
        'g_matrix\n'
        '    Wrot = whitening_local(CC, xc, yc, nrange=nrange, device=f.device)\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/preprocessing.py", line 31, in whitening_loc'
        'al\n'
        '    wrot = whitening_from_covariance(CC[np.ix_(ix, ix)])\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/preprocessing.py", line 14, in whitening_fro'
        'm_covariance\n'
        '    E,D,V =  torch.linalg.svd(CC)\n'
        'torch._C._LinAlgError: linalg.svd: The algorithm failed to converge because the input matrix contained non'
        '-finite values.\n'
        '\n'
        'Spike sorting failed. You can inspect the runtime trace in /data/lab/sorted/rec1/spikeinterface_log.json.'),
                 id='lfp_2500'),
    # the same at 1000 Hz: one batch
    pytest.param('probe_config_error', 'input_invalid', (
        '2026-12-06 04:11:51,401 kilosort.run_kilosort INFO     Computing preprocessing variables.\n'
        '2026-12-06 04:11:51,404 kilosort.run_kilosort INFO     N samples: 10000\n'
        '2026-12-06 04:11:51,404 kilosort.run_kilosort INFO     N seconds: 10.0\n'
        '2026-12-06 04:11:51,404 kilosort.run_kilosort INFO     N batches: 1\n'
        'spikeinterface.sorters.utils.misc.SpikeSortingError: Spike sorting error trace:\n'
        'Traceback (most recent call last):\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/run_kilosort.py", line 629, in compute_prepr'
        'ocessing\n'
        '    whiten_mat = preprocessing.get_whitening_matrix(bfile, xc, yc, nskip=nskip,\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/preprocessing.py", line 117, in get_whitenin'
        'g_matrix\n'
        '    Wrot = whitening_local(CC, xc, yc, nrange=nrange, device=f.device)\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/preprocessing.py", line 31, in whitening_loc'
        'al\n'
        '    wrot = whitening_from_covariance(CC[np.ix_(ix, ix)])\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/preprocessing.py", line 14, in whitening_fro'
        'm_covariance\n'
        '    E,D,V =  torch.linalg.svd(CC)\n'
        'torch._C._LinAlgError: linalg.svd: The algorithm failed to converge because the input matrix contained non'
        '-finite values.\n'
        '\n'
        'Spike sorting failed. You can inspect the runtime trace in /data/lab/sorted/rec1/spikeinterface_log.json.'),
                 id='lfp_1000'),
    # 2 s of 25 kHz traces declared at 3000 Hz: 50000 samples, one batch
    pytest.param('probe_config_error', 'input_invalid', (
        '2026-12-06 04:11:59,103 kilosort.run_kilosort INFO     Computing preprocessing variables.\n'
        '2026-12-06 04:11:59,106 kilosort.run_kilosort INFO     N samples: 50000\n'
        '2026-12-06 04:11:59,106 kilosort.run_kilosort INFO     N seconds: 16.666666666666668\n'
        '2026-12-06 04:11:59,106 kilosort.run_kilosort INFO     N batches: 1\n'
        'spikeinterface.sorters.utils.misc.SpikeSortingError: Spike sorting error trace:\n'
        'Traceback (most recent call last):\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/run_kilosort.py", line 629, in compute_prepr'
        'ocessing\n'
        '    whiten_mat = preprocessing.get_whitening_matrix(bfile, xc, yc, nskip=nskip,\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/preprocessing.py", line 117, in get_whitenin'
        'g_matrix\n'
        '    Wrot = whitening_local(CC, xc, yc, nrange=nrange, device=f.device)\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/preprocessing.py", line 31, in whitening_loc'
        'al\n'
        '    wrot = whitening_from_covariance(CC[np.ix_(ix, ix)])\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/preprocessing.py", line 14, in whitening_fro'
        'm_covariance\n'
        '    E,D,V =  torch.linalg.svd(CC)\n'
        'torch._C._LinAlgError: linalg.svd: The algorithm failed to converge because the input matrix contained non'
        '-finite values.\n'
        '\n'
        'Spike sorting failed. You can inspect the runtime trace in /data/lab/sorted/rec1/spikeinterface_log.json.'),
                 id='declared_3k'),
    # a 1-channel recording with 3 units (nearest_chans lowered to 1 by Kilosort): the drift stage detected none
    pytest.param('no_spikes_found', 'no_spikes_found', (
        '2026-12-06 04:07:40,814 kilosort.run_kilosort INFO     N samples: 250000\n'
        '2026-12-06 04:07:40,814 kilosort.run_kilosort INFO     N seconds: 10.0\n'
        '2026-12-06 04:07:40,814 kilosort.run_kilosort INFO     N batches: 5\n'
        '2026-12-06 04:07:40,821 kilosort.run_kilosort INFO     Preprocessing filters computed in 0.01s; total 0.01'
        's\n'
        '2026-12-06 04:07:40,830 kilosort.run_kilosort INFO     Computing drift correction.\n'
        '2026-12-06 04:07:40,830 kilosort.spikedetect INFO     Re-computing universal templates from data.\n'
        'spikeinterface.sorters.utils.misc.SpikeSortingError: Spike sorting error trace:\n'
        'Traceback (most recent call last):\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/run_kilosort.py", line 713, in compute_drift'
        '_correction\n'
        '    ops, st = datashift.run(ops, bfile, device=device, progress_bar=progress_bar,\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/datashift.py", line 198, in run\n'
        '    st, _, ops  = spikedetect.run(\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/spikedetect.py", line 208, in run\n'
        "    ops['wPCA'], ops['wTEMP'] = extract_wPCA_wTEMP(\n"
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/spikedetect.py", line 72, in extract_wPCA_wT'
        'EMP\n'
        "    model = TruncatedSVD(n_components=ops['settings']['n_pcs']).fit(clips)\n"
        '  File "/home/lab/.venv/lib/python3.11/site-packages/sklearn/utils/validation.py", line 1113, in check_arr'
        'ay\n'
        '    raise ValueError(\n'
        'ValueError: Found array with 0 sample(s) (shape=(0, 61)) while a minimum of 1 is required by TruncatedSVD.'
        '\n'
        '\n'
        'Spike sorting failed. You can inspect the runtime trace in /data/lab/sorted/rec1/spikeinterface_log.json.'),
                 id='one_channel'),
    # the same with 2 channels
    pytest.param('no_spikes_found', 'no_spikes_found', (
        '2026-12-06 04:07:43,250 kilosort.spikedetect INFO     Re-computing universal templates from data.\n'
        '2026-12-06 04:07:43,282 kilosort.spikedetect INFO     Number of universal templates: 3\n'
        '2026-12-06 04:07:43,283 kilosort.spikedetect INFO     Detecting spikes...\n'
        '2026-12-06 04:07:43,572 kilosort.run_kilosort INFO     drift computed in 0.32s; total 0.35s\n'
        '2026-12-06 04:07:45,329 kilosort.run_kilosort INFO     Extracting spikes using templates\n'
        '2026-12-06 04:07:45,329 kilosort.spikedetect INFO     Re-computing universal templates from data.\n'
        'spikeinterface.sorters.utils.misc.SpikeSortingError: Spike sorting error trace:\n'
        'Traceback (most recent call last):\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/run_kilosort.py", line 789, in detect_spikes'
        '\n'
        '    st0, tF, ops = spikedetect.run(\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/spikedetect.py", line 208, in run\n'
        "    ops['wPCA'], ops['wTEMP'] = extract_wPCA_wTEMP(\n"
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/spikedetect.py", line 72, in extract_wPCA_wT'
        'EMP\n'
        "    model = TruncatedSVD(n_components=ops['settings']['n_pcs']).fit(clips)\n"
        '  File "/home/lab/.venv/lib/python3.11/site-packages/sklearn/utils/validation.py", line 1113, in check_arr'
        'ay\n'
        '    raise ValueError(\n'
        'ValueError: Found array with 0 sample(s) (shape=(0, 61)) while a minimum of 1 is required by TruncatedSVD.'
        '\n'
        '\n'
        'Spike sorting failed. You can inspect the runtime trace in /data/lab/sorted/rec1/spikeinterface_log.json.'),
                 id='two_channels'),
    # the same with 3 channels
    pytest.param('no_spikes_found', 'no_spikes_found', (
        '2026-12-06 04:07:48,162 kilosort.spikedetect INFO     Re-computing universal templates from data.\n'
        '2026-12-06 04:07:48,218 kilosort.spikedetect INFO     Number of universal templates: 5\n'
        '2026-12-06 04:07:48,219 kilosort.spikedetect INFO     Detecting spikes...\n'
        '2026-12-06 04:07:48,531 kilosort.run_kilosort INFO     drift computed in 0.37s; total 0.40s\n'
        '2026-12-06 04:07:50,041 kilosort.run_kilosort INFO     Extracting spikes using templates\n'
        '2026-12-06 04:07:50,041 kilosort.spikedetect INFO     Re-computing universal templates from data.\n'
        'spikeinterface.sorters.utils.misc.SpikeSortingError: Spike sorting error trace:\n'
        'Traceback (most recent call last):\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/run_kilosort.py", line 789, in detect_spikes'
        '\n'
        '    st0, tF, ops = spikedetect.run(\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/spikedetect.py", line 208, in run\n'
        "    ops['wPCA'], ops['wTEMP'] = extract_wPCA_wTEMP(\n"
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/spikedetect.py", line 72, in extract_wPCA_wT'
        'EMP\n'
        "    model = TruncatedSVD(n_components=ops['settings']['n_pcs']).fit(clips)\n"
        '  File "/home/lab/.venv/lib/python3.11/site-packages/sklearn/utils/validation.py", line 1113, in check_arr'
        'ay\n'
        '    raise ValueError(\n'
        'ValueError: Found array with 0 sample(s) (shape=(0, 61)) while a minimum of 1 is required by TruncatedSVD.'
        '\n'
        '\n'
        'Spike sorting failed. You can inspect the runtime trace in /data/lab/sorted/rec1/spikeinterface_log.json.'),
                 id='three_channels'),
    # 16 contacts all at (0, 0): probeinterface refuses the probe before the sorter runs
    pytest.param('probe_config_error', 'probe_config_error', (
        'Traceback (most recent call last):\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/probeinterface/probe.py", line 361, in set_contacts\n'
        '    _raise_non_unique_positions_error(positions)\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/probeinterface/probe.py", line 40, in _raise_non_uniq'
        'ue_positions_error\n'
        '    raise ValueError(\n'
        'ValueError: Contact positions must be unique within a probe. Found 1 duplicate(s): Position (0.0, 0.0) app'
        'ears at indices [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]'),
                 id='duplicate_positions'),
    # 16 contacts in one horizontal row (every y = 0): the template stage extracted none; the text does not show the
    # geometry
    pytest.param('detection_config_error', 'no_spikes_found', (
        '2026-12-06 04:07:52,742 kilosort.spikedetect INFO     Re-computing universal templates from data.\n'
        '2026-12-06 04:07:53,193 kilosort.spikedetect INFO     Number of universal templates: 20\n'
        '2026-12-06 04:07:53,194 kilosort.spikedetect INFO     Detecting spikes...\n'
        '2026-12-06 04:07:54,937 kilosort.run_kilosort INFO     drift computed in 2.19s; total 2.27s\n'
        '2026-12-06 04:07:56,370 kilosort.run_kilosort INFO     Extracting spikes using templates\n'
        '2026-12-06 04:07:56,371 kilosort.spikedetect INFO     Re-computing universal templates from data.\n'
        'spikeinterface.sorters.utils.misc.SpikeSortingError: Spike sorting error trace:\n'
        'Traceback (most recent call last):\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/run_kilosort.py", line 789, in detect_spikes'
        '\n'
        '    st0, tF, ops = spikedetect.run(\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/spikedetect.py", line 208, in run\n'
        "    ops['wPCA'], ops['wTEMP'] = extract_wPCA_wTEMP(\n"
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/spikedetect.py", line 72, in extract_wPCA_wT'
        'EMP\n'
        "    model = TruncatedSVD(n_components=ops['settings']['n_pcs']).fit(clips)\n"
        '  File "/home/lab/.venv/lib/python3.11/site-packages/sklearn/utils/validation.py", line 1113, in check_arr'
        'ay\n'
        '    raise ValueError(\n'
        'ValueError: Found array with 0 sample(s) (shape=(0, 61)) while a minimum of 1 is required by TruncatedSVD.'
        '\n'
        '\n'
        'Spike sorting failed. You can inspect the runtime trace in /data/lab/sorted/rec1/spikeinterface_log.json.'),
                 id='horizontal_row'),
    # a probe spanning 15 um with nblocks=5: no spikes at the template stage; nothing in the text names the probe's
    # depth
    pytest.param('detection_config_error', 'no_spikes_found', (
        '2026-12-06 04:07:59,252 kilosort.spikedetect INFO     Re-computing universal templates from data.\n'
        '2026-12-06 04:07:59,733 kilosort.spikedetect INFO     Number of universal templates: 31\n'
        '2026-12-06 04:07:59,734 kilosort.spikedetect INFO     Detecting spikes...\n'
        '2026-12-06 04:08:02,504 kilosort.run_kilosort INFO     drift computed in 3.25s; total 3.33s\n'
        '2026-12-06 04:08:03,982 kilosort.run_kilosort INFO     Extracting spikes using templates\n'
        '2026-12-06 04:08:03,982 kilosort.spikedetect INFO     Re-computing universal templates from data.\n'
        'spikeinterface.sorters.utils.misc.SpikeSortingError: Spike sorting error trace:\n'
        'Traceback (most recent call last):\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/run_kilosort.py", line 789, in detect_spikes'
        '\n'
        '    st0, tF, ops = spikedetect.run(\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/spikedetect.py", line 208, in run\n'
        "    ops['wPCA'], ops['wTEMP'] = extract_wPCA_wTEMP(\n"
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/spikedetect.py", line 72, in extract_wPCA_wT'
        'EMP\n'
        "    model = TruncatedSVD(n_components=ops['settings']['n_pcs']).fit(clips)\n"
        '  File "/home/lab/.venv/lib/python3.11/site-packages/sklearn/utils/validation.py", line 1113, in check_arr'
        'ay\n'
        '    raise ValueError(\n'
        'ValueError: Found array with 0 sample(s) (shape=(0, 61)) while a minimum of 1 is required by TruncatedSVD.'
        '\n'
        '\n'
        'Spike sorting failed. You can inspect the runtime trace in /data/lab/sorted/rec1/spikeinterface_log.json.'),
                 id='shallow_probe_nblocks'),
    # nblocks=40 on a 16-channel probe (numpy's 'Mean of empty slice' warned in datashift): no spikes at the template
    # stage
    pytest.param('detection_config_error', 'no_spikes_found', (
        '2026-12-06 04:08:06,940 kilosort.spikedetect INFO     Re-computing universal templates from data.\n'
        '2026-12-06 04:08:07,390 kilosort.spikedetect INFO     Number of universal templates: 30\n'
        '2026-12-06 04:08:07,391 kilosort.spikedetect INFO     Detecting spikes...\n'
        '2026-12-06 04:08:09,729 kilosort.run_kilosort INFO     drift computed in 2.79s; total 2.87s\n'
        '2026-12-06 04:08:11,149 kilosort.run_kilosort INFO     Extracting spikes using templates\n'
        '2026-12-06 04:08:11,149 kilosort.spikedetect INFO     Re-computing universal templates from data.\n'
        'spikeinterface.sorters.utils.misc.SpikeSortingError: Spike sorting error trace:\n'
        'Traceback (most recent call last):\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/run_kilosort.py", line 789, in detect_spikes'
        '\n'
        '    st0, tF, ops = spikedetect.run(\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/spikedetect.py", line 208, in run\n'
        "    ops['wPCA'], ops['wTEMP'] = extract_wPCA_wTEMP(\n"
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/spikedetect.py", line 72, in extract_wPCA_wT'
        'EMP\n'
        "    model = TruncatedSVD(n_components=ops['settings']['n_pcs']).fit(clips)\n"
        '  File "/home/lab/.venv/lib/python3.11/site-packages/sklearn/utils/validation.py", line 1113, in check_arr'
        'ay\n'
        '    raise ValueError(\n'
        'ValueError: Found array with 0 sample(s) (shape=(0, 61)) while a minimum of 1 is required by TruncatedSVD.'
        '\n'
        '\n'
        'Spike sorting failed. You can inspect the runtime trace in /data/lab/sorted/rec1/spikeinterface_log.json.'),
                 id='nblocks_many'),
    # uint16 samples (offset 32768) read as int16: no spikes; the dtype shows in the data, not the text
    pytest.param('detection_config_error', 'no_spikes_found', (
        '2026-12-06 04:12:06,621 kilosort.run_kilosort INFO     N samples: 250000\n'
        '2026-12-06 04:12:06,621 kilosort.run_kilosort INFO     N seconds: 10.0\n'
        '2026-12-06 04:12:06,621 kilosort.run_kilosort INFO     N batches: 5\n'
        '2026-12-06 04:12:06,733 kilosort.run_kilosort INFO     Preprocessing filters computed in 0.11s; total 0.11'
        's\n'
        '2026-12-06 04:12:06,773 kilosort.run_kilosort INFO     Computing drift correction.\n'
        '2026-12-06 04:12:06,773 kilosort.spikedetect INFO     Re-computing universal templates from data.\n'
        'spikeinterface.sorters.utils.misc.SpikeSortingError: Spike sorting error trace:\n'
        'Traceback (most recent call last):\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/run_kilosort.py", line 713, in compute_drift'
        '_correction\n'
        '    ops, st = datashift.run(ops, bfile, device=device, progress_bar=progress_bar,\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/datashift.py", line 198, in run\n'
        '    st, _, ops  = spikedetect.run(\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/spikedetect.py", line 208, in run\n'
        "    ops['wPCA'], ops['wTEMP'] = extract_wPCA_wTEMP(\n"
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/spikedetect.py", line 72, in extract_wPCA_wT'
        'EMP\n'
        "    model = TruncatedSVD(n_components=ops['settings']['n_pcs']).fit(clips)\n"
        '  File "/home/lab/.venv/lib/python3.11/site-packages/sklearn/utils/validation.py", line 1113, in check_arr'
        'ay\n'
        '    raise ValueError(\n'
        'ValueError: Found array with 0 sample(s) (shape=(0, 61)) while a minimum of 1 is required by TruncatedSVD.'
        '\n'
        '\n'
        'Spike sorting failed. You can inspect the runtime trace in /data/lab/sorted/rec1/spikeinterface_log.json.'),
                 id='uint16_as_int16'),
    # float traces in volts (1e-6 of the uV scale): no spikes
    pytest.param('detection_config_error', 'no_spikes_found', (
        '2026-12-06 04:12:14,928 kilosort.run_kilosort INFO     N samples: 250000\n'
        '2026-12-06 04:12:14,928 kilosort.run_kilosort INFO     N seconds: 10.0\n'
        '2026-12-06 04:12:14,928 kilosort.run_kilosort INFO     N batches: 5\n'
        '2026-12-06 04:12:15,137 kilosort.run_kilosort INFO     Preprocessing filters computed in 0.21s; total 0.21'
        's\n'
        '2026-12-06 04:12:15,314 kilosort.run_kilosort INFO     Computing drift correction.\n'
        '2026-12-06 04:12:15,314 kilosort.spikedetect INFO     Re-computing universal templates from data.\n'
        'spikeinterface.sorters.utils.misc.SpikeSortingError: Spike sorting error trace:\n'
        'Traceback (most recent call last):\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/run_kilosort.py", line 713, in compute_drift'
        '_correction\n'
        '    ops, st = datashift.run(ops, bfile, device=device, progress_bar=progress_bar,\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/datashift.py", line 198, in run\n'
        '    st, _, ops  = spikedetect.run(\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/spikedetect.py", line 208, in run\n'
        "    ops['wPCA'], ops['wTEMP'] = extract_wPCA_wTEMP(\n"
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/spikedetect.py", line 72, in extract_wPCA_wT'
        'EMP\n'
        "    model = TruncatedSVD(n_components=ops['settings']['n_pcs']).fit(clips)\n"
        '  File "/home/lab/.venv/lib/python3.11/site-packages/sklearn/utils/validation.py", line 1113, in check_arr'
        'ay\n'
        '    raise ValueError(\n'
        'ValueError: Found array with 0 sample(s) (shape=(0, 61)) while a minimum of 1 is required by TruncatedSVD.'
        '\n'
        '\n'
        'Spike sorting failed. You can inspect the runtime trace in /data/lab/sorted/rec1/spikeinterface_log.json.'),
                 id='float_volts'),
    # every sample 0: no spikes; the canary's data shows it flat
    pytest.param('flat_signal', 'no_spikes_found', (
        '2026-12-06 04:12:39,480 kilosort.run_kilosort INFO     N samples: 250000\n'
        '2026-12-06 04:12:39,480 kilosort.run_kilosort INFO     N seconds: 10.0\n'
        '2026-12-06 04:12:39,480 kilosort.run_kilosort INFO     N batches: 5\n'
        '2026-12-06 04:12:39,688 kilosort.run_kilosort INFO     Preprocessing filters computed in 0.21s; total 0.21'
        's\n'
        '2026-12-06 04:12:39,837 kilosort.run_kilosort INFO     Computing drift correction.\n'
        '2026-12-06 04:12:39,838 kilosort.spikedetect INFO     Re-computing universal templates from data.\n'
        'spikeinterface.sorters.utils.misc.SpikeSortingError: Spike sorting error trace:\n'
        'Traceback (most recent call last):\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/run_kilosort.py", line 713, in compute_drift'
        '_correction\n'
        '    ops, st = datashift.run(ops, bfile, device=device, progress_bar=progress_bar,\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/datashift.py", line 198, in run\n'
        '    st, _, ops  = spikedetect.run(\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/spikedetect.py", line 208, in run\n'
        "    ops['wPCA'], ops['wTEMP'] = extract_wPCA_wTEMP(\n"
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/spikedetect.py", line 72, in extract_wPCA_wT'
        'EMP\n'
        "    model = TruncatedSVD(n_components=ops['settings']['n_pcs']).fit(clips)\n"
        '  File "/home/lab/.venv/lib/python3.11/site-packages/sklearn/utils/validation.py", line 1113, in check_arr'
        'ay\n'
        '    raise ValueError(\n'
        'ValueError: Found array with 0 sample(s) (shape=(0, 61)) while a minimum of 1 is required by TruncatedSVD.'
        '\n'
        '\n'
        'Spike sorting failed. You can inspect the runtime trace in /data/lab/sorted/rec1/spikeinterface_log.json.'),
                 id='all_zero'),
    # every sample at the int16 rails: no spikes; the canary's data shows the rails
    pytest.param('saturated_signal', 'no_spikes_found', (
        '2026-12-06 04:13:22,064 kilosort.run_kilosort INFO     N samples: 250000\n'
        '2026-12-06 04:13:22,064 kilosort.run_kilosort INFO     N seconds: 10.0\n'
        '2026-12-06 04:13:22,064 kilosort.run_kilosort INFO     N batches: 5\n'
        '2026-12-06 04:13:22,109 kilosort.run_kilosort INFO     Preprocessing filters computed in 0.05s; total 0.05'
        's\n'
        '2026-12-06 04:13:22,144 kilosort.run_kilosort INFO     Computing drift correction.\n'
        '2026-12-06 04:13:22,144 kilosort.spikedetect INFO     Re-computing universal templates from data.\n'
        'spikeinterface.sorters.utils.misc.SpikeSortingError: Spike sorting error trace:\n'
        'Traceback (most recent call last):\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/run_kilosort.py", line 713, in compute_drift'
        '_correction\n'
        '    ops, st = datashift.run(ops, bfile, device=device, progress_bar=progress_bar,\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/datashift.py", line 198, in run\n'
        '    st, _, ops  = spikedetect.run(\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/spikedetect.py", line 208, in run\n'
        "    ops['wPCA'], ops['wTEMP'] = extract_wPCA_wTEMP(\n"
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/spikedetect.py", line 72, in extract_wPCA_wT'
        'EMP\n'
        "    model = TruncatedSVD(n_components=ops['settings']['n_pcs']).fit(clips)\n"
        '  File "/home/lab/.venv/lib/python3.11/site-packages/sklearn/utils/validation.py", line 1113, in check_arr'
        'ay\n'
        '    raise ValueError(\n'
        'ValueError: Found array with 0 sample(s) (shape=(0, 61)) while a minimum of 1 is required by TruncatedSVD.'
        '\n'
        '\n'
        'Spike sorting failed. You can inspect the runtime trace in /data/lab/sorted/rec1/spikeinterface_log.json.'),
                 id='saturated'),
    # 1000 NaN samples on one channel (float32): whitening's svd met non-finite values with 5 batches. The same line
    # fails on a filter set wrong: the text does not say
    pytest.param('input_invalid', 'unclassified', (
        '2026-12-06 04:12:22,986 kilosort.run_kilosort INFO     Computing preprocessing variables.\n'
        '2026-12-06 04:12:22,988 kilosort.run_kilosort INFO     N samples: 250000\n'
        '2026-12-06 04:12:22,988 kilosort.run_kilosort INFO     N seconds: 10.0\n'
        '2026-12-06 04:12:22,988 kilosort.run_kilosort INFO     N batches: 5\n'
        'spikeinterface.sorters.utils.misc.SpikeSortingError: Spike sorting error trace:\n'
        'Traceback (most recent call last):\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/run_kilosort.py", line 629, in compute_prepr'
        'ocessing\n'
        '    whiten_mat = preprocessing.get_whitening_matrix(bfile, xc, yc, nskip=nskip,\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/preprocessing.py", line 117, in get_whitenin'
        'g_matrix\n'
        '    Wrot = whitening_local(CC, xc, yc, nrange=nrange, device=f.device)\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/preprocessing.py", line 31, in whitening_loc'
        'al\n'
        '    wrot = whitening_from_covariance(CC[np.ix_(ix, ix)])\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/preprocessing.py", line 14, in whitening_fro'
        'm_covariance\n'
        '    E,D,V =  torch.linalg.svd(CC)\n'
        'torch._C._LinAlgError: linalg.svd: The algorithm failed to converge because the input matrix contained non'
        '-finite values.\n'
        '\n'
        'Spike sorting failed. You can inspect the runtime trace in /data/lab/sorted/rec1/spikeinterface_log.json.'),
                 id='nan_samples'),
    # one row of inf samples: as the NaN case
    pytest.param('input_invalid', 'unclassified', (
        '2026-12-06 04:12:30,442 kilosort.run_kilosort INFO     Computing preprocessing variables.\n'
        '2026-12-06 04:12:30,446 kilosort.run_kilosort INFO     N samples: 250000\n'
        '2026-12-06 04:12:30,446 kilosort.run_kilosort INFO     N seconds: 10.0\n'
        '2026-12-06 04:12:30,446 kilosort.run_kilosort INFO     N batches: 5\n'
        'spikeinterface.sorters.utils.misc.SpikeSortingError: Spike sorting error trace:\n'
        'Traceback (most recent call last):\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/run_kilosort.py", line 629, in compute_prepr'
        'ocessing\n'
        '    whiten_mat = preprocessing.get_whitening_matrix(bfile, xc, yc, nskip=nskip,\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/preprocessing.py", line 117, in get_whitenin'
        'g_matrix\n'
        '    Wrot = whitening_local(CC, xc, yc, nrange=nrange, device=f.device)\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/preprocessing.py", line 31, in whitening_loc'
        'al\n'
        '    wrot = whitening_from_covariance(CC[np.ix_(ix, ix)])\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/preprocessing.py", line 14, in whitening_fro'
        'm_covariance\n'
        '    E,D,V =  torch.linalg.svd(CC)\n'
        'torch._C._LinAlgError: linalg.svd: The algorithm failed to converge because the input matrix contained non'
        '-finite values.\n'
        '\n'
        'Spike sorting failed. You can inspect the runtime trace in /data/lab/sorted/rec1/spikeinterface_log.json.'),
                 id='inf_samples'),
    # bad_channels naming 14 of 16 channels: no spikes on the 2 left; the log does not count the bad channels
    pytest.param('too_many_bad_channels', 'no_spikes_found', (
        '2026-12-06 04:16:37,610 kilosort.spikedetect INFO     Re-computing universal templates from data.\n'
        '2026-12-06 04:16:37,963 kilosort.spikedetect INFO     Number of universal templates: 3\n'
        '2026-12-06 04:16:37,964 kilosort.spikedetect INFO     Detecting spikes...\n'
        '2026-12-06 04:16:40,885 kilosort.run_kilosort INFO     drift computed in 3.28s; total 3.60s\n'
        '2026-12-06 04:16:42,125 kilosort.run_kilosort INFO     Extracting spikes using templates\n'
        '2026-12-06 04:16:42,125 kilosort.spikedetect INFO     Re-computing universal templates from data.\n'
        'spikeinterface.sorters.utils.misc.SpikeSortingError: Spike sorting error trace:\n'
        'Traceback (most recent call last):\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/run_kilosort.py", line 789, in detect_spikes'
        '\n'
        '    st0, tF, ops = spikedetect.run(\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/spikedetect.py", line 208, in run\n'
        "    ops['wPCA'], ops['wTEMP'] = extract_wPCA_wTEMP(\n"
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/spikedetect.py", line 72, in extract_wPCA_wT'
        'EMP\n'
        "    model = TruncatedSVD(n_components=ops['settings']['n_pcs']).fit(clips)\n"
        '  File "/home/lab/.venv/lib/python3.11/site-packages/sklearn/utils/validation.py", line 1113, in check_arr'
        'ay\n'
        '    raise ValueError(\n'
        'ValueError: Found array with 0 sample(s) (shape=(0, 61)) while a minimum of 1 is required by TruncatedSVD.'
        '\n'
        '\n'
        'Spike sorting failed. You can inspect the runtime trace in /data/lab/sorted/rec1/spikeinterface_log.json.'),
                 id='bad_channels_most'),
    # bad_channels naming all 16 channels (equal to a probe without them): Kilosort's CAR took the median over zero
    # channels
    pytest.param('probe_config_error', 'probe_config_error', (
        '2026-12-06 04:16:48,767 kilosort.run_kilosort INFO     Computing preprocessing variables.\n'
        '2026-12-06 04:16:48,769 kilosort.run_kilosort INFO     N samples: 250000\n'
        '2026-12-06 04:16:48,769 kilosort.run_kilosort INFO     N seconds: 10.0\n'
        '2026-12-06 04:16:48,769 kilosort.run_kilosort INFO     N batches: 5\n'
        'spikeinterface.sorters.utils.misc.SpikeSortingError: Spike sorting error trace:\n'
        'Traceback (most recent call last):\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/run_kilosort.py", line 629, in compute_prepr'
        'ocessing\n'
        '    whiten_mat = preprocessing.get_whitening_matrix(bfile, xc, yc, nskip=nskip,\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/preprocessing.py", line 104, in get_whitenin'
        'g_matrix\n'
        '    X = f.padded_batch_to_torch(j)\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/io.py", line 1044, in padded_batch_to_torch\n'
        '    return self.filter(X, ops, ibatch, skip_preproc=skip_preproc)\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/io.py", line 1001, in filter\n'
        '    X = X - torch.median(X, 0)[0]\n'
        'IndexError: median(): Expected reduction dim 0 to have non-zero size.\n'
        '\n'
        'Spike sorting failed. You can inspect the runtime trace in /data/lab/sorted/rec1/spikeinterface_log.json.'),
                 id='bad_channels_all'),
    # bad_channels [20, 21] on a 16-channel probe: Kilosort's remove_bad_channels
    pytest.param('probe_config_error', 'probe_config_error', (
        'spikeinterface.sorters.utils.misc.SpikeSortingError: Spike sorting error trace:\n'
        'Traceback (most recent call last):\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/run_kilosort.py", line 435, in set_files\n'
        '    probe = io.remove_bad_channels(probe, bad_channels)\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/io.py", line 210, in remove_bad_channels\n'
        '    raise IndexError(f"Channel \'{k}\' was not in probe[\'chanMap\']")\n'
        "IndexError: Channel '20' was not in probe['chanMap']\n"
        '\n'
        'Spike sorting failed. You can inspect the runtime trace in /data/lab/sorted/rec1/spikeinterface_log.json.'),
                 id='bad_channels_out_of_range'),
    # a NumpyRecording with no probe attached: SpikeInterface's check before the sorter
    pytest.param('probe_config_error', 'probe_config_error', (
        'Traceback (most recent call last):\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/spikeinterface/sorters/external/kilosort4.py", line 1'
        '22, in initialize_folder\n'
        '    return super().initialize_folder(recording, output_folder, verbose, remove_existing_folder)\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/spikeinterface/sorters/basesorter.py", line 110, in i'
        'nitialize_folder\n'
        '    raise RuntimeError(\n'
        'RuntimeError: Channel locations are required for this spike sorter. Locations can be added to the Recordin'
        'gExtractor by loading a probe file (.prb or .csv) or by setting them manually.'),
                 id='no_probe'),
    # frame_slice(200000, 400000) of a 250000-frame recording, in the user's script before run_sorter. Left
    # unclassified: in the workflow the window is the canary's own, so these words there are its bug
    pytest.param('input_invalid', 'unclassified', (
        'Traceback (most recent call last):\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/spikeinterface/core/baserecording.py", line 507, in f'
        'rame_slice\n'
        '    sub_recording = FrameSliceRecording(self, start_frame=start_frame, end_frame=end_frame)\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/spikeinterface/core/frameslicerecording.py", line 38,'
        ' in __init__\n'
        '    end_frame <= samples_in_recording\n'
        'AssertionError: end_frame=400000 must be smaller than or equal to samples_in_recording=250000'),
                 id='frame_slice_past_end'),
    # frame_slice(1000, 1000): as above
    pytest.param('input_invalid', 'unclassified', (
        'Traceback (most recent call last):\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/spikeinterface/core/baserecording.py", line 507, in f'
        'rame_slice\n'
        '    sub_recording = FrameSliceRecording(self, start_frame=start_frame, end_frame=end_frame)\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/spikeinterface/core/frameslicerecording.py", line 36,'
        ' in __init__\n'
        '    assert start_frame < end_frame, f"{start_frame=} must be smaller than \'end_frame\' {end_frame=}!"\n'
        "AssertionError: start_frame=1000 must be smaller than 'end_frame' end_frame=1000!"),
                 id='frame_slice_empty'),
    # tmin=100 s: SpikeInterface 0.105's wrapper has no tmin (SpikeInterface's frame_slice is its window) and refuses
    # it
    pytest.param('sorter_params_invalid', 'sorter_params_invalid', (
        'Traceback (most recent call last):\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/spikeinterface/sorters/runsorter.py", line 294, in ru'
        'n_sorter_local\n'
        '    SorterClass.set_params_to_folder(recording, folder, sorter_params, verbose)\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/spikeinterface/sorters/basesorter.py", line 202, in s'
        'et_params_to_folder\n'
        '    raise ValueError(error_msg)\n'
        "ValueError: Invalid parameters: ['tmin'] \n"
        "Valid parameters are: dict_keys(['batch_size', 'nblocks', 'Th_universal', 'Th_learned', 'nt', 'shift', 'sc"
        "ale', 'batch_downsampling', 'artifact_threshold', 'nskip', 'whitening_range', 'highpass_cutoff', 'binning_"
        "depth', 'sig_interp', 'drift_smoothing', 'nt0min', 'dmin', 'dminx', 'min_template_size', 'template_sizes',"
        " 'nearest_chans', 'nearest_templates', 'max_channel_distance', 'max_peels', 'templates_from_data', 'n_temp"
        "lates', 'n_pcs', 'Th_single_ch', 'acg_threshold', 'ccg_threshold', 'cluster_neighbors', 'cluster_downsampl"
        "ing', 'max_cluster_subset', 'x_centers', 'cluster_init_seed', 'duplicate_spike_ms', 'position_limit', 'do_"
        "CAR', 'invert_sign', 'save_extra_vars', 'save_preprocessed_copy', 'torch_device', 'bad_channels', 'clear_c"
        "ache', 'do_correction', 'skip_kilosort_preprocessing', 'keep_good_only', 'use_binary_file', 'delete_record"
        "ing_dat', 'pool_engine', 'n_jobs', 'chunk_duration', 'progress_bar', 'mp_context', 'max_threads_per_worker"
        "'])"),
                 id='tmin_past_end'),
    # tmin=5, tmax=2: refused the same way
    pytest.param('sorter_params_invalid', 'sorter_params_invalid', (
        'Traceback (most recent call last):\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/spikeinterface/sorters/runsorter.py", line 294, in ru'
        'n_sorter_local\n'
        '    SorterClass.set_params_to_folder(recording, folder, sorter_params, verbose)\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/spikeinterface/sorters/basesorter.py", line 202, in s'
        'et_params_to_folder\n'
        '    raise ValueError(error_msg)\n'
        "ValueError: Invalid parameters: ['tmin', 'tmax'] \n"
        "Valid parameters are: dict_keys(['batch_size', 'nblocks', 'Th_universal', 'Th_learned', 'nt', 'shift', 'sc"
        "ale', 'batch_downsampling', 'artifact_threshold', 'nskip', 'whitening_range', 'highpass_cutoff', 'binning_"
        "depth', 'sig_interp', 'drift_smoothing', 'nt0min', 'dmin', 'dminx', 'min_template_size', 'template_sizes',"
        " 'nearest_chans', 'nearest_templates', 'max_channel_distance', 'max_peels', 'templates_from_data', 'n_temp"
        "lates', 'n_pcs', 'Th_single_ch', 'acg_threshold', 'ccg_threshold', 'cluster_neighbors', 'cluster_downsampl"
        "ing', 'max_cluster_subset', 'x_centers', 'cluster_init_seed', 'duplicate_spike_ms', 'position_limit', 'do_"
        "CAR', 'invert_sign', 'save_extra_vars', 'save_preprocessed_copy', 'torch_device', 'bad_channels', 'clear_c"
        "ache', 'do_correction', 'skip_kilosort_preprocessing', 'keep_good_only', 'use_binary_file', 'delete_record"
        "ing_dat', 'pool_engine', 'n_jobs', 'chunk_duration', 'progress_bar', 'mp_context', 'max_threads_per_worker"
        "'])"),
                 id='tmax_before_tmin'),
    # nt=60: Kilosort's own check
    pytest.param('sorter_params_invalid', 'sorter_params_invalid', (
        'spikeinterface.sorters.utils.misc.SpikeSortingError: Spike sorting error trace:\n'
        'Traceback (most recent call last):\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/run_kilosort.py", line 489, in initialize_op'
        's\n'
        '    raise ValueError(f\'`nt` must be odd, but got nt={settings["nt"]}\')\n'
        'ValueError: `nt` must be odd, but got nt=60\n'
        '\n'
        'Spike sorting failed. You can inspect the runtime trace in /data/lab/sorted/rec1/spikeinterface_log.json.'),
                 id='nt_even'),
    # nt=3: clips 3 samples long for n_pcs=6 components, in the drift stage's extract_wPCA_wTEMP
    pytest.param('sorter_params_invalid', 'sorter_params_invalid', (
        '2026-12-06 04:17:07,499 kilosort.run_kilosort INFO     N samples: 250000\n'
        '2026-12-06 04:17:07,499 kilosort.run_kilosort INFO     N seconds: 10.0\n'
        '2026-12-06 04:17:07,499 kilosort.run_kilosort INFO     N batches: 5\n'
        '2026-12-06 04:17:07,707 kilosort.run_kilosort INFO     Preprocessing filters computed in 0.21s; total 0.21'
        's\n'
        '2026-12-06 04:17:07,866 kilosort.run_kilosort INFO     Computing drift correction.\n'
        '2026-12-06 04:17:07,866 kilosort.spikedetect INFO     Re-computing universal templates from data.\n'
        'spikeinterface.sorters.utils.misc.SpikeSortingError: Spike sorting error trace:\n'
        'Traceback (most recent call last):\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/run_kilosort.py", line 713, in compute_drift'
        '_correction\n'
        '    ops, st = datashift.run(ops, bfile, device=device, progress_bar=progress_bar,\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/datashift.py", line 198, in run\n'
        '    st, _, ops  = spikedetect.run(\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/spikedetect.py", line 208, in run\n'
        "    ops['wPCA'], ops['wTEMP'] = extract_wPCA_wTEMP(\n"
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/spikedetect.py", line 72, in extract_wPCA_wT'
        'EMP\n'
        "    model = TruncatedSVD(n_components=ops['settings']['n_pcs']).fit(clips)\n"
        '  File "/home/lab/.venv/lib/python3.11/site-packages/sklearn/decomposition/_truncated_svd.py", line 240, i'
        'n fit_transform\n'
        '    raise ValueError(\n'
        'ValueError: n_components(6) must be <= n_features(3).\n'
        '\n'
        'Spike sorting failed. You can inspect the runtime trace in /data/lab/sorted/rec1/spikeinterface_log.json.'),
                 id='nt_small'),
    # x_centers=50 on a 16-contact probe: clustering's k-means draws 50 of 16 contact positions
    pytest.param('sorter_params_invalid', 'sorter_params_invalid', (
        '2026-12-06 04:20:15,491 kilosort.run_kilosort INFO     Extracting spikes using templates\n'
        '2026-12-06 04:20:15,491 kilosort.spikedetect INFO     Re-computing universal templates from data.\n'
        '2026-12-06 04:20:16,796 kilosort.spikedetect INFO     Number of universal templates: 30\n'
        '2026-12-06 04:20:16,797 kilosort.spikedetect INFO     Detecting spikes...\n'
        '2026-12-06 04:20:38,471 kilosort.run_kilosort INFO     919 spikes extracted in 22.98s; total 44.01s\n'
        '2026-12-06 04:20:38,528 kilosort.run_kilosort INFO     First clustering\n'
        'spikeinterface.sorters.utils.misc.SpikeSortingError: Spike sorting error trace:\n'
        'Traceback (most recent call last):\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/run_kilosort.py", line 815, in detect_spikes'
        '\n'
        '    clu, Wall = clustering_qr.run(\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/clustering_qr.py", line 435, in run\n'
        '    xcent = x_centers(ops)\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/clustering_qr.py", line 373, in x_centers\n'
        "    centers, distortion = kmeans(ops['xc'], approx_centers, seed=5330)\n"
        '  File "numpy/random/mtrand.pyx", line 1025, in numpy.random.mtrand.RandomState.choice\n'
        "ValueError: Cannot take a larger sample than population when 'replace=False'\n"
        '\n'
        'Spike sorting failed. You can inspect the runtime trace in /data/lab/sorted/rec1/spikeinterface_log.json.'),
                 id='x_centers_big'),
    # template_sizes=0: the drift stage's template_match took the maximum over zero template shapes
    pytest.param('sorter_params_invalid', 'sorter_params_invalid', (
        '2026-12-06 04:22:02,398 kilosort.run_kilosort INFO     Preprocessing filters computed in 0.31s; total 0.31'
        's\n'
        '2026-12-06 04:22:02,654 kilosort.run_kilosort INFO     Computing drift correction.\n'
        '2026-12-06 04:22:02,654 kilosort.spikedetect INFO     Re-computing universal templates from data.\n'
        '2026-12-06 04:22:04,191 kilosort.spikedetect INFO     Number of universal templates: 30\n'
        '2026-12-06 04:22:04,200 kilosort.spikedetect INFO     Detecting spikes...\n'
        '2026-12-06 04:22:04,628 kilosort.spikedetect ERROR    Error in spikedetect.run on batch 0\n'
        'spikeinterface.sorters.utils.misc.SpikeSortingError: Spike sorting error trace:\n'
        'Traceback (most recent call last):\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/run_kilosort.py", line 713, in compute_drift'
        '_correction\n'
        '    ops, st = datashift.run(ops, bfile, device=device, progress_bar=progress_bar,\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/datashift.py", line 198, in run\n'
        '    st, _, ops  = spikedetect.run(\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/spikedetect.py", line 262, in run\n'
        '    xy, imax, amp, adist = template_match(X, ops, iC, iC2, weigh, device=device)\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/spikedetect.py", line 156, in template_match'
        '\n'
        '    Aa, imax = torch.max(A.abs(), 0)\n'
        'IndexError: max(): Expected reduction dim 0 to have non-zero size.\n'
        '\n'
        'Spike sorting failed. You can inspect the runtime trace in /data/lab/sorted/rec1/spikeinterface_log.json.'),
                 id='template_sizes_zero'),
    # highpass_cutoff=20000 on 25 kHz data: SciPy's butter refuses a corner above Nyquist, the rate in its words
    pytest.param('sorter_params_invalid', 'sorter_params_invalid', (
        '2026-12-06 04:22:13,775 kilosort.run_kilosort INFO     Computing preprocessing variables.\n'
        'spikeinterface.sorters.utils.misc.SpikeSortingError: Spike sorting error trace:\n'
        'Traceback (most recent call last):\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/run_kilosort.py", line 616, in compute_prepr'
        'ocessing\n'
        '    hp_filter = preprocessing.get_highpass_filter(fs, cutoff, device=device)\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/preprocessing.py", line 126, in get_highpass'
        '_filter\n'
        "    b,a = butter(3, cutoff, fs=fs, btype='high')\n"
        '  File "/home/lab/.venv/lib/python3.11/site-packages/scipy/signal/_filter_design.py", line 2873, in iirfil'
        'ter\n'
        '    raise ValueError("Digital filter critical frequencies must "\n'
        'ValueError: Digital filter critical frequencies must be 0 < Wn < fs/2 (fs=25000.0 -> fs/2=12500.0)\n'
        '\n'
        'Spike sorting failed. You can inspect the runtime trace in /data/lab/sorted/rec1/spikeinterface_log.json.'),
                 id='highpass_above_nyquist'),
    # a misspelt setting (Th_univeral): SpikeInterface refuses it before the sorter runs
    pytest.param('sorter_params_invalid', 'sorter_params_invalid', (
        'Traceback (most recent call last):\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/spikeinterface/sorters/runsorter.py", line 294, in ru'
        'n_sorter_local\n'
        '    SorterClass.set_params_to_folder(recording, folder, sorter_params, verbose)\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/spikeinterface/sorters/basesorter.py", line 202, in s'
        'et_params_to_folder\n'
        '    raise ValueError(error_msg)\n'
        "ValueError: Invalid parameters: ['Th_univeral'] \n"
        "Valid parameters are: dict_keys(['batch_size', 'nblocks', 'Th_universal', 'Th_learned', 'nt', 'shift', 'sc"
        "ale', 'batch_downsampling', 'artifact_threshold', 'nskip', 'whitening_range', 'highpass_cutoff', 'binning_"
        "depth', 'sig_interp', 'drift_smoothing', 'nt0min', 'dmin', 'dminx', 'min_template_size', 'template_sizes',"
        " 'nearest_chans', 'nearest_templates', 'max_channel_distance', 'max_peels', 'templates_from_data', 'n_temp"
        "lates', 'n_pcs', 'Th_single_ch', 'acg_threshold', 'ccg_threshold', 'cluster_neighbors', 'cluster_downsampl"
        "ing', 'max_cluster_subset', 'x_centers', 'cluster_init_seed', 'duplicate_spike_ms', 'position_limit', 'do_"
        "CAR', 'invert_sign', 'save_extra_vars', 'save_preprocessed_copy', 'torch_device', 'bad_channels', 'clear_c"
        "ache', 'do_correction', 'skip_kilosort_preprocessing', 'keep_good_only', 'use_binary_file', 'delete_record"
        "ing_dat', 'pool_engine', 'n_jobs', 'chunk_duration', 'progress_bar', 'mp_context', 'max_threads_per_worker"
        "'])"),
                 id='unknown_param'),
    # a 16-channel int16 file read as 15 channels: Kilosort's own check of the file's size
    pytest.param('probe_config_error', 'probe_config_error', (
        '2026-12-06 04:26:43,316 kilosort.run_kilosort INFO     Computing preprocessing variables.\n'
        'spikeinterface.sorters.utils.misc.SpikeSortingError: Spike sorting error trace:\n'
        'Traceback (most recent call last):\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/run_kilosort.py", line 618, in compute_prepr'
        'ocessing\n'
        "    bfile = io.BinaryFiltered(ops['filename'], n_chan_bin, fs, NT, nt, twav_min,\n"
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/io.py", line 978, in __init__\n'
        '    super().__init__(filename, n_chan_bin, fs, NT, nt, nt0min, device,\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/io.py", line 640, in __init__\n'
        '    self.total_samples = get_total_samples(filename, n_chan_bin, dtype)\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/io.py", line 844, in get_total_samples\n'
        '    raise ValueError(\n'
        "ValueError: Bytes in binary file did not divide evenly, incorrect n_chan_bin ('number of channels' in GUI)"
        '.\n'
        '\n'
        'Spike sorting failed. You can inspect the runtime trace in /data/lab/sorted/rec1/spikeinterface_log.json.'),
                 id='binary_wrong_num_channels'),
    # a 12-contact probe set on a 16-channel recording: SpikeInterface's set_probegroup refuses it
    pytest.param('probe_config_error', 'probe_config_error', (
        'Traceback (most recent call last):\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/spikeinterface/core/baserecordingsnippets.py", line 1'
        '10, in set_probe\n'
        '    return self.set_probegroup(probegroup, group_mode=group_mode, in_place=in_place)\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/spikeinterface/core/baserecordingsnippets.py", line 1'
        '62, in set_probegroup\n'
        '    raise ValueError(\n'
        'ValueError: The probe/probegroup must have the same number of connected contacts as the number of channels'
        ' as the recording, but the probe has 12 connected channels and the recording has 16 channels. Use the `rec'
        'ording.select_channels_with_probegroup()` method instead to return a new recording with a channel selectio'
        'n to match the probe/probegroup.'),
                 id='probe_fewer_contacts'),
    # an int16 file read as float32 (8 channels): NaN among the samples, whitening's svd non-finite over 5 batches;
    # the text does not show the dtype
    pytest.param('input_invalid', 'unclassified', (
        '2026-12-06 04:26:49,877 kilosort.run_kilosort INFO     Computing preprocessing variables.\n'
        '2026-12-06 04:26:49,879 kilosort.run_kilosort INFO     N samples: 250000\n'
        '2026-12-06 04:26:49,879 kilosort.run_kilosort INFO     N seconds: 8.333333333333334\n'
        '2026-12-06 04:26:49,879 kilosort.run_kilosort INFO     N batches: 5\n'
        'spikeinterface.sorters.utils.misc.SpikeSortingError: Spike sorting error trace:\n'
        'Traceback (most recent call last):\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/run_kilosort.py", line 629, in compute_prepr'
        'ocessing\n'
        '    whiten_mat = preprocessing.get_whitening_matrix(bfile, xc, yc, nskip=nskip,\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/preprocessing.py", line 117, in get_whitenin'
        'g_matrix\n'
        '    Wrot = whitening_local(CC, xc, yc, nrange=nrange, device=f.device)\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/preprocessing.py", line 31, in whitening_loc'
        'al\n'
        '    wrot = whitening_from_covariance(CC[np.ix_(ix, ix)])\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/preprocessing.py", line 14, in whitening_fro'
        'm_covariance\n'
        '    E,D,V =  torch.linalg.svd(CC)\n'
        'torch._C._LinAlgError: linalg.svd: The algorithm failed to converge because the input matrix contained non'
        '-finite values.\n'
        '\n'
        'Spike sorting failed. You can inspect the runtime trace in /data/lab/sorted/rec1/spikeinterface_log.json.'),
                 id='int16_read_as_float32'),
    # time_slice(5.0, 20.0) of a 10 s recording, before run_sorter: as frame_slice's
    pytest.param('input_invalid', 'unclassified', (
        'Traceback (most recent call last):\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/spikeinterface/core/baserecording.py", line 553, in t'
        'ime_slice\n'
        '    raise ValueError(f"end_time {end_time} is after the end time {t_end} of the recording.")\n'
        'ValueError: end_time 20.0 is after the end time 9.99996 of the recording.'),
                 id='time_past_end'),
    # the probe's positions in millimetres (x 0.001): the template stage extracted none; the geometry's units are not
    # in the text
    pytest.param('detection_config_error', 'no_spikes_found', (
        '2026-12-06 04:26:59,250 kilosort.spikedetect INFO     Re-computing universal templates from data.\n'
        '2026-12-06 04:27:01,579 kilosort.spikedetect INFO     Number of universal templates: 16\n'
        '2026-12-06 04:27:01,580 kilosort.spikedetect INFO     Detecting spikes...\n'
        '2026-12-06 04:27:07,933 kilosort.run_kilosort INFO     drift computed in 8.68s; total 9.06s\n'
        '2026-12-06 04:27:09,192 kilosort.run_kilosort INFO     Extracting spikes using templates\n'
        '2026-12-06 04:27:09,192 kilosort.spikedetect INFO     Re-computing universal templates from data.\n'
        'spikeinterface.sorters.utils.misc.SpikeSortingError: Spike sorting error trace:\n'
        'Traceback (most recent call last):\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/run_kilosort.py", line 789, in detect_spikes'
        '\n'
        '    st0, tF, ops = spikedetect.run(\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/spikedetect.py", line 208, in run\n'
        "    ops['wPCA'], ops['wTEMP'] = extract_wPCA_wTEMP(\n"
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/spikedetect.py", line 72, in extract_wPCA_wT'
        'EMP\n'
        "    model = TruncatedSVD(n_components=ops['settings']['n_pcs']).fit(clips)\n"
        '  File "/home/lab/.venv/lib/python3.11/site-packages/sklearn/utils/validation.py", line 1113, in check_arr'
        'ay\n'
        '    raise ValueError(\n'
        'ValueError: Found array with 0 sample(s) (shape=(0, 61)) while a minimum of 1 is required by TruncatedSVD.'
        '\n'
        '\n'
        'Spike sorting failed. You can inspect the runtime trace in /data/lab/sorted/rec1/spikeinterface_log.json.'),
                 id='probe_in_millimetres'),
    # one unit firing at 0.5 Hz on 16 channels: the drift stage's detection kept none (two units at 2 Hz sorted)
    pytest.param('insufficient_activity', 'no_spikes_found', (
        '2026-12-06 04:34:14,668 kilosort.run_kilosort INFO     N samples: 250000\n'
        '2026-12-06 04:34:14,668 kilosort.run_kilosort INFO     N seconds: 10.0\n'
        '2026-12-06 04:34:14,668 kilosort.run_kilosort INFO     N batches: 5\n'
        '2026-12-06 04:34:14,780 kilosort.run_kilosort INFO     Preprocessing filters computed in 0.11s; total 0.11'
        's\n'
        '2026-12-06 04:34:14,816 kilosort.run_kilosort INFO     Computing drift correction.\n'
        '2026-12-06 04:34:14,816 kilosort.spikedetect INFO     Re-computing universal templates from data.\n'
        'spikeinterface.sorters.utils.misc.SpikeSortingError: Spike sorting error trace:\n'
        'Traceback (most recent call last):\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/run_kilosort.py", line 713, in compute_drift'
        '_correction\n'
        '    ops, st = datashift.run(ops, bfile, device=device, progress_bar=progress_bar,\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/datashift.py", line 198, in run\n'
        '    st, _, ops  = spikedetect.run(\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/spikedetect.py", line 208, in run\n'
        "    ops['wPCA'], ops['wTEMP'] = extract_wPCA_wTEMP(\n"
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/spikedetect.py", line 72, in extract_wPCA_wT'
        'EMP\n'
        "    model = TruncatedSVD(n_components=ops['settings']['n_pcs']).fit(clips)\n"
        '  File "/home/lab/.venv/lib/python3.11/site-packages/sklearn/utils/validation.py", line 1113, in check_arr'
        'ay\n'
        '    raise ValueError(\n'
        'ValueError: Found array with 0 sample(s) (shape=(0, 61)) while a minimum of 1 is required by TruncatedSVD.'
        '\n'
        '\n'
        'Spike sorting failed. You can inspect the runtime trace in /data/lab/sorted/rec1/spikeinterface_log.json.'),
                 id='few_spikes_1unit_0p5hz'),
    # a binary file cut to half its size after read_binary opened it, behind a scale step (not binary-compatible):
    # SpikeInterface writing recording.dat for the sorter read past the file's end
    pytest.param('input_invalid', 'input_invalid', (
        'Traceback (most recent call last):\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/spikeinterface/preprocessing/normalize_scale.py", lin'
        'e 25, in get_traces\n'
        '    scaled_traces = self.parent_recording_segment.get_traces(start_frame, end_frame, channel_indices).asty'
        'pe(\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/spikeinterface/core/binaryrecordingextractor.py", lin'
        'e 246, in get_traces\n'
        '    memmap_obj = mmap.mmap(self.file.fileno(), length=length, access=mmap.ACCESS_READ, offset=memmap_offse'
        't)\n'
        'ValueError: mmap length is greater than file size'),
                 id='file_truncated_while_open'),
    # a recording of two 5 s segments (runs): SpikeInterface's initialize_folder refuses it for Kilosort 4
    pytest.param('input_invalid', 'input_invalid', (
        'Traceback (most recent call last):\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/spikeinterface/sorters/external/kilosort4.py", line 1'
        '22, in initialize_folder\n'
        '    return super().initialize_folder(recording, output_folder, verbose, remove_existing_folder)\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/spikeinterface/sorters/basesorter.py", line 143, in i'
        'nitialize_folder\n'
        '    raise ValueError(\n'
        'ValueError: This sorter kilosort4 does not handle multi-segment recordings, use si.concatenate_recordings('
        '...)'),
                 id='multi_segment'),
    # n_pcs=0: scikit-learn's TruncatedSVD refuses 0 components in the drift stage's extract_wPCA_wTEMP
    pytest.param('sorter_params_invalid', 'sorter_params_invalid', (
        '2026-12-06 04:36:53,270 kilosort.run_kilosort INFO     N samples: 250000\n'
        '2026-12-06 04:36:53,270 kilosort.run_kilosort INFO     N seconds: 10.0\n'
        '2026-12-06 04:36:53,270 kilosort.run_kilosort INFO     N batches: 5\n'
        '2026-12-06 04:36:53,320 kilosort.run_kilosort INFO     Preprocessing filters computed in 0.05s; total 0.05'
        's\n'
        '2026-12-06 04:36:53,356 kilosort.run_kilosort INFO     Computing drift correction.\n'
        '2026-12-06 04:36:53,356 kilosort.spikedetect INFO     Re-computing universal templates from data.\n'
        'spikeinterface.sorters.utils.misc.SpikeSortingError: Spike sorting error trace:\n'
        'Traceback (most recent call last):\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/run_kilosort.py", line 713, in compute_drift'
        '_correction\n'
        '    ops, st = datashift.run(ops, bfile, device=device, progress_bar=progress_bar,\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/datashift.py", line 198, in run\n'
        '    st, _, ops  = spikedetect.run(\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/spikedetect.py", line 208, in run\n'
        "    ops['wPCA'], ops['wTEMP'] = extract_wPCA_wTEMP(\n"
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/spikedetect.py", line 72, in extract_wPCA_wT'
        'EMP\n'
        "    model = TruncatedSVD(n_components=ops['settings']['n_pcs']).fit(clips)\n"
        '  File "/home/lab/.venv/lib/python3.11/site-packages/sklearn/utils/_param_validation.py", line 98, in vali'
        'date_parameter_constraints\n'
        '    raise InvalidParameterError(\n'
        "sklearn.utils._param_validation.InvalidParameterError: The 'n_components' parameter of TruncatedSVD must b"
        'e an int in the range [1, inf). Got 0 instead.\n'
        '\n'
        'Spike sorting failed. You can inspect the runtime trace in /data/lab/sorted/rec1/spikeinterface_log.json.'),
                 id='n_pcs_zero'),
    # bad_channels given as channel ids ['3', '7'] where Kilosort takes rows of the binary: its remove_bad_channels
    pytest.param('probe_config_error', 'probe_config_error', (
        'spikeinterface.sorters.utils.misc.SpikeSortingError: Spike sorting error trace:\n'
        'Traceback (most recent call last):\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/run_kilosort.py", line 435, in set_files\n'
        '    probe = io.remove_bad_channels(probe, bad_channels)\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/io.py", line 210, in remove_bad_channels\n'
        '    raise IndexError(f"Channel \'{k}\' was not in probe[\'chanMap\']")\n'
        "IndexError: Channel '3' was not in probe['chanMap']\n"
        '\n'
        'Spike sorting failed. You can inspect the runtime trace in /data/lab/sorted/rec1/spikeinterface_log.json.'),
                 id='bad_channels_ids'),
    # torch_device='cuda' on a CPU-only torch
    pytest.param('device_unavailable', 'device_unavailable', (
        '2026-12-06 04:37:13,071 kilosort.run_kilosort INFO     Computing preprocessing variables.\n'
        'spikeinterface.sorters.utils.misc.SpikeSortingError: Spike sorting error trace:\n'
        'Traceback (most recent call last):\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/run_kilosort.py", line 616, in compute_prepr'
        'ocessing\n'
        '    hp_filter = preprocessing.get_highpass_filter(fs, cutoff, device=device)\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/preprocessing.py", line 135, in get_highpass'
        '_filter\n'
        '    hp_filter = torch.from_numpy(hp_filter).to(device).float()\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/torch/cuda/__init__.py", line 522, in _lazy_init\n'
        '    raise AssertionError("Torch not compiled with CUDA enabled")\n'
        'AssertionError: Torch not compiled with CUDA enabled\n'
        '\n'
        'Spike sorting failed. You can inspect the runtime trace in /data/lab/sorted/rec1/spikeinterface_log.json.'),
                 id='torch_device_cuda'),
    # nearest_chans=0: an IndexError on an empty array in spikedetect.run; nothing in the text names the setting, and
    # the shape is a bug's as often
    pytest.param('sorter_params_invalid', 'unclassified', (
        '2026-12-06 04:36:59,917 kilosort.run_kilosort INFO     N seconds: 10.0\n'
        '2026-12-06 04:36:59,917 kilosort.run_kilosort INFO     N batches: 5\n'
        '2026-12-06 04:36:59,966 kilosort.run_kilosort INFO     Preprocessing filters computed in 0.05s; total 0.05'
        's\n'
        '2026-12-06 04:37:00,001 kilosort.run_kilosort INFO     Computing drift correction.\n'
        '2026-12-06 04:37:00,001 kilosort.spikedetect INFO     Re-computing universal templates from data.\n'
        '2026-12-06 04:37:00,416 kilosort.spikedetect INFO     Number of universal templates: 30\n'
        'spikeinterface.sorters.utils.misc.SpikeSortingError: Spike sorting error trace:\n'
        'Traceback (most recent call last):\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/run_kilosort.py", line 713, in compute_drift'
        '_correction\n'
        '    ops, st = datashift.run(ops, bfile, device=device, progress_bar=progress_bar,\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/datashift.py", line 198, in run\n'
        '    st, _, ops  = spikedetect.run(\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/spikedetect.py", line 230, in run\n'
        "    igood = ds[0,:] <= ops['max_channel_distance']**2\n"
        'IndexError: index 0 is out of bounds for axis 0 with size 0\n'
        '\n'
        'Spike sorting failed. You can inspect the runtime trace in /data/lab/sorted/rec1/spikeinterface_log.json.'),
                 id='nearest_chans_zero'),
    # batch_size=100 (below nt's reach): torch's reshape of 0 elements in template_match; a bug's shape, the setting
    # not in the text
    pytest.param('sorter_params_invalid', 'unclassified', (
        '2026-12-06 04:37:06,640 kilosort.run_kilosort INFO     Preprocessing filters computed in 0.06s; total 0.06'
        's\n'
        '2026-12-06 04:37:06,642 kilosort.run_kilosort INFO     Computing drift correction.\n'
        '2026-12-06 04:37:06,642 kilosort.spikedetect INFO     Re-computing universal templates from data.\n'
        '2026-12-06 04:37:06,865 kilosort.spikedetect INFO     Number of universal templates: 30\n'
        '2026-12-06 04:37:06,866 kilosort.spikedetect INFO     Detecting spikes...\n'
        '2026-12-06 04:37:06,923 kilosort.spikedetect ERROR    Error in spikedetect.run on batch 0\n'
        'spikeinterface.sorters.utils.misc.SpikeSortingError: Spike sorting error trace:\n'
        'Traceback (most recent call last):\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/run_kilosort.py", line 713, in compute_drift'
        '_correction\n'
        '    ops, st = datashift.run(ops, bfile, device=device, progress_bar=progress_bar,\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/datashift.py", line 198, in run\n'
        '    st, _, ops  = spikedetect.run(\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/spikedetect.py", line 262, in run\n'
        '    xy, imax, amp, adist = template_match(X, ops, iC, iC2, weigh, device=device)\n'
        '  File "/home/lab/.venv/lib/python3.11/site-packages/kilosort/spikedetect.py", line 153, in template_match'
        '\n'
        '    A = A.reshape(-1, Nfilt, A.shape[-1])\n'
        'RuntimeError: cannot reshape tensor of 0 elements into shape [-1, 30, 0] because the unspecified dimension'
        ' size -1 can be any value and is ambiguous\n'
        '\n'
        'Spike sorting failed. You can inspect the runtime trace in /data/lab/sorted/rec1/spikeinterface_log.json.'),
                 id='batch_size_small'),
]


@pytest.mark.parametrize("induced, expected, text", CASES)
def test_a_reproduced_failure_gets_the_verdict_its_text_shows(induced, expected, text):
    verdict = classify(text)
    assert verdict.error_class == expected, verdict.evidence
    if verdict.classified and not CLASSES[expected].needs_evidence:
        assert verdict.category == CLASSES[induced].category  # never a false block: the cause's own category



def _case(name: str) -> str:
    return next(str(p.values[2]) for p in CASES if p.id == name)


def _from_the_traceback(text: str) -> str:
    """The text without Kilosort's log: what is pasted when only the traceback is."""
    return text[text.index("spikeinterface.sorters.utils.misc.SpikeSortingError"):]


def _as_console(text: str) -> str:
    """The log lines as Kilosort's console prints them (``name: message``, no time or level)."""
    return re.sub(r"^\S+ \S+ (kilosort\.\w+) +[A-Z]+ +", r"\1: ", text, flags=re.MULTILINE)


def _exception_alone(text: str) -> str:
    """The exception's own line: the library's words, any caller's."""
    return next(line for line in text.splitlines() if line.startswith(("IndexError", "ValueError", "torch.")))


LOOK_ALIKES = [
    # the same failures as Kilosort's console prints its log: the counts read alike
    pytest.param(_as_console(_case("th_learned_high")), "no_spikes_found", id="console-0-spikes-then-no-channel"),
    pytest.param(_as_console(_case("batch_larger")), "input_invalid", id="console-one-batch"),
    # the learned pass counted spikes, then no channel near any centre: the probe's geometry or dmin/dminx
    pytest.param(_case("th_learned_high").replace(" 0 spikes extracted", " 919 spikes extracted"), "probe_config_error",
                 id="no-channel-near-a-centre-after-919-spikes"),
    # whitening's non-finite values without Kilosort's batch count: NaN samples fail at the same line
    pytest.param(_from_the_traceback(_case("batch_larger")), "unclassified", id="non-finite-whitening-without-the-log"),
    pytest.param(_case("batch_larger").replace("N batches: 1", "N batches: 5"), "unclassified",
                 id="non-finite-whitening-over-5-batches"),
    # the exceptions alone: torch's, SciPy's and NumPy's words, which any caller meets
    pytest.param(_exception_alone(_case("bad_channels_all")), "unclassified", id="median-over-nothing-alone"),
    pytest.param(_exception_alone(_case("template_sizes_zero")), "unclassified", id="max-over-nothing-alone"),
    pytest.param(_exception_alone(_case("nt_small")), "unclassified", id="n-components-beyond-n-features-alone"),
    pytest.param(_exception_alone(_case("x_centers_big")), "unclassified", id="larger-sample-than-population-alone"),
    pytest.param(_exception_alone(_case("short_than_batch")), "unclassified", id="non-finite-svd-alone"),
    pytest.param(_exception_alone(_case("file_truncated_while_open")), "unclassified", id="mmap-past-the-end-alone"),
]


@pytest.mark.parametrize("text, expected", LOOK_ALIKES)
def test_the_same_failure_printed_otherwise_or_without_kilosorts_frame_or_count(text, expected):
    assert classify(text).error_class == expected
