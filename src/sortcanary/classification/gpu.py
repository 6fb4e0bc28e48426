"""The built-in rules for a GPU's set-up -- the driver, the CUDA toolkit, the sorter's kernels built for it -- and
for the device itself: one that can't be used here, is busy or is not there.

Each names what the NVIDIA stack says of itself, in the spellings its layers print: the driver API's
``CUDA_ERROR_UNSUPPORTED_PTX_VERSION`` and the runtime's ``cudaErrorUnsupportedPtxVersion`` are one error,
so a pattern matches both (``cuda_?error_?unsupported_?ptx_?version``, case-insensitive); torch, CuPy,
numba, JAX and MATLAB each wrap them in words of their own. The driver comes first: a driver library
missing (``libcuda.so``, ``nvcuda.dll``) is the driver's, not a broken install's.

A GPU that failed in use -- an uncorrectable ECC error, a GPU lost or fallen off the bus -- is the node's
hardware: nothing the user installs or configures avoids it (the corpus's threads: a node the admins
repaired, a machine given up), so it is left alone. A busy device (CUDA's ``cudaErrorDevicesUnavailable``: a
GPU in exclusive-process mode that another process holds) is classified: the corpus has it from a node's
setting and, in the same words, from scripts that touched the wrong GPU (tests/test_corpus.py's known false blocks).
"""

from __future__ import annotations

import re

from .rules import Rule, text_rule

_t = text_rule
# The dynamic loader could not map a library (a MEX file is one) for lack of memory: the file is sound, the
# process's memory limit (a job's per-core share, ulimit -v) is not, so its "Invalid MEX-file" is not a build's.
LOADER_OUT_OF_MEMORY = re.compile(r"failed to map segment from shared object:\s*Cannot allocate memory", re.IGNORECASE)


# A MEX file of the sorter's CUDA code: in its CUDA folder, Kilosort's mexName, or the loader names CUDA's runtime. Any
# other MEX file the loader refused (a toolbox's ft_getopt, a plugin's) is a build that does not fit this MATLAB or
# system, not kernels unbuilt for the GPU.
CUDA_MEX = re.compile(r"Invalid MEX-file '[^'\n]*([/\\]CUDA[/\\]|[/\\](?-i:mex[A-Z])\w*\.mex\w+')|Invalid "
                      r"MEX-file[^\n]*\blib(cudart|cublas|cufft|curand|cusparse|cusolver|nvrtc|cuda)\b", re.IGNORECASE)


def _loaded_with_memory(text: str) -> bool:
    return not LOADER_OUT_OF_MEMORY.search(text)


def _a_toolbox_mex(text: str) -> bool:
    return _loaded_with_memory(text) and not CUDA_MEX.search(text)

