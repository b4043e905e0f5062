-- SCIM provisioning: what an identity provider said about a user beyond what
-- Reach itself uses (its userName, external id, name parts, addresses), kept as
-- the JSON it sent so it reads back the same. userName is unique per company.
CREATE TABLE scim_users (
    user_id TEXT PRIMARY KEY NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    company_id TEXT NOT NULL REFERENCES companies(id),
    user_name TEXT NOT NULL,
    attributes TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX scim_users_user_name ON scim_users(company_id, lower(user_name));
