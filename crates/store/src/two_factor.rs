//! The SQL of two-factor sign-in: a user's sealed TOTP secret, the secret being
//! set up, the last accepted time step (updated atomically, so one code signs in
//! once even when two requests race) and single-use recovery codes. Expanded
//! inside [`crate::backend::impl_store!`], once per backend.

macro_rules! impl_two_factor_store {
    ($store:ty, $db:ty) => {
        #[async_trait]
        impl crate::TwoFactorStore for $store {
            async fn two_factor(&self, user_id: &str) -> Result<TwoFactor> {
                let row: Option<(Option<String>, Option<String>, Option<i64>)> = sqlx::query_as(
                    "SELECT totp_secret, totp_pending, totp_last_step FROM users WHERE id = $1",
                )
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await?;
                let (secret, pending, last_step) = row.ok_or(StoreError::NotFound)?;
                let (left,): (i64,) = sqlx::query_as(
                    "SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL",
                )
                .bind(user_id)
                .fetch_one(&self.pool)
                .await?;
                Ok(TwoFactor {
                    secret,
                    pending,
                    last_step,
                    recovery_codes_left: left,
                })
            }

            async fn set_pending_totp(&self, user_id: &str, sealed: &str) -> Result<()> {
                let done = sqlx::query("UPDATE users SET totp_pending = $2 WHERE id = $1")
                    .bind(user_id)
                    .bind(sealed)
                    .execute(&self.pool)
                    .await?;
                if done.rows_affected() != 1 {
                    return Err(StoreError::NotFound);
                }
                Ok(())
            }

            async fn enable_totp(
                &self,
                user_id: &str,
                sealed_secret: &str,
                step: i64,
                recovery_hashes: &[String],
                now: Millis,
            ) -> Result<()> {
                let mut tx = self.pool.begin().await?;
                let done = sqlx::query(
                    "UPDATE users SET totp_secret = $2, totp_pending = NULL, totp_last_step = $3, \
                     totp_enabled_at = $4 WHERE id = $1",
                )
                .bind(user_id)
                .bind(sealed_secret)
                .bind(step)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() != 1 {
                    return Err(StoreError::NotFound);
                }
                sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?;
                for hash in recovery_hashes {
                    sqlx::query("INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)")
                        .bind(user_id)
                        .bind(hash)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn disable_totp(&self, user_id: &str) -> Result<()> {
                let mut tx = self.pool.begin().await?;
                let done = sqlx::query(
                    "UPDATE users SET totp_secret = NULL, totp_pending = NULL, totp_last_step = NULL, \
                     totp_enabled_at = NULL WHERE id = $1",
                )
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() != 1 {
                    return Err(StoreError::NotFound);
                }
                sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn use_totp_step(&self, user_id: &str, step: i64) -> Result<bool> {
                let done = sqlx::query(
                    "UPDATE users SET totp_last_step = $2 WHERE id = $1 AND totp_secret IS NOT NULL \
                     AND (totp_last_step IS NULL OR totp_last_step < $2)",
                )
                .bind(user_id)
                .bind(step)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn use_recovery_code(&self, user_id: &str, code_hash: &str, now: Millis) -> Result<bool> {
                let done = sqlx::query(
                    "UPDATE recovery_codes SET used_at = $3 \
                     WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL",
                )
                .bind(user_id)
                .bind(code_hash)
                .bind(now)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }
        }
    };
}

pub(crate) use impl_two_factor_store;
