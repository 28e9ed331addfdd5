-- The program's parties, products, grants and the public registry.
CREATE TABLE organizations (
    id         TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,
    name       TEXT NOT NULL,
    contact    TEXT NOT NULL,
    website    TEXT NOT NULL DEFAULT '',
    address    TEXT NOT NULL DEFAULT '',
    country    TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    UNIQUE (kind, name)
);

CREATE TABLE products (
    id               TEXT PRIMARY KEY,
    manufacturer_id  TEXT NOT NULL REFERENCES organizations (id),
    name             TEXT NOT NULL,
    model_numbers    TEXT NOT NULL, -- JSON array of strings
    hardware_version TEXT NOT NULL DEFAULT '',
    software_version TEXT NOT NULL DEFAULT '',
    class            TEXT NOT NULL,
    components       TEXT NOT NULL, -- JSON array of components
    created_at       TEXT NOT NULL
);
CREATE INDEX products_manufacturer ON products (manufacturer_id);

CREATE TABLE grants (
    label_id          TEXT PRIMARY KEY,
    product_id        TEXT NOT NULL UNIQUE REFERENCES products (id),
    manufacturer_id   TEXT NOT NULL REFERENCES organizations (id),
    cla_id            TEXT NOT NULL REFERENCES organizations (id),
    lab_id            TEXT NOT NULL REFERENCES organizations (id),
    status            TEXT NOT NULL,
    status_reason     TEXT NOT NULL DEFAULT '',
    granted_at        TEXT NOT NULL,
    status_changed_at TEXT NOT NULL,
    cure_deadline     TEXT
);

-- One row per label. id gives the registry its stable listing order and
-- never changes; change_seq grows on every change so caches can follow.
CREATE TABLE registry_records (
    id                INTEGER PRIMARY KEY,
    label_id          TEXT NOT NULL UNIQUE REFERENCES grants (label_id),
    manufacturer_id   TEXT NOT NULL,
    status            TEXT NOT NULL,
    product_name      TEXT NOT NULL,
    manufacturer_name TEXT NOT NULL,
    model_numbers     TEXT NOT NULL, -- space-separated, for search
    change_seq        INTEGER NOT NULL,
    doc               TEXT NOT NULL  -- the record as JSON
);
CREATE UNIQUE INDEX registry_records_change ON registry_records (change_seq);
CREATE INDEX registry_records_manufacturer ON registry_records (manufacturer_id, id);
CREATE INDEX registry_records_status ON registry_records (status, id);

-- Full-text search over the registry, kept in step by triggers.
CREATE VIRTUAL TABLE registry_search USING fts5 (
    product_name, manufacturer_name, model_numbers, label_id,
    content = 'registry_records', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER registry_records_ai AFTER INSERT ON registry_records BEGIN
    INSERT INTO registry_search (rowid, product_name, manufacturer_name, model_numbers, label_id)
    VALUES (new.id, new.product_name, new.manufacturer_name, new.model_numbers, new.label_id);
END;
CREATE TRIGGER registry_records_au AFTER UPDATE OF product_name, manufacturer_name, model_numbers ON registry_records BEGIN
    INSERT INTO registry_search (registry_search, rowid, product_name, manufacturer_name, model_numbers, label_id)
    VALUES ('delete', old.id, old.product_name, old.manufacturer_name, old.model_numbers, old.label_id);
    INSERT INTO registry_search (rowid, product_name, manufacturer_name, model_numbers, label_id)
    VALUES (new.id, new.product_name, new.manufacturer_name, new.model_numbers, new.label_id);
END;
