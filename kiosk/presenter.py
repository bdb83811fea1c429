"""What each screen shows, as plain data in the session's language. No Qt.

The view models hand these dictionaries to QML unchanged, so everything a citizen
sees is computed (and tested) here, without a display.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from .i18n import AUTONYMS, LANGUAGES, N_, format_amount, format_date, format_number, gettext
from .procedures.fields import render
from .procedures.wizard import ELIGIBILITY
from .session import CAN_LENGTH, LAST_TRY, TRIES_LEFT, Session, State, date_digits


def _t(lang: str, msgid: str) -> str:
    return gettext(lang, msgid)


def offered(settings=None) -> list[str]:
    """The languages of the buttons (``display.languages``), the default one always in."""
    if settings is None:
        return list(LANGUAGES)
    chosen = [x for x in settings["display.languages"].split(",") if x in LANGUAGES]
    default = settings["display.default_language"]
    return chosen if default in chosen else [default, *chosen]


def languages(settings=None) -> list[dict]:
    """The language buttons, each labelled and greeted in its own language."""
    return [{"code": lang, "name": AUTONYMS[lang],
             "greeting": _t(lang, N_("Welcome")),
             "prompt": _t(lang, N_("Touch your language to begin"))} for lang in offered(settings)]


def display_value(field, value, lang: str) -> str:
    """An answer as the citizen reads it: option labels, dates and amounts in their language."""
    if value in ("", None, []):
        return ""
    kind = field.type
    if kind == "multichoice":
        labels = [o.label(lang) for o in field.options if o.value in value]
        return ("، " if lang == "ar" else ", ").join(labels)
    if kind == "choice":
        for o in field.options:
            if o.value == value:
                return o.label(lang)
    if kind == "yesno":
        return _t(lang, N_("Yes")) if value == "yes" else _t(lang, N_("No"))
    if kind in ("number", "amount"):
        try:
            n = Decimal(value)
        except ArithmeticError:
            return value
        return format_amount(n, lang) if kind == "amount" else format_number(n, lang)
    if kind == "rib" and len(value) == 24:
        return " ".join((value[:3], value[3:6], value[6:22], value[22:]))
    if kind == "date" or getattr(field, "bind", None) == "identity.birth_date":
        try:
            return format_date(dt.date.fromisoformat(value), lang)
        except ValueError:
            return value
    return value


def date_entry(value: str) -> str:
    """The date keypad's display: DD/MM/YYYY with what is typed so far."""
    digits = date_digits(value)
    shown = "".join(digits[i] if i < len(digits) else "_" for i in range(8))
    return f"{shown[:2]}/{shown[2:4]}/{shown[4:]}"


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


def _tile(session: Session, p) -> dict:
    lang = session.language
    return {"id": p.id, "title": p.title(lang), "summary": p.summary(lang), "icon": p.icon,
            "agency": session.catalog.agency(p.agency).name(lang)}


def catalog(session: Session) -> list[dict]:
    """Procedures grouped by category, in the catalog's order."""
    out = []
    for cat in session.catalog.categories:
        procs = [_tile(session, p) for p in session.catalog.procedures if p.category == cat.id]
        if procs:
            out.append({"id": cat.id, "name": cat.name(session.language), "icon": cat.icon,
                        "procedures": procs})
    return out


def search(session: Session) -> dict:
    """The search box and, once something is typed, the matching procedures."""
    from .procedures.search import index_for

    lang, text = session.language, session.search_text
    results = [_tile(session, session.catalog.get(pid))
               for pid in index_for(session.catalog).search(text)] if text.strip() else []
    return {"text": text, "active": bool(text.strip()), "results": results,
            "count": _t(lang, N_("{count} results")).format(count=format_number(len(results), lang))
            if text.strip() else "",
            "focused": session.focus == "search"}


def fee(amount: Decimal, lang: str) -> str:
    return _t(lang, N_("Free")) if amount == 0 else format_amount(amount, lang)


def intro(session: Session) -> dict:
    p, lang = session.procedure, session.language
    if p is None:
        return {}
    return {"title": p.title(lang), "summary": p.summary(lang), "icon": p.icon,
            "agency": session.catalog.agency(p.agency).name(lang),
            "fee": fee(p.fee, lang), "delay": p.delay(lang),
            "fees": [{"label": f.label(lang), "amount": format_amount(f.amount, lang)} for f in p.fees],
            "documents": [d(lang) for d in p.documents]}


TEXT_ENTRY = ("text", "multiline", "email", "cin", "phone", "rib", "amount", "date", "number")
HINTS = {
    "phone": N_("For example 0612345678"),
    "email": N_("For example nom@exemple.ma"),
    "cin": N_("For example AB123456"),
    "rib": N_("24 digits, on your RIB or cheque book"),
    "date": N_("Day, month, year"),
}


def _keyboard_name(f, lang: str) -> str:
    from .keyboards import keyboard_for

    hint = getattr(f, "keyboard", None)
    if hint == "digits":
        return "digits"
    return keyboard_for(f.type, lang, hint)


def _entry(f, value, lang: str) -> str:
    """What the entry box shows while the citizen types."""
    if not isinstance(value, str):
        return ""
    if f.type == "date":
        return date_entry(value)
    if f.type == "amount":
        from .keyboards import decimal_symbol
        return value.replace(".", decimal_symbol(lang))
    return value


