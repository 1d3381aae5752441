#!/usr/bin/env python3
"""Writes a synthetic NextGen purchases export for the import benchmark.

The file has the 42 columns of a real NextGen export in their exact order, CRLF
line endings, no trailing newline, rows newest first, and value shapes like the
real ones (bench/README.md lists them). No
value comes from a real person. The same seed and row count give the same bytes.

Mix of rows, on purpose:
- about 1/3 of leads are an `ad` + `data` pair sharing lead_id, phone and email
  (the ad row a little newer, listed first, price 5);
- about 10 % of rows re-sell an earlier lead's person (same phone, name, email)
  under a new lead_id;
- ZIPs 00000-99999 (so about 10 % have a leading zero), some empty fields,
  some quoted fields holding commas or quotes.

Usage: gen_nextgen.py --rows 1000000 --seed 42 --out FILE [--stats FILE]
"""

import argparse
import json
import multiprocessing
import os
import random
import shutil
import sys
import time
from datetime import datetime, timedelta, timezone

HEADER = (
    "created_at,purchase_id,product,lead_id,vendor_id,vendor_name,vertical_id,account_id,"
    "account_name,campaign_id,campaign_name,bid_type,first_name,last_name,phone,street_1,"
    "street_2,email,city,state,zipcode,dob,gender,height,household_size,household_income,"
    "weight,military,pregnant,tobacco_user,has_prescription,has_medicare_parts_a_b,"
    "has_medical_condition,medical_conditions,insurance_timeframe,price,status,disposition,"
    "call_log_id,call_duration,source_hash,sub_id_hash"
)
COLUMN_COUNT = 42

