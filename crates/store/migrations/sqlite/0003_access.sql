-- Identity and access: accounts may leave their company (company_id NULL) and
-- may be server operators; roles become named permission sets granted to users
-- or user groups, company-wide or on one device group.
--
-- SQLite cannot drop NOT NULL in place, so `users` is rebuilt. The migration runs
-- in a transaction where foreign keys can't be switched off, and renaming a
-- parent table would rewrite every child's REFERENCES. So: keep a copy, drop the
-- table with foreign-key checks deferred to commit, create the new `users` (the
-- children's REFERENCES name it already) and refill it; by commit every child
-- row has its parent again, or the whole migration fails.
PRAGMA defer_foreign_keys = ON;

ALTER TABLE companies ADD COLUMN owner_id TEXT;
ALTER TABLE companies ADD COLUMN require_two_factor INTEGER NOT NULL DEFAULT 0;
ALTER TABLE companies ADD COLUMN password_sign_in INTEGER NOT NULL DEFAULT 1;
ALTER TABLE companies ADD COLUMN tenant_only INTEGER NOT NULL DEFAULT 1;
ALTER TABLE companies ADD COLUMN just_in_time INTEGER NOT NULL DEFAULT 0;

CREATE TABLE users_v2 AS SELECT * FROM users;
DROP INDEX users_company;
DROP TABLE users;

CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    company_id TEXT REFERENCES companies(id),
    email TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    operator INTEGER NOT NULL DEFAULT 0,
    disabled INTEGER NOT NULL DEFAULT 0,
    deleted_at INTEGER,
    created_at INTEGER NOT NULL
);
INSERT INTO users (id, company_id, email, display_name, password_hash, operator, disabled, created_at)
    SELECT id, company_id, email, display_name, password_hash, 0, disabled, created_at FROM users_v2;
CREATE INDEX users_company ON users(company_id);

CREATE TABLE roles (
    id TEXT PRIMARY KEY NOT NULL,
    company_id TEXT NOT NULL REFERENCES companies(id),
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    builtin TEXT,
    permissions TEXT NOT NULL DEFAULT '[]',
    view_only INTEGER NOT NULL DEFAULT 0,
    upload_paths TEXT,
    download_paths TEXT,
    created_at INTEGER NOT NULL,
    UNIQUE (company_id, name),
    UNIQUE (company_id, builtin)
);
INSERT INTO roles (id, company_id, name, builtin, created_at)
    SELECT lower(hex(randomblob(16))), id, 'Administrator', 'administrator', created_at FROM companies;
INSERT INTO roles (id, company_id, name, builtin, created_at)
    SELECT lower(hex(randomblob(16))), id, 'Technician', 'technician', created_at FROM companies;

-- Names differing only in case would confuse people: one of them is refused.
CREATE UNIQUE INDEX roles_name_nocase ON roles(company_id, lower(name));

CREATE TABLE user_groups (
    id TEXT PRIMARY KEY NOT NULL,
    company_id TEXT NOT NULL REFERENCES companies(id),
    name TEXT NOT NULL,
    external_id TEXT,
    created_at INTEGER NOT NULL,
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
    created_at INTEGER NOT NULL,
    CHECK ((user_id IS NULL) <> (group_id IS NULL))
);
CREATE UNIQUE INDEX role_grants_unique
    ON role_grants(role_id, COALESCE(user_id, ''), COALESCE(group_id, ''), COALESCE(device_group_id, ''));
CREATE INDEX role_grants_user ON role_grants(user_id);
CREATE INDEX role_grants_group ON role_grants(group_id);

INSERT INTO role_grants (id, company_id, role_id, user_id, created_at)
    SELECT lower(hex(randomblob(16))), u.company_id, r.id, u.id, u.created_at
    FROM users_v2 u JOIN roles r ON r.company_id = u.company_id AND r.builtin = u.role;

UPDATE companies SET owner_id = (
    SELECT u.id FROM users_v2 u WHERE u.company_id = companies.id AND u.role = 'administrator'
    ORDER BY u.created_at, u.id LIMIT 1);
UPDATE users SET operator = 1 WHERE id = (
    SELECT owner_id FROM companies ORDER BY created_at, id LIMIT 1);

DROP TABLE users_v2;

-- Sign-ins no longer carry a company (an operator may have none): everyone signs in again.
DROP TABLE web_sessions;
CREATE TABLE web_sessions (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX web_sessions_user ON web_sessions(user_id);
