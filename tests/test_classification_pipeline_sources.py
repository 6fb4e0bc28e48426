"""The classifier on the messages of the programs around the sorters in labs' pipelines.

Users paste what the MATLAB sorters' launch path (SpikeInterface's generated scripts, a compiled sorter,
the MATLAB Engine for Python), the Allen Institute's ecephys_spike_sorting, the GPU Python stacks sorters
build on (CuPy, numba.cuda, JAX) and the viewers run on the results (phy, spikeinterface-gui, their Qt
bindings) printed. Each case is one such message as its traceback's last line shows it, placeholders
filled with realistic values, with a comment naming the public upstream file (repo, tag or commit, path)
where the string is written. Where the message says an environment, resource or hardware cause, that
class; where it signals a bug or says nothing of its cause, unclassified. Each block ends with look-alikes.
The strings of SpikeInterface's MATLAB launch, ecephys_spike_sorting, numba.cuda, phy and spikeinterface-gui
were copied from those files; CuPy's (but for its loader and out-of-memory lines), JAX's, Qt's and MATLAB's
own are written as those libraries print them, without their source line at hand (the files named are where
they live, not lines that were read).
"""

from __future__ import annotations

import pytest

from sortcanary.classification import classify

SSE = "spikeinterface.sorters.utils.misc.SpikeSortingError: "
EXIT = "\nException: kilosort2 returned a non-zero exit code"

