"""Crisis signals: a client's message that speaks of suicide, acute danger or violence at home.

Whatever the dialog is doing, such a message gets the calm crisis answer with help numbers at
once; the engine asks `Safety.matches` about every text a client sends. The word lists are
content, one file per language:

    safety/<language>.yaml   patterns per kind, exclusions, spellings (syntax at the top)

Every language's lists are checked against every message, because clients mix languages.
Matching is deliberately plain and leans towards a false alarm: negation and tense are not
understood ("ik wil niet dood" matches), because a care organisation would rather answer one
message too many than miss one.

People in a crisis type fast and on a phone, so a message is first read as the phrases are
spelled (`Safety.prepare`): normalised (`_plain`), then each word the phrases do not use is
respelled by `_Speller` when that is clear, then the `spellings` are applied, then idioms cut.
The speller only ever respells towards a word of the phrases (their vocabulary), so a typo of any
other word costs nothing, and it never touches a word that is ordinary in a language of the
lists (wordfreq, `ORDINARY_ZIPF`): "sterren" is not "sterven", "kil" is Dutch, "dye" is English.
For any other word, the first reading that works:
- digits for letters inside a word with letters (su1c1de, d00d, k1ll); pure numbers stay;
- one letter of a double too many (diee, wiil);
- a typo: the nearest vocabulary word by optimal string alignment (rapidfuzz), within
  `_typo_limit` edits for the shorter of the two; before splitting, so "ziten" is "zitten";
- words typed without their space (ikwil, iwanttodie, killmyself): split into words of the
  vocabulary. Splitting, rather than each phrase glued whole, because people glue some words of
  a sentence ("ikwil dood"), and the split words still have to form a phrase to match;
- a typo of a wildcard stem, compared with the start of the word (zelfmrodgedachten).
Respellings are cached per word: `matches` stays well under a millisecond.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache, lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Annotated

import wordfreq
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator
from rapidfuzz import process
from rapidfuzz.distance import OSA

from dialogs.content.files import DEFAULT_CONTENT_DIR, ContentError, read_model


class CrisisKind(StrEnum):
    SUICIDE = "suicide"  # thoughts of ending one's life, or of harming oneself
    DANGER = "danger"  # a life or body at risk now: a threat to kill, an overdose
    VIOLENCE = "violence"  # violence or abuse at home, by a partner or by family


# When a message matches several kinds, the most urgent one is answered: danger may need 112.
URGENCY = (CrisisKind.DANGER, CrisisKind.SUICIDE, CrisisKind.VIOLENCE)

GAP = "~"  # up to MAX_GAP words of any kind
MAX_GAP = 2
WILDCARD = "*"  # at the end of a word: any ending

# A normalised message is " word word word ": lower-case letters and digits between single
# spaces, so a whole word is "after a space, up to the next space". An exclusion that was cut
# out leaves BARRIER, which no phrase matches and no gap crosses: cutting an idiom must not
# glue the words around it into a new phrase.
BARRIER = "|"
_AFTER_SPACE = "(?<= )"
_ANY_WORD = f"[^ {re.escape(BARRIER)}]+ "
_NEVER = re.compile(r"(?!)")
_APOSTROPHES = str.maketrans("", "", "'\u2018\u2019\u201b`\u00b4\u02bc\u2032")
_REPEATED_LETTER = re.compile(r"([^\W\d_])\1{2,}")
_WORD = re.compile(r"[^\s\[\]|~*]+\*?")


# --- normalising ------------------------------------------------------------------------------


def _plain(text: str) -> str:
    """Lower case, no accents or apostrophes, punctuation and emoji as spaces, single spaces.

    Apostrophes are dropped rather than made spaces so "don't" and "m'n" stay one word, as
    people also type them without. A letter typed three or more times counts twice
    ("dooood" -> "dood"): twice, not once, because "dood" and "kill" have double letters.
    """
    text = unicodedata.normalize("NFKD", text.translate(_APOSTROPHES).casefold())
    text = "".join(
        " " if not char.isalnum() else char
        for char in text
        if not unicodedata.category(char).startswith("M")
    )
    return " ".join(_REPEATED_LETTER.sub(r"\1\1", text).split())


# --- reading typos ----------------------------------------------------------------------------

# A word this frequent (zipf: 2.5 is about once in three million words) in a language of the
# lists is taken as meant. Typos stay below it ("wnat" 1.6, "sucide" 1.4), and the few real
# words below it are too rare to matter; tests/dialogs/crisis_corpus/ordinary.yaml proves it.
ORDINARY_ZIPF = 2.5
# Digits typed for letters; 1 stands for i or for l, so both readings are tried.
_DIGITS_AS_I = str.maketrans("013457", "oieast")
_DIGITS_AS_L = str.maketrans("013457", "oleast")
_SPELLER_CACHE = 8192  # words; an ordinary day of messages has far fewer unknown words


def _typo_limit(length: int) -> int:
    """How many edits a typo of a word this long may differ by.

    None below four letters (kil, dye, die: too many real words are that close); four letters
    allow one swap of neighbours only (wnat), checked in `_Speller._near`; then one edit, and
    from eight letters two (zelfmrod, suicdie).
    """
    if length < 4:
        return 0
    return 1 if length < 8 else 2


@cache
def _ordinary_words(languages: tuple[str, ...]) -> frozenset[str]:
    """The words of these languages common enough to be meant, as `_plain` writes them."""
    least = wordfreq.zipf_to_freq(ORDINARY_ZIPF)
    available = wordfreq.available_languages()
    words: set[str] = set()
    for language in languages:
        if language not in available:
            continue  # an organisation's own language without a word list: no guard, no loss
        for word, frequency in wordfreq.get_frequency_dict(language).items():
            if frequency >= least:
                plain = word if word.isascii() and word.isalpha() else _plain(word)
                if plain and " " not in plain:
                    words.add(plain)
    # The full lists take some 70 MB; this set, once per process, a few.
    wordfreq.get_frequency_dict.cache_clear()
    wordfreq.get_frequency_list.cache_clear()
    return frozenset(words)


class _Speller:
    """Reads a word the phrases do not use as the vocabulary word it was meant to be."""

    def __init__(
        self, vocabulary: Collection[str], stems: Collection[str], ordinary: frozenset[str]
    ):
        self.known = frozenset(vocabulary) | frozenset(stems)
        self.ordinary = ordinary
        self.targets = tuple(sorted(word for word in self.known if _typo_limit(len(word))))
        self.longest = max(map(len, self.known), default=0)
        by_length: dict[int, list[str]] = {}
        for stem in sorted(stems):
            by_length.setdefault(len(stem), []).append(stem)
        self.stems = {length: tuple(group) for length, group in by_length.items()}
        ordered = sorted(stems, key=lambda stem: (-len(stem), stem))
        self.stem_start = re.compile("|".join(map(re.escape, ordered))) if stems else _NEVER
        self._cached = lru_cache(maxsize=_SPELLER_CACHE)(self._respell)

    def word(self, typed: str) -> str:
        """The word as the phrases spell it; one or more words, or `typed` as it was."""
        return typed if typed in self.known else self._cached(typed)

    def _respell(self, typed: str) -> str:
        if typed in self.ordinary or typed.isdigit():
            return typed
        for word in _readings(typed):
            if word in self.known or word in self.ordinary:
                return word
            # One word mistyped before two glued: "ziten" is "zitten", not "zit en".
            if found := self._undoubled(word) or self._nearest_word(word):
                return found
            # Glued before a stem: "killmyself" begins with kill* but is two words.
            if found := self._unglued(word):
                return found
            if self.stem_start.match(word):
                return word
            if found := self._nearest_stem(word):
                return found
        return typed

    def _undoubled(self, word: str) -> str | None:
        for i, (a, b) in enumerate(pairwise(word)):
            if a == b and (single := word[:i] + word[i + 1 :]) in self.known:
                return single
        return None

    def _unglued(self, word: str) -> str | None:
        """The word split into the fewest vocabulary words, at least two; None if it can't be."""
        size = len(word)
        fewest = [0] + [size + 1] * size  # the fewest words that make word[:i]; size + 1: none
        begins = [0] * (size + 1)  # where the last of those words begins
        for end in range(1, size + 1):
            for start in range(max(0, end - self.longest), end):
                if fewest[start] + 1 < fewest[end] and word[start:end] in self.known:
                    fewest[end], begins[end] = fewest[start] + 1, start
        if not 2 <= fewest[size] <= size:
            return None
        pieces: list[str] = []
        end = size
        while end:
            pieces.append(word[begins[end] : end])
            end = begins[end]
        return " ".join(reversed(pieces))

    def _nearest_word(self, word: str) -> str | None:
        """The closest vocabulary word within the limit."""
        limit = _typo_limit(len(word))
        if not limit:
            return None
        found = [
            (distance, target)
            for target, distance, _ in process.extract(
                word, self.targets, scorer=OSA.distance, score_cutoff=limit, limit=None
            )
            if _near(word, target, distance)
        ]
        return min(found)[1] if found else None

    def _nearest_stem(self, word: str) -> str | None:
        """The closest stem with the rest of the word, within the limit of the stem's part."""
        limit = _typo_limit(len(word))
        if not limit:
            return None
        found: list[tuple[int, str]] = []
        for length, stems in self.stems.items():
            for cut in (length - 1, length, length + 1):
                start = word[:cut]
                if cut > len(word) or not _typo_limit(cut):
                    continue
                found.extend(
                    (distance, stem + word[cut:])
                    for stem, distance, _ in process.extract(
                        start, stems, scorer=OSA.distance, score_cutoff=limit, limit=None
                    )
                    if _near(start, stem, distance)
                )
        return min(found)[1] if found else None


