-- The append-only event log. Rows are never updated or deleted: the triggers
-- refuse it, so even a bug in the server cannot rewrite history.
CREATE TABLE audit_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    company_id TEXT NOT NULL REFERENCES companies(id),
    code TEXT NOT NULL,
    at INTEGER NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_id TEXT,
    actor_name TEXT NOT NULL,
    ip TEXT,
    target_kind TEXT,
    target_id TEXT,
    target_name TEXT,
    details TEXT NOT NULL
);
CREATE INDEX audit_events_company ON audit_events(company_id, id);

CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;

CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;
