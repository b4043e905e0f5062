//! The one implementation of every store trait, written once and instantiated for
//! each sqlx backend by [`impl_store!`]. The SQL is the common dialect of SQLite and
//! PostgreSQL (`$N` parameters, `RETURNING`, `ON CONFLICT`), so a query fixed here is
//! fixed for both; the schemas differ only in column types (see `migrations/`).

/// Implements every store trait for `$store`, a struct with a `pool: sqlx::Pool<$db>`.
macro_rules! impl_store {
    ($store:ty, $db:ty, $backend:literal) => {
        use async_trait::async_trait;
        use reach_core::Millis;

        use crate::rows::*;
        use crate::model::*;
        use crate::{Result, StoreError};

        crate::identity::impl_identity_store!($store, $db);
        crate::two_factor::impl_two_factor_store!($store, $db);
        crate::api_tokens::impl_api_token_store!($store, $db);
        crate::domains::impl_domain_store!($store, $db);
        crate::saml::impl_saml_store!($store, $db);
        crate::oidc::impl_oidc_store!($store, $db);
        crate::scim::impl_scim_store!($store, $db);
        crate::session_keys::impl_session_key_store!($store, $db);

        /// Inserts a device: enrolled with a token (`token_id`) or joined with
        /// a session key (`attended`: key id, technician id, end user id).
        async fn insert_device(
            tx: &mut sqlx::Transaction<'_, $db>,
            company_id: &str,
            group_id: Option<&str>,
            token_id: Option<&str>,
            attended: Option<(&str, &str, Option<&str>)>,
            device: &NewDevice,
        ) -> Result<Device> {
            let (key_id, technician_id, end_user_id) = match attended {
                Some((key, technician, end_user)) => (Some(key), Some(technician), end_user),
                None => (None, None, None),
            };
            sqlx::query(
                "INSERT INTO devices (id, company_id, device_group_id, nickname, hostname, os, ip_addresses, \
                 agent_version, public_key, enrollment_token_id, enrolled_at, session_key_id, attended_by, end_user_id) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
            )
            .bind(&device.id)
            .bind(company_id)
            .bind(group_id)
            .bind(&device.nickname)
            .bind(&device.system.hostname)
            .bind(&device.system.os)
            .bind(ip_addresses_json(&device.system.ip_addresses))
            .bind(&device.system.agent_version)
            .bind(&device.public_key)
            .bind(token_id)
            .bind(device.enrolled_at)
            .bind(key_id)
            .bind(technician_id)
            .bind(end_user_id)
            .execute(&mut **tx)
            .await
            .map_err(|err| conflict_or(err, "a device with this key"))?;
            let row: DeviceRow = sqlx::query_as(&format!("{DEVICE_SELECT} WHERE d.id = $1"))
                .bind(&device.id)
                .fetch_one(&mut **tx)
                .await?;
            row.try_into()
        }

        impl crate::Store for $store {
            fn backend(&self) -> &'static str {
                $backend
            }
        }

        #[async_trait]
        impl crate::EnrollmentStore for $store {
            async fn create_enrollment_token(&self, token: &NewEnrollmentToken) -> Result<EnrollmentToken> {
                let mut tx = self.pool.begin().await?;
                let group_id = match &token.device_group {
                    Some(name) => {
                        sqlx::query(
                            "INSERT INTO device_groups (id, company_id, name, created_at) VALUES ($1, $2, $3, $4) \
                             ON CONFLICT (company_id, name) DO NOTHING",
                        )
                        .bind(uuid::Uuid::new_v4().to_string())
                        .bind(&token.company_id)
                        .bind(name)
                        .bind(token.created_at)
                        .execute(&mut *tx)
                        .await?;
                        let (id,): (String,) =
                            sqlx::query_as("SELECT id FROM device_groups WHERE company_id = $1 AND name = $2")
                                .bind(&token.company_id)
                                .bind(name)
                                .fetch_one(&mut *tx)
                                .await?;
                        Some(id)
                    }
                    None => None,
                };
                sqlx::query(
                    "INSERT INTO enrollment_tokens \
                     (id, company_id, token_hash, device_group_id, max_uses, uses, expires_at, created_by, created_at) \
                     VALUES ($1, $2, $3, $4, $5, 0, $6, $7, $8)",
                )
                .bind(&token.id)
                .bind(&token.company_id)
                .bind(&token.token_hash)
                .bind(&group_id)
                .bind(token.max_uses)
                .bind(token.expires_at)
                .bind(&token.created_by)
                .bind(token.created_at)
                .execute(&mut *tx)
                .await
                .map_err(|err| conflict_or(err, "an enrollment token with this id"))?;
                tx.commit().await?;
                Ok(EnrollmentToken {
                    id: token.id.clone(),
                    company_id: token.company_id.clone(),
                    device_group: token.device_group.clone(),
                    max_uses: token.max_uses,
                    uses: 0,
                    expires_at: token.expires_at,
                    created_by: token.created_by.clone(),
                    created_at: token.created_at,
                    revoked_at: None,
                })
            }

            async fn list_enrollment_tokens(&self, company_id: &str) -> Result<Vec<EnrollmentToken>> {
                let rows: Vec<EnrollmentTokenRow> =
                    sqlx::query_as(&format!("{TOKEN_SELECT} WHERE t.company_id = $1 ORDER BY t.created_at DESC, t.id"))
                        .bind(company_id)
                        .fetch_all(&self.pool)
                        .await?;
                Ok(rows.into_iter().map(Into::into).collect())
            }

            async fn revoke_enrollment_token(&self, company_id: &str, id: &str, now: Millis) -> Result<EnrollmentToken> {
                sqlx::query(
                    "UPDATE enrollment_tokens SET revoked_at = $3 \
                     WHERE company_id = $1 AND id = $2 AND revoked_at IS NULL",
                )
                .bind(company_id)
                .bind(id)
                .bind(now)
                .execute(&self.pool)
                .await?;
                let row: Option<EnrollmentTokenRow> =
                    sqlx::query_as(&format!("{TOKEN_SELECT} WHERE t.company_id = $1 AND t.id = $2"))
                        .bind(company_id)
                        .bind(id)
                        .fetch_optional(&self.pool)
                        .await?;
                row.map(Into::into).ok_or(StoreError::NotFound)
            }

            async fn enroll_device(&self, token_hash: &str, device: &NewDevice) -> Result<Device> {
                let now = device.enrolled_at;
                let mut tx = self.pool.begin().await?;
                let spent: Option<(String, String, Option<String>)> = sqlx::query_as(
                    "UPDATE enrollment_tokens SET uses = uses + 1 \
                     WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > $2 AND uses < max_uses \
                     RETURNING id, company_id, device_group_id",
                )
                .bind(token_hash)
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?;
                let Some((token_id, company_id, group_id)) = spent else {
                    let found: Option<(i64, i64, i64, Option<i64>)> = sqlx::query_as(
                        "SELECT uses, max_uses, expires_at, revoked_at FROM enrollment_tokens WHERE token_hash = $1",
                    )
                    .bind(token_hash)
                    .fetch_optional(&mut *tx)
                    .await?;
                    // Released now: the refused UPDATE holds SQLite's write lock.
                    tx.rollback().await?;
                    return Err(match found {
                        Some((uses, max_uses, expires_at, revoked_at)) => {
                            token_refusal(uses, max_uses, expires_at, revoked_at.is_some(), now)
                        }
                        None => StoreError::EnrollmentTokenInvalid,
                    });
                };
                let device = insert_device(&mut tx, &company_id, group_id.as_deref(), Some(&token_id), None, device).await?;
                tx.commit().await?;
                Ok(device)
            }
        }

        #[async_trait]
        impl crate::DeviceStore for $store {
            async fn list_devices(&self, company_id: &str) -> Result<Vec<Device>> {
                let rows: Vec<DeviceRow> =
                    sqlx::query_as(&format!("{DEVICE_SELECT} WHERE d.company_id = $1 ORDER BY d.nickname, d.id"))
                        .bind(company_id)
                        .fetch_all(&self.pool)
                        .await?;
                rows.into_iter().map(TryInto::try_into).collect()
            }

            async fn device(&self, id: &str) -> Result<Device> {
                let row: Option<DeviceRow> = sqlx::query_as(&format!("{DEVICE_SELECT} WHERE d.id = $1"))
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?;
                row.ok_or(StoreError::NotFound)?.try_into()
            }

            async fn device_in_company(&self, company_id: &str, id: &str) -> Result<Device> {
                let row: Option<DeviceRow> =
                    sqlx::query_as(&format!("{DEVICE_SELECT} WHERE d.company_id = $1 AND d.id = $2"))
                        .bind(company_id)
                        .bind(id)
                        .fetch_optional(&self.pool)
                        .await?;
                row.ok_or(StoreError::NotFound)?.try_into()
            }

            async fn update_device_system(&self, id: &str, system: &DeviceSystem, now: Millis) -> Result<()> {
                let done = sqlx::query(
                    "UPDATE devices SET hostname = $2, os = $3, ip_addresses = $4, agent_version = $5, last_seen = $6 \
                     WHERE id = $1",
                )
                .bind(id)
                .bind(&system.hostname)
                .bind(&system.os)
                .bind(ip_addresses_json(&system.ip_addresses))
                .bind(&system.agent_version)
                .bind(now)
                .execute(&self.pool)
                .await?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::NotFound);
                }
                Ok(())
            }

            async fn touch_device(&self, id: &str, now: Millis) -> Result<()> {
                sqlx::query("UPDATE devices SET last_seen = $2 WHERE id = $1")
                    .bind(id)
                    .bind(now)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn list_device_groups(&self, company_id: &str) -> Result<Vec<DeviceGroup>> {
                let rows: Vec<DeviceGroupRow> = sqlx::query_as(
                    "SELECT id, company_id, name, created_at FROM device_groups WHERE company_id = $1 ORDER BY name, id",
                )
                .bind(company_id)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows.into_iter().map(Into::into).collect())
            }

            async fn create_device_group(&self, group: &DeviceGroup) -> Result<()> {
                sqlx::query("INSERT INTO device_groups (id, company_id, name, created_at) VALUES ($1, $2, $3, $4)")
                    .bind(&group.id)
                    .bind(&group.company_id)
                    .bind(&group.name)
                    .bind(group.created_at)
                    .execute(&self.pool)
                    .await
                    .map_err(|err| conflict_or(err, "a device group with this name"))?;
                Ok(())
            }

            async fn revoke_device(&self, company_id: &str, id: &str, now: Millis) -> Result<Device> {
                sqlx::query(
                    "UPDATE devices SET revoked_at = $3 WHERE company_id = $1 AND id = $2 AND revoked_at IS NULL",
                )
                .bind(company_id)
                .bind(id)
                .bind(now)
                .execute(&self.pool)
                .await?;
                self.device_in_company(company_id, id).await
            }
        }

        #[async_trait]
        impl crate::AuditStore for $store {
            async fn record_audit(&self, event: &AuditEvent) -> Result<AuditEvent> {
                let details = serde_json::to_string(&event.details)
                    .map_err(|err| StoreError::Corrupt(format!("audit details: {err}")))?;
                let row: AuditRow = sqlx::query_as(&format!(
                    "INSERT INTO audit_events (company_id, code, at, actor_kind, actor_id, actor_name, ip, \
                     target_kind, target_id, target_name, details) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING {AUDIT_COLUMNS}"
                ))
                .bind(&event.company_id)
                .bind(&event.code)
                .bind(event.at)
                .bind(&event.actor_kind)
                .bind(&event.actor_id)
                .bind(&event.actor_name)
                .bind(&event.ip)
                .bind(&event.target_kind)
                .bind(&event.target_id)
                .bind(&event.target_name)
                .bind(details)
                .fetch_one(&self.pool)
                .await?;
                row.try_into()
            }

            async fn list_audit(&self, company_id: &str, limit: i64, before: Option<i64>) -> Result<Vec<AuditEvent>> {
                let rows: Vec<AuditRow> = sqlx::query_as(&format!(
                    "SELECT {AUDIT_COLUMNS} FROM audit_events WHERE company_id = $1 AND id < $2 \
                     ORDER BY id DESC LIMIT $3"
                ))
                .bind(company_id)
                .bind(before.unwrap_or(i64::MAX))
                .bind(limit)
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map(TryInto::try_into).collect()
            }
        }

        #[async_trait]
        impl crate::SessionStore for $store {
            async fn create_session(&self, session: &SessionRecord) -> Result<()> {
                sqlx::query(
                    "INSERT INTO sessions (id, company_id, device_id, technician_id, started_at, ended_at, end_reason) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(&session.id)
                .bind(&session.company_id)
                .bind(&session.device_id)
                .bind(&session.technician_id)
                .bind(session.started_at)
                .bind(session.ended_at)
                .bind(&session.end_reason)
                .execute(&self.pool)
                .await
                .map_err(|err| conflict_or(err, "a session with this id"))?;
                Ok(())
            }

            async fn end_session(&self, id: &str, ended_at: Millis, reason: &str) -> Result<SessionRecord> {
                let done = sqlx::query(
                    "UPDATE sessions SET ended_at = $2, end_reason = $3 WHERE id = $1 AND ended_at IS NULL",
                )
                .bind(id)
                .bind(ended_at)
                .bind(reason)
                .execute(&self.pool)
                .await?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::NotFound);
                }
                let row: SessionRow = sqlx::query_as(&format!("{SESSION_SELECT} WHERE s.id = $1"))
                    .bind(id)
                    .fetch_one(&self.pool)
                    .await?;
                Ok(row.into())
            }

            async fn session(&self, company_id: &str, id: &str) -> Result<SessionRecord> {
                let row: Option<SessionRow> =
                    sqlx::query_as(&format!("{SESSION_SELECT} WHERE s.company_id = $1 AND s.id = $2"))
                        .bind(company_id)
                        .bind(id)
                        .fetch_optional(&self.pool)
                        .await?;
                row.map(Into::into).ok_or(StoreError::NotFound)
            }

            async fn list_sessions(
                &self,
                company_id: &str,
                technician_id: Option<&str>,
                limit: i64,
            ) -> Result<Vec<SessionRecord>> {
                let rows: Vec<SessionRow> = sqlx::query_as(&format!(
                    "{SESSION_SELECT} WHERE s.company_id = $1 AND ($2 IS NULL OR s.technician_id = $2) \
                     ORDER BY s.started_at DESC, s.id LIMIT $3"
                ))
                .bind(company_id)
                .bind(technician_id)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows.into_iter().map(Into::into).collect())
            }

            async fn end_open_sessions(&self, ended_at: Millis, reason: &str) -> Result<u64> {
                let done = sqlx::query("UPDATE sessions SET ended_at = $1, end_reason = $2 WHERE ended_at IS NULL")
                    .bind(ended_at)
                    .bind(reason)
                    .execute(&self.pool)
                    .await?;
                Ok(done.rows_affected())
            }
        }
    };
}

pub(crate) use impl_store;
