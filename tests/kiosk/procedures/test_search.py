"""Catalog search: forgiving normalisation in three scripts, word-prefix matching in any
language, ranking by where the words were found (kiosk/procedures/search.py)."""

import time

import pytest

from kiosk.procedures.search import AGENCY, KEYWORDS, SUMMARY, TITLE, Index, normalise

ENTRIES = [
    ("etat-civil.naissance", [
        ("Extrait d'acte de naissance", TITLE), ("مستخرج من رسم الولادة", TITLE),
        ("ⴰⵙⵍⴽⵉⵏ ⵏ ⵓⵙⴰⵖⵓⵍ ⵏ ⵜⵍⴰⵍⵉⵜ", TITLE),
        ("État civil", AGENCY), ("الحالة المدنية", AGENCY),
        ("Copie intégrale ou extrait, pour un dossier administratif", SUMMARY),
    ]),
    ("cnss.attestation", [
        ("Attestation d'affiliation", TITLE), ("شهادة الانخراط", TITLE),
        ("ⴰⵙⵍⴽⵉⵏ ⵏ ⵓⵎⵓⵏ", TITLE),
        ("CNSS", AGENCY), ("الصندوق الوطني للضمان الاجتماعي", AGENCY),
        ("Pour la banque ou l'employeur", SUMMARY), ("salarié, sécurité sociale", KEYWORDS),
    ]),
    ("commune.residence", [
        ("Certificat de résidence", TITLE), ("شَهَادَةُ السُّكْنَى", TITLE),
        ("ⴰⵙⵍⴽⵉⵏ ⵏ ⵜⵉⵣⴷⴻⵖⵜ", TITLE),
        ("Commune", AGENCY), ("الجماعة", AGENCY),
        ("Attestation demandée par l'école ou la banque", SUMMARY),
    ]),
    ("commune.legalisation", [
        ("Légalisation de signature", TITLE), ("تصحيح الإمضاء", TITLE),
        ("ⴰⵙⵖⵉⵡⴻⵙ ⵏ ⵓⵙⴻⴽⵍⵓ", TITLE),
        ("Commune", AGENCY), ("الجماعة", AGENCY),
        ("Certifier qu'une signature est la vôtre", SUMMARY), ("إشهاد", KEYWORDS),
    ]),
    ("tikli", [
        ("Déplacement", TITLE), ("ⵜⵉⴽⴻⵍⵉ", TITLE), ("ⴰⴳⵯⵎⴰⵔ", KEYWORDS),
    ]),
]


@pytest.fixture(scope="module")
def index():
    return Index(ENTRIES)


# --- normalise -------------------------------------------------------------------------

@pytest.mark.parametrize("text,expected", [
    ("ÉTAT civil", "etat civil"),
    ("Légalisation", "legalisation"),
    ("Garçon", "garcon"),
    ("Œuvre cœur", "oeuvre coeur"),
    ("Straße", "strasse"),
    ("  l'école,   du quartier!  ", "l ecole du quartier"),
    ("Jean-Pierre_N°12", "jean pierre n 12"),
])
def test_normalise_latin(text, expected):
    assert normalise(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("شَهَادَةُ", "شهاده"),                 # tashkeel, teh marbuta
    ("شهادة", "شهاده"),
    ("الإمضاء", "الامضاء"),                 # hamza below
    ("أحمد", "احمد"), ("آمنة", "امنه"), ("ٱلله", "الله"),
    ("مؤسسة", "موسسه"), ("رئيس", "رييس"),
    ("السكنى", "السكني"),                    # alef maksura
    ("كتـــاب", "كتاب"),                     # tatweel
    ("کتاب فارسی", "كتاب فارسي"),            # Persian keheh and yeh
    ("ﻻ", "لا"),                             # presentation form
    ("٢٠٢٦ ۱۲", "2026 12"),                   # Eastern Arabic digits
    ("سؤال، جواب؟", "سوال جواب"),            # Arabic punctuation
])
def test_normalise_arabic(text, expected):
    assert normalise(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("ⵜⵉⴽⴻⵍⵉ", "ⵜⵉⴽⵍⵉ"),                   # schwa folded
    ("ⴰⴳⵯⵎⴰⵔ", "ⴰⴳⵎⴰⵔ"),                   # labialisation mark dropped (not turned into ⵡ)
    ("ⴰⵙ⵿ⵜ", "ⴰⵙⵜ"),                        # consonant joiner dropped
    ("ⵡⴰⵡⴰⵍ", "ⵡⴰⵡⴰⵍ"),                   # ⵡ itself kept
])
def test_normalise_tifinagh(text, expected):
    assert normalise(text) == expected


