"""What is and is not an identifier in clinical text: the Safe Harbor categories, places that are not
identifiers (states, regions, countries), clinical words NER mistakes for names, and the toolkit's patterns
for what Presidio has no recognizer for."""

from __future__ import annotations

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


