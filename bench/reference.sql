-- The reference import: what the sqlite3 shell alone does with the same NextGen
-- file, as a yardstick for `sluice import`. Run by bench/import_bench.py, which
-- replaces @CSV@ with the file's path and feeds this to `sqlite3 -bail DB`.
--
-- It does less than Sluice (no adapter, no purchases table, no events, no
-- per-row validation), so Sluice being faster than this is a real result.

PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;

CREATE TABLE leads (
    id INTEGER PRIMARY KEY,
    tenant TEXT NOT NULL,
    source TEXT NOT NULL,
    vendor_lead_id TEXT,
    first_name TEXT,
    last_name TEXT,
    email TEXT,
    phone TEXT NOT NULL,
    street1 TEXT,
    city TEXT,
    state TEXT,
    zipcode TEXT,
    dob TEXT,
    gender TEXT,
    price REAL NOT NULL,
    purchase_count INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    received_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    fields TEXT NOT NULL
);
CREATE UNIQUE INDEX leads_tenant_phone ON leads (tenant, phone);
CREATE INDEX leads_tenant_email ON leads (tenant, email);
CREATE INDEX leads_tenant_vendor_lead ON leads (tenant, source, vendor_lead_id);

-- The header row names the staging table's columns; every value is TEXT.
.import --csv --schema temp @CSV@ staging

INSERT INTO leads (
    tenant, source, vendor_lead_id, first_name, last_name, email, phone, street1, city, state,
    zipcode, dob, gender, price, purchase_count, created_at, received_at, updated_at, fields
)
SELECT
    'bench', 'nextgen', lead_id, first_name, last_name, nullif(lower(email), ''), '+1' || phone,
    street_1, city, upper(state), zipcode, dob, gender, CAST(price AS REAL), 1, created_at,
    strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'),
    json_object(
        'purchase_id', purchase_id, 'product', product, 'vendor_id', vendor_id,
        'vendor_name', vendor_name, 'vertical_id', vertical_id, 'account_id', account_id,
        'account_name', account_name, 'campaign_id', campaign_id, 'campaign_name', campaign_name,
        'bid_type', bid_type, 'street_2', nullif(street_2, ''), 'height', CAST(height AS INTEGER),
        'household_size', CAST(household_size AS INTEGER),
        'household_income', CAST(household_income AS INTEGER), 'weight', CAST(weight AS INTEGER),
        'military', military = 'true', 'pregnant', pregnant = 'true',
        'tobacco_user', tobacco_user = 'true', 'has_prescription', has_prescription = 'true',
        'has_medicare_parts_a_b', nullif(has_medicare_parts_a_b, ''),
        'has_medical_condition', has_medical_condition = 'true',
        'medical_conditions', json(medical_conditions), 'insurance_timeframe', insurance_timeframe,
        'status', status, 'disposition', nullif(disposition, ''), 'call_log_id', nullif(call_log_id, ''),
        'call_duration', nullif(call_duration, ''), 'source_hash', source_hash,
        'sub_id_hash', nullif(sub_id_hash, '')
    )
FROM temp.staging
WHERE true -- makes `ON CONFLICT` parse as the upsert clause, not a join constraint
ON CONFLICT (tenant, phone) DO UPDATE SET
    price = price + excluded.price,
    purchase_count = purchase_count + 1,
    created_at = min(created_at, excluded.created_at),
    updated_at = excluded.updated_at,
    fields = json_patch(fields, excluded.fields);

SELECT 'leads=' || count(*) FROM leads;
