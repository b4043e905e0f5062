-- User groups whose members keep password sign-in on a single sign-on domain,
-- beside the excluded addresses. A deleted group leaves the list.
CREATE TABLE sso_excluded_groups (
    domain_id TEXT NOT NULL REFERENCES sso_domains(id) ON DELETE CASCADE,
    group_id TEXT NOT NULL REFERENCES user_groups(id) ON DELETE CASCADE,
    PRIMARY KEY (domain_id, group_id)
);
CREATE INDEX sso_excluded_groups_group ON sso_excluded_groups(group_id);