def _uses_stepper(f) -> bool:
    """A small whole number is set with − and + rather than typed."""
    return f.type == "number" and f.min is not None and f.max is not None and f.max - f.min <= 20


def _field(session: Session, f) -> dict:
    lang, w = session.language, session.wizard
    assert w is not None
    value = w.value(f)
    error = w.errors.get(f.id)
    typed = f.type in TEXT_ENTRY and not _uses_stepper(f)
    focused = typed and session.focus == f.id
    hint = ""
    if getattr(f, "example", None):
        hint = _t(lang, N_("For example {example}")).format(example=f.example)
    elif f.type in HINTS:
        hint = _t(lang, HINTS[f.type])
    return {
        "id": f.id, "type": f.type, "label": f.label(lang),
        "help": f.help(lang) if f.help else "", "hint": hint,
        "value": value if isinstance(value, str) else "",
        "values": list(value) if isinstance(value, list) else [],
        "display": display_value(f, value, lang),
        "entry": _entry(f, value, lang),
        "readOnly": f.type == "prefill", "required": f.required,
        "typed": typed, "stepper": _uses_stepper(f), "focused": focused,
        "multiline": f.type == "multiline",
        "error": render(error, lang) if error else "",
        "min": int(f.min) if getattr(f, "min", None) is not None else 0,
        "max": int(f.max) if getattr(f, "max", None) is not None else 999999,
        "options": [{"value": o.value, "label": o.label(lang),
                     "selected": o.value in value if isinstance(value, list) else o.value == value}
                    for o in getattr(f, "options", ())],
    }


def _step_title(step, lang: str) -> str:
    return _t(lang, N_("Before you start")) if step.id == ELIGIBILITY else step.title(lang)


def step(session: Session) -> dict:
    w, lang = session.wizard, session.language
    if w is None or w.step is None:
        return {}
    pos, total = w.progress
    fields = [_field(session, f) for f in w.visible_fields(w.step)]
    return {
        "id": w.step.id, "title": _step_title(w.step, lang),
        "intro": w.step.intro(lang) if w.step.intro else "",
        "procedure": w.procedure.title(lang),
        "progress": _t(lang, N_("Step {current} of {total}")).format(
            current=format_number(pos, lang), total=format_number(total, lang)),
        "index": pos - 1, "count": total, "first": w.first,
        "fields": fields,
        "ineligible": w.ineligible,
    }


def review(session: Session) -> dict:
    w, p, lang = session.wizard, session.procedure, session.language
    if w is None or p is None:
        return {}
    steps = [{"id": s.id, "title": _step_title(s, lang),
              "items": [{"label": f.label(lang), "display": display_value(f, v, lang),
                         "readOnly": f.type == "prefill"} for f, v in items]}
             for s, items in w.review()]
    pos, total = w.progress
    return {"procedure": p.title(lang), "steps": steps, "consent": p.consent(lang),
            "note": p.review.note(lang) if p.review.note else "",
            "consentGiven": session.consent,
            "progress": _t(lang, N_("Step {current} of {total}")).format(
                current=format_number(pos, lang), total=format_number(total, lang))}


def done(session: Session) -> dict:
    r = session.result
    if r is None:
        return {}
    # "printing", "printed" or "failed"; a receipt that could not even be rendered failed.
    state = "failed" if r.receipt is None else (session.print_state or "printing")
    return {"tracking": r.tracking, "receiptReady": r.receipt is not None,
            "receipt": str(r.receipt) if r.receipt else "", "print": state}


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


def keyboard(session: Session) -> str:
    """The name of the on-screen keyboard to show, or "" for none. The layout itself
    (``kiosk.keyboards.layout``) is fetched by the UI only when this name changes."""
    from .keyboards import keyboard_for

    if session.focus is None:
        return ""
    if session.focus == "search" and session.state is State.CATALOG:
        return keyboard_for("search", session.language)
    w = session.wizard
    if session.state is State.WIZARD and w is not None and w.step is not None:
        for f in w.visible_fields(w.step):
            if f.id == session.focus and f.type in TEXT_ENTRY and not _uses_stepper(f):
                return _keyboard_name(f, session.language)
    return ""


def screen(session: Session) -> dict:
    """Everything the current screen needs."""
    s = session.state
    data: dict = {"state": s.value,
                  "error": session.error.render(session.language) if session.error else "",
                  "assisted": session.assisted_by or "",
                  "idleLeft": session.idle_left if session.idle_left is not None else -1,
                  "idleLeftText": format_number(session.idle_left, session.language)
                  if session.idle_left is not None else "",
                  "cardAway": session.card_away or "",
                  "cardAwayLeftText": format_number(session.card_away_left, session.language)
                  if session.card_away_left is not None else ""}
    if s is State.WELCOME:
        service = session.services.service_state()
        data["outOfService"] = [] if service.in_service else [
            {"code": lang, "text": service.message(lang)} for lang in LANGUAGES]
    if s in (State.CONFIRM,):
        data["identity"] = identity(session)
    elif s is State.ACCESS:
        data["access"] = access(session)
    elif s is State.READING:
        data["progress"] = session.read_progress
    elif s is State.CATALOG:
        data["categories"] = catalog(session)
        data["search"] = search(session)
    elif s is State.INTRO:
        data["intro"] = intro(session)
    elif s is State.WIZARD:
        data["step"] = step(session)
    elif s is State.REVIEW:
        data["review"] = review(session)
    elif s is State.DONE:
        data["done"] = done(session)
    return data
