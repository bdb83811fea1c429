"""What each screen shows, as plain data in the session's language. No Qt.

The view models hand these dictionaries to QML unchanged, so everything a citizen
sees is computed (and tested) here, without a display.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from .i18n import AUTONYMS, LANGUAGES, N_, format_amount, format_date, format_number, gettext
from .procedures.model import Field
from .session import CAN_LENGTH, LAST_TRY, TRIES_LEFT, Session, State


def _t(lang: str, msgid: str) -> str:
    return gettext(lang, msgid)


def languages() -> list[dict]:
    """The language buttons, each labelled and greeted in its own language."""
    return [{"code": lang, "name": AUTONYMS[lang],
             "greeting": _t(lang, N_("Welcome")),
             "prompt": _t(lang, N_("Touch your language to begin"))} for lang in LANGUAGES]


def display_value(field: Field, value: str, lang: str) -> str:
    if value == "":
        return ""
    if field.type == "choice":
        for o in field.options:
            if o.value == value:
                return o.label(lang)
    if field.type == "yesno":
        return _t(lang, N_("Yes")) if value == "yes" else _t(lang, N_("No"))
    if field.type == "number":
        try:
            return format_number(Decimal(value), lang)
        except ArithmeticError:
            return value
    if field.bind == "identity.birth_date":
        try:
            return format_date(dt.date.fromisoformat(value), lang)
        except ValueError:
            return value
    return value


def identity(session: Session) -> dict:
    ident, lang = session.identity, session.language
    if ident is None:
        return {}
    return {
        "latinName": ident.latin_name(),
        "arabicName": ident.arabic_name(),
        "maskedNumber": ident.masked_number,
        "birthDate": format_date(ident.birth_date, lang),
        "document": _t(lang, N_("National ID card")) if ident.document_type == "ID"
        else _t(lang, N_("Passport")),
        "demo": ident.verification == "demo",
        #: passive authentication failed but the (demo) policy accepted the card
        "unverified": ident.verification == "unverified",
    }


def catalog(session: Session) -> list[dict]:
    lang = session.language
    out = []
    for agency in session.catalog.agencies:
        procs = [{"id": p.id, "title": p.title(lang), "summary": p.summary(lang), "icon": p.icon}
                 for p in session.catalog.procedures if p.agency == agency.id]
        if procs:
            out.append({"id": agency.id, "name": agency.name(lang), "icon": agency.icon,
                        "procedures": procs})
    return out


def fee(amount: Decimal, lang: str) -> str:
    return _t(lang, N_("Free")) if amount == 0 else format_amount(amount, lang)


def intro(session: Session) -> dict:
    p, lang = session.procedure, session.language
    if p is None:
        return {}
    return {"title": p.title(lang), "summary": p.summary(lang), "icon": p.icon,
            "fee": fee(p.fee, lang), "delay": p.delay(lang),
            "documents": [d(lang) for d in p.documents]}


def _field(session: Session, f: Field) -> dict:
    lang, w = session.language, session.wizard
    assert w is not None
    value = w.value(f)
    error = w.errors.get(f.id)
    return {
        "id": f.id, "type": f.type, "label": f.label(lang),
        "help": f.help(lang) if f.help else "",
        "value": value, "display": display_value(f, value, lang),
        "readOnly": f.type == "prefill", "required": f.required,
        "error": error.render(lang) if error else "",
        "min": int(f.min) if f.min is not None else 0,
        "max": int(f.max) if f.max is not None else 999999,
        "options": [{"value": o.value, "label": o.label(lang), "selected": o.value == value}
                    for o in f.options],
    }


def step(session: Session) -> dict:
    w, lang = session.wizard, session.language
    if w is None or w.step is None:
        return {}
    pos, total = w.progress
    return {
        "id": w.step.id, "title": w.step.title(lang),
        "procedure": w.procedure.title(lang),
        "progress": _t(lang, N_("Step {current} of {total}")).format(
            current=format_number(pos, lang), total=format_number(total, lang)),
        "index": pos - 1, "count": total, "first": w.index == 0,
        "fields": [_field(session, f) for f in w.step.fields],
    }


def review(session: Session) -> dict:
    w, p, lang = session.wizard, session.procedure, session.language
    if w is None or p is None:
        return {}
    steps = [{"id": s.id, "title": s.title(lang),
              "items": [{"label": f.label(lang), "display": display_value(f, w.value(f), lang),
                         "readOnly": f.type == "prefill"} for f in s.fields]}
             for s in p.steps]
    pos, total = w.progress
    return {"procedure": p.title(lang), "steps": steps, "consent": p.consent(lang),
            "consentGiven": session.consent,
            "progress": _t(lang, N_("Step {current} of {total}")).format(
                current=format_number(pos, lang), total=format_number(total, lang))}


def done(session: Session) -> dict:
    r = session.result
    if r is None:
        return {}
    return {"tracking": r.tracking, "receiptReady": r.receipt is not None,
            "receipt": str(r.receipt) if r.receipt else ""}


def access(session: Session) -> dict:
    """The card access number keypad: digits typed so far (shown as digits: the CAN
    is not a secret PIN, it is printed on the card), and the tries warning."""
    lang, tries = session.language, session.tries_left
    warning = ""
    if tries is not None:
        warning = _t(lang, LAST_TRY) if tries <= 1 else _t(lang, TRIES_LEFT) % {
            "count": format_number(tries, lang)}
    return {"entered": session.can_entry, "length": CAN_LENGTH, "complete": session.can_complete,
            "warning": warning, "lastTry": tries is not None and tries <= 1}


def screen(session: Session) -> dict:
    """Everything the current screen needs."""
    s = session.state
    data: dict = {"state": s.value,
                  "error": session.error.render(session.language) if session.error else ""}
    if s in (State.CONFIRM,):
        data["identity"] = identity(session)
    elif s is State.ACCESS:
        data["access"] = access(session)
    elif s is State.READING:
        data["progress"] = session.read_progress
    elif s is State.CATALOG:
        data["agencies"] = catalog(session)
    elif s is State.INTRO:
        data["intro"] = intro(session)
    elif s is State.WIZARD:
        data["step"] = step(session)
    elif s is State.REVIEW:
        data["review"] = review(session)
    elif s is State.DONE:
        data["done"] = done(session)
    return data
