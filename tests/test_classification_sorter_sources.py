"""The classifier on the messages of the sorters and readers users run in versions this machine doesn't have.

Users paste what an older SpikeInterface (its sorter wrappers, containers, peak detectors, readers), another
Kilosort 4.0.x release, probeinterface's probe library or another sorter printed. Each case is one such
message as its traceback's last line shows it, placeholders filled with realistic values, with a comment
naming the public upstream file (repo, tag, path) where the string is written. Where the message says an
environment, resource or biological cause, that class; where it signals a bug (an assertion without words, a
sorter that "returned a non-zero exit code", a result file missing) or says nothing of its cause,
unclassified. Each block ends with look-alikes: the same words where a bug, or nothing, is behind them.
"""

from __future__ import annotations

import pytest

from sortcanary.classification import classify

SSE = "spikeinterface.sorters.utils.misc.SpikeSortingError: "
SCE = "----------------------------  Error  -----------------------------\n| {}\n" + "-" * 66

CASES = [
    # -- SpikeInterface's sorter launcher (SpikeInterface/spikeinterface) -------------------------------------------
    # 0.101.2 src/spikeinterface/sorters/basesorter.py: initialize_folder, a sorter its is_installed() can't find
    ("Exception: The sorter kilosort2 is not installed. Please install it with:\n\nTo use Kilosort run:\n >>git "
     "clone https://github.com/MouseLand/Kilosort\nand provide the installation path by setting the KILOSORT2_PATH\n"
     "environment variables or using Kilosort2Sorter.set_kilosort2_path().", "sorter_not_installed"),
    # ... the same function: a sorter that needs locations, on a recording without a probe
    ("RuntimeError: Channel locations are required for this spike sorter. Locations can be added to the "
     "RecordingExtractor by loading a probe file (.prb or .csv) or by setting them manually.", "probe_config_error"),
    # 0.98.2 src/spikeinterface/sorters/basesorter.py: set_params_to_folder, a parameter the sorter doesn't have
    ("AttributeError: Bad parameters: ['detect_treshold']", "sorter_params_invalid"),
    # 0.101.2 src/spikeinterface/sorters/runsorter.py: run_sorter, a container mode without its engine or client
    ("RuntimeError: Docker is not installed. Install docker on this machine to run sorting with docker.",
     "container_runtime_missing"),
    ("RuntimeError: Singularity is not installed. Install singularity on this machine to run sorting with "
     "singularity.", "container_runtime_missing"),
    ("RuntimeError: The python `docker` package must be installed. Install with `pip install docker`",
     "container_runtime_missing"),
    ("RuntimeError: The python `spython` package must be installed to run singularity. Install with `pip install "
     "spython`", "container_runtime_missing"),
    # 0.101.2 src/spikeinterface/sorters/container_tools.py: SingularityContainer, an image it can't find or pull
    ("FileNotFoundError: Unable to locate container image spikeinterface/kilosort2-compiled-base:latest",
     "container_image_pull_failed"),
    # 0.101.2 src/spikeinterface/sorters/utils/misc.py: has_nvidia; src/spikeinterface/sorters/runsorter.py
    ("Exception: This sorter requires cuda, but the package 'cuda-python' is not installed. You can install it "
     "with:\npip install cuda-python", "dependency_missing"),
    ("AssertionError: The container requires a NVIDIA GPU capability, but it is not available", "device_unavailable"),
    # 0.98.2 src/spikeinterface/sorters/utils/misc.py: get_bash_path
    ("Exception: Bash is not installed or accessible on your system.", "dependency_missing"),
    # 0.99.1 src/spikeinterface/sorters/external/kilosortbase.py: _setup_recording
    ("RuntimeError: 3D 'location' are not supported. Set 2D locations instead", "probe_config_error"),
    # ... the external sorters' own launches that failed: they say no cause (the sorter's log does, if anything)
    ("Exception: combinato returned a non-zero exit code", "unclassified"),  # 0.99.1 sorters/external/combinato.py
    ("Exception: ironclust returned a non-zero exit code", "unclassified"),  # 0.99.1 sorters/external/ironclust.py
    ("Exception: Result file does not exist: /data/lab/sorted/rec1/sorter_output/tmp/firings.mda",
     "unclassified"),  # 0.99.1 sorters/external/ironclust.py
    ("Exception: Klusta did not run successfully", "unclassified"),  # 0.99.1 sorters/external/klusta.py
    # 0.101.2 src/spikeinterface/sorters/basesorter.py: run_from_folder, the summary line after the trace
    (SSE + "Spike sorting failed. You can inspect the runtime trace in /data/lab/sorted/rec1/spikeinterface_log.json.",
     "unclassified"),
    # 0.98.2 src/spikeinterface/sorters/runsorter.py: run_sorter_container, the container's own trace inside
    (SSE + "Spike sorting in docker failed with the following error:\nTraceback (most recent call last):\n  File "
     "\"/sorter/in_container_sorter_script.py\", line 17, in <module>\n    sorting = run_sorter_local(\nAssertionError",
     "unclassified"),
    # 0.101.2 src/spikeinterface/sorters/basesorter.py: an output folder left from an earlier run (the workflow's own)
    ("ValueError: Folder /data/lab/sorted/rec1 already exists", "unclassified"),
    # -- SpikeInterface's optional dependencies: each component says which package it needs -----------------------
    # 0.99.1 src/spikeinterface/sorters/external/hdsort.py and combinato.py
    ("Exception: To use HDSort, install h5py: pip install h5py", "dependency_missing"),
    ("AssertionError: You must install h5py for combinato", "dependency_missing"),
    # 0.98.2 src/spikeinterface/sorters/internal/spyking_circus2.py; 0.100.8 sortingcomponents/clustering/circus.py
    ("AssertionError: spykingcircus2 needs hdbscan to be installed", "dependency_missing"),
    ("AssertionError: random projections clustering needs hdbscan to be installed", "dependency_missing"),
    # 0.100.8 src/spikeinterface/sortingcomponents/matching/tdc.py; 0.96.1 spikeinterface/sortingcomponents/
    # peak_detection.py and preprocessing/filter_opencl.py; 0.98.2 and 0.104.8 sortingcomponents/peak_detection
    ("AssertionError: TridesclousPeeler needs numba to be installed", "dependency_missing"),
    ("AssertionError: You need to install numba", "dependency_missing"),
    ("AssertionError: You need to install pyopencl (and GPU driver!!)", "dependency_missing"),
    ("ModuleNotFoundError: \"by_channel_torch\" needs torch which is not installed", "dependency_missing"),
    ("ModuleNotFoundError: \"locally_exclusive_cl\" needs pyopencl which is not installed", "dependency_missing"),
    # 0.102.3 src/spikeinterface/sortingcomponents/matching/circus.py and motion/dredge.py; 0.100.8
    # sortingcomponents/motion_estimation.py
    ("AssertionError: please install torch to use the torch engine", "dependency_missing"),
    ("ImportError: The dredge method require torch: pip install torch", "dependency_missing"),
    ("ImportError: To use the 'phase_cross_correlation' method install scikit-image", "dependency_missing"),
    # 0.104.8 src/spikeinterface/sortingcomponents/waveforms/neural_network_denoiser.py; extractors/matlabhelpers.py
    ("AssertionError: To download models from Hugginface you need to install huggingface_hub", "dependency_missing"),
    ("ImportError: Version 7.2 .mat file given, but you don't have h5py installed.", "dependency_missing"),
    # 0.102.3 src/spikeinterface/preprocessing/deepinterpolation/deepinterpolation.py: a package older than needed
    ("ImportError: DeepInterpolation version must be at least 0.2.0", "dependency_version_mismatch"),
    # ... look-alikes: an install advice that names no package, a version that is a value's format
    ("ImportError: cannot continue: you need to install it first", "unclassified"),
    ("RuntimeError: please install the latest driver to use this feature", "unclassified"),
    ("Note: you should install spikeinterface in a fresh environment to avoid conflicts", "unclassified"),
    ("ValueError: the version should be a string", "unclassified"),
    ("UserWarning: the version must be set before saving", "unclassified"),
    # -- SpikeInterface's probe and readers ---------------------------------------------------------------------------
    # 0.96.1 spikeinterface/extractors/shybridextractors.py; 0.98.2 src/spikeinterface/core/baserecordingsnippets.py
    ("spikeinterface.extractors.shybridextractors.GeometryNotLoadedError: Channel locations were not found",
     "probe_config_error"),
    ("Exception: There are no channel locations", "probe_config_error"),
    ("ValueError: There is no Probe attached to this recording. Use set_probe(...) to attach one.",
     "probe_config_error"),
    # 0.100.8 src/spikeinterface/preprocessing/interpolate_bad_channels.py
    ("ValueError: A probe must be attached to use bad channel interpolation. Use set_probe(...)",
     "probe_config_error"),
    # 0.100.8 src/spikeinterface/extractors/neoextractors/neobaseextractor.py: a file with several streams, none named
    ("ValueError: This reader have several streams: \nNames: ['imec0.ap', 'imec0.lf']\nIDs: ['imec0.ap', "
     "'imec0.lf']. Specify it with the 'stream_name' or 'stream_id' arguments", "input_invalid"),
    # ... look-alikes: the same words with no probe or file behind them, and a bug's bare assertion
    ("ValueError: channel locations are not consistent with the number of channels", "unclassified"),
    ("ValueError: Unrecognized extension for output: rec1.txt", "unclassified"),
    ("AssertionError: probe must have channel_indices", "unclassified"),
    ("AssertionError: no spikes in cluster", "unclassified"),  # 0.98.2 extractors/klustaextractors.py
    ("AssertionError", "unclassified"),
    ("KeyError: 'probe'", "unclassified"),
    ("IndexError: index 385 is out of bounds for axis 0 with size 384", "unclassified"),
    # -- SpikeInterface's predecessors: spikesorters 0.4.5 and spikeextractors 0.9.x (SpikeInterface/spikesorters,
    # SpikeInterface/spikeextractors) -------------------------------------------------------------------------------
    # spikesorters/basesorter.py: BaseSorter.__init__, the sorter's installation message in the assertion
    ("AssertionError: The sorter herdingspikes is not installed.\n        Please install it with:  \n\nTo use "
     "HerdingSpikes run:\n\n       >>> pip install herdingspikes\n    More information on HerdingSpikes at:\n      * "
     "https://github.com/mhhennig/hs2\n     ", "sorter_not_installed"),
    # spikesorters/ironclust/ironclust.py: _setup_recording, the MATLAB sorter's path unset
    ("Exception: \nTo use IronClust run:\n\n        >>> git clone https://github.com/flatironinstitute/ironclust\n    "
     "and provide the installation path by setting the IRONCLUST_PATH\n    environment variables or using "
     "IronClustSorter.set_ironclust_path().\n\n\n    ", "sorter_not_installed"),
    # spikesorters/hdsort/hdsort.py
    ("AssertionError: 'location' property is needed to run HDSort", "probe_config_error"),
    # spikesorters/basesorter.py: run, whatever the sorter raised, and the run_sorters() folder check
    ("spikesorters.sorter_tools.SpikeSortingError: Spike sorting failed: kilosort2 returned a non-zero exit code. You "
     "can inspect the runtime trace in the kilosort2.log of the output folder.'", "unclassified"),
    ("AssertionError: 'working_folder' already exists, please remove it", "unclassified"),
    # spikeextractors/extractors/*/ (neo, alfsorting, matsorting, neuroscope), extraction_tools.py: each extractor's
    # installation_mesg, asserted where it is built
    ("AssertionError: To use the Neo extractors, install Neo: \n\n pip install neo\n\n", "dependency_missing"),
    ("AssertionError: To use the ALFSortingExtractor run:\n\n pip install pandas\n\n", "dependency_missing"),
    ("AssertionError: To use the MATSortingExtractor install h5py and scipy: \n\n pip install h5py scipy\n\n",
     "dependency_missing"),
    ("AssertionError: Please install lxml to use this extractor!", "dependency_missing"),
    ("AssertionError: To write to h5 you need to install h5py: pip install h5py", "dependency_missing"),
    # spikeextractors/extractors/exdirextractors/exdirextractors.py; SpikeInterface 0.100.8 src/spikeinterface/
    # extractors/nwbextractors.py and 0.96.1 extractors/neoextractors/neobaseextractor.py: a reader that can't find
    # the rate in the file asks the user for it
    ("Exception: Sampling rate information not found. Please provide it with the 'sampling_frequency' argument",
     "input_invalid"),
    ("AssertionError: Couldn't load sampling frequency. Please provide it with the 'sampling_frequency' argument",
     "input_invalid"),
    ("AssertionError: sampling_frequency could not be inferred from the signals, set it manually", "input_invalid"),
    # spikeextractors/extraction_tools.py (a .prb file read); extractors/phyextractors/phyextractors.py
    ("AttributeError: '.prb' file should contain the 'channel_groups' field", "probe_config_error"),
    ("AssertionError: Channel map inconsistent with dat file.", "probe_config_error"),
    # ... look-alikes: a key missing in the code's own dictionary, a format the reader does not name
    ("KeyError: 'sampling_frequency not found in kwargs'", "unclassified"),
    ("Exception: Unknown data file format.", "unclassified"),
    # -- neo's rawio (NeuralEnsemble/python-neo) --------------------------------------------------------------------
    # 0.14.2 neo/rawio/spikeglxrawio.py and intanrawio.py
    ("FileNotFoundError: No appropriate combination of .meta and .bin files were detected in /data/lab/rec1_g0",
     "input_invalid"),
    ("ValueError: /data/lab/rec1/info.rhd is not a valid Intan file. Expected .rhd or .rhs extension", "input_invalid"),
    # 0.13.0 neo/rawio/blackrockrawio.py, tdtrawio.py and neuroscoperawio.py: the files the reader expects, absent
    ("OSError: No Blackrock files found in specified path", "input_invalid"),
    ("ValueError: No data folder or file found for /data/lab/tdt/Block-1", "input_invalid"),
    ("AssertionError: binary file not found at the expected location /data/lab/rec1/rec1.dat", "input_invalid"),
    ("FileNotFoundError: data binary not found for file rec1 with supported extensions: ['.dat', '.eeg', '.lfp']",
     "input_invalid"),
    # 0.13.0 neo/rawio/baserawio.py: the optional cache
    ("ImportError: Using the RawIO cache needs joblib to be installed", "dependency_missing"),
    # ... look-alikes: a bare missing path (a bug's as often), a file version the reader does not read yet, and
    # files missing from no folder the user gave
    ("FileNotFoundError: /data/lab/rec1/info.rhd does not exist", "unclassified"),
    ("NotImplementedError: This meta file version of spikeglx is not implemented", "unclassified"),
    ("No cached files found in /tmp/cache", "unclassified"),
    # -- SpyKING CIRCUS 1 (spyking-circus/spyking-circus circus/shared/messages.py print_error's box) ---------------
    # circus/shared/probes.py: read_probe
    (SCE.format("The probe file /home/alice/probes/mea_256.prb can not be found"), "probe_config_error"),
    (SCE.format("The probe file is not specified"), "probe_config_error"),
    (SCE.format("Something wrong with the syntax of the probe file:\ninvalid syntax (mea_256.prb, line 4)"),
     "probe_config_error"),
    (SCE.format("Probe has no group named 1 for dead channels"), "probe_config_error"),
    # circus/shared/parser.py: the .params file's values checked
    (SCE.format("memory_usage in [data] should be in ]0,1]"), "sorter_params_invalid"),
    (SCE.format("With 1 channel, remove_median in [filtering] is not possible"), "sorter_params_invalid"),
    # ... look-alikes: its own intermediate files missing, a guess at the parameters
    (SCE.format("No templates found! Check suffix?"), "unclassified"),
    (SCE.format("No silent periods detected: something wrong with the parameters?"), "unclassified"),
    # -- pykilosort / iblsorter (int-brain-lab/pykilosort) and HerdingSpikes 2 (mhhennig/HS2) ----------------------
    # iblsorter/preprocess.py: get_good_channels, the sorter's own bad-channel detection
    ("RuntimeError: More than half of channels are considered bad. Verify your raw data and eventually updatethe "
     "channel_detection_parameters. \nCheck /data/lab/rec1/pykilosort/_iblqc_covariance_matrix.png",
     "no_good_channels"),
    ("UserWarning: 3 channels were marked bad", "unclassified"),
    # iblsorter/cluster.py: a batch without spikes (its logger's line); herdingspikes/hs2.py: DetectFromRaw and its
    # file loader
    ("Data batch #12 only had 0 spikes.", "no_spikes_found"),
    ("AssertionError: No spikes detected", "no_spikes_found"),
    ("OSError: File format unknown. Expected .hdf5 or .bin", "input_invalid"),
    # ... look-alikes: mean shift's seeds (the clustering's own), a write the code did not finish
    ("ValueError: No point was within bandwidth=5.000000 of any seed. Try a different seeding strategy or increase "
     "the bandwidth.", "unclassified"),
    ("AssertionError: Some batches were only saved partially", "unclassified"),
    # -- Tridesclous (tridesclous/tridesclous) and MountainSort 4/5 (flatironinstitute/mountainsort5) -------------
    # tridesclous/cluster.py, cltools.py, importers.py: optional engines asserted where they are chosen
    ("AssertionError: isosplit5 is not installed", "dependency_missing"),
    ("AssertionError: PyOpenCL is not installed", "dependency_missing"),
    ("AssertionError: h5py is not installed", "dependency_missing"),
    # tridesclous/online/launcher.py: the probe the online launcher's set-up needs
    ("ValueError: Must select probe file", "probe_config_error"),
    # ... look-alikes: the working folder left from a run, the OpenCL path's own limits, a notice that goes on
    ("AssertionError: tdc already exisst please remvoe /data/lab/sorted/rec1/tdc", "unclassified"),  # importers.py
    ("AssertionError: SignalPreprocessor_OpenCL support only float32 at the moment", "unclassified"),
    ("UserWarning: numba is not installed, falling back to numpy", "unclassified"),
    ("CUDA is not installed", "unclassified"),  # which part of it, the text does not say
    # mountainsort5/schemes/Scheme1SortingParameters.py: traces and locations of one recording disagree only in a bug
    ("AssertionError: Shape mismatch between traces and channel locations", "unclassified"),
    # SpikeInterface/spikesorters spikesorters/mountainsort4/mountainsort4.py: MountainSort 4's module before it was
    # renamed mountainsort4 (SpikeInterface's wrappers import that name), and the isosplit5 it clusters with
    ("ModuleNotFoundError: No module named 'ml_ms4alg'", "sorter_not_installed"),
    ("Traceback (most recent call last):\n  File \"/home/alice/venv/lib/python3.8/site-packages/spikesorters/"
     "mountainsort4/mountainsort4.py\", line 11, in <module>\n    import ml_ms4alg\nModuleNotFoundError: No module "
     "named 'ml_ms4alg'", "sorter_not_installed"),
    ("ModuleNotFoundError: No module named 'isosplit5'", "dependency_missing"),
    # pypa/setuptools setuptools/_distutils (msvccompiler, spawn) and CPython's build: isosplit5's and the
    # sorters' C/C++ extensions built at install time without a compiler or Python's headers
    ("error: Microsoft Visual C++ 14.0 or greater is required. Get it with \"Microsoft C++ Build Tools\": "
     "https://visualstudio.microsoft.com/visual-cpp-build-tools/", "dependency_missing"),
    ("unable to execute 'gcc': No such file or directory", "dependency_missing"),
    ("isosplit5/isosplit5.cpp:4:10: fatal error: Python.h: No such file or directory", "dependency_missing"),
    # ... look-alikes: a build that failed for a reason it does not say
    ("ERROR: Failed building wheel for isosplit5", "unclassified"),
    ("error: command 'gcc' failed with exit status 1", "unclassified"),
    # -- phy's template model (cortex-lab/phylib phylib/io/model.py): the sorter's own output files missing --------
    ("OSError: None of these files could be found in /data/lab/sorted/rec1/phy: spike_times.npy.", "unclassified"),
    # -- SpikeInterface's readers and containers, continued -----------------------------------------------------------
    # 0.100.8 src/spikeinterface/extractors/nwbextractors.py (fsspec stream) and core/zarrextractors.py
    ("RuntimeError: /data/lab/rec1/rec1.nwb is not a valid HDF5 file!", "input_invalid"),
    # ... but a reader's own format check: one of another version says the same of a folder it can't read
    ("ValueError: Cannot find 'channel_ids' or 'unit_ids' in zarr root. Not a valid SpikeInterface zarr format",
     "unclassified"),
    # 0.100.8 src/spikeinterface/extractors/cbin_ibl.py: its installation_mesg
    ("ImportError: To use the CompressedBinaryIblExtractor, install mtscomp: \n\n pip install mtscomp\n\n",
     "dependency_missing"),
    # 0.104.8 src/spikeinterface/sorters/runsorter.py and container_tools.py: warnings that something "may" fail,
    # written before the sort, whatever then ends it (a later failure is read on its own)
    ("UserWarning: nvidia-required but none of \n['libnvidia-container', 'libnvidia-container-tools', "
     "'nvidia-container-toolkit']\n were found. This may result in an error being raised during sorting. Try "
     "installing `nvidia-container-toolkit`, including setting the configuration steps, if running into errors.",
     "unclassified"),
    ("UserWarning: pip install of spikeinterface in container may have failed. pip output:\nERROR: Could not find a "
     "version that satisfies the requirement spikeinterface==0.104.8 (from versions: none)\nERROR: No matching "
     "distribution found for spikeinterface==0.104.8", "unclassified"),  # no index reachable, or no such release
    # ... look-alikes: the caller's own use of the API, and a file the text does not say what it should be
    ("RuntimeError: To use run_sorter with a container the recording must be serializable", "unclassified"),
    ("ValueError: sorter kilosort2 not in SORTER_DOCKER_MAP. Please specify a container_image.", "unclassified"),
    ("ValueError: params.py is not a valid file", "unclassified"),
    # -- Wave_clus (csn-le/wave_clus Batch_files/Do_clustering.m: do_clustering_single's warnings, MATLAB's shape) --
    ("Warning: Not enough spikes in the file \n> In Do_clustering>do_clustering_single (line 186)\n  In Do_clustering "
     "(line 97)", "no_spikes_found"),
    # ... look-alikes: its clustering binary failing for no stated reason, one cluster too small
    ("Warning: Error in SPC \n> In Do_clustering>do_clustering_single (line 229)\n  In Do_clustering (line 97)",
     "unclassified"),
    ("ValueError: Not enough spikes in cluster 12 to compute its PCA", "unclassified"),
    # -- the Qt bindings a sorter's GUI or phy imports through qtpy or pyqtgraph (spyder-ide/qtpy qtpy/*.py,
    # pyqtgraph/pyqtgraph pyqtgraph/Qt/__init__.py): none installed, or none that loads
    ("qtpy.QtBindingsNotFoundError: No Qt bindings could be found", "dependency_missing"),
    ("Exception: PyQtGraph requires one of PyQt5, PyQt6, PySide2 or PySide6; none of these packages could be "
     "imported.", "dependency_missing"),
    # -- YASS (paninski-lab/yass src/yass/config/validate.py): its config schema rejecting a value -----------------
    ("ValueError: Errors occurred while validating the configuration file: {'resources': [{'n_processors': ['must "
     "be of integer type']}]}", "sorter_params_invalid"),
    # ... look-alike: another pipeline building the sorter's configuration (its own frame first)
    ("Traceback (most recent call last):\n  File \"/home/alice/venv/lib/python3.8/site-packages/labpipe/sort.py\", "
     "line 40, in run_yass\n    yass.set_config(config)\nValueError: Errors occurred while validating the "
     "configuration file: {'resources': [{'n_processors': ['must be of integer type']}]}", "unclassified"),
    # -- Kilosort 4.0.x (MouseLand/Kilosort) --------------------------------------------------------------------------
    # v4.0.4 kilosort/run_kilosort.py: the settings and paths it is given
    ("ValueError: No spikes detected, cannot continue sorting.", "no_spikes_found"),
    ("FileExistsError: probe_path '/home/alice/probes/np1.json' does not exist", "input_invalid"),
    ("FileExistsError: data_dir '/data/lab/rec1' does not exist", "input_invalid"),
    ("FileExistsError: filename '/data/lab/rec1/continuous.dat' does not exist", "input_invalid"),
    ("ValueError: no probe_name or probe_path provided, set probe_name=", "probe_config_error"),
    ("ValueError: If using pre-computed universal templates (templates_from_data=False), nt must be 61",
     "sorter_params_invalid"),
    ("ValueError: `n_chan_bin` is a required setting. This is the total number of channels in the binary file, "
     "which may or may not be equal to the number of channels specified by the probe.", "sorter_params_invalid"),
    # v4.0.30 kilosort/run_kilosort.py
    ("ValueError: Unrecognized settings: ['n_chans']", "sorter_params_invalid"),
    # v4.0.4 kilosort/io.py: the binary and the probe
    ("ValueError: No binary file found in /data/lab/rec1. Expected extensions are:\n*.bin, *.bat, *.dat, or *.raw.",
     "input_invalid"),
    ("ModuleNotFoundError: SpikeInterface could not be imported, but is needed for loading multi-segment "
     "SpikeInterface recordings. Please run `pip install spikeinterface`.", "dependency_missing"),
    ("ValueError: Bytes in binary file did not divide evenly, incorrect n_chan_bin ('number of channels' in GUI).",
     "probe_config_error"),
    # v4.0.30 kilosort/io.py; v4.1.5 kilosort/io.py (select_shank) and kilosort/run_kilosort.py
    ("ValueError: Unrecognized extension for probe: np1.txt\nRecognized extensions are .mat, .prb, or .json.",
     "probe_config_error"),
    ("ValueError: Missing required key: xc after loading probe.", "probe_config_error"),
    ("ValueError: Selected empty shank index: 2, can't sort.", "probe_config_error"),
    ("ValueError: Array-valued probe entries should have 1 dim, but key: xc has ndim == 2.", "probe_config_error"),
    # v4.0.30 kilosort/gui/sorter.py
    ("ValueError: Largest value of chanMap exceeds channel count of data, make sure chanMap is 0-indexed.",
     "probe_config_error"),
    # v4.0.4 kilosort/clustering_qr.py: no channel close to a cluster's centre (the probe's geometry or units) ...
    ("ValueError: `get_data_cpu` never found suitable channels in `clustering_qr.run`.\ndmin, dminx, and xcenter "
     "are: (20.0, 16.0, 35.0)", "probe_config_error"),
    # ... but an empty template set after clustering: no spikes, a probe in the wrong units or a bug alike
    ("ValueError: Wall is empty after `clustering_qr.run`, cannot continue clustering.", "unclassified"),
    # ... look-alike: a path that is no setting the user gave (the sorter's own output, a bug)
    ("FileNotFoundError: '/data/lab/sorted/rec1/sorter_output/params.json' does not exist", "unclassified"),
    # -- probeinterface's probe library (SpikeInterface/probeinterface src/probeinterface/library.py) --------------
    # download_probeinterface_file's urlopen, and the GitHub API calls that list tags and the latest commit
    ("urllib.error.HTTPError: HTTP Error 404: Not Found", "download_failed"),
    ("RuntimeError: GitHub API returned 403: {\"message\":\"API rate limit exceeded for 10.1.2.3. (But here's the "
     "good news: Authenticated requests get a higher rate limit.)\"}", "download_failed"),
    ("RuntimeError: GitHub API returned status 500: Internal Server Error", "download_failed"),
    # -- h5py under pynwb/hdmf's NWB readers (h5py/h5py h5py/_hl/files.py: HDF5's own message) -----------------------
    ("OSError: Unable to synchronously open file (file signature not found)", "input_invalid"),
]


@pytest.mark.parametrize("text, expected", CASES)
def test_a_sorter_or_reader_message_gets_the_class_its_cause_gives(text, expected):
    assert classify(text).error_class == expected, classify(text).evidence
