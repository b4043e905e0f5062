//! The SQL of API tokens: create, list, revoke, look up an unexpired unrevoked
//! token by its hash, and note when it was last used (at most once a minute, so
//! a busy integration does not turn every read into a write). Expanded inside
//! [`crate::backend::impl_store!`], once per backend.

macro_rules! impl_api_token_store {
    ($store:ty, $db:ty) => {
        #[async_trait]
        impl crate::ApiTokenStore for $store {
            async fn create_api_token(&self, token: &ApiToken) -> Result<()> {
                let done = sqlx::query(&format!(
                    "INSERT INTO api_tokens ({API_TOKEN_COLUMNS}) \
                     SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, NULL, NULL \
                     WHERE $3 IS NULL OR EXISTS (SELECT 1 FROM users WHERE id = $3 AND company_id = $2)"
                ))
                .bind(&token.id)
                .bind(&token.company_id)
                .bind(&token.user_id)
                .bind(&token.name)
                .bind(&token.token_hash)
                .bind(permissions_json(&token.scopes))
                .bind(token.expires_at)
                .bind(&token.created_by)
                .bind(token.created_at)
                .execute(&self.pool)
                .await
                .map_err(|err| conflict_or(err, "an API token with this id"))?;
                if done.rows_affected() != 1 {
                    return Err(StoreError::NotFound);
                }
                Ok(())
            }

            async fn list_api_tokens(&self, company_id: &str) -> Result<Vec<ApiToken>> {
                let rows: Vec<ApiTokenRow> = sqlx::query_as(&format!(
                    "SELECT {API_TOKEN_COLUMNS} FROM api_tokens WHERE company_id = $1 \
                     ORDER BY created_at DESC, id"
                ))
                .bind(company_id)
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map(TryInto::try_into).collect()
            }

            async fn revoke_api_token(&self, company_id: &str, id: &str, now: Millis) -> Result<ApiToken> {
                sqlx::query(
                    "UPDATE api_tokens SET revoked_at = $3 \
                     WHERE company_id = $1 AND id = $2 AND revoked_at IS NULL",
                )
                .bind(company_id)
                .bind(id)
                .bind(now)
                .execute(&self.pool)
                .await?;
                let row: Option<ApiTokenRow> = sqlx::query_as(&format!(
                    "SELECT {API_TOKEN_COLUMNS} FROM api_tokens WHERE company_id = $1 AND id = $2"
                ))
                .bind(company_id)
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
                row.ok_or(StoreError::NotFound)?.try_into()
            }

            async fn api_token(&self, token_hash: &str, now: Millis) -> Result<ApiToken> {
                let row: Option<ApiTokenRow> = sqlx::query_as(&format!(
                    "SELECT {API_TOKEN_COLUMNS} FROM api_tokens \
                     WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > $2"
                ))
                .bind(token_hash)
                .bind(now)
                .fetch_optional(&self.pool)
                .await?;
                row.ok_or(StoreError::NotFound)?.try_into()
            }

            async fn touch_api_token(&self, id: &str, now: Millis) -> Result<()> {
                sqlx::query(
                    "UPDATE api_tokens SET last_used_at = $2 \
                     WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $3)",
                )
                .bind(id)
                .bind(now)
                .bind(now - 60_000)
                .execute(&self.pool)
                .await?;
                Ok(())
            }
        }
    };
}

pub(crate) use impl_api_token_store;
