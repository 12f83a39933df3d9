"""Decoding dossiers: encodings, errors, and exact repair of UTF-8 mojibake."""

# Look-alike punctuation (low quotes, curly quotes, dashes) is the subject matter here.

from __future__ import annotations

import itertools
import os
import re
import string
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from factcheck import encoding
from factcheck.encoding import Decoded, decode, read
from factcheck.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "fixtures" / "corpus"
RECEIVED = CORPUS / "received" / "stepfun.md"
REPAIRED = CORPUS / "ailabs" / "llm-chinese-stepfun.md"
AILABS = sorted((CORPUS / "ailabs").glob("*.md"))

CP1252_UNDEFINED = (0x81, 0x8D, 0x8F, 0x90, 0x9D)


def sloppy_cp1252(data: bytes) -> str:
    """Decode like Windows-1252 but pass its undefined bytes through as C1 controls."""
    return "".join(chr(b) if b in CP1252_UNDEFINED else bytes([b]).decode("cp1252") for b in data)


def damage(text: str, codec: str) -> str:
    """Return `text` as it reads after its UTF-8 bytes were decoded with `codec`."""
    data = text.encode("utf-8")
    return sloppy_cp1252(data) if codec == "cp1252" else data.decode(codec)


def undamage(run: str, codec: str) -> str | None:
    """Reverse `damage` for one run, or None when the run is not such damage."""
    try:
        if codec == "cp1252":
            raw = bytes(
                ord(c) if ord(c) in CP1252_UNDEFINED else c.encode("cp1252")[0] for c in run
            )
        else:
            raw = run.encode(codec)
        return raw.decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return None


def plausible_mojibake(text: str) -> bool:
    """Say whether any non-ASCII run of `text` decodes as damage under any codec."""
    runs = re.findall(r"[^\x00-\x7f]{2,}", text)
    return any(undamage(run, codec) is not None for run in runs for codec in CODECS)


CODECS = ("mac_roman", "cp1252", "latin-1")


@pytest.fixture(scope="module")
def received() -> Decoded:
    return read(RECEIVED)


# --- the real damaged file -------------------------------------------------------------


def test_received_stepfun_repairs_to_the_original_bytes(received: Decoded) -> None:
    good = REPAIRED.read_bytes()
    assert received.repair is not None
    assert received.repair.codec == "mac_roman"
    assert received.text == good.decode("utf-8")
    assert received.repaired_bytes() == good
    assert received.original == RECEIVED.read_text(encoding="utf-8")
    assert received.encoding == "utf-8"
    assert not received.bom


def test_repair_spans_are_sorted_and_disjoint(received: Decoded) -> None:
    assert received.repair is not None
    spans = received.repair.spans
    assert spans
    for before, after in itertools.pairwise(spans):
        assert before.original_end < after.original_start
        assert before.text_end < after.text_start
    for span in spans:
        damaged = received.original[span.original_start : span.original_end]
        assert (
            damaged.encode("mac_roman").decode("utf-8")
            == received.text[span.text_start : span.text_end]
        )


def line_offset(text: str, line: int) -> int:
    """Return the offset where 1-based `line` starts."""
    return sum(len(x) for x in text.splitlines(keepends=True)[: line - 1])


def test_to_original_points_at_the_damaged_sequence_on_line_1(received: Decoded) -> None:
    text, original = received.text, received.original
    at = text.index("阶跃星辰")
    assert at < text.index("\n")
    start = received.to_original(at)
    assert original[start:].startswith("Èò∂Ë∑ÉÊòüËæ∞")
    # Each Chinese character took three damaged characters.
    assert [received.to_original(at + i) for i in range(5)] == [start + 3 * i for i in range(5)]
    assert original[received.to_original(at + 1) :].startswith("Ë∑É")
    # ASCII after the repaired run maps to the same ASCII.
    after = text.index(") - Deep Dive")
    mapped = received.to_original(after)
    assert original[mapped : mapped + len(") - Deep Dive")] == ") - Deep Dive"
    assert received.to_original(0) == 0


def test_to_original_points_at_the_damaged_cross_in_the_table(received: Decoded) -> None:
    text, original = received.text, received.original
    start = line_offset(text, 104)
    at = text.index("❌", start)
    assert at < text.index("\n", start)
    mapped = received.to_original(at)
    assert original[mapped : mapped + 3] == "‚ùå"
    assert received.to_original(at + 1) == mapped + 3
    assert original[mapped + 3 : mapped + 9] == " | - |"
    assert received.to_original(at + 1 + 6) == mapped + 9
    assert line_offset(original, 104) <= mapped


