"""A citizen's submission through the kiosk's own path (session, wizard, services): the
database, its WAL, the spool (receipts, drafts) and the logs hold nothing personal."""

from kiosk.session import Session

from ..helpers import fill, to_catalog


def test_no_personal_data_in_any_file_of_the_kiosk(services, demo_identity, kiosk_home):
    session = Session(services, services.catalog, "fr")
    to_catalog(session, demo_identity)
    answers = fill(session, "cnss.ipe")
    session.set_consent(True)
    assert session.submit() is not None
    secrets = {demo_identity.document_number, demo_identity.surname, demo_identity.given_names,
               demo_identity.birth_date.isoformat(), demo_identity.birth_date.strftime("%d/%m/%Y"),
               answers["phone"], answers["rib"], answers["email"]}
    secrets.discard("")
    files = [p for p in kiosk_home.rglob("*") if p.is_file()]
    assert any(p.name.endswith("-wal") for p in files) and any(p.suffix == ".pdf" for p in files)
    for path in files:
        blob = path.read_bytes()
        for secret in secrets:
            assert secret.encode() not in blob, (path.name, secret)
