//! The SQL of single sign-on domains and their verification. A domain is proven
//! by one company at most: a partial unique index refuses a second verified row,
//! which the store reports as `Conflict`. Expanded inside
//! [`crate::backend::impl_store!`], once per backend.

macro_rules! impl_domain_store {
    ($store:ty, $db:ty) => {
        async fn fetch_domain<'e, E>(executor: E, company_id: &str, id: &str) -> Result<SsoDomain>
        where
            E: sqlx::Executor<'e, Database = $db>,
        {
            let row: Option<SsoDomainRow> = sqlx::query_as(&format!(
                "SELECT {SSO_DOMAIN_COLUMNS} FROM sso_domains WHERE company_id = $1 AND id = $2"
            ))
            .bind(company_id)
            .bind(id)
            .fetch_optional(executor)
            .await?;
            row.ok_or(StoreError::NotFound)?.try_into()
        }

        #[async_trait]
        impl crate::DomainStore for $store {
            async fn create_sso_domain(&self, domain: &SsoDomain) -> Result<()> {
                sqlx::query(&format!(
                    "INSERT INTO sso_domains ({SSO_DOMAIN_COLUMNS}) \
                     VALUES ($1, $2, $3, $4, $5, NULL, NULL, NULL, NULL, $6)"
                ))
                .bind(&domain.id)
                .bind(&domain.company_id)
                .bind(&domain.domain)
                .bind(&domain.token)
                .bind(DomainStatus::Unverified.as_str())
                .bind(domain.created_at)
                .execute(&self.pool)
                .await
                .map_err(|err| conflict_or(err, "this domain"))?;
                Ok(())
            }

            async fn list_sso_domains(&self, company_id: &str) -> Result<Vec<SsoDomain>> {
                let rows: Vec<SsoDomainRow> = sqlx::query_as(&format!(
                    "SELECT {SSO_DOMAIN_COLUMNS} FROM sso_domains WHERE company_id = $1 ORDER BY domain"
                ))
                .bind(company_id)
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map(TryInto::try_into).collect()
            }

            async fn sso_domain(&self, company_id: &str, id: &str) -> Result<SsoDomain> {
                fetch_domain(&self.pool, company_id, id).await
            }

            async fn start_domain_verification(
                &self,
                company_id: &str,
                id: &str,
                now: Millis,
            ) -> Result<SsoDomain> {
                let done = sqlx::query(
                    "UPDATE sso_domains SET status = $3, failure = NULL, started_at = $4, checked_at = NULL \
                     WHERE company_id = $1 AND id = $2 AND status <> $5",
                )
                .bind(company_id)
                .bind(id)
                .bind(DomainStatus::Verifying.as_str())
                .bind(now)
                .bind(DomainStatus::Verified.as_str())
                .execute(&self.pool)
                .await?;
                let domain = fetch_domain(&self.pool, company_id, id).await?;
                if done.rows_affected() == 0 && domain.status == DomainStatus::Verified {
                    return Err(StoreError::Conflict("a verified domain"));
                }
                Ok(domain)
            }

            async fn domains_being_verified(&self) -> Result<Vec<SsoDomain>> {
                let rows: Vec<SsoDomainRow> = sqlx::query_as(&format!(
                    "SELECT {SSO_DOMAIN_COLUMNS} FROM sso_domains WHERE status = $1 ORDER BY started_at, id"
                ))
                .bind(DomainStatus::Verifying.as_str())
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map(TryInto::try_into).collect()
            }

            async fn record_domain_check(
                &self,
                domain: &SsoDomain,
                outcome: DomainStatus,
                failure: Option<&str>,
                now: Millis,
            ) -> Result<SsoDomain> {
                let verified_at = (outcome == DomainStatus::Verified).then_some(now);
                sqlx::query(
                    "UPDATE sso_domains SET status = $3, failure = $4, checked_at = $5, verified_at = $6 \
                     WHERE company_id = $1 AND id = $2 AND status = $7",
                )
                .bind(&domain.company_id)
                .bind(&domain.id)
                .bind(outcome.as_str())
                .bind(failure)
                .bind(now)
                .bind(verified_at)
                .bind(DomainStatus::Verifying.as_str())
                .execute(&self.pool)
                .await
                .map_err(|err| conflict_or(err, "a domain verified by another company"))?;
                fetch_domain(&self.pool, &domain.company_id, &domain.id).await
            }

            async fn delete_sso_domain(&self, company_id: &str, id: &str) -> Result<SsoDomain> {
                let domain = fetch_domain(&self.pool, company_id, id).await?;
                sqlx::query("DELETE FROM sso_domains WHERE company_id = $1 AND id = $2")
                    .bind(company_id)
                    .bind(id)
                    .execute(&self.pool)
                    .await?;
                Ok(domain)
            }
        }
    };
}

pub(crate) use impl_domain_store;