def _near(typed: str, target: str, distance: int) -> bool:
    """Whether `typed` is a typo of `target`: within the limit of the shorter of the two."""
    shortest = min(len(typed), len(target))
    if distance > _typo_limit(shortest):
        return False
    # Four letters: only two neighbours swapped, so "wnat" is "want" but "what" is not "want".
    return shortest > 4 or (len(typed) == len(target) and sorted(typed) == sorted(target))


def _readings(typed: str) -> Iterator[str]:
    """The word as typed, or with digits read as letters: "1" first as i, then as l."""
    if not any(char.isdigit() for char in typed):
        yield typed
        return
    as_i = typed.translate(_DIGITS_AS_I)
    yield as_i
    if (as_l := typed.translate(_DIGITS_AS_L)) != as_i:
        yield as_l


# --- the YAML schema --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Item:
    """One position of a phrase: a word, one of several words, an optional word or a gap."""

    words: tuple[str, ...]  # as written, wildcard included; empty for a gap
    optional: bool = False

    @property
    def is_gap(self) -> bool:
        return not self.words

    @property
    def required(self) -> bool:
        return not self.is_gap and not self.optional


def _parse(phrase: str) -> tuple[_Item, ...]:
    """The items of a phrase; ValueError says what is wrong with the syntax."""
    if phrase != phrase.lower():
        raise ValueError(f"{phrase!r}: write phrases in lower case")
    items: list[_Item] = []
    for part in phrase.split():
        if part == GAP:
            items.append(_Item(()))
            continue
        optional = part.startswith("[") and part.endswith("]")
        words = tuple((part[1:-1] if optional else part).split("|"))
        for word in words:
            if not _WORD.fullmatch(word):
                raise ValueError(f"{phrase!r}: {word!r} is not a word (a word may end in *)")
        items.append(_Item(words, optional))
    if not items:
        raise ValueError("a phrase needs at least one word")
    # A phrase that began or ended with an optional word or a gap would only look wider.
    if not items[0].required or not items[-1].required:
        raise ValueError(f"{phrase!r}: begin and end with a word that is not optional or ~")
    if any(a.is_gap and b.is_gap for a, b in pairwise(items)):
        raise ValueError(f"{phrase!r}: one ~ already stands for up to {MAX_GAP} words")
    return tuple(items)