GPU_SETUP: tuple[Rule, ...] = (
    _t("gpu-driver", "gpu_driver_error", r"CUDA driver version is insufficient|Found no NVIDIA driver|NVIDIA-SMI has "
       r"failed|couldn't communicate with the NVIDIA driver|problem with the (graphics|CUDA) driver or with this GPU|"
       r"The CUDA driver (could not be loaded|was found, but it is too old)|cudaErrorInsufficientDriver|The NVIDIA driver "
       r"on your system is too old|\blib(cuda|nvidia-ml)\.so[.\d]*: cannot open shared object file|Driver/library "
       r"version mismatch|cuda_?error_?(insufficient_?driver|unsupported_?ptx_?version|system_?driver_?mismatch|"
       r"compat_?not_?supported_?on_?device)|driver missing function: cu\w+|Failed to initialize graphics driver|"
       r"driver is out of date|\b(must|please|need to) (update|upgrade) (your |the )?(GPU |graphics |NVIDIA |CUDA )?"
       r"driver\b|CUDA driver is not compatible with|CUDA driver library cannot be found|"
       r"PTX was compiled with an unsupported toolchain|forward "
       r"compatibility was attempted on non supported HW|unsupported display driver / cuda driver combination|CUDA "
       r"driver initialization failed|no longer supports this GPU because it is too old|(GPU|device)[^\n]{0,60}not "
       r"supported because it has a (lower )?compute capability|\bhas compute capability < \d|\bcompute capability "
       r"\d+\.\d+ is not supported ?\(requires >=|system not yet initialized|cudaErrorSystemNotReady|\bdriver\b"
       r"[^\n]{0,60}\bis too old\b|PLATFORM_NOT_FOUND_KHR|cuda_?error_?(stub_?library|jit_?compiler_?not_?found|call_?requires_?"
       r"newer_?driver)|CUDA driver is a stub library|PTX JIT compiler library not found|API call is not supported in "
       r"the installed CUDA driver|NVML Shared Library Not Found|NVMLError_(DriverNotLoaded|LibraryNotFound)|NVRM: API "
       r"mismatch|Module nvidia\S* not found in directory|NVIDIA-SMI couldn't find libnvidia-ml",
       "the NVIDIA driver is missing (the toolkit's stub libcuda or no NVML in its place, its JIT compiler absent, "
       "its kernel module not built for the running kernel), too old, or not the one loaded in the kernel (or the GPU "
       "older than the CUDA stack supports: numba's compute capability floor)"),
    _t("cuda-toolkit-missing", "cuda_toolkit_missing", r"No CUDA toolkit installation could be found|MW_NVCC_PATH|"
       r"CUDA_HOME (environment variable )?(is not set|does not exist)|nvcc: (command )?not found|(unable to|could not|cannot|"
       r"can't) find (the )?nvcc\b|'nvcc' is not recognized|No supported "
       r"compiler (or SDK )?was found|\blib(NVVM|device)\b[^\n]{0,20}(cannot be found|not found)|"
       r"NvvmSupportError", "no CUDA compiler to "
       "build the sorter's kernels (or a part of the toolkit a JIT compiler needs: numba's libNVVM, libdevice)"),
    _t("cuda-kernels-not-built", "cuda_kernels_not_compiled", r"no kernel image is available for execution on the "
       r"device|cuda_?error_?no_?(kernel_?image_?for_?device|binary_?for_?gpu)|is not compatible with the current PyTorch "
       r"installation|is not a MEX file|" + CUDA_MEX.pattern + r"|CU(DNN|BLAS)_STATUS_ARCH_MISMATCH|Compiled "
       r"Kilosort files not found|(Undefined|Unrecognized) function( or variable)? '(mex\w+|spikedetector\w*)'",
       "the GPU kernels are not built for this GPU (cuDNN's or cuBLAS's too: their ARCH_MISMATCH; not a MEX file the "
       "loader could not map for lack of memory)", applies=_loaded_with_memory),
    _t("mex-does-not-load", "binary_import_broken", r"Invalid MEX-file '[^'\n]+'(?!:\s*Access is denied)|^\s*Missing "
       r"symbol '\w+' required by\b", "MATLAB's loader refused a toolbox's MEX file (a missing procedure, dependent "
       "library or symbol: built for another MATLAB or system; not the sorter's CUDA MEX files, not Windows refusing "
       "the file, not a mapping that lacked memory)", applies=_a_toolbox_mex),
    _t("cuda-build-failed", "cuda_build_failed", r"(nvcc|fatbinary|ptxas)\s+(fatal|error)\s*:(?![^\n]*died due to "
       r"signal 9\b)|Unsupported gpu architecture|Error using mex\s*\n[^\n]*\bnvcc\b|Error in mexcuda|nvrtc: error: "
       r"invalid value for --gpu-architecture|unsupported "
       r"(GNU|Microsoft Visual Studio|clang) version!|-allow-unsupported-compiler|cannot find -lcu(da|dart|blas|fft|rand|"
       r"sparse|solver)\w*\b",
       "the sorter's CUDA kernels did not build (or link: the toolkit's libraries not where the linker looks; not a "
       "compiler phase SIGKILLed, which is the memory's: sortcanary.classification.structural.killed)"),
)
GPU_DEVICE: tuple[Rule, ...] = (
    _t("device-unavailable", "device_unavailable", r"Torch not compiled with CUDA enabled|No (CUDA|HIP) GPUs are "
       r"available|torch\.cuda\.is_available\(\) is False|"
       r"no CUDA-capable device is detected|No supported GPU device|Unable to find a supported GPU device|No visible GPU devices|"
       r"invalid device ordinal|CUDA_ERROR_NO_DEVICE|compiled without CUDA support|\bdevice \d+ is not visible "
       r"\(CUDA_VISIBLE_DEVICES=|AssertionError: Invalid (peer )?device id\b|on \w+ device \d+ but torch\.\w+\.device_count"
       r"\(\) is \d+|"
       r"cudaErrorNoDevice|RmInitAdapter failed|\bdevice >= 0 && device < num_gpus\b|sortcanary: CUDA requested|"
       r"CUDA-capable device\(s\) "
       r"(is|are)[/a-z]* busy or unavailable|CUDA-capable devices are busy or unavailable|This sorter requires "
       r"cuda, but the package 'cuda-python' is not installed|The container requires a NVIDIA GPU capability, but it is "
       r"not available", "the requested device can't be used here (or the kernel module could not "
       "initialise it)"),
)
