-- Attended sessions: a technician's session key (a hash of its nine digits,
-- valid 15 minutes, spent once by the agent that joins with it) and, under
-- tenant-only help, the one-time join ticket the portal gave a signed-in member
-- (also a hash, bound to that member, valid 5 minutes).
CREATE TABLE session_keys (
    id TEXT PRIMARY KEY NOT NULL,
    company_id TEXT NOT NULL REFERENCES companies(id),
    technician_id TEXT NOT NULL REFERENCES users(id),
    key_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER,
    ticket_hash TEXT,
    ticket_user_id TEXT REFERENCES users(id),
    ticket_expires_at INTEGER
);
CREATE INDEX session_keys_hash ON session_keys(key_hash);

-- A device joined with a session key is attended: tied to the key's
-- technician (and the signed-in end user, if any), outside every device group.
ALTER TABLE devices ADD COLUMN attended_by TEXT REFERENCES users(id);
ALTER TABLE devices ADD COLUMN end_user_id TEXT REFERENCES users(id);
ALTER TABLE devices ADD COLUMN session_key_id TEXT REFERENCES session_keys(id);
