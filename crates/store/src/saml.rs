//! The SQL of SAML single sign-on: identity providers (one per domain), exclusion
//! lists, outstanding requests (taken once, atomically) and used assertion ids
//! (remembered with an insert that fails on a second use, so two concurrent
//! replays can't both pass). Expanded inside [`crate::backend::impl_store!`].

macro_rules! impl_saml_store {
    ($store:ty, $db:ty) => {
        async fn fetch_provider<'e, E>(executor: E, company_id: &str, domain_id: &str) -> Result<Option<SamlProvider>>
        where
            E: sqlx::Executor<'e, Database = $db>,
        {
            let row: Option<SamlProviderRow> = sqlx::query_as(&format!(
                "SELECT {SAML_PROVIDER_COLUMNS} FROM saml_providers WHERE company_id = $1 AND domain_id = $2"
            ))
            .bind(company_id)
            .bind(domain_id)
            .fetch_optional(executor)
            .await?;
            row.map(TryInto::try_into).transpose()
        }

        /// Whether the domain has a provider in `table` (`saml_providers` or
        /// `oidc_providers`): a domain signs in through one protocol at a time.
        async fn has_provider<'e, E>(executor: E, table: &'static str, domain_id: &str) -> Result<bool>
        where
            E: sqlx::Executor<'e, Database = $db>,
        {
            let found: Option<(String,)> =
                sqlx::query_as(&format!("SELECT domain_id FROM {table} WHERE domain_id = $1"))
                    .bind(domain_id)
                    .fetch_optional(executor)
                    .await?;
            Ok(found.is_some())
        }

        /// Fails with `NotFound` unless the domain is the company's.
        async fn own_domain<'e, E>(executor: E, company_id: &str, domain_id: &str) -> Result<()>
        where
            E: sqlx::Executor<'e, Database = $db>,
        {
            let found: Option<(String,)> =
                sqlx::query_as("SELECT id FROM sso_domains WHERE company_id = $1 AND id = $2")
                    .bind(company_id)
                    .bind(domain_id)
                    .fetch_optional(executor)
                    .await?;
            found.map(|_| ()).ok_or(StoreError::NotFound)
        }

        #[async_trait]
        impl crate::SamlStore for $store {
            async fn put_saml_provider(&self, provider: &SamlProvider) -> Result<()> {
                let mut tx = self.pool.begin().await?;
                own_domain(&mut *tx, &provider.company_id, &provider.domain_id).await?;
                if has_provider(&mut *tx, "oidc_providers", &provider.domain_id).await? {
                    return Err(StoreError::Conflict("oidc_provider"));
                }
                sqlx::query(&format!(
                    "INSERT INTO saml_providers ({SAML_PROVIDER_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                     ON CONFLICT (domain_id) DO UPDATE SET idp_entity_id = excluded.idp_entity_id, \
                     sso_url = excluded.sso_url, sso_binding = excluded.sso_binding, certificates = excluded.certificates, \
                     metadata_url = excluded.metadata_url, \
                     customer_identifier_hash = COALESCE(excluded.customer_identifier_hash, saml_providers.customer_identifier_hash), \
                     updated_at = excluded.updated_at"
                ))
                .bind(&provider.domain_id)
                .bind(&provider.company_id)
                .bind(&provider.idp_entity_id)
                .bind(&provider.sso_url)
                .bind(provider.binding.as_str())
                .bind(provider.certificates.join("\n"))
                .bind(&provider.metadata_url)
                .bind(&provider.customer_identifier_hash)
                .bind(provider.updated_at)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn saml_provider(&self, company_id: &str, domain_id: &str) -> Result<Option<SamlProvider>> {
                fetch_provider(&self.pool, company_id, domain_id).await
            }

            async fn delete_saml_provider(&self, company_id: &str, domain_id: &str) -> Result<()> {
                let done = sqlx::query("DELETE FROM saml_providers WHERE company_id = $1 AND domain_id = $2")
                    .bind(company_id)
                    .bind(domain_id)
                    .execute(&self.pool)
                    .await?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::NotFound);
                }
                Ok(())
            }

            async fn set_customer_identifier_hash(
                &self,
                company_id: &str,
                domain_id: &str,
                hash: &str,
                now: Millis,
            ) -> Result<SamlProvider> {
                sqlx::query(
                    "UPDATE saml_providers SET customer_identifier_hash = $3, updated_at = $4 \
                     WHERE company_id = $1 AND domain_id = $2",
                )
                .bind(company_id)
                .bind(domain_id)
                .bind(hash)
                .bind(now)
                .execute(&self.pool)
                .await?;
                fetch_provider(&self.pool, company_id, domain_id)
                    .await?
                    .ok_or(StoreError::NotFound)
            }

            async fn active_saml_provider(&self, domain: &str) -> Result<Option<(SsoDomain, SamlProvider)>> {
                let Some(domain) = verified_domain(&self.pool, domain).await? else {
                    return Ok(None);
                };
                Ok(fetch_provider(&self.pool, &domain.company_id, &domain.id)
                    .await?
                    .map(|provider| (domain, provider)))
            }

            async fn saml_providers_by_issuer(&self, idp_entity_id: &str) -> Result<Vec<(SsoDomain, SamlProvider)>> {
                let rows: Vec<SamlProviderRow> = sqlx::query_as(&format!(
                    "SELECT {SAML_PROVIDER_COLUMNS} FROM saml_providers WHERE idp_entity_id = $1 ORDER BY domain_id"
                ))
                .bind(idp_entity_id)
                .fetch_all(&self.pool)
                .await?;
                let mut found = Vec::new();
                for row in rows {
                    let provider = SamlProvider::try_from(row)?;
                    if let Some(domain) = verified_domain_by_id(&self.pool, &provider.domain_id).await? {
                        found.push((domain, provider));
                    }
                }
                Ok(found)
            }

            async fn set_sso_exclusions(&self, company_id: &str, domain_id: &str, emails: &[String]) -> Result<()> {
                let mut normalized: Vec<String> = emails
                    .iter()
                    .map(|email| email.trim().to_lowercase())
                    .filter(|email| !email.is_empty())
                    .collect();
                normalized.sort();
                normalized.dedup();
                let mut tx = self.pool.begin().await?;
                own_domain(&mut *tx, company_id, domain_id).await?;
                sqlx::query("DELETE FROM sso_exclusions WHERE domain_id = $1")
                    .bind(domain_id)
                    .execute(&mut *tx)
                    .await?;
                for email in &normalized {
                    sqlx::query("INSERT INTO sso_exclusions (domain_id, email) VALUES ($1, $2)")
                        .bind(domain_id)
                        .bind(email)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn sso_exclusions(&self, company_id: &str, domain_id: &str) -> Result<Vec<String>> {
                let rows: Vec<(String,)> = sqlx::query_as(
                    "SELECT e.email FROM sso_exclusions e JOIN sso_domains d ON d.id = e.domain_id \
                     WHERE d.company_id = $1 AND e.domain_id = $2 ORDER BY e.email",
                )
                .bind(company_id)
                .bind(domain_id)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows.into_iter().map(|(email,)| email).collect())
            }

            async fn set_sso_excluded_groups(&self, company_id: &str, domain_id: &str, group_ids: &[String]) -> Result<()> {
                // Only groups of the domain's company: another's is not found.
                replace_domain_links(&self.pool, company_id, domain_id, ("sso_excluded_groups", "group_id", "user_groups"), group_ids).await
            }

            async fn sso_excluded_groups(&self, company_id: &str, domain_id: &str) -> Result<Vec<String>> {
                domain_links(&self.pool, company_id, domain_id, ("sso_excluded_groups", "group_id")).await
            }

            async fn in_sso_excluded_group(&self, domain_id: &str, user_id: &str) -> Result<bool> {
                let found: Option<(String,)> = sqlx::query_as(
                    "SELECT e.group_id FROM sso_excluded_groups e \
                     JOIN user_group_members m ON m.group_id = e.group_id \
                     WHERE e.domain_id = $1 AND m.user_id = $2 LIMIT 1",
                )
                .bind(domain_id)
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await?;
                Ok(found.is_some())
            }

            async fn create_saml_request(&self, request: &SamlRequest) -> Result<()> {
                sqlx::query(
                    "INSERT INTO saml_requests (id, company_id, domain_id, relay_state, created_at, expires_at) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(&request.id)
                .bind(&request.company_id)
                .bind(&request.domain_id)
                .bind(&request.relay_state)
                .bind(request.created_at)
                .bind(request.expires_at)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn take_saml_request(&self, id: &str, now: Millis) -> Result<Option<SamlRequest>> {
                let row: Option<SamlRequestRow> = sqlx::query_as(
                    "DELETE FROM saml_requests WHERE id = $1 \
                     RETURNING id, company_id, domain_id, relay_state, created_at, expires_at",
                )
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
                Ok(row
                    .map(SamlRequest::from)
                    .filter(|request| request.expires_at > now))
            }

            async fn remember_assertion(&self, issuer: &str, assertion_id: &str, expires_at: Millis) -> Result<bool> {
                let done = sqlx::query(
                    "INSERT INTO saml_used_assertions (issuer, assertion_id, expires_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (issuer, assertion_id) DO NOTHING",
                )
                .bind(issuer)
                .bind(assertion_id)
                .bind(expires_at)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn purge_saml(&self, now: Millis) -> Result<u64> {
                let requests = sqlx::query("DELETE FROM saml_requests WHERE expires_at <= $1")
                    .bind(now)
                    .execute(&self.pool)
                    .await?;
                let assertions = sqlx::query("DELETE FROM saml_used_assertions WHERE expires_at <= $1")
                    .bind(now)
                    .execute(&self.pool)
                    .await?;
                Ok(requests.rows_affected() + assertions.rows_affected())
            }
        }
    };
}

pub(crate) use impl_saml_store;
