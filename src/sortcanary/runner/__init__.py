"""The runner: one task of a job's plan in a watched child process (parent side: watched, child side: child)."""
