"""The pattern book: the pattern files (patterns/*.yaml) read with line marks, validated, compiled into
concepts with ids, and the built-in book cached on disk so that a process starts without parsing YAML.
``extractor.patternbook`` is its face (load, check_folder); stages import the records from there."""