CASES = [
    # -- the MATLAB sorters' launch (SpikeInterface/spikeinterface 0.105.3 sorters/external/kilosortbase.py:
    # _run_from_folder's shell script, "matlab -nosplash -nodisplay -r kilosort2_master(...)" or the compiled
    # sorter's binary; kilosort2_master.m prints lasterr() after a dashed line) --------------------------------------
    ("/tmp/tmp3k2j/run.sh: line 4: matlab: command not found" + EXIT, "job_environment_incomplete"),
    ("/tmp/tmp3k2j/run.sh: line 3: ks2_compiled: command not found" + EXIT, "job_environment_incomplete"),
    # ... a compiled sorter without the MATLAB Runtime's libraries
    ("ks2_compiled: error while loading shared libraries: libmwlaunchermain.so: cannot open shared object file: No "
     "such file or directory" + EXIT, "binary_import_broken"),
    # ... MATLAB's own errors after kilosort2_master.m's dashed line: no Parallel Computing Toolbox, the GPU, memory
    ("----------------------------------------Undefined function or variable 'gpuArray'." + EXIT,
     "dependency_missing"),
    ("----------------------------------------Error using gpuArray\nThere is a problem with the CUDA driver or with "
     "this GPU device. Be sure that you have a supported GPU and that the latest driver is installed." + EXIT,
     "gpu_driver_error"),
    ("----------------------------------------Out of memory on device. To view more detail about available memory on "
     "the GPU, use 'gpuDevice()'. If the problem persists, reset the GPU by calling 'gpuDevice(1)'." + EXIT,
     "gpu_out_of_memory"),
    # ... look-alike: the launch that failed, with no line of why
    ("Exception: kilosort2 returned a non-zero exit code", "unclassified"),
    # -- the MATLAB Engine for Python (AllenInstitute/ecephys_spike_sorting 6210caab
    # ecephys_spike_sorting/modules/kilosort_helper/__main__.py: "import matlab.engine", eng.kilosort2_master_file())
    ("Traceback (most recent call last):\n  File \"/opt/ecephys_spike_sorting/ecephys_spike_sorting/modules/"
     "kilosort_helper/__main__.py\", line 10, in <module>\n    import matlab.engine\nModuleNotFoundError: No module "
     "named 'matlab'", "dependency_missing"),
    ("matlab.engine.MatlabExecutionError: \n  File /opt/Kilosort/mainLoop.m, line 12, in mainLoop\nUndefined "
     "function 'mexMPnu8' for input arguments of type 'gpuArray'.\n", "cuda_kernels_not_compiled"),
    ("matlab.engine.MatlabExecutionError: Out of memory. Type \"help memory\" for your options.",
     "host_out_of_memory"),
    # ... look-alike: MATLAB's index error inside the sorter (a bug, or data it can't say)
    ("matlab.engine.MatlabExecutionError: \n  File /opt/Kilosort/mainLoop.m, line 88, in mainLoop\nIndex exceeds "
     "the number of array elements (0).\n", "unclassified"),
    # -- ecephys_spike_sorting's batch scripts' own check of the drives' free space (AllenInstitute/
    # ecephys_spike_sorting 6210caab ecephys_spike_sorting/scripts/batch_processing_parallel.py) ---------------------
    ("ValueError: There is not enough space on the C drive for kilosort to process the largest dataset",
     "disk_exhausted"),
    ("ValueError: There is not enough space on one of the drives", "disk_exhausted"),
    # ... look-alikes: space on a plot, on the GPU (no disk); a backup that failed with no reason; a folder to delete
    ("ValueError: There is not enough space on the plot for 64 channel labels", "unclassified"),
    ("RuntimeError: not enough space on the GPU for the template batch", "unclassified"),
    ("ValueError: One of the backups failed", "unclassified"),
    # -- CuPy (cupy/cupy v13 cupy/cuda/memory.pyx, cupy_backends/cuda/api/runtime.pyx, cupy/cuda/compiler.py;
    # pykilosort runs on it) -----------------------------------------------------------------------------------------
    ("cupy_backends.cuda.api.runtime.CUDARuntimeError: cudaErrorInsufficientDriver: CUDA driver version is "
     "insufficient for CUDA runtime version", "gpu_driver_error"),
    ("cupy_backends.cuda.api.runtime.CUDARuntimeError: cudaErrorNoDevice: no CUDA-capable device is detected",
     "device_unavailable"),
    ("RuntimeError: CuPy failed to load libnvrtc.so.11.2: OSError: libnvrtc.so.11.2: cannot open shared object "
     "file: No such file or directory", "binary_import_broken"),
    # ... the same load on Windows (cupy/cupy main cupy_backends/cuda/_softlink.pyx: SoftLink; ctypes words the miss)
    ("RuntimeError: CuPy failed to load nvrtc64_120_0.dll: FileNotFoundError: Could not find module "
     "'nvrtc64_120_0.dll' (or one of its dependencies). Try using the full path with constructor syntax.",
     "binary_import_broken"),
    ("cupy.cuda.compiler.CompileException: nvrtc: error: invalid value for --gpu-architecture (-arch)\n",
     "cuda_build_failed"),
    ("cupy_backends.cuda.api.driver.CUDADriverError: CUDA_ERROR_NO_BINARY_FOR_GPU: no kernel image is available for "
     "execution on the device", "cuda_kernels_not_compiled"),
    # ... look-alikes: a kernel's own code that doesn't compile (a bug); NVRTC refusing an option, no cause said; the
    # pool's out of memory, which a leak in the code holding its arrays prints alike (limits.py's docstring)
    ("cupy.cuda.compiler.CompileException: /tmp/tmpab12/3f2e.cu(14): error: identifier \"blockDim_x\" is undefined\n"
     "\n1 error detected in the compilation of \"/tmp/tmpab12/3f2e.cu\".", "unclassified"),
    ("cupy_backends.cuda.libs.nvrtc.NVRTCError: NVRTC_ERROR_INVALID_OPTION (5)", "unclassified"),
    ("ValueError: Could not find module 'spikeinterface.sorters.mysorter' in the sorter registry", "unclassified"),
    # ... _softlink.pyx's own: a function the loaded toolkit lacks, which it calls likely a bug in CuPy
    ("AssertionError: \n*** The requested function is not supported in the current version of\n*** the toolkit "
     "installed in your environment.\n***\n*** This is likely a bug in CuPy. Please report this issue to:\n***   "
     "https://github.com/cupy/cupy/issues\n", "unclassified"),
    ("cupy.cuda.memory.OutOfMemoryError: Out of memory allocating 2,147,483,648 bytes (allocated so far: "
     "9,663,676,416 bytes).", "unclassified"),
    # -- numba.cuda (numba/numba 0.68.1 numba/cuda/cudadrv/driver.py, nvvm.py; as installed here) ---------------------
    ("numba.cuda.cudadrv.error.CudaSupportError: Error at driver init: \nCUDA driver library cannot be found.\nIf you "
     "are sure that a CUDA driver is installed,\ntry setting environment variable NUMBA_CUDA_DRIVER\nwith the file "
     "path of the CUDA driver shared library.\n:", "gpu_driver_error"),
    ("numba.cuda.cudadrv.error.CudaSupportError: Error at driver init: CUDA_ERROR_NO_DEVICE (100)",
     "device_unavailable"),
    ("numba.cuda.cudadrv.error.NvvmSupportError: libNVVM cannot be found. Do `conda install cudatoolkit`:\n"
     "libnvvm.so: cannot open shared object file: No such file or directory", "cuda_toolkit_missing"),
    ("numba.cuda.cudadrv.driver.CudaAPIError: [2] Call to cuMemAlloc results in CUDA_ERROR_OUT_OF_MEMORY",
     "gpu_out_of_memory"),
    # ... a GPU older than numba's floor (driver.py: Device's check; nvvm.py: find_closest_arch)
    ("numba.cuda.cudadrv.error.CudaSupportError: GPU NVIDIA GeForce GTX 760 has compute capability < 3.5",
     "gpu_driver_error"),
    ("numba.cuda.cudadrv.error.NvvmSupportError: GPU compute capability 3.0 is not supported(requires >=3.5)",
     "gpu_driver_error"),
    # ... look-alikes: a log line naming the capability before a bug; CUDA started before a fork (the code's order)
    ("Using NVIDIA GeForce RTX 3090 with compute capability 8.6\nAssertionError", "unclassified"),
    ("numba.cuda.cudadrv.error.CudaDriverError: CUDA initialized before forking", "unclassified"),
    # -- JAX (jax-ml/jax jax/_src/xla_bridge.py; XLA's BFC allocator) -----------------------------------------------
    ("jaxlib.xla_extension.XlaRuntimeError: RESOURCE_EXHAUSTED: Out of memory while trying to allocate 4294967296 "
     "bytes.", "gpu_out_of_memory"),
    ("RuntimeError: Unable to initialize backend 'cuda': FAILED_PRECONDITION: No visible GPU devices. (you may need "
     "to uninstall the failing plugin package, or set JAX_PLATFORMS=cpu to skip this backend.)", "device_unavailable"),
    # -- the viewers: phy (cortex-lab/phy ff493558 phy/apps/kwik/gui.py; phy/apps/__init__.py's exception hook;
    # phy/gui/qt.py), spikeinterface-gui (SpikeInterface/spikeinterface-gui 51865784 spikeinterface_gui/main.py,
    # backend_qt.py; its Qt through PySide6 or PyQt5, myqt.py) -------------------------------------------------------
    ("ImportError: Package klusta is required for the Kwik GUI.", "dependency_missing"),
    ("ModuleNotFoundError: No module named 'PyQt5'", "dependency_missing"),
    ("qt.qpa.xcb: could not connect to display \nqt.qpa.plugin: Could not load the Qt platform plugin \"xcb\" in \"\" "
     "even though it was found.\nThis application failed to start because no Qt platform plugin could be "
     "initialized. Reinstalling the application may fix this problem.\n\nAvailable platform plugins are: eglfs, "
     "minimal, offscreen, wayland, xcb.\nAborted (core dumped)", "dependency_missing"),
    ("ImportError: libGL.so.1: cannot open shared object file: No such file or directory", "binary_import_broken"),
    # ... look-alikes: the same words where no package is missing; the viewers' own bugs and the user's own files
    ("ValueError: Package klusta is required in the manifest's dependencies list", "unclassified"),
    ("13:02:11.512 [E] __init__:57            An error has occurred (IndexError): index 512 is out of bounds for "
     "axis 0 with size 512", "unclassified"),
    ("RuntimeError: Timeout in _block().", "unclassified"),
    ("AssertionError: The folder /data/sorted/rec1/analyzer is not a valid SortingAnalyzer folder", "unclassified"),
    ("ValueError: The recording does not have the same channel ids as the analyzer", "unclassified"),
]


@pytest.mark.parametrize("text, expected", CASES)
def test_a_pipeline_message_gets_the_class_its_cause_gives(text, expected):
    assert classify(text).error_class == expected, classify(text).evidence
