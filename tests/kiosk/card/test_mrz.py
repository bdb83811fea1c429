"""MRZ: every check-digit vector of tests/vectors, the three formats, the long
document number, the '<' optional-data check digit, century rules, the builder."""

import datetime as dt
import hashlib
import json

import pytest

from kiosk.card.errors import ParseError
from kiosk.card.lds.mrz import (MRZError, birth_date_from_yymmdd, build_mrz, check_digit,
                                expiry_date_from_yymmdd, mrz_information, parse_mrz, parse_mrz_key)
from kiosk.paths import ROOT

V = json.loads((ROOT / "tests" / "vectors" / "emrtd_vectors.json").read_text())["mrz_check_digits"]
TODAY = dt.date(2026, 6, 1)


@pytest.mark.parametrize("ex", V["check_digit_examples"], ids=lambda e: e["origin"])
def test_check_digit_examples(ex):
    assert check_digit(ex["input"]) == ex["check_digit"]


@pytest.mark.parametrize("key", ["td3_passport_specimen", "td1_id_card_specimen", "td2_specimen"])
def test_specimens(key):
    v = V[key]
    m = parse_mrz("\n".join(v["lines"]), TODAY)
    assert m.format == {"td3_passport_specimen": "TD3", "td1_id_card_specimen": "TD1",
                        "td2_specimen": "TD2"}[key]
    assert m.document_number == v["document_number"]
    assert m.document_number_check_digit == v["document_number_check_digit"]
    assert m.birth_date_raw == v["date_of_birth"] and m.birth_date == dt.date(1974, 8, 12)
    assert m.expiry_date_raw == v["date_of_expiry"] and m.expiry_date == dt.date(2012, 4, 15)
    assert check_digit(m.birth_date_raw) == v.get("date_of_birth_check_digit", "2")
    assert m.lines[-1][-1] == v["composite_check_digit"] or m.lines[1][-1] == v["composite_check_digit"]
    if "primary_identifier" in v:
        assert (m.primary_identifier, m.secondary_identifier) == (v["primary_identifier"],
                                                                  v["secondary_identifier"])
        assert m.issuing_state == v["issuing_state"] and m.nationality == v["nationality"]
        assert m.document_code == v["document_code"] and m.sex == v["sex"]
    if "composite_input" in v:
        assert check_digit(v["composite_input"]) == v["composite_check_digit"]
    if "mrz_information_for_bac" in v:
        assert m.mrz_information == v["mrz_information_for_bac"]


def test_td3_specimen_optional_data_and_concatenated_form():
    v = V["td3_passport_specimen"]
    m = parse_mrz("".join(v["lines"]), TODAY)  # as DG1 stores it
    assert m.optional_data == v["optional_data"]
    assert check_digit(v["lines"][1][28:42]) == v["optional_data_check_digit"]
    assert m.text == "\n".join(v["lines"]) and m.dg1_text == "".join(v["lines"])


@pytest.mark.parametrize("form", ["td1_lines", "td2_lines"])
def test_long_document_number(form):
    v = V["long_document_number_example_part11_D2"]
    m = parse_mrz("\n".join(v[form]), TODAY)
    assert m.document_number == v["document_number"]
    assert m.document_number_check_digit == v["document_number_check_digit"]
    assert m.birth_date == dt.date(1934, 7, 12) and m.expiry_date == dt.date(1995, 7, 12)
    assert m.optional_data == ""  # the number's tail is not optional data
    assert m.mrz_information == v["mrz_information"]
    assert hashlib.sha1(m.mrz_information.encode()).hexdigest().upper()[:32] == v["k_seed"]


def test_long_document_number_check_digit_is_checked():
    lines = list(V["long_document_number_example_part11_D2"]["td1_lines"])
    lines[0] = lines[0].replace("7349", "7348")
    with pytest.raises(MRZError, match="document number \\(long form\\) check digit"):
        parse_mrz("\n".join(lines), TODAY)


