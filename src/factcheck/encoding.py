"""Turn a dossier's bytes into text, and find and exactly repair UTF-8 mojibake in it."""

from __future__ import annotations

import functools
import os
import re
import stat
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field

from factcheck.errors import InputError

# Files larger than this are refused by `read` (its `max_bytes`), as Semgrep refuses files over
# --max-target-bytes. Parsing costs time and memory in proportion to the size, and markdown-it
# keeps every token of a file. Measured at 2 MB on a shared 2-vCPU machine: prose 2 s and
# 150 MB, a table of 100,000 short rows 4 s and 450 MB, a line of 280,000 links 7 s and
# 570 MB; the slowest markup known ("*[_![" repeated) about 35 s. 2 MB leaves room for the
# 1 MB lines that hostile-input tests use, and is 50 times a large real dossier (10-40 kB).
DEFAULT_MAX_BYTES = 2_000_000

_UTF8_BOM = b"\xef\xbb\xbf"
_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_O_BINARY = getattr(os, "O_BINARY", 0)

# UTF-32 comes first: its little-endian BOM starts with the UTF-16 one.
_UNICODE_BOMS: tuple[tuple[bytes, str, str], ...] = (
    (b"\xff\xfe\x00\x00", "utf-32", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32", "utf-32-be"),
    (b"\xff\xfe", "utf-16", "utf-16-le"),
    (b"\xfe\xff", "utf-16", "utf-16-be"),
)

# Order breaks ties: cp1252 before latin-1 because when both give the same repair the
# damage came through cp1252 far more often.
_CODECS: tuple[str, ...] = ("mac_roman", "cp1252", "latin-1")

# Bytes that cp1252 leaves undefined; sloppy decoders pass them through as C1 controls.
_CP1252_UNDEFINED = (0x81, 0x8D, 0x8F, 0x90, 0x9D)


def _byte_table(codec: str) -> dict[str, int]:
    """Map each character the codec decodes a high byte to back to that byte."""
    table: dict[str, int] = {}
    for byte in range(0x80, 0x100):
        if codec == "cp1252" and byte in _CP1252_UNDEFINED:
            table[chr(byte)] = byte
        else:
            table[bytes([byte]).decode(codec)] = byte
    return table


_TABLES: dict[str, dict[str, int]] = {codec: _byte_table(codec) for codec in _CODECS}


def _chars(codec: str, first: int, last: int) -> set[str]:
    """The characters that `codec` decodes the bytes `first`..`last` to."""
    return {c for c, b in _TABLES[codec].items() if first <= b <= last}


def _class(chars: set[str]) -> str:
    return "[" + "".join(re.escape(c) for c in sorted(chars)) + "]"


@functools.cache
def _plausible() -> re.Pattern[str]:
    """A UTF-8 lead byte followed by a continuation byte, both decoded by the same codec."""
    return re.compile("|".join(
        _class(_chars(c, 0xC2, 0xF4)) + _class(_chars(c, 0x80, 0xBF)) for c in _CODECS
    ))


# Every damaged character starts with such a pair, so text without one needs no further work.
# The pair in any codec is a cheaper first test (one character class each side, about six
# times faster than the pattern above, which needs both from one codec).
_PLAUSIBLE_ANY = re.compile(
    _class(set().union(*(_chars(c, 0xC2, 0xF4) for c in _CODECS)))
    + _class(set().union(*(_chars(c, 0x80, 0xBF) for c in _CODECS)))
)
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")


@dataclass(frozen=True, slots=True)
class RepairSpan:
    """One repaired run: where it is in the damaged original and in the repaired text."""

    original_start: int
    original_end: int
    text_start: int
    text_end: int


@dataclass(frozen=True, slots=True)
class Repair:
    """Which codec damaged the file, and the spans that were repaired."""

    codec: str
    spans: tuple[RepairSpan, ...]


@dataclass(frozen=True)
class Decoded:
    """A decoded file: its text as on disk, the repaired text, and a map between them."""

    path: str
    original: str
    text: str
    bom: bool
    encoding: str
    repair: Repair | None
    # A UTF-16/32 file is written back in the byte order it came in.
    _wire_codec: str = field(default="", repr=False, compare=False, kw_only=True)
    _text_marks: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _original_marks: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        text_marks: list[int] = []
        original_marks: list[int] = []
        if self.repair is not None:
            for span in self.repair.spans:
                # Each byte of a damaged character became one character, so the damaged
                # sequence of a repaired character is as long as its UTF-8 encoding.
                position = span.original_start
                for offset in range(span.text_start, span.text_end):
                    text_marks.append(offset)
                    original_marks.append(position)
                    position += _utf8_length(self.text[offset])
                text_marks.append(span.text_end)
                original_marks.append(span.original_end)
        object.__setattr__(self, "_text_marks", tuple(text_marks))
        object.__setattr__(self, "_original_marks", tuple(original_marks))

    def to_original(self, offset: int) -> int:
        """Map an offset in `text` to the matching offset in `original`."""
        if not 0 <= offset <= len(self.text):
            raise ValueError(f"offset {offset} outside text of length {len(self.text)}")
        index = bisect_right(self._text_marks, offset) - 1
        if index < 0:
            return offset
        return self._original_marks[index] + offset - self._text_marks[index]

    def repaired_bytes(self) -> bytes:
        """Return the bytes the file should have, in its own encoding."""
        if self.encoding == "utf-8":
            return (_UTF8_BOM if self.bom else b"") + self.text.encode("utf-8")
        wire = self._wire_codec or f"{self.encoding}-le"
        bom = next(b for b, _, codec in _UNICODE_BOMS if codec == wire)
        return bom + self.text.encode(wire)


def _utf8_length(char: str) -> int:
    """Return how many bytes UTF-8 needs for one character."""
    code = ord(char)
    if code < 0x80:
        return 1
    if code < 0x800:
        return 2
    return 3 if code < 0x10000 else 4


def _line_of(data: bytes, offset: int) -> int:
    """Return the 1-based line of a byte offset."""
    return data.count(b"\n", 0, offset) + 1


def decode(data: bytes, path: str) -> Decoded:
    """Decode a file's bytes, repairing mojibake; raise InputError when they are not text."""
    for mark, name, wire in _UNICODE_BOMS:
        if data.startswith(mark):
            try:
                original = data[len(mark) :].decode(wire)
            except UnicodeDecodeError as exc:
                offset = exc.start + len(mark)
                raise InputError(
                    path, f"invalid {name.upper()} at byte {offset} ({exc.reason})"
                ) from None
            return _decoded(path, original, bom=False, encoding=name, wire=wire)
    nul = data.find(b"\x00")
    if nul >= 0:
        raise InputError(path, f"binary file (NUL byte at byte {nul})")
    bom = data.startswith(_UTF8_BOM)
    try:
        original = data[len(_UTF8_BOM) :].decode("utf-8") if bom else data.decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = exc.start + (len(_UTF8_BOM) if bom else 0)
        raise InputError(
            path,
            f"invalid UTF-8 at byte {offset} (line {_line_of(data, offset)}: {exc.reason}, "
            f"byte 0x{data[offset]:02X})",
        ) from None
    return _decoded(path, original, bom=bom, encoding="utf-8", wire="utf-8")


def read(path: str | os.PathLike[str], max_bytes: int | None = DEFAULT_MAX_BYTES) -> Decoded:
    """Read and decode a file; raise InputError when it cannot be read or is not text.

    Only regular files are read: a folder, a named pipe or a device is refused at once
    instead of blocking on a pipe no one writes to. A file larger than `max_bytes` is refused
    before it is read (None or 0 for no limit), so a huge file costs neither time nor memory.
    """
    return decode(read_bytes(path, max_bytes), os.fspath(path))


def read_bytes(path: str | os.PathLike[str], max_bytes: int | None = DEFAULT_MAX_BYTES) -> bytes:
    """Return a file's bytes; raise InputError as `read` does (not a regular file, too large,
    cannot be opened)."""
    name = os.fspath(path)
    limit = max_bytes if max_bytes is not None and max_bytes > 0 else None
    try:
        # O_NONBLOCK: opening a named pipe with no writer would otherwise wait for one forever.
        fd = os.open(name, os.O_RDONLY | _O_NONBLOCK | _O_CLOEXEC | _O_BINARY)
    except OSError as exc:
        raise InputError(name, _os_reason(exc)) from None
    try:
        info = os.fstat(fd)
        kind = _special_kind(info.st_mode)
        if kind is not None:
            raise InputError(name, kind)
        if limit is not None and info.st_size > limit:
            raise InputError(name, _too_large(info.st_size, limit))
        with os.fdopen(fd, "rb") as handle:
            fd = -1
            data = handle.read() if limit is None else handle.read(limit + 1)
    except OSError as exc:
        raise InputError(name, _os_reason(exc)) from None
    finally:
        if fd >= 0:
            os.close(fd)
    if limit is not None and len(data) > limit:  # it grew after fstat
        raise InputError(name, f"file too large (grew past the limit of {_megabytes(limit)} "
                               "while being read)")
    return data


def _os_reason(exc: OSError) -> str:
    """Say in a few words why a file could not be opened or read."""
    if isinstance(exc, FileNotFoundError):
        return "no such file"
    if isinstance(exc, IsADirectoryError):
        return "is a directory"
    if isinstance(exc, NotADirectoryError):
        return "a parent of it is not a directory"
    if isinstance(exc, PermissionError):
        return "permission denied"
    return (exc.strerror or type(exc).__name__).lower()


def _special_kind(mode: int) -> str | None:
    """Why a file of this mode is not read, or None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "is a directory"
    for test, kind in (
        (stat.S_ISFIFO, "named pipe"),
        (stat.S_ISCHR, "character device"),
        (stat.S_ISBLK, "block device"),
        (stat.S_ISSOCK, "socket"),
    ):
        if test(mode):
            return f"not a regular file ({kind})"
    return "not a regular file"


def _too_large(size: int, limit: int) -> str:
    """The reason for refusing a file of `size` bytes: "file too large (50.0 MB, limit 2.0 MB)"."""
    big, most = _megabytes(size), _megabytes(limit)
    if big == most:  # just over the limit: say it in bytes
        return f"file too large ({size:,} bytes, limit {limit:,})"
    return f"file too large ({big}, limit {most})"


def _megabytes(size: int) -> str:
    """A byte count in megabytes (10**6 bytes) with one decimal, e.g. "1.5 MB"."""
    return f"{size / 1_000_000:.1f} MB"


def _decoded(path: str, original: str, *, bom: bool, encoding: str, wire: str) -> Decoded:
    """Build the Decoded for a file's text, repairing it when it is damaged."""
    found = _find_repair(original)
    if found is None:
        return Decoded(path, original, original, bom, encoding, None, _wire_codec=wire)
    text, repair = found
    return Decoded(path, original, text, bom, encoding, repair, _wire_codec=wire)


def _fix(run: str, table: dict[str, int]) -> str | None:
    """Undo one wrong decoding of a run, or return None when the run is not such damage."""
    try:
        return bytes([table[char] for char in run]).decode("utf-8")
    except (KeyError, UnicodeDecodeError):
        return None


def _is_mark(char: str) -> bool:
    """Say whether a character is a combining mark other than a variation selector."""
    code = ord(char)
    if 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF:
        return False
    return unicodedata.category(char)[0] == "M"


def _believable(fixed: str, before: str) -> bool:
    """Say whether a repaired run could be real text (no controls, no stray combining marks)."""
    previous = before
    for char in fixed:
        category = unicodedata.category(char)
        if category in ("Cc", "Cs", "Cn", "Co"):
            return False
        if _is_mark(char) and not (previous and unicodedata.category(previous)[0] in "LMN"):
            return False
        previous = char
    return True


def _find_repair(text: str) -> tuple[str, Repair] | None:
    """Find the codec that damaged `text` and repair the runs it damaged, or return None."""
    if (text.isascii() or _PLAUSIBLE_ANY.search(text) is None
            or _plausible().search(text) is None):
        return None
    runs = [(m.start(), m.end()) for m in _NON_ASCII_RUN.finditer(text)]

    best: tuple[tuple[int, int, int], str, dict[int, str]] | None = None
    for rank, codec in enumerate(_CODECS):
        table = _TABLES[codec]
        fixes: dict[int, str] = {}
        for index, (start, end) in enumerate(runs):
            # A single high byte is never valid UTF-8.
            if end - start < 2:
                continue
            fixed = _fix(text[start:end], table)
            if fixed is not None and _believable(fixed, text[start - 1] if start else ""):
                fixes[index] = fixed
        if not fixes:
            continue
        # Most repaired runs wins; among equals, the repair with fewer combining marks
        # (cp1252 "Ã©" is "é", while as Mac Roman it is a lone U+0329).
        marks = sum(_is_mark(c) for fixed in fixes.values() for c in fixed)
        key = (-len(fixes), marks, rank)
        if best is None or key < best[0]:
            best = (key, codec, fixes)
    if best is None:
        return None
    _, codec, fixes = best

    chosen = _choose_runs(text, runs, fixes)
    if not chosen:
        return None
    parts: list[str] = []
    spans: list[RepairSpan] = []
    position = 0
    shift = 0
    for index in chosen:
        start, end = runs[index]
        fixed = fixes[index]
        parts.append(text[position:start])
        parts.append(fixed)
        spans.append(RepairSpan(start, end, start + shift, start + shift + len(fixed)))
        shift += len(fixed) - (end - start)
        position = end
    parts.append(text[position:])
    return "".join(parts), Repair(codec, tuple(spans))


def _choose_runs(text: str, runs: list[tuple[int, int]], fixes: dict[int, str]) -> list[int]:
    """Pick the repairable runs that are convincingly damage, in order.

    Three or more characters that happen to form valid UTF-8 are almost never legitimate
    text, so such a run is strong evidence; so is a run that ftfy finds worse than its repair.
    A two-character run ftfy cannot judge ("—à" is legitimate, "—é" may be damaged "ю") is
    repaired only beside strong evidence: when every run in the file repairs, or on a line
    where every run repairs.
    """
    from ftfy.badness import badness  # deferred: importing ftfy costs ~40 ms

    before = {i: badness(text[runs[i][0] : runs[i][1]]) for i in fixes}
    after = {i: badness(fixes[i]) for i in fixes}
    strong = {i for i in fixes if after[i] < before[i] or runs[i][1] - runs[i][0] >= 3}
    if not strong:
        return []
    weak = {i for i in fixes if i not in strong and after[i] == before[i]}
    if len(fixes) == len(runs):
        return sorted(strong | weak)

    chosen = set(strong)
    lines: dict[int, list[int]] = {}
    line = 0
    position = 0
    for index, (start, _) in enumerate(runs):
        # Counting CR as well keeps old Mac files (CR only) from being one long line.
        line += text.count("\n", position, start) + text.count("\r", position, start)
        position = start
        lines.setdefault(line, []).append(index)
    for members in lines.values():
        if all(i in fixes for i in members) and any(i in strong for i in members):
            chosen.update(i for i in members if i in weak)
    return sorted(chosen)
