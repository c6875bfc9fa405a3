"""Placeholder until the IFRS builder is written."""
def build(ctx):  # type: ignore[no-untyped-def]
    raise NotImplementedError
