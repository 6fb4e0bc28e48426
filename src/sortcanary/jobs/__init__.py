"""Jobs: what each workflow rule runs (preflight, canary, full sort), each building its plan once."""