def test_long_number_marker_without_continuation_is_rejected():
    # check digit position '<' but the optional data does not continue the number
    l1 = "I<UTOD23145890<<<<<<<<<<<<<<<<"
    l2 = "3407127M9507122UTO<<<<<<<<<<<0"
    l2 = l2[:29] + check_digit(l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29])
    with pytest.raises(MRZError, match="does not continue the number"):
        parse_mrz("\n".join([l1, l2, "STEVENSON<<PETER<<<<<<<<<<<<<<"]), TODAY)


def test_filler_optional_data_check_digit_is_accepted():
    v = V["td3_edge_case_filler_optional_check_digit"]
    m = parse_mrz("\n".join(v["lines"]), TODAY)
    assert m.document_number == v["document_number"]
    assert m.issuing_state == "D" and m.nationality == "D"
    assert m.birth_date == dt.date(1996, 8, 12) and m.expiry_date == dt.date(2023, 10, 31)
    assert m.optional_data == "" and m.lines[1][42] == "<"
    assert m.lines[1][43] == v["composite_check_digit"]


def test_filler_check_digit_with_optional_data_present_is_rejected():
    line2 = "L898902C36UTO7408122F1204159ZE184226B<<<<<<0"
    line2 = line2[:43] + check_digit(line2[0:10] + line2[13:20] + line2[21:43])
    with pytest.raises(MRZError, match="optional data check digit"):
        parse_mrz("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n" + line2, TODAY)


def test_bac_example_line2_mrz_information():
    b = V["bac_example_td3_line2"]
    assert parse_mrz_key("L898902C<,690806,940623").mrz_information == b["mrz_information"]
    assert parse_mrz_key(" l898902c , 690806 , 940623 ").mrz_information == b["mrz_information"]
    assert mrz_information("L898902C", "690806", "940623") == b["mrz_information"]
    assert mrz_information("L898902C", dt.date(1969, 8, 6), dt.date(1994, 6, 23)) == b["mrz_information"]
    line1 = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<"
    m = parse_mrz(line1 + "\n" + b["line2"], TODAY)
    assert m.mrz_information == b["mrz_information"] and m.document_number == "L898902C"


def test_mrz_key_from_full_mrz_and_long_number():
    v = V["td1_id_card_specimen"]
    assert parse_mrz_key("\n".join(v["lines"])).mrz_information == v["mrz_information_for_bac"]
    ld = V["long_document_number_example_part11_D2"]
    assert parse_mrz_key("D23145890734,340712,950712").mrz_information == ld["mrz_information"]


@pytest.mark.parametrize("bad", ["", "L898902C,690806", "L898902C,6908O6,940623", "L8989-2C,690806,940623",
                                 "L898902C,691306,940623", "L898902C,690806,940632", "not an mrz"])
def test_mrz_key_rejects(bad):
    with pytest.raises(ParseError):
        parse_mrz_key(bad)


@pytest.mark.parametrize("line,pos,field", [
    (1, 9, "document number"), (1, 19, "date of birth"), (1, 27, "date of expiry"),
    (1, 42, "optional data"), (1, 43, "composite")])
def test_each_td3_check_digit_is_verified_and_named(line, pos, field):
    lines = list(V["td3_passport_specimen"]["lines"])
    s = lines[line]
    wrong = str((int(s[pos]) + 1) % 10)
    lines[line] = s[:pos] + wrong + s[pos + 1:]
    with pytest.raises(MRZError) as e:
        parse_mrz("\n".join(lines), TODAY)
    msg = str(e.value)
    assert msg.startswith(field) and "check digit" in msg
    for secret in ("L898902C", "ERIKSSON", "740812", "120415", "ZE184226B"):
        assert secret not in msg


@pytest.mark.parametrize("line,pos,field", [(0, 14, "document number"), (1, 6, "date of birth"),
                                            (1, 14, "date of expiry"), (1, 29, "composite")])
def test_each_td1_check_digit_is_verified(line, pos, field):
    lines = list(V["td1_id_card_specimen"]["lines"])
    s = lines[line]
    lines[line] = s[:pos] + str((int(s[pos]) + 1) % 10) + s[pos + 1:]
    with pytest.raises(MRZError, match=f"^{field}"):
        parse_mrz("\n".join(lines), TODAY)


def test_composite_covers_the_optional_data():
    lines = list(V["td1_id_card_specimen"]["lines"])
    lines[1] = lines[1][:20] + "X" + lines[1][21:]  # optional data 2 changed, composite not
    with pytest.raises(MRZError, match="^composite"):
        parse_mrz("\n".join(lines), TODAY)