def _valid_phrase(phrase: str) -> str:
    _parse(phrase)
    return phrase


Phrase = Annotated[str, AfterValidator(_valid_phrase)]
Spelling = Annotated[str, Field(min_length=1)]


class _Strict(BaseModel):
    # Strict: YAML's "yes" or 12 is not silently taken for a phrase.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class PatternLists(_Strict):
    """The phrases of one language, by kind; the field names are the `CrisisKind` values."""

    suicide: list[Phrase] = Field(min_length=1)
    danger: list[Phrase] = Field(min_length=1)
    violence: list[Phrase] = Field(min_length=1)

    @model_validator(mode="after")
    def _each_once(self) -> PatternLists:
        for kind in CrisisKind:
            phrases = self.of(kind)
            twice = sorted({p for p in phrases if phrases.count(p) > 1})
            if twice:
                raise ValueError(f"{kind}: listed twice: {', '.join(twice)}")
        return self

    def of(self, kind: CrisisKind) -> list[str]:
        phrases: list[str] = getattr(self, kind.value)
        return phrases


class SafetyFile(_Strict):
    patterns: PatternLists
    exclusions: list[Phrase] = []
    # The spelling phrases are written in -> the ways people also type it.
    spellings: dict[Spelling, list[Spelling]] = {}


