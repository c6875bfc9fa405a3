"""Pattern files to concepts: YAML read with line marks, validated against the schema, compiled.

Every problem in every file is collected as ``file:line: key: problem``; :func:`add_folder` merges a
folder's files into a :class:`~extractor.book.types.PatternBook` (a user file's concept is tried
before the built-in one of the same name, or replaces it with ``replace: true``).
"""

from __future__ import annotations

import dataclasses
from functools import lru_cache
from pathlib import Path
from typing import Any

import regex
import yaml
from pydantic import ValidationError

from .. import rxcache
from .backtrack import nested_quantifier
from .schema import FlagSpec as FlagSettings
from .schema import PatternFileSpec, PatternSpec, value_problems
from .types import Concept, FlagSpec, Pattern, PatternBook

# kinds whose Chinese patterns also match in the other script (labels and statement titles)
SCRIPT_FOLDED_KINDS = ("items", "statements")
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: several times faster to parse


def pattern_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def check_folder(folder: Path) -> list[str]:
    """Every problem in a folder of pattern files, as `file:line: key: problem` lines."""
    problems: list[str] = []
    if not folder.is_dir():
        return [f"{folder}:1: (folder): not a directory"]
    files = pattern_files(folder)
    if not files:
        problems.append(f"{folder}:1: (folder): no .yaml pattern files found")
    for path in files:
        spec, lines = _read_file(path, problems)
        if spec is not None:
            problems += backtracking_problems(_build(spec, path, lines, problems))
    return problems


def backtracking_problems(concepts: dict[str, Concept]) -> list[str]:
    """A `file:line: key: problem` line for each pattern with nested quantifiers (``(a|aa)+``), which
    can run without end on text it does not match. Reported by `extractor patterns check`; loading
    does not refuse them, the time budget (``pattern_timeout``) stops them at run time."""
    out: list[str] = []
    for cname, concept in concepts.items():
        for p in concept.patterns + concept.excludes:
            head, _, number = p.id.partition("#")
            if not number.isdigit():  # the other script's copy of a pattern: reported with the pattern
                continue
            key = f"concepts.{cname}.exclude.{int(number) - 1}" if head == "exclude/" + cname \
                else f"concepts.{cname}.patterns.{p.lang}.{int(number) - 1}"
            problem = nested_quantifier(p.source)
            if problem:
                out.append(f"{p.file}:{p.line}: {key}: pattern {p.source!r} of concept {cname}: {problem}")
    return out


def add_folder(book: PatternBook, folder: Path, problems: list[str], eager: bool = True) -> None:
    """Merge the pattern files of ``folder`` into ``book``; problems are appended to ``problems``.
    ``eager`` compiles every pattern now so that bad ones are reported (user folders)."""
    if not folder.is_dir():
        problems.append(f"{folder}:1: (folder): pattern folder not found")
        return
    book.cache.clear()  # lookups derived from the patterns so far would miss the new ones
    for path in pattern_files(folder):
        spec, lines = _read_file(path, problems)
        if spec is None:
            continue
        book.files.append(str(path))
        book.values.update(spec.values)
        _merge_flags(book.flags, spec.flags)
        built = _build(spec, path, lines, problems, eager=eager)
        target = book.concepts.setdefault(spec.kind, {})
        for name, concept in built.items():
            old = target.get(name)
            if old is None or concept.replace:
                target[name] = concept
            else:
                old.patterns = concept.patterns + old.patterns
                old.excludes = concept.excludes + old.excludes
                old.role = concept.role or old.role
                old._any = None  # the alternation of the patterns, built again with the added ones


def compile_all(book: PatternBook) -> None:
    """Compile every pattern of ``book`` now (before it is cached, so that loading it back needs none)."""
    for concepts in book.concepts.values():
        for concept in concepts.values():
            for p in concept.patterns + concept.excludes:
                p.compiled  # noqa: B018 - compiles and keeps the pattern
                p.anchor  # noqa: B018 - and its anchor, kept in the cached book


def _merge_flags(target: dict[str, FlagSpec], new: dict[str, FlagSettings]) -> None:
    """A user file changes only the settings it names (e.g. one threshold), keeping the rest."""
    for fid, spec in new.items():
        old = target.get(fid)
        if old is None:
            target[fid] = FlagSpec(**spec.model_dump())
            continue
        update = spec.model_dump(exclude_unset=True)
        if "thresholds" in update:
            update["thresholds"] = {**old.thresholds, **update["thresholds"]}
        target[fid] = dataclasses.replace(old, **update)


