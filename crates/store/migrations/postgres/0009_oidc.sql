-- OpenID Connect single sign-on, the alternative to SAML for a verified domain:
-- its provider (the client secret sealed with the server's key) and our
-- outstanding authorization requests, each answered once. A domain signs in
-- through one protocol at a time; deleting the domain takes both with it.
CREATE TABLE oidc_providers (
    domain_id TEXT PRIMARY KEY NOT NULL REFERENCES sso_domains(id) ON DELETE CASCADE,
    company_id TEXT NOT NULL REFERENCES companies(id),
    issuer TEXT NOT NULL,
    client_id TEXT NOT NULL,
    client_secret_sealed TEXT,
    updated_at BIGINT NOT NULL
);

CREATE TABLE oidc_requests (
    state TEXT PRIMARY KEY NOT NULL,
    company_id TEXT NOT NULL,
    domain_id TEXT NOT NULL REFERENCES sso_domains(id) ON DELETE CASCADE,
    nonce TEXT NOT NULL,
    pkce_verifier_sealed TEXT NOT NULL,
    relay_state TEXT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX oidc_requests_expiry ON oidc_requests(expires_at);