def test_normalise_is_idempotent_and_empty_safe():
    for text, _ in [t for _, texts in ENTRIES for t in texts]:
        once = normalise(text)
        assert normalise(once) == once
    assert normalise("") == "" and normalise(" ،. - ") == ""


# --- search --------------------------------------------------------------------------

def test_prefix_of_a_word_finds_the_entry(index):
    assert index.search("attes")[0] == "cnss.attestation"
    assert index.search("شهاد")[:2] == ["cnss.attestation", "commune.residence"]
    assert set(index.search("ⴰⵙⵍ")) == {"etat-civil.naissance", "cnss.attestation",
                                         "commune.residence"}
    assert index.search("naiss") == ["etat-civil.naissance"]
    # Only the beginning of a word: "station" is inside "attestation" but starts no word.
    assert index.search("station") == []


def test_french_search_ignores_accents_and_case(index):
    assert index.search("legalisation") == ["commune.legalisation"]
    assert index.search("LÉGALISATION") == ["commune.legalisation"]
    assert index.search("etat civil") == ["etat-civil.naissance"]
    assert index.search("residence") == index.search("Résidence") == ["commune.residence"]
    assert index.search("securite") == ["cnss.attestation"]


def test_arabic_search_ignores_tashkeel_hamza_and_letter_variants(index):
    assert index.search("السكنى") == ["commune.residence"]
    assert index.search("السكني") == ["commune.residence"]
    assert index.search("شهادة السكنى") == ["commune.residence"]
    assert index.search("الامضاء") == index.search("الإمضاء") == ["commune.legalisation"]
    assert index.search("اشهاد") == ["commune.legalisation"]
    # The article: "سكنى" finds "السكنى", "ضمان" finds "للضمان".
    assert index.search("سكن") == ["commune.residence"]
    assert index.search("ضمان") == ["cnss.attestation"]
    assert index.search("مَدَنِيَّة") == ["etat-civil.naissance"]


def test_tifinagh_search_with_or_without_labialisation_and_schwa(index):
    assert index.search("ⵜⵉⴽⵍⵉ") == ["tikli"]
    assert index.search("ⵜⵉⴽⴻⵍⵉ") == ["tikli"]
    assert index.search("ⴰⴳⵎⴰⵔ") == ["tikli"]
    assert index.search("ⴰⴳⵯⵎ") == ["tikli"]
    assert index.search("ⵜⵉⵣⴷⵖ") == ["commune.residence"]
    assert index.search("ⴰⵙⵖⵉⵡⵙ") == ["commune.legalisation"]


def test_cross_language_query_and_every_word_must_match(index):
    # A French query finds the entry whatever the screen's language; words may mix scripts.
    assert index.search("commune") == ["commune.residence", "commune.legalisation"]
    assert index.search("attestation شهادة") == ["cnss.attestation", "commune.residence"]
    assert index.search("signature commune") == ["commune.legalisation"]
    assert index.search("signature naissance") == []
    assert index.search("zzz") == []


