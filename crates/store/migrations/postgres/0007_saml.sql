-- SAML single sign-on: a verified domain's identity provider, the addresses that
-- keep password sign-in, our outstanding authentication requests and the
-- assertion ids already used (replay protection). Deleting a domain takes its
-- settings and requests with it.
CREATE TABLE saml_providers (
    domain_id TEXT PRIMARY KEY NOT NULL REFERENCES sso_domains(id) ON DELETE CASCADE,
    company_id TEXT NOT NULL REFERENCES companies(id),
    idp_entity_id TEXT NOT NULL,
    sso_url TEXT NOT NULL,
    certificates TEXT NOT NULL,
    metadata_url TEXT,
    customer_identifier_hash TEXT,
    updated_at BIGINT NOT NULL
);
CREATE INDEX saml_providers_issuer ON saml_providers(idp_entity_id);

CREATE TABLE sso_exclusions (
    domain_id TEXT NOT NULL REFERENCES sso_domains(id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    PRIMARY KEY (domain_id, email)
);

CREATE TABLE saml_requests (
    id TEXT PRIMARY KEY NOT NULL,
    company_id TEXT NOT NULL,
    domain_id TEXT NOT NULL REFERENCES sso_domains(id) ON DELETE CASCADE,
    relay_state TEXT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX saml_requests_expiry ON saml_requests(expires_at);

CREATE TABLE saml_used_assertions (
    issuer TEXT NOT NULL,
    assertion_id TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (issuer, assertion_id)
);
CREATE INDEX saml_used_assertions_expiry ON saml_used_assertions(expires_at);