def test_every_repaired_character_maps_to_its_own_damaged_sequence(received: Decoded) -> None:
    assert received.repair is not None
    for span in received.repair.spans:
        for offset in range(span.text_start, span.text_end):
            start = received.to_original(offset)
            end = received.to_original(offset + 1)
            assert (
                received.original[start:end].encode("mac_roman").decode() == received.text[offset]
            )
        assert received.to_original(span.text_end) == span.original_end
    end = received.to_original(len(received.text))
    assert end == len(received.original)


def test_to_original_rejects_offsets_outside_the_text(received: Decoded) -> None:
    with pytest.raises(ValueError):
        received.to_original(-1)
    with pytest.raises(ValueError):
        received.to_original(len(received.text) + 1)


# --- synthetic damage ------------------------------------------------------------------

SAMPLE = (
    "# Café “naïve” — 阶跃星辰 ❌ ✅ → 📖\r\n"
    "Raised €20M at ¥1B; façade, Ærøskøbing, Øresund, Ő, Á, ŝ, ō, ŏ … done.\r\n"
)


@pytest.mark.parametrize("codec", CODECS)
def test_synthetic_damage_repairs_exactly(codec: str) -> None:
    damaged = damage(SAMPLE, codec)
    assert damaged != SAMPLE
    decoded = decode(damaged.encode("utf-8"), "sample.md")
    assert decoded.text == SAMPLE
    assert decoded.repair is not None
    assert decoded.repair.codec == codec
    assert decoded.repaired_bytes() == SAMPLE.encode("utf-8")


@pytest.mark.parametrize(
    ("damaged", "codec", "repaired"),
    [
        ("cafÃ©", "cp1252", "café"),
        ("It costs â‚¬20M â€” roughly.", "cp1252", "It costs €20M — roughly."),
        ("na√Øve", "mac_roman", "naïve"),
        ("a ‚ùå b", "mac_roman", "a ❌ b"),
        ("x â\x80\x94 y", "latin-1", "x — y"),
    ],
)
def test_short_damage_repairs(damaged: str, codec: str, repaired: str) -> None:
    decoded = decode(damaged.encode("utf-8"), "short.md")
    assert decoded.text == repaired
    assert decoded.repair is not None
    assert decoded.repair.codec == codec


def test_damaged_paragraph_in_a_good_file_is_repaired_alone() -> None:
    good = (CORPUS / "ailabs" / "llm-chinese-baichuan.md").read_text(encoding="utf-8")
    pasted = "".join(REPAIRED.read_text(encoding="utf-8").splitlines(keepends=True)[:12])
    legit = "Dinner—à la carte, “École” and SÃO PAULO stay as written.\n"
    lines = good.splitlines(keepends=True)
    expected = "".join([*lines[:20], legit, pasted, *lines[20:]])
    damaged = "".join([*lines[:20], legit, damage(pasted, "mac_roman"), *lines[20:]])
    decoded = decode(damaged.encode("utf-8"), "mixed.md")
    assert decoded.text == expected
    assert decoded.repair is not None
    assert decoded.repair.codec == "mac_roman"
    begin = len("".join(lines[:20]) + legit)
    end = begin + len(damage(pasted, "mac_roman"))
    assert all(begin <= s.original_start < s.original_end <= end for s in decoded.repair.spans)


def test_cp1252_paragraph_in_a_good_file_is_repaired_alone() -> None:
    good = "Il a dit « bonjour » — déjà vu, naïve café.\n\n"
    pasted = "She said “it’s done” — for €20M.\n"
    decoded = decode((good + damage(pasted, "cp1252") + good).encode("utf-8"), "fr.md")
    assert decoded.text == good + pasted + good
    assert decoded.repair is not None
    assert decoded.repair.codec == "cp1252"


def test_crlf_line_endings_are_kept() -> None:
    data = damage("阶跃星辰\r\nline two ❌\r\n", "mac_roman").encode("utf-8")
    decoded = decode(data, "crlf.md")
    assert decoded.text == "阶跃星辰\r\nline two ❌\r\n"
    clean = "café\r\nnaïve\r\n".encode()
    assert decode(clean, "clean.md").repaired_bytes() == clean


# --- legitimate text is left alone -----------------------------------------------------


