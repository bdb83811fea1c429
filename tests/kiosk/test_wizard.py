import pytest

from kiosk.procedures.loader import load_catalog
from kiosk.procedures.wizard import Wizard, validate_field


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def wizard(catalog, pid="cnss.attestation-affiliation"):
    return Wizard(catalog.get(pid), {"identity.name_ar": "سلمى", "identity.document_number": "X1"})


def test_required_fields_block_next_and_show_messages(catalog):
    w = wizard(catalog)
    assert w.next()  # identity step: prefilled only
    assert not w.next()
    assert set(w.errors) == {"purpose", "copies"}
    assert w.index == 1
    w.set_answer("purpose", "bank")
    assert "purpose" not in w.errors  # the message goes as soon as the answer is right


@pytest.mark.parametrize("phone,ok", [
    ("0612345678", True), ("06 12 34 56 78", True), ("+212612345678", True),
    ("0522123456", True), ("0812345678", False), ("061234567", False), ("06123456789", False),
    ("abcdefghij", False),
])
def test_moroccan_phone_numbers(catalog, phone, ok):
    field = catalog.get("cnss.attestation-affiliation").field("phone")
    w = wizard(catalog)
    w.set_answer("phone", phone)  # normalises spaces and dots, as the keypad never types them
    assert (validate_field(field, w.answers["phone"]) is None) is ok


def test_number_bounds(catalog):
    field = catalog.get("cnss.attestation-affiliation").field("copies")
    assert validate_field(field, "1") is None
    assert validate_field(field, "3") is None
    assert validate_field(field, "0").params == {"min": 1}
    assert validate_field(field, "4").params == {"max": 3}
    assert validate_field(field, "x").msgid == "Enter a number."


def test_choice_must_be_an_option(catalog):
    field = catalog.get("cnss.attestation-affiliation").field("purpose")
    assert validate_field(field, "bank") is None
    assert validate_field(field, "lottery").msgid == "Choose one of the options."


def test_prefilled_fields_are_read_only(catalog):
    w = wizard(catalog)
    with pytest.raises(PermissionError):
        w.set_answer("cin", "OTHER")
    assert w.payload()["cin"] == "X1"


def test_review_edit_and_payload(catalog):
    w = wizard(catalog)
    w.next()
    w.set_answer("purpose", "bank")
    w.set_answer("copies", "2")
    w.next()
    w.set_answer("phone", "06.12.34.56.78")
    assert w.next() and w.at_review
    assert w.progress == (4, 4)
    w.go_to("request")
    assert w.step.id == "request" and w.answers["purpose"] == "bank"
    assert w.payload() == {"name": "سلمى", "cin": "X1", "purpose": "bank", "copies": "2",
                           "phone": "0612345678"}
    w.wipe()
    assert w.answers == {} and w.prefill == {}
