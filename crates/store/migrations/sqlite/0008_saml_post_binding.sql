-- Identity providers without the HTTP-Redirect binding get our requests by
-- HTTP-POST: how each one is reached.
ALTER TABLE saml_providers ADD COLUMN sso_binding TEXT NOT NULL DEFAULT 'redirect';
