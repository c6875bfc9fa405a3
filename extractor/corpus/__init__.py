"""Many reports at once: a folder run in a process pool with per-report deadlines, cross-year flags,
and the batch's output files."""
