"""Products: what a finished sort leaves besides the sorter's folder (analyzer, curation, exports,
figures, the recording's page), built by ``build.postprocess`` in a watched child process."""
