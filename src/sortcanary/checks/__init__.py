"""Checks: one module per check, each raising SortFailure with a verdict of the taxonomy.

They run where they are cheapest: the environment checks once in preflight (and again where a job
resolves its plan on another machine), the window's data check in the sorter's child process
before the sorter starts.
"""
