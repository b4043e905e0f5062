-- A single sign-on domain's owners: members who manage that domain's single
-- sign-on from the console even without the company-wide permission (the one
-- who added it, and those they add), so no one leaving locks it.
CREATE TABLE sso_domain_owners (
    domain_id TEXT NOT NULL REFERENCES sso_domains(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (domain_id, user_id)
);
CREATE INDEX sso_domain_owners_user ON sso_domain_owners(user_id);
