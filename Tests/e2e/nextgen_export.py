"""Synthetic NextGen purchases exports shaped like the real one (42 columns, CRLF,
no trailing newline, newest first, ad/data pairs sharing lead_id/phone/email).
Every value is invented."""

import random

COLUMNS = (
    "created_at,purchase_id,product,lead_id,vendor_id,vendor_name,vertical_id,account_id,account_name,"
    "campaign_id,campaign_name,bid_type,first_name,last_name,phone,street_1,street_2,email,city,state,"
    "zipcode,dob,gender,height,household_size,household_income,weight,military,pregnant,tobacco_user,"
    "has_prescription,has_medicare_parts_a_b,has_medical_condition,medical_conditions,insurance_timeframe,"
    "price,status,disposition,call_log_id,call_duration,source_hash,sub_id_hash"
).split(",")

FIRST = ["Ava", "Ben", "Cora", "Dan", "Eve", "Finn", "Gia", "Hal", "Ivy", "Jon"]
LAST = ["Stone", "Reyes", "Okafor", "Lind", "Moreau", "Van Dyke", "Ito", "Novak"]
CITIES = [("Austin", "TX", "78701"), ("Boston", "MA", "02134"), ("Tampa", "FL", "33602"), ("Reno", "NV", "89501")]
ULID = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def ulid(rng):
    return "".join(rng.choice(ULID) for _ in range(26))


def cell(v):
    v = str(v)
    if any(c in v for c in ',"\r\n'):
        return '"' + v.replace('"', '""') + '"'
    return v


def rows(leads=30, pairs=16, seed=7):
    """Returns the data rows (dicts), newest first: `leads` people, `pairs` of them
    bought as data + ad (the ad 160-1856 ms after the data)."""
    rng = random.Random(seed)
    out = []
    base = 1746300000000
    for i in range(leads):
        city, state, zipcode = CITIES[i % len(CITIES)]
        t = base + i * 3_600_000
        row = {
            "created_at": iso(t), "purchase_id": ulid(rng), "product": "data",
            "lead_id": "D-%04X-%04X" % (rng.randrange(65536), i), "vendor_id": "acme-leads",
            "vendor_name": "Acme Leads", "vertical_id": "health_insurance", "account_id": "ABC-123-456",
            "account_name": "Test Buyer", "campaign_id": ulid(rng), "campaign_name": "Spring, health ",
            "bid_type": "exclusive", "first_name": FIRST[i % len(FIRST)], "last_name": LAST[i % len(LAST)],
            "phone": "555%07d" % (2000000 + i), "street_1": "%d Main St" % (100 + i), "street_2": "",
            "email": "person%d@example.com" % i, "city": city, "state": state, "zipcode": zipcode,
            "dob": "1970-%02d-%02d" % (i % 12 + 1, i % 28 + 1), "gender": "female" if i % 2 else "male",
            "height": str(60 + i % 18), "household_size": str(1 + i % 6), "household_income": "999999",
            "weight": str(120 + i * 3), "military": "false", "pregnant": "false", "tobacco_user": "true" if i % 3 == 0 else "false",
            "has_prescription": "true", "has_medicare_parts_a_b": "", "has_medical_condition": "false",
            "medical_conditions": "[]", "insurance_timeframe": "In the next 30 days", "price": "%s" % (10 + i * 1.5),
            "status": "complete", "disposition": "Sold" if i % 5 == 0 else "", "call_log_id": "",
            "call_duration": "1m 05s" if i % 7 == 0 else "", "source_hash": "Ab%03d" % i, "sub_id_hash": "Zz%02d" % i,
        }
        out.append(row)
        if i < pairs:
            ad = dict(row)
            ad["created_at"] = iso(t + 160 + i * 100)
            ad["purchase_id"] = ulid(rng)
            ad["product"] = "ad"
            ad["price"] = "5"
            ad["disposition"] = ""
            out.append(ad)
    out.sort(key=lambda r: r["created_at"], reverse=True)
    return out


def iso(ms):
    import datetime
    d = datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (ms % 1000)


def write(path, data_rows, columns=COLUMNS):
    lines = [",".join(columns)] + [",".join(cell(r.get(c, "")) for c in columns) for r in data_rows]
    with open(path, "w", newline="") as f:
        f.write("\r\n".join(lines))
