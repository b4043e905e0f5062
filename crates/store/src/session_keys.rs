//! The SQL of attended sessions: session keys, their join tickets, and the
//! attended device a key is spent on. Expanded inside
//! [`crate::backend::impl_store!`], whose `insert_device` it shares.

macro_rules! impl_session_key_store {
    ($store:ty, $db:ty) => {
        #[async_trait]
        impl crate::SessionKeyStore for $store {
            async fn create_session_key(&self, key: &NewSessionKey) -> Result<()> {
                // Nine digits can repeat: two usable keys must never share a hash.
                // One statement checks and inserts, so SQLite never has to turn a
                // read into a write (which it refuses at once when busy).
                let done = sqlx::query(
                    "INSERT INTO session_keys (id, company_id, technician_id, key_hash, created_at, expires_at) \
                     SELECT $1, $2, $3, $4, $5, $6 WHERE NOT EXISTS \
                     (SELECT 1 FROM session_keys WHERE key_hash = $4 AND used_at IS NULL AND expires_at > $5)",
                )
                .bind(&key.id)
                .bind(&key.company_id)
                .bind(&key.technician_id)
                .bind(&key.key_hash)
                .bind(key.created_at)
                .bind(key.expires_at)
                .execute(&self.pool)
                .await
                .map_err(|err| conflict_or(err, "a session key with this id"))?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::Conflict("a usable session key with these digits"));
                }
                Ok(())
            }

            async fn usable_session_key(&self, key_hash: &str, now: Millis) -> Result<SessionKey> {
                let row: Option<(String, String, String, String, String, i64, bool)> = sqlx::query_as(
                    "SELECT k.id, k.company_id, c.name, k.technician_id, u.display_name, k.expires_at, c.tenant_only \
                     FROM session_keys k JOIN companies c ON c.id = k.company_id JOIN users u ON u.id = k.technician_id \
                     WHERE k.key_hash = $1 AND k.used_at IS NULL AND k.expires_at > $2 \
                     AND u.disabled = $3 AND u.company_id = k.company_id",
                )
                .bind(key_hash)
                .bind(now)
                .bind(false)
                .fetch_optional(&self.pool)
                .await?;
                let (id, company_id, company_name, technician_id, technician_name, expires_at, tenant_only) =
                    row.ok_or(StoreError::NotFound)?;
                Ok(SessionKey {
                    id,
                    company_id,
                    company_name,
                    technician_id,
                    technician_name,
                    expires_at,
                    tenant_only,
                })
            }

            async fn issue_join_ticket(
                &self,
                key_id: &str,
                user_id: &str,
                ticket_hash: &str,
                expires_at: Millis,
                now: Millis,
            ) -> Result<()> {
                let done = sqlx::query(
                    "UPDATE session_keys SET ticket_hash = $3, ticket_user_id = $4, ticket_expires_at = $5 \
                     WHERE id = $1 AND used_at IS NULL AND expires_at > $2",
                )
                .bind(key_id)
                .bind(now)
                .bind(ticket_hash)
                .bind(user_id)
                .bind(expires_at)
                .execute(&self.pool)
                .await?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::NotFound);
                }
                Ok(())
            }

            async fn join_with_session_key(&self, join: &JoinWithKey) -> Result<Device> {
                let now = join.device.enrolled_at;
                let mut tx = self.pool.begin().await?;
                // Spending the key and checking the ticket are one statement, so
                // a key joins exactly one device however many agents race for it.
                let spent: Option<(String, String, Option<String>)> = match &join.ticket_hash {
                    Some(ticket_hash) => {
                        sqlx::query_as(
                            "UPDATE session_keys SET used_at = $2 \
                             WHERE id = $1 AND used_at IS NULL AND expires_at > $2 \
                             AND ticket_hash = $3 AND ticket_expires_at > $2 \
                             RETURNING company_id, technician_id, ticket_user_id",
                        )
                        .bind(&join.key_id)
                        .bind(now)
                        .bind(ticket_hash)
                        .fetch_optional(&mut *tx)
                        .await?
                    }
                    None => {
                        sqlx::query_as(
                            "UPDATE session_keys SET used_at = $2 \
                             WHERE id = $1 AND used_at IS NULL AND expires_at > $2 \
                             RETURNING company_id, technician_id, NULL",
                        )
                        .bind(&join.key_id)
                        .bind(now)
                        .fetch_optional(&mut *tx)
                        .await?
                    }
                };
                let Some((company_id, technician_id, end_user_id)) = spent else {
                    // Released now, not when the pool next uses the connection:
                    // the refused UPDATE holds SQLite's write lock until then.
                    tx.rollback().await?;
                    return Err(StoreError::NotFound);
                };
                let device = insert_device(
                    &mut tx,
                    &company_id,
                    None,
                    None,
                    Some((&join.key_id, &technician_id, end_user_id.as_deref())),
                    &join.device,
                )
                .await?;
                tx.commit().await?;
                Ok(device)
            }
        }
    };
}

pub(crate) use impl_session_key_store;
