"""The built-in rules for what the user hands the sorter: the data files, the probe, the sorter's parameters.

A reader that says the file given is missing, damaged or not one it reads (HDF5's own words for a
truncated file or a missing compression plugin too); a probe or binary layout that does not fit the data,
or is not there where the sorter needs one; a parameter the sorter rejects. Each is the user's input
and fixed there, so the canary blocks the full sort, which would meet it again. The words of a
probe or a path that no input stands behind (a sorter's own output file, a bug's index) are left alone.
"""

from __future__ import annotations

from . import sorter_logs as k
from . import structural as s
from .rules import Rule, parsed_rule, text_rule

_rule, _t = parsed_rule, text_rule
INPUTS: tuple[Rule, ...] = (
    _t("hdf5-plugin-missing", "hdf5_plugin_missing", r"HDF5_PLUGIN_PATH|can't (open directory|dlopen).*plugin|required "
       r"filter .* (not|isn't) (available|registered)|can't find plugin|filter plugin missing|compression filter "
       r"(missing|not found)|Unknown compression filter|Can't read data \(Can't open directory\)|H5PL\w*\(\): filter plugins "
       r"disabled", "HDF5 has no plugin "
       "for the data's "
       "compression filter"),
    _t("hdf5-file-damaged", "input_invalid", r"truncated file: eof = |file signature not found|bad object header version "
       r"number|wrong B-tree signature|addr overflow, addr = |\bis not a valid HDF5 file\b", "an HDF5 file is truncated, "
       "damaged or not HDF5 (its signature checked: an NWB file that is not HDF5)"),
    _t("input-not-recognised", "input_invalid", r"is not recognized as (a|an|either) .{0,60}?file|\bExpected "
       r"(extensions? (are|is)\b|\.\w+ (or \.\w+ )?extension)|\bNo '[\w.]+' files? (were |was )?found|\bNo [\w .]{0,60}?("
       r"binary|\.bin|\.meta|\.dat|recording|data)\b[\w .]{0,30}?files? (were |was )?(found|detected) in\b|\b(select|"
       r"provide|specify|give) a valid [\w ]{0,30}(file|path)\b|Invalid value for "
       r"'[^'\n]+': (Path|File|Directory) '[^'\n]*' does not exist|\b\w*(dir|file|filename|path|folder)\s+'[^'\n]+' "
       r"does not exist|\b(several|multiple) streams\b[\s\S]{0,300}?\b(specify|set|give|choose|select)\b[^\n]{0,40}"
       r"\bstream_(name|id)\b|\bNo [\w .+-]{1,40}? files? (were |was )?(found|detected) in (the )?(specified|given|"
       r"provided|selected) (path|folder|directory)\b|\bNo data (folder|file)( or (folder|file))? found for\b|\bfile "
       r"not found at the expected location\b|\bnot found for file \S+ with supported extensions\b|\bformat (is )?"
       r"(unknown|not recognized|not supported)\.? Expected\b|\b(sampling[ _](rate|frequency)|sample rate)\b[^\n]{0,40}?"
       r"\b(not found|could not be \w+)\b[^\n]{0,20}?\b(provide|set|pass|give|specify) it\b|(could not|couldn't|cannot|"
       r"unable to) (load|read|find|infer|determine) (the )?sampling[ _](rate|frequency)\b[^\n]{0,40}?\b(provide|set|pass|"
       r"give|specify)\b", "the reader or the command "
       "line says the file given is missing or not one it reads (a wrong path, another format)"),
    # A validator's own verdict on an NWB file (dandi validate's per-file count and its summary): the file lacks
    # what the standard requires or holds a dataset of the wrong shape.
    _t("nwb-validation-errors", "input_invalid", r"\.nwb: \d+ error\(s\)|\bValidation errors in \d+ out of \d+ files?\b",
       "a validator found the NWB file invalid (fields the standard requires, datasets of the wrong shape)"),
    _t("intan-file-damaged", "input_invalid", r"Timestamps are not continuous, likely due to a corrupted file",
       "neo's Intan reader found a damaged file"),
    _t("binary-shorter-than-read", "input_invalid", r"binaryrecordingextractor\.py\"?, line \d+, in get_traces\b[\s\S]"
       r"{0,300}?mmap length is greater than file size", "SpikeInterface's binary reader mapped past the file's end: the "
       "file is shorter than when it was opened, or than its header says (truncated, still being written)"),
    _t("sorter-takes-one-segment", "input_invalid", r"\bdoes not handle multi-segment recordings\b", "SpikeInterface's "
       "check that the sorter takes one segment, on a recording of several (runs)", reason="the recording has several "
       "segments and the sorter sorts one: join them (`join: runs`) or sort each run on its own"),
    _t("matlab-file-unopened", "input_invalid", r"Invalid file identifier|Could not open \S*[\\/.]\S* for reading\.|The filename "
       r"specified was either not found on the MATLAB path",
       "MATLAB could not open a file the sorter reads (a wrong path, a missing or unreadable file; Kilosort 2/3's own "
       "check of its binary; h5read's of its file)"),
    _t("npy-not-numpy", "input_invalid", r"does not appear to be NUMPY format|the magic string is not correct", "a file "
       "read as a NumPy array does not start with NumPy's header (a git-lfs pointer, a truncated or another file: "
       "numpy's and npy-matlab's own check)"),
    _t("nwb-channels-not-electrodes", "probe_config_error", r"\bdimension of data does not match the length of "
       r"electrodes\b", "an NWB ElectricalSeries whose channel axis does not match its electrodes table (pynwb's and "
       "nwbinspector's check: data transposed, or the wrong electrodes referenced)"),
    _t("probe-mismatch", "probe_config_error", r"Largest value of chanMap exceeds channel count|did not divide evenly|"
       r"incorrect n_chan_bin|Channel locations are required|does not have a probe|Channel locations are not unique|"
       r"\b(contact|channel)s? count\b[^\n]{0,40}(!=|does not match|doesn't "
       r"match)|(!=|does not match|doesn't match)[^\n]{0,20}\b(contact|channel)s? count\b|number of (channels|contacts)"
       r"[^\n]{0,80}(does not|doesn't|do not|don't) match|\b\d+ (channels|contacts)\b[^\n]{0,30}\b(but|while|whereas|and)\b[^\n]"
       r"{0,40}\b\d+ (channels|contacts)\b|device_channel_indices (are|is) not set|"
       r"Missing required key: \S+ after loading probe|needs a probe to be attached|\b[Aa] probe must be attached|"
       r"3D 'location' are not supported|\b(channel|contact)s? (positions?|locations?) (is|are) 3D\b|"
       r"Could not find channel map file|channel map must contain \"?chanMap|Invalid channel map: |"
       r"probe entries should have|(not|no) probe attached|probe file( \S+)? "
       r"(is not specified|not found|does not exist|can ?not be found|could not be found)|"
       r"no probe([ _](file|name|path))?( or probe[ _]?(file|name|path))? "
       r"(was |were )?(specified|given|set|provided)|\b(there are )?no channel locations\b|channel locations (were|are) "
       r"not found|(Unrecognized|Unknown|Unsupported|Invalid) (file )?(extension|format) for (the )?probe\b|"
       r"\bSelected empty shank\b|'?\blocations?'? property is (needed|required)\b|\.prb'? file should contain\b|"
       r"\bChannel map inconsistent with\b|\b(must|please) (select|give|provide|specify|set) (a |the )?probe( file)?\b|"
       r"\bsyntax of the probe file\b|\bProbe has no (group|channel)\b",
       "the probe or the binary layout does not match the data"),
    _t("filter-band-beyond-nyquist", "sorter_params_invalid", r"critical frequencies must be 0\s*<\s*Wn\s*<\s*(1|fs/2)|"
       r"(above|larger than|greater than|higher than|exceeds?|beyond)( the)? Nyquist",
       "a filter band beyond half the sampling rate: the band or the rate given does not fit the recording",
       applies=s.says_the_rate_or_the_sorter),
    _rule("ks4-no-channel-near-a-centre", "probe_config_error", k.ks4_no_channel_near_a_centre, "Kilosort 4's "
          "clustering found no channel near any cluster centre, on a log that did not count 0 spikes"),
    _rule("ks4-one-batch", "input_invalid", k.ks4_one_batch, "Kilosort 4's whitening divided by zero batches: its "
          "log counts one batch, a recording shorter than two batches (batch_size): this recording's, not the run's"),
    _t("ks4-no-channel-to-filter", "probe_config_error", r"kilosort[\\/]io\.py\"?, line \d+, in filter\b[\s\S]{0,300}?"
       r"median\(\): Expected reduction dim 0 to have non-zero size", "Kilosort 4's common-average reference took the "
       "median over zero channels: the probe, less the bad_channels given (their equal), leaves no channel"),
    _t("ks4-pcs-beyond-clips", "sorter_params_invalid", r"\bin extract_wPCA_wTEMP\b[\s\S]{0,600}?(n_components\(\d+\) "
       r"must be <= n_features\(\d+\)|'n_components' parameter of TruncatedSVD must be)", "Kilosort 4 fits n_pcs "
       "components to spike clips nt samples long: n_pcs set to 0, or above nt (nt set smaller than n_pcs)"),
    _t("ks4-no-template-size", "sorter_params_invalid", r"\bin template_match\b[\s\S]{0,300}?max\(\): Expected reduction "
       r"dim 0 to have non-zero size", "Kilosort 4's detection took the maximum over its template shapes, one per "
       "entry of template_sizes: none given"),
    _t("ks4-more-x-centres-than-contacts", "sorter_params_invalid", r"\bin x_centers\b[\s\S]{0,400}?Cannot take a larger "
       r"sample than population", "Kilosort 4 draws x_centers of the probe's contact positions for k-means: x_centers "
       "set larger than the probe has contacts"),
    _t("params-unfit-for-rate", "sorter_params_invalid", r"\bis not valid given the sampling rate\b[\s\S]*?\nError in ",
       "the sorter's own check found a parameter unfit for the recording's sampling rate, and it then failed (MATLAB's "
       "'Error in' after the warning)"),
    _rule("probe-unreadable", "probe_config_error", s.probe_loader_failed, "the probe reader raised on the probe file, "
          "or a check of the probe against the recording refused it"),
    _t("sorter-params-invalid", "sorter_params_invalid", r"Invalid parameters: |Unrecognized settings: |Bad parameters: |"
       r"`nt` must be odd|\bnt must be \d+\b|`\w+` is a required setting|device type at start of device string: |"
       r"is unknown,? maybe [^\n]{0,60}\bor a typo\b|\b\w+ in \[\w+\] (should|must) be\b|\bin \[\w+\] is not possible\b|"
       r"Errors occurred while validating the configuration\b",
       "the sorter rejected a parameter the user gave",
       applies=s.params_from_the_user),
)
