-- Post-market vulnerability monitoring: SBOMs and their components,
-- advisories, VEX statements, alerts and webhook notifications.
--
-- Times in these tables are fixed-width UTC text
-- (2006-01-02T15:04:05.000000000Z), so that text order is time order.

-- seq keeps insertion order, which breaks ties between equal upload times.
CREATE TABLE sboms (
    seq         INTEGER PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    product_id  TEXT NOT NULL REFERENCES products (id),
    uploaded_at TEXT NOT NULL,
    doc         TEXT NOT NULL -- the SBOM as JSON, without components and document
);
CREATE INDEX sboms_product ON sboms (product_id, uploaded_at, seq);

-- Uploaded documents, apart: they are large and read only on request.
CREATE TABLE sbom_documents (
    sbom_id TEXT PRIMARY KEY REFERENCES sboms (id),
    content BLOB NOT NULL
);

-- Each product's current SBOM: the newest by upload time, then insertion.
CREATE TABLE current_sboms (
    product_id TEXT PRIMARY KEY REFERENCES products (id),
    sbom_id    TEXT NOT NULL REFERENCES sboms (id)
);

-- One row per component, in document order (idx). current mirrors
-- current_sboms so that the partial indexes hold only the components that
-- matching looks at: a new advisory re-matches current components only.
-- cpe_vendor_product is the CPE's "vendor:product" (trustmark.CPEVendorProduct).
CREATE TABLE sbom_components (
    sbom_id            TEXT NOT NULL REFERENCES sboms (id),
    idx                INTEGER NOT NULL,
    current            INTEGER NOT NULL,
    ecosystem          TEXT NOT NULL,
    package            TEXT NOT NULL,
    purl               TEXT NOT NULL,
    cpe_vendor_product TEXT NOT NULL,
    version            TEXT NOT NULL,
    doc                TEXT NOT NULL, -- the component as JSON
    PRIMARY KEY (sbom_id, idx)
) WITHOUT ROWID;
CREATE INDEX sbom_components_package ON sbom_components (ecosystem, package)
    WHERE current = 1 AND package <> '';
CREATE INDEX sbom_components_cpe ON sbom_components (cpe_vendor_product)
    WHERE current = 1 AND (package = '' OR ecosystem LIKE 'purl:%') AND cpe_vendor_product <> '';

-- Advisories in OSV form. doc holds the indexed fields as JSON
-- (trustmark.Advisory without the OSV document); osv the OSV JSON.
CREATE TABLE advisories (
    id        TEXT PRIMARY KEY,
    modified  TEXT NOT NULL,
    withdrawn TEXT,
    severity  TEXT NOT NULL,
    doc       TEXT NOT NULL,
    osv       BLOB NOT NULL
);

-- The packages and CPE vendor:product pairs each advisory affects.
CREATE TABLE advisory_packages (
    advisory_id TEXT NOT NULL REFERENCES advisories (id),
    ecosystem   TEXT NOT NULL,
    name        TEXT NOT NULL,
    PRIMARY KEY (advisory_id, ecosystem, name)
) WITHOUT ROWID;
CREATE INDEX advisory_packages_key ON advisory_packages (ecosystem, name);

CREATE TABLE advisory_cpes (
    advisory_id    TEXT NOT NULL REFERENCES advisories (id),
    vendor_product TEXT NOT NULL,
    PRIMARY KEY (advisory_id, vendor_product)
) WITHOUT ROWID;
CREATE INDEX advisory_cpes_vendor_product ON advisory_cpes (vendor_product);

CREATE TABLE vex_statements (
    seq        INTEGER PRIMARY KEY,
    id         TEXT NOT NULL UNIQUE,
    product_id TEXT NOT NULL REFERENCES products (id),
    at         TEXT NOT NULL,
    doc        TEXT NOT NULL
);
CREATE INDEX vex_statements_product ON vex_statements (product_id, at, seq);

-- One alert per (SBOM, advisory, component key: trustmark.SoftwareComponent.Key).
CREATE TABLE alerts (
    seq             INTEGER PRIMARY KEY,
    id              TEXT NOT NULL UNIQUE,
    product_id      TEXT NOT NULL REFERENCES products (id),
    sbom_id         TEXT NOT NULL REFERENCES sboms (id),
    advisory_id     TEXT NOT NULL REFERENCES advisories (id),
    component_key   TEXT NOT NULL,
    manufacturer_id TEXT NOT NULL REFERENCES organizations (id),
    cla_id          TEXT NOT NULL,
    state           TEXT NOT NULL,
    opened_at       TEXT NOT NULL,
    doc             TEXT NOT NULL,
    UNIQUE (sbom_id, advisory_id, component_key)
);
CREATE INDEX alerts_manufacturer ON alerts (manufacturer_id, opened_at);
CREATE INDEX alerts_cla ON alerts (cla_id, opened_at);
CREATE INDEX alerts_product ON alerts (product_id, opened_at);
CREATE INDEX alerts_advisory ON alerts (advisory_id);

-- secret is stored as the program gives it (sealed).
CREATE TABLE webhooks (
    seq        INTEGER PRIMARY KEY,
    id         TEXT NOT NULL UNIQUE,
    org_id     TEXT NOT NULL REFERENCES organizations (id),
    url        TEXT NOT NULL,
    secret     BLOB NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX webhooks_org ON webhooks (org_id, seq);

-- The outbox: notifications written with the change they report, sent
-- afterwards. A webhook's deliveries go with it.
CREATE TABLE webhook_deliveries (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    webhook_id TEXT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event      TEXT NOT NULL,
    payload    BLOB NOT NULL,
    attempts   INTEGER NOT NULL,
    next_try   TEXT NOT NULL,
    last_error TEXT NOT NULL,
    sent_at    TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_try, id) WHERE sent_at IS NULL;
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id);