@pytest.mark.parametrize("text", [
    "P<UTO", "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<1",
    "p<utoeriksson<<anna<maria<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10",
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122Q1204159ZE184226B<<<<<10",
    "<<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10",
])
def test_malformed_mrz_is_a_parse_error(text):
    with pytest.raises(ParseError):
        parse_mrz(text, TODAY)


def test_character_error_names_the_position_not_the_text():
    with pytest.raises(MRZError) as e:
        parse_mrz("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE18422éB<<<<<10")
    assert "line 2 position 36" in str(e.value) and "ERIKSSON" not in str(e.value)


def test_century_rules():
    today = dt.date(2026, 6, 1)
    assert birth_date_from_yymmdd("260531", today) == dt.date(2026, 5, 31)
    assert birth_date_from_yymmdd("260602", today) == dt.date(1926, 6, 2)  # tomorrow: last century
    assert birth_date_from_yymmdd("000229", today) == dt.date(2000, 2, 29)
    assert birth_date_from_yymmdd("7408<<", today) is None  # unknown day
    assert expiry_date_from_yymmdd("460101", today) == dt.date(2046, 1, 1)  # +20 years
    assert expiry_date_from_yymmdd("470101", today) == dt.date(1947, 1, 1)
    assert expiry_date_from_yymmdd("940623", today) == dt.date(1994, 6, 23)
    for bad in ("741312", "740230", "74O812", "7408"):
        with pytest.raises(MRZError):
            birth_date_from_yymmdd(bad, today)
    with pytest.raises(MRZError):
        expiry_date_from_yymmdd("2501<<", today)


@pytest.mark.parametrize("fmt", ["TD1", "TD2", "TD3"])
def test_builder_round_trip(fmt):
    text = build_mrz(fmt, document_code="ID" if fmt != "TD3" else "P", issuing_state="MAR",
                     document_number="TST004271", primary_identifier="El Amrani",
                     secondary_identifier="Salma Zineb", nationality="MAR",
                     birth_date=dt.date(1991, 4, 17), sex="F", expiry_date=dt.date(2034, 6, 30),
                     optional_data="AB12")
    m = parse_mrz(text, TODAY)
    assert (m.format, m.document_number, m.primary_identifier, m.secondary_identifier) == \
        (fmt, "TST004271", "EL AMRANI", "SALMA ZINEB")
    assert (m.birth_date, m.expiry_date, m.sex, m.optional_data) == \
        (dt.date(1991, 4, 17), dt.date(2034, 6, 30), "F", "AB12")


@pytest.mark.parametrize("fmt", ["TD1", "TD2"])
def test_builder_long_number(fmt):
    text = build_mrz(fmt, document_code="I", issuing_state="UTO", document_number="D23145890734",
                     primary_identifier="STEVENSON", secondary_identifier="PETER JOHN",
                     nationality="UTO", birth_date="340712", sex="M", expiry_date="950712")
    assert text.replace("\n", "") == "".join(
        V["long_document_number_example_part11_D2"][f"{fmt.lower()}_lines"])


def test_builder_rejects_what_the_mrz_cannot_hold():
    kw = dict(document_code="P", issuing_state="MAR", primary_identifier="A", secondary_identifier="B",
              nationality="MAR", birth_date="910417", sex="F", expiry_date="340630")
    with pytest.raises(MRZError):
        build_mrz("TD3", document_number="D23145890734", **kw)
    with pytest.raises(MRZError):
        build_mrz("TD3", document_number="AB12", **{**kw, "primary_identifier": "العمراني"})
    with pytest.raises(MRZError):
        build_mrz("TD3", document_number="AB12", **{**kw, "sex": "Q"})


def test_repr_hides_personal_data():
    m = parse_mrz("\n".join(V["td3_passport_specimen"]["lines"]), TODAY)
    for text in (repr(m), str(m), repr(parse_mrz_key("L898902C,690806,940623"))):
        for secret in ("L898902C", "ERIKSSON", "ANNA", "740812", "1974", "690806"):
            assert secret not in text
