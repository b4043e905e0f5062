-- E-mail domains a company proves it owns (DNS TXT) before single sign-on
-- applies to them. Several companies may claim a domain; only one can prove it.
CREATE TABLE sso_domains (
    id TEXT PRIMARY KEY NOT NULL,
    company_id TEXT NOT NULL REFERENCES companies(id),
    domain TEXT NOT NULL,
    token TEXT NOT NULL,
    status TEXT NOT NULL,
    failure TEXT,
    started_at BIGINT,
    checked_at BIGINT,
    verified_at BIGINT,
    created_at BIGINT NOT NULL,
    UNIQUE (company_id, domain)
);
CREATE UNIQUE INDEX sso_domains_verified ON sso_domains(domain) WHERE status = 'verified';
CREATE INDEX sso_domains_status ON sso_domains(status);
