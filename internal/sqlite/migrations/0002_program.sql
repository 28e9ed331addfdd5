-- The program's workflow: tokens, labs, applications, reports, surveillance,
-- complaints, renewal policies and the audit log. Each row keeps the record
-- as JSON (doc) beside the columns it is looked up by.
CREATE TABLE tokens (
    id     TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organizations (id),
    hash   BLOB NOT NULL UNIQUE,
    doc    TEXT NOT NULL
);
CREATE INDEX tokens_org ON tokens (org_id);

CREATE TABLE labs (
    org_id TEXT PRIMARY KEY REFERENCES organizations (id),
    status TEXT NOT NULL,
    doc    TEXT NOT NULL
);

CREATE TABLE applications (
    id              TEXT PRIMARY KEY,
    manufacturer_id TEXT NOT NULL REFERENCES organizations (id),
    product_id      TEXT NOT NULL REFERENCES products (id),
    cla_id          TEXT NOT NULL REFERENCES organizations (id),
    lab_id          TEXT NOT NULL REFERENCES organizations (id),
    state           TEXT NOT NULL,
    doc             TEXT NOT NULL
);
CREATE INDEX applications_manufacturer ON applications (manufacturer_id);
CREATE INDEX applications_cla ON applications (cla_id);
CREATE INDEX applications_lab ON applications (lab_id);
CREATE INDEX applications_product ON applications (product_id);

CREATE TABLE reports (
    id             TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES applications (id),
    lab_id         TEXT NOT NULL REFERENCES organizations (id),
    doc            TEXT NOT NULL
);
CREATE INDEX reports_application ON reports (application_id);

-- Raw evidence, apart from the results that cite it.
CREATE TABLE evidence (
    id        TEXT PRIMARY KEY,
    report_id TEXT NOT NULL REFERENCES reports (id),
    sha256    TEXT NOT NULL,
    content   BLOB,
    doc       TEXT NOT NULL
);
CREATE INDEX evidence_report ON evidence (report_id);

CREATE TABLE surveillance_plans (
    id     TEXT PRIMARY KEY,
    cla_id TEXT NOT NULL REFERENCES organizations (id),
    year   INTEGER NOT NULL,
    doc    TEXT NOT NULL,
    UNIQUE (cla_id, year)
);

CREATE TABLE samples (
    id              TEXT PRIMARY KEY,
    plan_id         TEXT NOT NULL REFERENCES surveillance_plans (id),
    cla_id          TEXT NOT NULL,
    manufacturer_id TEXT NOT NULL,
    label_id        TEXT NOT NULL REFERENCES grants (label_id),
    doc             TEXT NOT NULL
);
CREATE INDEX samples_cla ON samples (cla_id);
CREATE INDEX samples_manufacturer ON samples (manufacturer_id);

CREATE TABLE complaints (
    id              TEXT PRIMARY KEY,
    cla_id          TEXT NOT NULL,
    manufacturer_id TEXT NOT NULL,
    state           TEXT NOT NULL,
    doc             TEXT NOT NULL
);
CREATE INDEX complaints_cla ON complaints (cla_id);

CREATE TABLE renewal_policies (
    class TEXT PRIMARY KEY,
    doc   TEXT NOT NULL
);

CREATE TABLE audit_log (
    seq     INTEGER PRIMARY KEY AUTOINCREMENT,
    subject TEXT NOT NULL,
    doc     TEXT NOT NULL
);
CREATE INDEX audit_log_subject ON audit_log (subject, seq);

CREATE INDEX grants_cla ON grants (cla_id, status);
CREATE INDEX grants_manufacturer ON grants (manufacturer_id);
CREATE INDEX grants_status ON grants (status, cure_deadline);
