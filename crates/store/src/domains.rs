//! The SQL of single sign-on domains and their verification. A domain is proven
//! by one company at most: a partial unique index refuses a second verified row,
//! which the store reports as `Conflict`. Expanded inside
//! [`crate::backend::impl_store!`], once per backend.

macro_rules! impl_domain_store {
    ($store:ty, $db:ty) => {
        /// The verified domain named `name` (at most one company has proven it).
        async fn verified_domain(pool: &sqlx::Pool<$db>, name: &str) -> Result<Option<SsoDomain>> {
            verified_domain_where(pool, "domain", name).await
        }

        /// The domain with this id, if it is verified (an identity provider's
        /// domain signs in only then).
        async fn verified_domain_by_id(pool: &sqlx::Pool<$db>, id: &str) -> Result<Option<SsoDomain>> {
            verified_domain_where(pool, "id", id).await
        }

        /// The verified domain whose `column` (a constant) is `value`.
        async fn verified_domain_where(
            pool: &sqlx::Pool<$db>,
            column: &str,
            value: &str,
        ) -> Result<Option<SsoDomain>> {
            let row: Option<SsoDomainRow> = sqlx::query_as(&format!(
                "SELECT {SSO_DOMAIN_COLUMNS} FROM sso_domains WHERE {column} = $1 AND status = $2"
            ))
            .bind(value)
            .bind(reach_proto::directory::DomainStatus::Verified.as_str())
            .fetch_optional(pool)
            .await?;
            row.map(TryInto::try_into).transpose()
        }

        /// Replaces a domain's links of one kind (rows of `table`: `domain_id`,
        /// `column`) with `ids`, each a row of `source` in the company; else
        /// `NotFound` and nothing changes. Tables and columns are constants.
        async fn replace_domain_links(
            pool: &sqlx::Pool<$db>,
            company_id: &str,
            domain_id: &str,
            (table, column, source): (&'static str, &'static str, &'static str),
            ids: &[String],
        ) -> Result<()> {
            let mut ids = ids.to_vec();
            ids.sort();
            ids.dedup();
            let mut tx = pool.begin().await?;
            fetch_domain(&mut *tx, company_id, domain_id).await?;
            sqlx::query(&format!("DELETE FROM {table} WHERE domain_id = $1"))
                .bind(domain_id)
                .execute(&mut *tx)
                .await?;
            for id in &ids {
                let done = sqlx::query(&format!(
                    "INSERT INTO {table} (domain_id, {column}) SELECT $1, id FROM {source} WHERE id = $2 AND company_id = $3"
                ))
                .bind(domain_id)
                .bind(id)
                .bind(company_id)
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::NotFound);
                }
            }
            tx.commit().await?;
            Ok(())
        }

        /// A domain's links of one kind, sorted; none for another company's domain.
        async fn domain_links(
            pool: &sqlx::Pool<$db>,
            company_id: &str,
            domain_id: &str,
            (table, column): (&'static str, &'static str),
        ) -> Result<Vec<String>> {
            let rows: Vec<(String,)> = sqlx::query_as(&format!(
                "SELECT l.{column} FROM {table} l JOIN sso_domains d ON d.id = l.domain_id \
                 WHERE d.company_id = $1 AND l.domain_id = $2 ORDER BY l.{column}"
            ))
            .bind(company_id)
            .bind(domain_id)
            .fetch_all(pool)
            .await?;
            Ok(rows.into_iter().map(|(id,)| id).collect())
        }

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

            async fn set_sso_domain_owners(&self, company_id: &str, domain_id: &str, user_ids: &[String]) -> Result<()> {
                // Only members of the domain's company.
                replace_domain_links(&self.pool, company_id, domain_id, ("sso_domain_owners", "user_id", "users"), user_ids).await
            }

            async fn sso_domain_owners(&self, company_id: &str, domain_id: &str) -> Result<Vec<String>> {
                domain_links(&self.pool, company_id, domain_id, ("sso_domain_owners", "user_id")).await
            }

            async fn owned_sso_domains(&self, user_id: &str) -> Result<Vec<String>> {
                let rows: Vec<(String,)> =
                    sqlx::query_as("SELECT domain_id FROM sso_domain_owners WHERE user_id = $1 ORDER BY domain_id")
                        .bind(user_id)
                        .fetch_all(&self.pool)
                        .await?;
                Ok(rows.into_iter().map(|(id,)| id).collect())
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
