-- A program has one Lead Administrator (47 CFR 8.221): two concurrent
-- "admin init" runs cannot both succeed.
CREATE UNIQUE INDEX organizations_one_lead_administrator ON organizations (kind) WHERE kind = 'lead_administrator';
