"""Families of news-event words that stand for one another: a small stand-in for a thesaurus.

A seed that says "protests" is about what other reports of the same events call "unrest" or
"riots"; one that says "peacekeepers" about what others call a "contingent". Only families with a
member in the seeds are used: their other members match as that seed word, so a profile never
gains a subject its seeds do not have. The families are general English news vocabulary, not the
words of any one story.
"""

from __future__ import annotations

FAMILIES: tuple[tuple[str, ...], ...] = (
    # civil unrest
    ("protests", "protest", "protesters", "demonstrators", "rallies", "unrest", "riots", "rioters",
     "uprising", "turmoil"),
    # political violence
    ("terrorism", "terrorist", "terrorists", "militants", "extremists", "insurgents", "gunmen",
     "bandits"),
    ("coup", "putsch", "overthrow"),
    ("peacekeepers", "peacekeeping", "contingent", "paratroopers"),
    ("aggression", "interference", "intervention", "meddling"),
    ("crisis", "upheaval"),
    ("arrested", "detained", "detention", "detainees"),
    ("killed", "deaths", "casualties", "fatalities"),
    # other kinds of stories
    ("election", "elections", "ballot", "referendum"),
    ("strike", "strikes", "strikers", "walkout"),
    ("earthquake", "quake", "tremor", "aftershocks"),
    ("flood", "floods", "flooding"),
    ("hurricane", "cyclone", "typhoon"),
    ("wildfire", "wildfires", "bushfire"),
    ("epidemic", "pandemic", "outbreak"),
    ("sanctions", "embargo"),
)  # fmt: skip