# --- the compiled matcher ---------------------------------------------------------------------


@dataclass(frozen=True)
class Safety:
    """The crisis phrases of every language, compiled: one regular expression per kind."""

    patterns: tuple[tuple[CrisisKind, re.Pattern[str]], ...]  # most urgent first
    exclusions: re.Pattern[str]
    spellings: re.Pattern[str]
    canonical: Mapping[str, str]  # a way people type it -> the spelling phrases use
    speller: _Speller

    def matches(self, text: str) -> CrisisKind | None:
        """The most urgent kind of crisis this message signals, or None for an ordinary one."""
        prepared = self.prepare(text)
        for kind, pattern in self.patterns:
            if pattern.search(prepared):
                return kind
        return None

    def prepare(self, text: str) -> str:
        """The message as the patterns see it: normalised, respelled, idioms cut out."""
        words = " ".join(map(self.speller.word, _plain(text).split()))
        return self.exclusions.sub(f"{BARRIER} ", f" {self._respell(words)} ")

    def _respell(self, plain: str) -> str:
        return self.spellings.sub(lambda found: self.canonical[found.group(0)], plain)


def _alternatives(words: list[str]) -> re.Pattern[str]:
    if not words:
        return _NEVER
    # Longest first, so "zelf moord" is respelled before a shorter variant could take "zelf".
    ordered = sorted(words, key=lambda word: (-len(word), word))
    return re.compile(f"(?<![^ ])(?:{'|'.join(map(re.escape, ordered))})(?![^ ])")


def _phrase_regex(phrase: str, respell: Callable[[str], str]) -> str:
    """The regular expression of one phrase; each item ends with the space after its word."""
    parts: list[str] = []
    for item in _parse(phrase):
        if item.is_gap:
            parts.append(f"(?:{_ANY_WORD}){{0,{MAX_GAP}}}")
            continue
        options: list[str] = []
        for word in item.words:
            ending = "[^ ]*" if word.endswith(WILDCARD) else ""
            options.append(re.escape(_spelled(phrase, word, respell)) + ending)
        word_regex = f"(?:{'|'.join(options)}) "
        parts.append(f"(?:{word_regex})?" if item.optional else word_regex)
    return "".join(parts)


def _spelled(phrase: str, word: str, respell: Callable[[str], str]) -> str:
    """A word of a phrase as a message reads after `Safety.prepare`; a stem without its `*`."""
    stem = respell(_plain(word.removesuffix(WILDCARD)))
    if not stem:
        raise ValueError(f"{phrase!r}: {word!r} has no letters")
    return stem


def _vocabulary(phrases: list[str], respell: Callable[[str], str]) -> Iterator[tuple[str, bool]]:
    """Each word of these phrases as `_spelled`, and whether a wildcard ends it."""
    for phrase in phrases:
        for item in _parse(phrase):
            for word in item.words:
                *whole, last = _spelled(phrase, word, respell).split()
                yield from ((piece, False) for piece in whole)
                yield last, word.endswith(WILDCARD)


def _example(phrase: str) -> str:
    """The shortest message the phrase is meant to match: first choices, nothing optional."""
    return " ".join(
        item.words[0].removesuffix(WILDCARD) for item in _parse(phrase) if item.required
    )