def _node_lines(node: yaml.Node, path: tuple[Any, ...], out: dict[tuple[Any, ...], int]) -> None:
    out.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            out[path + (key,)] = key_node.start_mark.line + 1
            _node_lines(value_node, path + (key,), out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _node_lines(item, path + (i,), out)


def _line_for(lines: dict[tuple[Any, ...], int], loc: tuple[Any, ...]) -> int:
    for n in range(len(loc), -1, -1):
        if loc[:n] in lines:
            return lines[loc[:n]]
    return 1


def _read_file(path: Path, problems: list[str]) -> tuple[PatternFileSpec | None, dict[tuple[Any, ...], int]]:
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        problems.append(f"{name}:1: (file): cannot read: {e}")
        return None, {}
    try:
        node = yaml.compose(text, Loader=_LOADER)
        data = yaml.load(text, Loader=_LOADER)  # a safe loader (libyaml when present)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        problems.append(f"{name}:{line}: (yaml): {getattr(e, 'problem', None) or e}")
        return None, {}
    lines: dict[tuple[Any, ...], int] = {}
    if node is not None:
        _node_lines(node, (), lines)
    if not isinstance(data, dict):
        problems.append(f"{name}:1: (file): expected a mapping with schema, kind and concepts")
        return None, lines
    try:
        spec = PatternFileSpec.model_validate(data)
    except ValidationError as e:
        for err in e.errors():
            loc = tuple(err["loc"])
            # pydantic reports union members as extra loc parts ("str", "PatternSpec"): drop them
            loc = tuple(p for p in loc if p not in ("str", "PatternSpec", "function-after[_positive(), decimal]"))
            key = ".".join(str(p) for p in loc) or "(file)"
            problems.append(f"{name}:{_line_for(lines, loc)}: {key}: {err['msg']}")
        return None, lines
    bad = value_problems(spec)
    for loc, problem in bad:
        problems.append(f"{name}:{_line_for(lines, loc)}: {'.'.join(loc)}: {problem}")
    return (None if bad else spec), lines


def _compile(
    source: str, kind: str, lang: str, problems: list[str], where: str
) -> regex.Pattern[str] | None:
    flags = regex.IGNORECASE
    try:
        return rxcache.compile(source, flags)
    except regex.error as e:
        problems.append(f"{where}: invalid regular expression {source!r}: {e}")
        return None


def _build(
    spec: PatternFileSpec, path: Path, lines: dict[tuple[Any, ...], int], problems: list[str], eager: bool = True
) -> dict[str, Concept]:
    """Concepts of one file. ``eager`` compiles every pattern now to report bad ones; the built-in
    files (checked by `extractor patterns check` and the tests) compile lazily, which keeps start-up
    of a one-file CLI run short."""
    out: dict[str, Concept] = {}

    def compiled(source: str, where: str, empty_check: bool) -> tuple[bool, regex.Pattern[str] | None]:
        if not eager:
            return True, None
        rx = _compile(source, spec.kind, "any", problems, where)
        if rx is None:
            return False, None
        if empty_check and rx.fullmatch(""):
            problems.append(f"{where}: pattern matches the empty string")
            return False, None
        return True, rx

    for cname, cspec in spec.concepts.items():
        pats: list[Pattern] = []
        for lang, entries in cspec.patterns.items():
            for i, entry in enumerate(entries):
                ps = entry if isinstance(entry, PatternSpec) else PatternSpec(re=entry, score=1.0)
                loc = ("concepts", cname, "patterns", lang, i)
                line = _line_for(lines, loc)
                where = f"{path}:{line}: {'.'.join(map(str, loc))}"
                if not ps.re.strip():
                    problems.append(f"{where}: empty pattern")
                    continue
                ok, rx = compiled(ps.re, where, True)
                if not ok:
                    continue
                pats.append(Pattern(f"{lang}/{cname}#{i + 1}", cname, lang, ps.re, rx, ps.score, str(path), line))
                # the same label in the other script: H-share reports print HK wording in simplified
                # characters (销售及营销开支) and some CAS reports print traditional ones (銷售費用)
                other = _other_script(ps.re, lang) if spec.kind in SCRIPT_FOLDED_KINDS else None
                if other is not None:
                    script = "zh-Hans" if other[1] == "s" else "zh-Hant"  # the language it now matches
                    pats.append(Pattern(f"{lang}/{cname}#{i + 1}{other[1]}", cname, script, other[0], None,
                                        ps.score, str(path), line))
        excl: list[Pattern] = []
        for i, source in enumerate(cspec.exclude):
            eloc: tuple[str, str, str, int] = ("concepts", cname, "exclude", i)
            line = _line_for(lines, eloc)
            where = f"{path}:{line}: {'.'.join(map(str, eloc))}"
            ok, rx = compiled(source, where, False)
            if ok:
                excl.append(Pattern(f"exclude/{cname}#{i + 1}", cname, "any", source, rx, 1.0, str(path), line))
        if spec.kind == "units" and cspec.multiplier is None:
            problems.append(f"{path}:{_line_for(lines, ('concepts', cname))}: concepts.{cname}.multiplier: required for units")
        out[cname] = Concept(cname, spec.kind, cspec.role, cspec.description, pats, excl,
                             cspec.unit, cspec.multiplier, cspec.currency, cspec.replace)
    return out


@lru_cache(maxsize=2)
def _converter(config: str):  # untyped: opencc has no type hints
    from opencc import OpenCC

    return OpenCC(config)


def _other_script(source: str, lang: str) -> tuple[str, str] | None:
    """The pattern converted to the other Chinese script, with an id suffix, if it differs."""
    if lang not in ("zh-Hans", "zh-Hant"):
        return None
    config, suffix = ("t2s", "s") if lang == "zh-Hant" else ("s2t", "t")
    converted = _converter(config).convert(source)
    if converted == source:
        return None
    try:
        rxcache.compile(converted)
    except regex.error:  # pragma: no cover - conversion only swaps Han characters
        return None
    return converted, suffix
