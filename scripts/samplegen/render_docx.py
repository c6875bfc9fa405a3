def available():  # type: ignore[no-untyped-def]
    return "not yet"