@pytest.mark.parametrize("path", AILABS, ids=lambda p: p.name)
def test_real_utf8_files_are_unchanged(path: Path) -> None:
    data = path.read_bytes()
    decoded = read(path)
    assert decoded.repair is None
    assert decoded.text == decoded.original == data.decode("utf-8")
    assert decoded.repaired_bytes() == data
    assert decoded.to_original(len(decoded.text)) == len(decoded.original)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "plain ASCII\n",
        "café",
        "naïve",
        "A — B – C",
        "Raised €20M.",
        "阶跃星辰 is a Chinese lab.",
        "Shipped 🚀 ✅ ❌ 👍🏽 ❤️",
        "SÃO PAULO",
        "Dinner—à la carte",
        "“École” «élan» ‘à’ …über",
        "Ærøskøbing Øresund façade",
        "x² + y² ≤ 1 ± ε",
        "e\u0301te\u0301",
    ],
)
def test_clean_text_is_unchanged(text: str) -> None:
    data = text.encode("utf-8")
    decoded = decode(data, "clean.md")
    assert decoded.repair is None
    assert decoded.text == decoded.original == text
    assert decoded.repaired_bytes() == data


# --- encodings and errors --------------------------------------------------------------


def test_utf8_bom_is_removed_and_written_back() -> None:
    data = b"\xef\xbb\xbf" + damage("# 阶跃星辰 ❌\n", "mac_roman").encode()
    decoded = decode(data, "bom.md")
    assert decoded.bom
    assert decoded.original.startswith("# ")
    assert decoded.text == "# 阶跃星辰 ❌\n"
    assert decoded.repaired_bytes() == b"\xef\xbb\xbf" + "# 阶跃星辰 ❌\n".encode()
    clean = b"\xef\xbb\xbfcaf\xc3\xa9\n"
    assert decode(clean, "bom.md").repaired_bytes() == clean


def test_empty_and_bom_only_files() -> None:
    empty = decode(b"", "empty.md")
    assert empty.text == empty.original == ""
    assert empty.repair is None
    assert empty.repaired_bytes() == b""
    only_bom = decode(b"\xef\xbb\xbf", "bom.md")
    assert only_bom.text == "" and only_bom.bom
    assert only_bom.repaired_bytes() == b"\xef\xbb\xbf"


@pytest.mark.parametrize(
    ("bom", "codec", "encoding"),
    [
        (b"\xff\xfe", "utf-16-le", "utf-16"),
        (b"\xfe\xff", "utf-16-be", "utf-16"),
        (b"\xff\xfe\x00\x00", "utf-32-le", "utf-32"),
        (b"\x00\x00\xfe\xff", "utf-32-be", "utf-32"),
    ],
)
def test_utf16_and_utf32_with_bom(bom: bytes, codec: str, encoding: str) -> None:
    text = "# Café — 阶跃星辰 📖\r\nline\n"
    data = bom + text.encode(codec)
    decoded = decode(data, "wide.md")
    assert decoded.encoding == encoding
    assert decoded.text == decoded.original == text
    assert decoded.repair is None
    assert decoded.repaired_bytes() == data


def test_utf16_with_mojibake_is_repaired_and_written_back_as_utf16() -> None:
    data = b"\xff\xfe" + damage("阶跃星辰 ❌\n", "mac_roman").encode("utf-16-le")
    decoded = decode(data, "wide.md")
    assert decoded.text == "阶跃星辰 ❌\n"
    assert decoded.repaired_bytes() == b"\xff\xfe" + "阶跃星辰 ❌\n".encode("utf-16-le")


def test_truncated_utf16_is_an_input_error() -> None:
    with pytest.raises(InputError, match=r"wide\.md: invalid UTF-16 at byte 4"):
        decode(b"\xff\xfea\x00b", "wide.md")


def test_invalid_utf8_names_path_and_byte_offset() -> None:
    data = b"# Title\ncaf\xe9 au lait\n"
    with pytest.raises(InputError) as caught:
        decode(data, "notes/latin1.md")
    message = str(caught.value)
    assert message.startswith("notes/latin1.md: invalid UTF-8 at byte 11 (")
    assert "line 2" in message
    assert caught.value.path == "notes/latin1.md"


def test_invalid_utf8_offset_counts_the_bom() -> None:
    with pytest.raises(InputError, match=r"invalid UTF-8 at byte 5 "):
        decode(b"\xef\xbb\xbfab\xff", "x.md")