def test_ranking_by_weight_then_given_order(index):
    # "attestation" is a title word of cnss (3) and only a summary word of the residence
    # certificate (1).
    assert index.search("attestation") == ["cnss.attestation", "commune.residence"]
    # "banque": both in summaries (1 each): the given order decides.
    assert index.search("banque") == ["cnss.attestation", "commune.residence"]
    # Reversing the entries reverses the ties only.
    reversed_index = Index(list(reversed(ENTRIES)))
    assert reversed_index.search("banque") == ["commune.residence", "cnss.attestation"]
    assert reversed_index.search("attestation") == ["cnss.attestation", "commune.residence"]
    # Scores add up over the query words: two title words beat one title word + summary.
    idx = Index([("a", [("Carte nationale", TITLE), ("renouvellement", SUMMARY)]),
                 ("b", [("Carte de renouvellement", TITLE)])])
    assert idx.search("carte renouv") == ["b", "a"]
    assert idx.search("carte") == ["a", "b"]
    # A word found in several texts counts with its best weight.
    idx = Index([("a", [("permis", SUMMARY)]), ("b", [("permis", SUMMARY), ("Permis", TITLE)])])
    assert idx.search("perm") == ["b", "a"]


def test_empty_or_blank_query_finds_nothing(index):
    assert index.search("") == []
    assert index.search("   ") == []
    assert index.search("، . -") == []
    assert index.search("ⴻ") == []  # only a schwa: nothing left to look for


def test_limit_and_repeated_words(index):
    assert index.search("ⴰⵙⵍ", limit=2) == index.search("ⴰⵙⵍ")[:2]
    assert index.search("commune commune") == index.search("commune")


def test_entries_may_have_no_texts_and_ids_are_kept_verbatim():
    idx = Index([("x/1", []), ("Y", [("", TITLE), ("Formulaire", TITLE)])])
    assert len(idx) == 2
    assert idx.search("form") == ["Y"]


def test_a_hundred_entries_answer_correctly_and_quickly():
    words = ["attestation", "certificat", "demande", "inscription", "renouvellement", "copie",
             "شهادة", "طلب", "تسجيل", "ⴰⵙⵍⴽⵉⵏ", "ⴰⵙⵓⵜⵔ", "ⵜⵉⴽⵍⵉ"]
    entries = []
    for i in range(100):
        texts = [(f"{words[i % len(words)]} numéro{i:03d}", TITLE),
                 (f"{words[(i + 3) % len(words)]} service{i % 7}", AGENCY),
                 (" ".join(words[(i + k) % len(words)] for k in range(8)), SUMMARY)]
        entries.append((f"p{i:03d}", texts))
    idx = Index(entries)
    assert idx.search("numero042") == ["p042"]
    assert idx.search("numéro04")[:1] == ["p040"]
    assert len(idx.search("numero04")) == 10
    found = idx.search("شهاد")
    titles = [e for e, texts in entries if texts[0][0].startswith("شهادة")]
    assert found[:len(titles)] == titles
    # Typing, letter by letter; the time is reported, not asserted.
    query = "attestation service3"
    start = time.perf_counter()
    for n in range(1, len(query) + 1):
        idx.search(query[:n])
    per_query = (time.perf_counter() - start) / len(query)
    assert idx.search(query)
    print(f"search over 100 entries: {per_query * 1e6:.0f} µs per query")


# --- the catalog adapter used by the presenter ------------------------------------------

def test_index_for_a_catalog_searches_titles_agencies_categories_and_summaries(sample_catalog):
    from kiosk.procedures.search import catalog_entries, index_for

    idx = index_for(sample_catalog)
    assert index_for(sample_catalog) is idx  # built once per catalog
    for query in ("tous champs", "كل الحقول", "ⴰⴽⴽ ⵉⴳⵔ",   # title, each language
                  "administration", "إدارة", "essais",      # agency, category
                  "demarche", "مسطرة"):                     # summary
        assert idx.search(query) == ["test.everything"], query
    assert idx.search("timbre") == []  # fees are not searched
    (entry_id, texts), = catalog_entries(sample_catalog)
    weights = {}
    for text, weight in texts:
        weights[text] = max(weight, weights.get(text, 0))
    assert weights["Tous les champs"] == 3 and weights["Administration de test"] == 2
    assert weights["Essais"] == 2 and weights["Démarche d'essai"] == 1
    assert index_for(sample_catalog, "ar") is not idx
