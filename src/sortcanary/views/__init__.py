"""Run views: the whole run seen from what is on disk (the summary files, `sortcanary status`)."""