def test_nul_byte_means_binary() -> None:
    with pytest.raises(InputError, match=r"^blob\.md: binary file \(NUL byte at byte 4\)$"):
        decode(b"PK\x03\x04\x00\x00\xff", "blob.md")


def test_read_reports_missing_file_and_directory(tmp_path: Path) -> None:
    missing = tmp_path / "missing.md"
    with pytest.raises(InputError, match=r"missing\.md: no such file$"):
        read(missing)
    with pytest.raises(InputError, match=r": is a directory$"):
        read(tmp_path)
    afile = tmp_path / "file.md"
    afile.write_text("x", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read(afile / "child.md")
    assert caught.value.path == str(afile / "child.md")


def test_read_reports_permission_denied(tmp_path: Path) -> None:
    locked = tmp_path / "locked.md"
    locked.write_text("x", encoding="utf-8")
    locked.chmod(0)
    if os.geteuid() != 0:
        with pytest.raises(InputError, match=r": permission denied$"):
            read(locked)
        return
    # Root reads any file, so read it as an unprivileged user in a forked child.
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        os.close(reader)
        try:
            os.setuid(65534)
            read(locked)
            message = "read succeeded"
        except InputError as exc:
            message = str(exc)
        except BaseException as exc:
            message = repr(exc)
        os.write(writer, message.encode())
        os._exit(0)
    os.close(writer)
    with os.fdopen(reader, "rb") as pipe:
        message = pipe.read().decode()
    os.waitpid(pid, 0)
    assert message == f"{locked}: permission denied"


def test_read_refuses_files_over_the_size_limit_unread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = tmp_path / "big.md"
    big.write_bytes(b"# x\n" + b"a" * 2_999_996)
    with pytest.raises(InputError, match=r"big\.md: file too large \(3\.0 MB, limit 2\.0 MB\)$"):
        read(big, max_bytes=2_000_000)
    assert encoding.DEFAULT_MAX_BYTES == 2_000_000
    with pytest.raises(InputError, match=r": file too large \(3\.0 MB, limit 2\.0 MB\)$"):
        read(big)  # the default limit
    assert len(read(big, max_bytes=None).text) == 3_000_000
    assert len(read(big, max_bytes=0).text) == 3_000_000  # 0: no limit either
    assert len(read(big, max_bytes=3_000_000).text) == 3_000_000  # the limit itself is allowed
    with pytest.raises(InputError, match=r": file too large \(3,000,000 bytes, limit 2,999,999\)$"):
        read(big, max_bytes=2_999_999)  # same size in MB: said in bytes

    # A file that grows between fstat and read is still cut off at the limit.
    real_fstat = os.fstat

    def shrunk(fd: int) -> os.stat_result:
        info = list(real_fstat(fd))
        info[6] = 10  # st_size
        return os.stat_result(info)

    monkeypatch.setattr(os, "fstat", shrunk)  # the `os` that `encoding` reads through
    with pytest.raises(InputError, match=r": file too large \(grew past the limit of 1\.5 MB "
                                         r"while being read\)$"):
        read(big, max_bytes=1_500_000)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this platform")
def test_read_refuses_a_named_pipe_without_blocking(tmp_path: Path) -> None:
    pipe = tmp_path / "pipe.md"
    os.mkfifo(pipe)  # no writer: opening it for reading in blocking mode would hang
    with pytest.raises(InputError, match=r"pipe\.md: not a regular file \(named pipe\)$"):
        read(pipe)
    with pytest.raises(InputError, match=r"pipe\.md: not a regular file \(named pipe\)$"):
        encoding.read_bytes(pipe)  # what --fix reads a file with
    plain = tmp_path / "plain.md"
    plain.write_bytes(b"caf\xc3\xa9\r\n")
    assert encoding.read_bytes(plain) == b"caf\xc3\xa9\r\n"


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_read_refuses_a_device() -> None:
    with pytest.raises(InputError, match=r"^/dev/zero: not a regular file \(character device\)$"):
        read("/dev/zero")  # an endless file: never read


def test_read_accepts_str_and_path(tmp_path: Path) -> None:
    target = tmp_path / "a.md"
    target.write_bytes("café\r\n".encode())
    assert read(target).text == read(str(target)).text == "café\r\n"
    assert read(target).path == str(target)


# --- properties ------------------------------------------------------------------------

PROSE_LATIN = [chr(c) for c in range(0xC0, 0x100) if c not in (0xD7, 0xF7)]
DISTINCTIVE = st.one_of(
    st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
    st.characters(min_codepoint=0x1F300, max_codepoint=0x1F64F),
    st.sampled_from(list("“”‘’—–…•€™→✅❌")),
)
PROSE_CHAR = st.one_of(
    st.sampled_from(list(string.ascii_letters + string.digits + " .,;:!?()-'\"\n")),
    st.sampled_from(PROSE_LATIN),
    DISTINCTIVE,
)
# Damage confined to two-byte Latin letters ("ø" -> "√∏") reads exactly like legitimate
# text such as "—à", so a damaged sample needs one character that cannot be legitimate.
PROSE = st.tuples(st.text(PROSE_CHAR), DISTINCTIVE, st.text(PROSE_CHAR)).map("".join)
NO_NUL = st.text(st.characters(codec="utf-8", exclude_characters="\x00"))


def assert_monotonic(decoded: Decoded) -> None:
    mapped = [decoded.to_original(i) for i in range(len(decoded.text) + 1)]
    assert mapped[0] == 0
    assert mapped[-1] == len(decoded.original)
    assert all(a <= b for a, b in itertools.pairwise(mapped))


@settings(max_examples=300)
@given(NO_NUL)
def test_any_text_decodes_and_is_kept_without_plausible_damage(text: str) -> None:
    data = text.encode("utf-8")
    decoded = decode(data, "any.md")
    expected = text.removeprefix("\ufeff")
    assert decoded.original == expected
    if decoded.repair is None:
        assert decoded.text == expected
        assert decoded.repaired_bytes() == data
    if not plausible_mojibake(expected):
        assert decoded.repair is None
    assert_monotonic(decoded)


@settings(max_examples=300)
@given(PROSE)
def test_prose_damaged_through_mac_roman_repairs_exactly(text: str) -> None:
    decoded = decode(damage(text, "mac_roman").encode("utf-8"), "prose.md")
    assert decoded.text == text
    assert decoded.repair is not None
    assert decoded.repair.codec == "mac_roman"
    assert decoded.repaired_bytes() == text.encode("utf-8")
    assert_monotonic(decoded)


@pytest.mark.parametrize("codec", ["cp1252", "latin-1"])
@settings(max_examples=150)
@given(text=PROSE)
def test_prose_damaged_through_windows_codecs_repairs_exactly(codec: str, text: str) -> None:
    decoded = decode(damage(text, codec).encode("utf-8"), "prose.md")
    assert decoded.text == text
    assert decoded.repair is not None
    # Damage without C1-range bytes reads the same either way and is reported as cp1252.
    if damage(text, "cp1252") != damage(text, "latin-1"):
        assert decoded.repair.codec == codec
    assert_monotonic(decoded)


WORDS = [
    "café",
    "naïve",
    "déjà",
    "façade",
    "über",
    "Ærøskøbing",
    "Øresund",
    "SÃO",
    "PAULO",
    "ÉTÉ",
    "Ça",
    "“École”",
    "«élan»",
    "‘à’",
    "Dinner—à",
    "—é",
    "20–30",
    "…",
    "€",
    "€20M",
    "£5",
    "¥1B",
    "©",
    "®",
    "™",
    "°",
    "±",
    "×",
    "²",
    "½",
    "•",
    "→",
    "✅",
    "❌",
    "📖",
    "🚀",
    "👍🏽",
    "❤️",
    "阶跃星辰",
    "南阶跃、北智谱",
    "函数",
    "朱",
    "Москва",
    "αβγ",
]
SEPARATORS = st.sampled_from([" ", ", ", ". ", "\n", "\r\n", " - ", " | ", "(", ")", "**"])


@settings(max_examples=300)
@given(st.lists(st.tuples(st.sampled_from(WORDS), SEPARATORS).map("".join)).map("".join))
def test_clean_prose_is_never_repaired(text: str) -> None:
    decoded = decode(text.encode("utf-8"), "prose.md")
    assert decoded.repair is None
    assert decoded.text == text


BOMS = st.sampled_from([b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xff\xfe\x00\x00"])


@settings(max_examples=500)
@given(st.tuples(BOMS, st.binary()).map(b"".join))
def test_arbitrary_bytes_decode_or_raise_input_error(data: bytes) -> None:
    try:
        decoded = decode(data, "bytes.bin")
    except InputError as exc:
        assert str(exc).startswith("bytes.bin: ")
        return
    assert_monotonic(decoded)
    if decoded.repair is None:
        assert decoded.repaired_bytes() == data
