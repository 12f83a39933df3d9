"""Records: typed values without pydantic on the check path, pydantic's results at the edges."""

from __future__ import annotations

import dataclasses
import json
import pickle
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from factcheck.claims import extract_claims
from factcheck.claims.models import Claim, ClaimBase, ReleaseClaim, claim_classes
from factcheck.config import Config
from factcheck.document import load
from factcheck.engine import lint
from factcheck.findings import Finding, Severity
from factcheck.quantities import Money
from factcheck.records import Invalid, Record, build, conforms, dump, validate
from factcheck.vocab import Vocabulary, data_dir
from strategies import date_models, money_models, size_models

ROOT = Path(__file__).resolve().parents[1]
DOSSIERS = sorted([*(ROOT / "fixtures").rglob("*.md"),
                   *(ROOT.parent / "shared" / "corpus").rglob("*.md")])


def all_claims() -> Iterator[ClaimBase]:
    for path in DOSSIERS:
        yield from extract_claims(load(path))


@pytest.fixture(scope="module")
def claims() -> list[ClaimBase]:
    found = list(all_claims())
    assert len({type(c) for c in found}) == len(claim_classes())  # every kind is exercised
    return found


def pydantic_dump(value: Record) -> Any:
    return TypeAdapter(type(value)).dump_python(value, mode="json")


def test_json_dumps_are_pydantics(claims: list[ClaimBase]) -> None:
    for claim in claims:
        assert claim.model_dump(mode="json") == pydantic_dump(claim), claim


@given(st.one_of(money_models(), size_models(), date_models()))
def test_quantity_dumps_are_pydantics(quantity: Record) -> None:
    assert quantity.model_dump(mode="json") == pydantic_dump(quantity)


def test_dumped_claims_and_findings_build_back_equal(claims: list[ClaimBase]) -> None:
    for claim in claims:
        assert build(type(claim), json.loads(json.dumps(dump(claim)))) == claim
    findings = lint([ROOT / "fixtures"]).findings
    assert findings
    for finding in findings:
        data = json.loads(json.dumps(finding.model_dump(mode="json")))
        assert build(Finding, data) == finding
        assert TypeAdapter(Finding).validate_python(data) == finding


def test_records_compare_hash_copy_pickle_and_stay_frozen(claims: list[ClaimBase]) -> None:
    claim = claims[0]
    twin = dataclasses.replace(claim)
    assert twin == claim and hash(twin) == hash(claim) and twin is not claim
    moved = claim.model_copy(update={"line": claim.line + 1})
    assert moved != claim and moved.line == claim.line + 1
    assert pickle.loads(pickle.dumps(claim)) == claim
    assert repr(claim).startswith(f"{type(claim).__name__}(subject=")
    with pytest.raises(dataclasses.FrozenInstanceError):
        claim.line = 3  # type: ignore[misc]
    assert claim != claim.model_dump()  # a record equals records of its class only
    kind = claim.model_dump()["kind"]
    assert {c.model_fields["kind"].default for c in (claim, moved)} == {kind}


def test_model_fields_read_as_pydantics() -> None:
    fields = ReleaseClaim.model_fields
    assert list(fields)[:3] == ["subject", "subject_key", "subject_type"]
    assert fields["line"].metadata == {"ge": 1} and fields["kind"].default == "release"
    assert fields["subject"].required and not fields["date"].required
    assert str(fields["date"].annotation) == "factcheck.quantities.DateValue | None"


def test_record_classes_are_a_union_pydantic_reads() -> None:
    adapter: TypeAdapter[Any] = TypeAdapter(Claim)
    claim = ReleaseClaim(subject="A", subject_key="a", evidence="A", origin="prose", path="a.md",
                         line=1, column=1, end_line=1, end_column=2, offset=0, end_offset=1)
    assert adapter.validate_python(claim.model_dump(mode="json")) == claim


# -- validating configuration: conforming data skips pydantic, with pydantic's result --------

