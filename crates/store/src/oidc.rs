//! The SQL of OpenID Connect single sign-on: providers (one per domain, never
//! beside a SAML one) and outstanding authorization requests (taken once,
//! atomically). Expanded inside [`crate::backend::impl_store!`] after the SAML
//! SQL, whose `own_domain` and `has_provider` it shares (and the domain SQL's
//! `verified_domain`).

macro_rules! impl_oidc_store {
    ($store:ty, $db:ty) => {
        #[async_trait]
        impl crate::OidcStore for $store {
            async fn put_oidc_provider(&self, provider: &OidcProvider) -> Result<()> {
                let mut tx = self.pool.begin().await?;
                own_domain(&mut *tx, &provider.company_id, &provider.domain_id).await?;
                if has_provider(&mut *tx, "saml_providers", &provider.domain_id).await? {
                    return Err(StoreError::Conflict("saml_provider"));
                }
                sqlx::query(&format!(
                    "INSERT INTO oidc_providers ({OIDC_PROVIDER_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6) \
                     ON CONFLICT (domain_id) DO UPDATE SET issuer = excluded.issuer, client_id = excluded.client_id, \
                     client_secret_sealed = excluded.client_secret_sealed, updated_at = excluded.updated_at"
                ))
                .bind(&provider.domain_id)
                .bind(&provider.company_id)
                .bind(&provider.issuer)
                .bind(&provider.client_id)
                .bind(&provider.client_secret_sealed)
                .bind(provider.updated_at)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn oidc_provider(&self, company_id: &str, domain_id: &str) -> Result<Option<OidcProvider>> {
                let row: Option<OidcProviderRow> = sqlx::query_as(&format!(
                    "SELECT {OIDC_PROVIDER_COLUMNS} FROM oidc_providers WHERE company_id = $1 AND domain_id = $2"
                ))
                .bind(company_id)
                .bind(domain_id)
                .fetch_optional(&self.pool)
                .await?;
                Ok(row.map(OidcProvider::from))
            }

            async fn delete_oidc_provider(&self, company_id: &str, domain_id: &str) -> Result<()> {
                let done = sqlx::query("DELETE FROM oidc_providers WHERE company_id = $1 AND domain_id = $2")
                    .bind(company_id)
                    .bind(domain_id)
                    .execute(&self.pool)
                    .await?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::NotFound);
                }
                Ok(())
            }

            async fn active_oidc_provider(&self, domain: &str) -> Result<Option<(SsoDomain, OidcProvider)>> {
                let Some(domain) = verified_domain(&self.pool, domain).await? else {
                    return Ok(None);
                };
                let provider = self.oidc_provider(&domain.company_id, &domain.id).await?;
                Ok(provider.map(|provider| (domain, provider)))
            }

            async fn oidc_providers_by_issuer(&self, issuer: &str) -> Result<Vec<(SsoDomain, OidcProvider)>> {
                let rows: Vec<OidcProviderRow> = sqlx::query_as(&format!(
                    "SELECT {OIDC_PROVIDER_COLUMNS} FROM oidc_providers WHERE issuer = $1 ORDER BY domain_id"
                ))
                .bind(issuer)
                .fetch_all(&self.pool)
                .await?;
                let mut found = Vec::new();
                for row in rows {
                    let provider = OidcProvider::from(row);
                    if let Some(domain) = verified_domain_by_id(&self.pool, &provider.domain_id).await? {
                        found.push((domain, provider));
                    }
                }
                Ok(found)
            }

            async fn create_oidc_request(&self, request: &OidcRequest) -> Result<()> {
                sqlx::query(&format!(
                    "INSERT INTO oidc_requests ({OIDC_REQUEST_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
                ))
                .bind(&request.state)
                .bind(&request.company_id)
                .bind(&request.domain_id)
                .bind(&request.nonce)
                .bind(&request.pkce_verifier_sealed)
                .bind(&request.relay_state)
                .bind(request.created_at)
                .bind(request.expires_at)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn take_oidc_request(&self, state: &str, now: Millis) -> Result<Option<OidcRequest>> {
                let row: Option<OidcRequestRow> = sqlx::query_as(&format!(
                    "DELETE FROM oidc_requests WHERE state = $1 RETURNING {OIDC_REQUEST_COLUMNS}"
                ))
                .bind(state)
                .fetch_optional(&self.pool)
                .await?;
                Ok(row
                    .map(OidcRequest::from)
                    .filter(|request| request.expires_at > now))
            }

            async fn purge_oidc(&self, now: Millis) -> Result<u64> {
                let done = sqlx::query("DELETE FROM oidc_requests WHERE expires_at <= $1")
                    .bind(now)
                    .execute(&self.pool)
                    .await?;
                Ok(done.rows_affected())
            }
        }
    };
}

pub(crate) use impl_oidc_store;