def _one_regex(regexes: list[str]) -> re.Pattern[str]:
    if not regexes:
        return _NEVER
    # The word-start check once, outside the alternatives: most positions fail at once.
    return re.compile(f"{_AFTER_SPACE}(?:{'|'.join(f'(?:{r})' for r in regexes)})")


def _merge_spellings(files: Mapping[Path, SafetyFile]) -> dict[str, str]:
    canonical: dict[str, str] = {}
    source: dict[str, Path] = {}
    for path, file in files.items():
        for written, variants in file.spellings.items():
            target = _plain(written)
            if not target:
                raise ContentError(f"{path}: spellings.{written}: has no letters")
            for variant in variants:
                typed = _plain(variant)
                if not typed or typed == target:
                    raise ContentError(f"{path}: spellings.{written}: {variant!r} changes nothing")
                if canonical.get(typed, target) != target:
                    raise ContentError(
                        f"{path}: spellings.{written}: {variant!r} is already respelled as "
                        f"{canonical[typed]!r} in {source[typed].name}"
                    )
                canonical[typed] = target
                source[typed] = path
    # One pass of respelling: a target that is itself respelled would depend on the order.
    for typed, target in canonical.items():
        for word in (target, *target.split()):
            if word in canonical:
                raise ContentError(
                    f"{source[typed]}: spellings: {typed!r} becomes {target!r}, "
                    f"but {word!r} is respelled too ({source[word].name})"
                )
    return canonical


def _compile(files: Mapping[Path, SafetyFile]) -> Safety:
    canonical = _merge_spellings(files)
    spellings = _alternatives(list(canonical))

    def respell(plain: str) -> str:
        return spellings.sub(lambda found: canonical[found.group(0)], plain)

    exclusions: list[str] = []
    by_kind: dict[CrisisKind, list[str]] = {kind: [] for kind in CrisisKind}
    # The typed ways of the spellings are words the speller must leave as they are.
    vocabulary = {word for spelling in canonical.items() for word in " ".join(spelling).split()}
    stems: set[str] = set()
    for path, file in files.items():
        phrases = [*file.exclusions, *(p for kind in CrisisKind for p in file.patterns.of(kind))]
        try:
            exclusions.extend(_phrase_regex(phrase, respell) for phrase in file.exclusions)
            for kind in CrisisKind:
                by_kind[kind].extend(_phrase_regex(p, respell) for p in file.patterns.of(kind))
            for word, wildcard in _vocabulary(phrases, respell):
                (stems if wildcard else vocabulary).add(word)
        except ValueError as error:
            raise ContentError(f"{path}: {error}") from None
    safety = Safety(
        patterns=tuple((kind, _one_regex(by_kind[kind])) for kind in URGENCY),
        exclusions=_one_regex(exclusions),
        spellings=spellings,
        canonical=canonical,
        speller=_Speller(vocabulary, stems, _ordinary_words(tuple(p.stem for p in files))),
    )
    # Every phrase must match its own plainest form; otherwise an exclusion or a spelling of
    # some language silently swallows it, and a crisis would go unanswered.
    patterns = dict(safety.patterns)
    for path, file in files.items():
        for kind in CrisisKind:
            for phrase in file.patterns.of(kind):
                if not patterns[kind].search(safety.prepare(_example(phrase))):
                    raise ContentError(
                        f"{path}: patterns.{kind}: {phrase!r} can never match; "
                        "an exclusion or a spelling swallows it"
                    )
    return safety


def load_safety(root: Path = DEFAULT_CONTENT_DIR) -> Safety:
    """Load every `root/safety/<language>.yaml` into one `Safety` for all languages.

    A missing folder, a broken file or a phrase that can never match raises `ContentError`
    naming the folder or the file: without these lists no crisis would be recognised.
    """
    folder = root / "safety"
    paths = sorted(folder.glob("*.yaml"))
    if not paths:
        raise ContentError(f"{folder}: needs <language>.yaml files with crisis patterns")
    files: dict[Path, SafetyFile] = {}
    for path in paths:
        files[path] = read_model(path, SafetyFile)
    return _compile(files)