FIRST_NAMES = (
    "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara "
    "Richard Susan Joseph Jessica Thomas Sarah Charles Karen Christopher Lisa Daniel Nancy "
    "Matthew Betty Anthony Sandra Mark Margaret Donald Ashley Steven Kimberly Andrew Emily "
    "Paul Donna Joshua Michelle Kenneth Carol Kevin Amanda Brian Melissa George Deborah "
    "Timothy Stephanie Ronald Rebecca Jason Sharon Edward Laura Jeffrey Cynthia Ryan Dorothy "
    "Jacob Amy Gary Kathleen Nicholas Angela Eric Shirley Jonathan Brenda Stephen Emma Larry "
    "Anna Justin Pamela Scott Nicole Brandon Samantha Benjamin Katherine Samuel Christine "
    "Gregory Debra Alexander Rachel Patrick Carolyn Frank Janet Raymond Maria Jack Olivia "
    "Dennis Heather Jerry Helen Tyler Catherine Aaron Diane Jose Julie Adam Victoria Nathan "
    "Joyce Henry Lauren Zachary Kelly Douglas Christina Peter Ruth Kyle Joan Noah Virginia "
    "Ethan Judith Jeremy Evelyn Walter Hannah Christian Andrea Keith Megan Roger Cheryl "
    "Terry Jacqueline Austin Madison Sean Teresa Gerald Abigail Carl Sophia Harold Martha"
).split()
LAST_NAMES = (
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez "
    "Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson "
    "White Harris Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott "
    "Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter "
    "Roberts Gomez Phillips Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart "
    "Morris Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed "
    "Kelly Howard Ramos Kim Cox Ward Richardson Watson Brooks Chavez Wood James Bennett Gray "
    "Mendoza Ruiz Hughes Price Alvarez Castillo Sanders Patel Myers Long Ross Foster Jimenez"
).split() + ["De La Cruz", "Van Buren", "O'Neil"]
STREET_NAMES = (
    "Main Oak Pine Maple Cedar Elm Washington Lake Hill Park Walnut Sunset Lincoln Jackson "
    "Church River Highland Meadow Forest Spring Ridge Valley Willow Chestnut Franklin Center"
).split()
STREET_KINDS = ["St", "Ave", "Rd", "Dr", "Ln", "Blvd", "Ct", "Way", "Pl"]
CITIES = [
    ("Houston", "TX"), ("San Antonio", "TX"), ("Dallas", "TX"), ("Austin", "TX"), ("Miami", "FL"),
    ("Tampa", "FL"), ("Orlando", "FL"), ("Jacksonville", "FL"), ("Atlanta", "GA"), ("Savannah", "GA"),
    ("Phoenix", "AZ"), ("Tucson", "AZ"), ("Charlotte", "NC"), ("Raleigh", "NC"), ("Columbus", "OH"),
    ("Cleveland", "OH"), ("Nashville", "TN"), ("Memphis", "TN"), ("Boston", "MA"), ("Newark", "NJ"),
    ("Providence", "RI"), ("Hartford", "CT"), ("Portland", "ME"), ("Denver", "CO"), ("Las Vegas", "NV"),
]
EMAIL_DOMAINS = ["gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "aol.com", "icloud.com"]
# Free text like the real campaign names: trailing spaces, an emoji, and two that
# need quoting (a comma; embedded double quotes).
CAMPAIGN_NAMES = [
    "Health Exclusive ",
    "Health Exclusive - TX",
    "🔥 Hot Health Leads",
    "Under 65 Health, Real-Time",
    'Agency "Prime" Data',
    "FL/GA Health  ",
    "Spring Promo",
    "ACA Open Enrollment",
    "Short Term Medical ",
]
DATA_PRICES = ["13.5", "20", "25", "27.25", "30", "35", "42", "50", "60", "75"]
TIMEFRAMES = ["In the next week", "In the next 30 days", "Unknown"]
DISPOSITIONS = ["Sold", "Contacted - Unqualified / Unsold", "Attempting Contact"]
ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
MIXED = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def csv_field(value):
    """Quotes a field only when it must be, as NextGen's exporter does."""
    if "," in value or '"' in value or "\n" in value or "\r" in value:
        return '"' + value.replace('"', '""') + '"'
    return value


class Generator:
    """Deterministic row source; every random choice goes through one seeded `random.Random`."""

    def __init__(self, seed, part=0, parts=1):
        self.rng = random.Random(seed)
        # Email numbers part, part + parts, …: unique across persons and parts, so only
        # a phone (never an email alone) can tie two persons together.
        self.serial, self.serial_step = part, parts
        self.rand = self.rng.random
        self.pairs36 = [a + b for a in ALNUM for b in ALNUM]
        self.pairs32 = [a + b for a in CROCKFORD for b in CROCKFORD]
        self.ulid_cache = {}
        self.streets = [csv_field(self._street()) for _ in range(5000)]
        self.profiles = [self._profile() for _ in range(20_000)]
        self.campaigns = [(self._ulid(1_700_000_000_000 + i * 86_400_000), csv_field(name))
                          for i, name in enumerate(CAMPAIGN_NAMES)]
        self.source_hashes = [self._mixed(self._int(5, 8)) for _ in range(18)]
        self.sub_hashes = [self._mixed(self._int(5, 8)) for _ in range(40)] + [""] * 3
        self.day = None
        self.day_prefix = ""

    def _int(self, low, high):
        """A random int in [low, high): `randrange` is several times slower."""
        return low + int(self.rand() * (high - low))

    def _pick(self, items):
        return items[int(self.rand() * len(items))]

    def _street(self):
        street = f"{self._int(1, 9999)} {self._pick(STREET_NAMES)} {self._pick(STREET_KINDS)}"
        if self.rand() < 0.05:
            street += f", Apt {self._int(1, 400)}"  # a comma: this field gets quoted
        return street

    def _profile(self):
        """city … insurance_timeframe: the columns after email, as one CSV piece."""
        city, state = self._pick(CITIES)
        dob = (datetime(1950, 1, 1) + timedelta(days=self._int(0, 20_000))).strftime("%Y-%m-%d")
        gender = "male" if self.rand() < 0.5 else "female"
        income = "999999" if self.rand() < 0.7 else str(self._int(20_000, 150_000))
        flags = ",".join("true" if self.rand() < 0.2 else "false" for _ in range(4))
        condition = "true" if self.rand() < 0.3 else "false"
        # ZIPs 00000-99999: about one in ten has a leading zero.
        return (f"{city},{state},{self._int(0, 100_000):05d},{dob},{gender},{self._int(60, 78)},"
                f"{self._int(1, 9)},{income},{self._int(120, 290)},{flags},,{condition},[],"
                f"{self._pick(TIMEFRAMES)}")

    def _mixed(self, n):
        return "".join(self._pick(MIXED) for _ in range(n))

    def _ulid(self, ms):
        """26 Crockford base32 characters: 48 bits of time (2 zero bits in front), 80 random bits."""
        t = self.pairs32  # each entry encodes 10 bits as 2 characters
        head = self.ulid_cache.get(ms >> 20)
        if head is None:
            head = t[ms >> 40] + t[(ms >> 30) & 1023] + t[(ms >> 20) & 1023]
            self.ulid_cache = {ms >> 20: head}
        r = self.rng.getrandbits(80)
        return (f"{head}{t[(ms >> 10) & 1023]}{t[ms & 1023]}{t[r >> 70]}{t[(r >> 60) & 1023]}"
                f"{t[(r >> 50) & 1023]}{t[(r >> 40) & 1023]}{t[(r >> 30) & 1023]}{t[(r >> 20) & 1023]}"
                f"{t[(r >> 10) & 1023]}{t[r & 1023]}")

    def _lead_id(self):
        r = self.rng.getrandbits(44)
        p = self.pairs36
        return f"D-{p[r % 1296]}{p[(r >> 11) % 1296]}-{p[(r >> 22) % 1296]}{p[(r >> 33) % 1296]}"

    def _iso(self, ms):
        """`YYYY-MM-DDTHH:MM:SS.mmmZ`, formatting each day once."""
        day, rest = divmod(ms, 86_400_000)
        if day != self.day:
            self.day = day
            self.day_prefix = datetime.fromtimestamp(day * 86_400, tz=timezone.utc).strftime("%Y-%m-%dT")
        seconds, millis = divmod(rest, 1000)
        minutes, seconds = divmod(seconds, 60)
        hours, minutes = divmod(minutes, 60)
        return f"{self.day_prefix}{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}Z"

    def _person(self):
        """first_name … email (six columns) and the profile piece of one new person."""
        rand = self.rand
        first = FIRST_NAMES[int(rand() * len(FIRST_NAMES))]
        last = LAST_NAMES[int(rand() * len(LAST_NAMES))]
        phone = 2_000_000_000 + int(rand() * 8_000_000_000)
        email = ""
        if rand() > 0.02:
            local = (first + "." + last).lower().replace(" ", "").replace("'", "")
            self.serial += self.serial_step
            email = f"{local}{self.serial}@{EMAIL_DOMAINS[int(rand() * len(EMAIL_DOMAINS))]}"
        street = self.streets[int(rand() * len(self.streets))]
        head = f"{first},{csv_field(last)},{phone},{street},,{email}"
        return phone, head, self.profiles[int(rand() * len(self.profiles))]

    def write(self, rows, start_ms, out):
        """Writes `rows` rows, each preceded by CRLF, newest first from `start_ms` back."""
        rand = self.rand
        lead_id, iso, ulid, person_of = self._lead_id, self._iso, self._ulid, self._person
        campaigns, n_campaigns = self.campaigns, len(self.campaigns)
        source_hashes, sub_hashes = self.source_hashes, self.sub_hashes
        ms = start_ms
        people = []  # earlier persons, for re-sold leads
        stats = {"rows": 0, "leads": 0, "adRows": 0, "dataRows": 0, "resoldLeads": 0}
        phones = set()
        written = 0
        lines = []
        while written < rows:
            # At least 2 s between leads, so a pair's ad row (at most 1.9 s newer) stays in order.
            ms -= 2000 + int(rand() * 58_000)
            if people and rand() < 0.10:
                phone, person, profile = people[int(rand() * len(people))]
                stats["resoldLeads"] += 1
            else:
                phone, person, profile = person_of()
                if len(people) < 200_000:
                    people.append((phone, person, profile))
                else:
                    people[int(rand() * len(people))] = (phone, person, profile)
            phones.add(phone)
            stats["leads"] += 1
            campaign_id, campaign = campaigns[int(rand() * n_campaigns)]
            # lead_id … insurance_timeframe are the same on both rows of a pair.
            middle = (f"{lead_id()},nextgen-leads,NextGen Leads,health_insurance,BQX-204-118,"
                      f"Avery Insurance Group,{campaign_id},{campaign},exclusive,{person},{profile}")
            call_duration = ""
            if rand() < 0.1:
                call_duration = str(self._int(5, 900)) if rand() < 0.5 else \
                    f"{self._int(0, 15)}m {self._int(0, 60):02d}s"
            # disposition, then call_log_id (always empty), call_duration, source_hash, sub_id_hash.
            tail = (f",,{call_duration},{source_hashes[int(rand() * 18)]},"
                    f"{sub_hashes[int(rand() * len(sub_hashes))]}")
            if rand() < 1 / 3 and written + 2 <= rows:
                ad_ms = ms + 160 + int(rand() * 1697)  # the ad record is a little newer: listed first
                lines.append(f"\r\n{iso(ad_ms)},{ulid(ad_ms)},ad,{middle},5,complete,{tail}")
                stats["adRows"] += 1
                written += 1
            disposition = DISPOSITIONS[int(rand() * 3)] if rand() < 0.15 else ""
            lines.append(f"\r\n{iso(ms)},{ulid(ms)},data,{middle},{DATA_PRICES[int(rand() * 10)]},complete,"
                         f"{disposition}{tail}")
            stats["dataRows"] += 1
            written += 1
            if len(lines) >= 20_000:
                out.write("".join(lines).encode("utf-8"))
                lines.clear()
        out.write("".join(lines).encode("utf-8"))
        stats["rows"] = written
        return stats, phones


# Rows are made by PARTS processes (one per core of the 2-core machines this runs
# on), each with its own seed and its own stretch of time; the parts are joined in
# order. PARTS is fixed so the file never depends on the machine.
PARTS = 2
START_MS = 1_746_403_200_000  # 2025-05-05T00:00:00Z; rows go back in time from here


def write_part(job):
    seed, part, rows, start_ms, path = job
    with open(path, "wb", buffering=1 << 20) as out:
        return Generator(seed * 1000 + part, part, PARTS).write(rows, start_ms, out)


def generate(rows, seed, path):
    """Writes the whole file at `path`; returns its statistics."""
    sizes = [rows // PARTS + (1 if i < rows % PARTS else 0) for i in range(PARTS)]
    # Each lead steps back at most 60 s, so starting part k 60 s per row of the parts
    # before it keeps part k older than all of them.
    jobs = [(seed, i, n, START_MS - sum(sizes[:i]) * 60_000, f"{path}.part{i}")
            for i, n in enumerate(sizes) if n > 0]
    with multiprocessing.get_context("fork").Pool(len(jobs)) as pool:
        results = pool.map(write_part, jobs)
    stats = {key: sum(r[0][key] for r in results) for key in results[0][0]}
    stats["distinctPhones"] = len(set().union(*(r[1] for r in results)))
    with open(path, "wb") as out:
        out.write(HEADER.encode("utf-8"))
        for *_, part_path in jobs:
            with open(part_path, "rb") as part:
                shutil.copyfileobj(part, out, 1 << 22)
            os.remove(part_path)
    return stats


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", required=True)
    parser.add_argument("--stats", help="also write counts (leads, pairs, distinct phones) as JSON here")
    args = parser.parse_args()
    if args.rows < 1:
        parser.error("--rows must be at least 1")
    started = time.perf_counter()
    stats = generate(args.rows, args.seed, args.out)
    stats["seed"] = args.seed
    stats["seconds"] = round(time.perf_counter() - started, 2)
    if args.stats:
        with open(args.stats, "w") as f:
            json.dump(stats, f, indent=2)
    print(f"wrote {stats['rows']} rows ({stats['leads']} leads, {stats['distinctPhones']} distinct phones) "
          f"to {args.out} in {stats['seconds']} s", file=sys.stderr)


if __name__ == "__main__":
    main()