SETTINGS = {
    "paths": st.lists(st.text(max_size=3), max_size=2),
    "select": st.one_of(st.none(), st.lists(st.sampled_from(["FC1", "FC101"]), max_size=2)),
    "severity": st.dictionaries(st.sampled_from(["FC1", "FC2"]),
                                st.sampled_from(["error", "warning", "info", "bad", 1])),
    "fail-level": st.sampled_from(["error", "warning", "info", "fatal", None]),
    "fail_level": st.sampled_from(["info"]),
    "groups": st.lists(st.lists(st.text(max_size=3), max_size=2), max_size=2),
    "jobs": st.one_of(st.none(), st.integers(-1, 3), st.booleans(), st.just("2"), st.just(2.0)),
    "cache": st.one_of(st.booleans(), st.just("yes"), st.just(1)),
    "max-file-size": st.one_of(st.integers(-2, 5), st.floats(allow_nan=False)),
    "rule-timeout": st.one_of(st.integers(-1, 3), st.floats(-1, 3), st.just("5")),
    "colour": st.just("red"),
}


@st.composite
def settings(draw: st.DrawFn) -> dict[str, Any]:
    keys = draw(st.sets(st.sampled_from(sorted(SETTINGS)), max_size=5))
    return {key: draw(SETTINGS[key]) for key in sorted(keys)}


@given(settings())
def test_validate_agrees_with_pydantic(data: dict[str, Any]) -> None:
    adapter: TypeAdapter[Config] = TypeAdapter(Config)
    try:
        expected = adapter.validate_python(data)
    except ValidationError as exc:
        assert not conforms(Config, data)
        with pytest.raises(Invalid) as info:
            validate(Config, data)
        assert info.value.loc == exc.errors()[0]["loc"]
        return
    got = validate(Config, data)
    assert got == expected
    assert [type(getattr(got, f)) for f in Config.model_fields] == [
        type(getattr(expected, f)) for f in Config.model_fields]


def test_the_shipped_vocabulary_conforms_without_pydantic() -> None:
    from factcheck._yaml import load_data

    path = data_dir() / "vocabulary.yaml"
    data = load_data(str(path), path.read_text(encoding="utf-8"))
    assert conforms(Vocabulary, data)
    assert validate(Vocabulary, data) == TypeAdapter(Vocabulary).validate_python(data)


def test_invalid_names_the_first_problem() -> None:
    with pytest.raises(Invalid) as info:
        validate(Config, {"jobs": 0})
    assert (info.value.loc, info.value.msg) == (("jobs",), "Input should be greater than or "
                                                           "equal to 1")
    with pytest.raises(Invalid) as info:
        validate(Config, {"colour": "red"})
    assert info.value.msg == "Extra inputs are not permitted"
    with pytest.raises(Invalid) as info:
        validate(Money, {"text": "$1"})
    assert info.value.msg == "Field required"


def test_money_built_from_json_has_decimals() -> None:
    money = build(Money, {"text": "$1.5M", "currency": "USD", "low": "1500000",
                          "high": "1500000"})
    assert money.low == money.high and type(money.low).__name__ == "Decimal"
    assert Severity(build(Finding, {
        "rule": "FC1", "name": "n", "severity": "info", "message": "m", "path": "p", "line": 1,
        "column": 1, "end_line": 1, "end_column": 1, "fingerprint": "f"}).severity).rank == 0


def test_a_check_imports_neither_pydantic_nor_the_validators(tmp_path: Path) -> None:
    dossier = tmp_path / "acme.md"
    dossier.write_text("# Acme\n\nAcme raised $5M in 2024. Acme-1 is open-source.\n",
                       encoding="utf-8")
    code = (
        "import sys\n"
        "from factcheck.cli import main\n"
        f"code = main(['check', '--no-cache', {str(dossier)!r}])\n"
        "print(sorted({m.split('.')[0] for m in sys.modules}\n"
        "             & {'pydantic', 'pydantic_core', 'jsonschema', 'ruamel', 'asyncio'}))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, cwd=tmp_path)
    assert done.stdout.splitlines()[-1] == "[]"
