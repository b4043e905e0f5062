-- Identity and access: accounts may leave their company (company_id NULL) and
-- may be server operators; roles become named permission sets granted to users
-- or user groups, company-wide or on one device group.
ALTER TABLE companies ADD COLUMN owner_id TEXT;
ALTER TABLE companies ADD COLUMN require_two_factor BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE companies ADD COLUMN password_sign_in BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE companies ADD COLUMN tenant_only BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE companies ADD COLUMN just_in_time BOOLEAN NOT NULL DEFAULT FALSE;

ALTER TABLE users ALTER COLUMN company_id DROP NOT NULL;
ALTER TABLE users ADD COLUMN operator BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE users ADD COLUMN deleted_at BIGINT;

CREATE TABLE roles (
    id TEXT PRIMARY KEY NOT NULL,
    company_id TEXT NOT NULL REFERENCES companies(id),
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    builtin TEXT,
    permissions TEXT NOT NULL DEFAULT '[]',
    view_only BOOLEAN NOT NULL DEFAULT FALSE,
    upload_paths TEXT,
    download_paths TEXT,
    created_at BIGINT NOT NULL,
    UNIQUE (company_id, name),
    UNIQUE (company_id, builtin)
);
INSERT INTO roles (id, company_id, name, builtin, created_at)
    SELECT gen_random_uuid()::text, id, 'Administrator', 'administrator', created_at FROM companies;
INSERT INTO roles (id, company_id, name, builtin, created_at)
    SELECT gen_random_uuid()::text, id, 'Technician', 'technician', created_at FROM companies;

-- Names differing only in case would confuse people: one of them is refused.
CREATE UNIQUE INDEX roles_name_nocase ON roles(company_id, lower(name));

CREATE TABLE user_groups (
    id TEXT PRIMARY KEY NOT NULL,
    company_id TEXT NOT NULL REFERENCES companies(id),
    name TEXT NOT NULL,
    external_id TEXT,
    created_at BIGINT NOT NULL,
    UNIQUE (company_id, name)
);

CREATE UNIQUE INDEX user_groups_name_nocase ON user_groups(company_id, lower(name));

CREATE TABLE user_group_members (
    group_id TEXT NOT NULL REFERENCES user_groups(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX user_group_members_user ON user_group_members(user_id);

CREATE TABLE role_grants (
    id TEXT PRIMARY KEY NOT NULL,
    company_id TEXT NOT NULL REFERENCES companies(id),
    role_id TEXT NOT NULL REFERENCES roles(id) ON DELETE CASCADE,
    user_id TEXT REFERENCES users(id) ON DELETE CASCADE,
    group_id TEXT REFERENCES user_groups(id) ON DELETE CASCADE,
    device_group_id TEXT REFERENCES device_groups(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    CHECK ((user_id IS NULL) <> (group_id IS NULL))
);
CREATE UNIQUE INDEX role_grants_unique
    ON role_grants(role_id, COALESCE(user_id, ''), COALESCE(group_id, ''), COALESCE(device_group_id, ''));
CREATE INDEX role_grants_user ON role_grants(user_id);
CREATE INDEX role_grants_group ON role_grants(group_id);

INSERT INTO role_grants (id, company_id, role_id, user_id, created_at)
    SELECT gen_random_uuid()::text, u.company_id, r.id, u.id, u.created_at
    FROM users u JOIN roles r ON r.company_id = u.company_id AND r.builtin = u.role;

UPDATE companies SET owner_id = (
    SELECT u.id FROM users u WHERE u.company_id = companies.id AND u.role = 'administrator'
    ORDER BY u.created_at, u.id LIMIT 1);
UPDATE users SET operator = TRUE WHERE id = (
    SELECT owner_id FROM companies ORDER BY created_at, id LIMIT 1);

ALTER TABLE users DROP COLUMN role;

DELETE FROM web_sessions;
ALTER TABLE web_sessions DROP COLUMN company_id;
