//! The SQL of SCIM provisioning: users' provisioned attributes, written in the
//! same transaction as the account or group they describe. Expanded inside
//! [`crate::backend::impl_store!`] after the identity SQL, whose
//! `insert_account` and `insert_group_members` it shares.

macro_rules! impl_scim_store {
    ($store:ty, $db:ty) => {
        async fn upsert_scim_user(
            tx: &mut sqlx::Transaction<'_, $db>,
            company_id: &str,
            scim: &ScimUser,
        ) -> Result<()> {
            sqlx::query(
                "INSERT INTO scim_users (user_id, company_id, user_name, attributes, updated_at) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_id) DO UPDATE SET \
                 user_name = excluded.user_name, attributes = excluded.attributes, updated_at = excluded.updated_at",
            )
            .bind(&scim.user_id)
            .bind(company_id)
            .bind(&scim.user_name)
            .bind(&scim.attributes)
            .bind(scim.updated_at)
            .execute(&mut **tx)
            .await
            .map_err(|err| conflict_or(err, "a user with this userName"))?;
            Ok(())
        }

        #[async_trait]
        impl crate::ScimStore for $store {
            async fn scim_users(&self, company_id: &str) -> Result<Vec<ScimUser>> {
                let rows: Vec<(String, String, String, i64)> = sqlx::query_as(
                    "SELECT user_id, user_name, attributes, updated_at FROM scim_users WHERE company_id = $1",
                )
                .bind(company_id)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|(user_id, user_name, attributes, updated_at)| ScimUser {
                        user_id,
                        user_name,
                        attributes,
                        updated_at,
                    })
                    .collect())
            }

            async fn create_scim_user(&self, user: &User, scim: &ScimUser) -> Result<()> {
                let company_id = user.company_id.as_deref().ok_or(StoreError::NotFound)?;
                let mut tx = self.pool.begin().await?;
                insert_account(&mut tx, user, &[], scim.updated_at).await?;
                upsert_scim_user(&mut tx, company_id, scim).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn update_scim_user(
                &self,
                company_id: &str,
                email: &str,
                display_name: &str,
                disabled: bool,
                scim: &ScimUser,
            ) -> Result<User> {
                let mut tx = self.pool.begin().await?;
                let row: Option<UserRow> = sqlx::query_as(&format!(
                    "UPDATE users SET email = $3, display_name = $4, disabled = $5 \
                     WHERE company_id = $1 AND id = $2 RETURNING {USER_FIELDS}"
                ))
                .bind(company_id)
                .bind(&scim.user_id)
                .bind(email)
                .bind(display_name)
                .bind(disabled)
                .fetch_optional(&mut *tx)
                .await
                .map_err(|err| conflict_or(err, "a user with this e-mail"))?;
                let user: User = row.map(Into::into).ok_or(StoreError::NotFound)?;
                upsert_scim_user(&mut tx, company_id, scim).await?;
                tx.commit().await?;
                // Read again: the row returned above lacks the two-factor state.
                crate::UserStore::user(self, &user.id).await
            }

            async fn update_scim_group(
                &self,
                company_id: &str,
                id: &str,
                name: &str,
                external_id: Option<&str>,
                member_ids: &[String],
            ) -> Result<UserGroup> {
                let mut tx = self.pool.begin().await?;
                let changed = sqlx::query(
                    "UPDATE user_groups SET name = $3, external_id = $4 WHERE company_id = $1 AND id = $2",
                )
                .bind(company_id)
                .bind(id)
                .bind(name)
                .bind(external_id)
                .execute(&mut *tx)
                .await
                .map_err(|err| conflict_or(err, "a group with this name"))?;
                if changed.rows_affected() != 1 {
                    return Err(StoreError::NotFound);
                }
                sqlx::query("DELETE FROM user_group_members WHERE group_id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                insert_group_members(&mut tx, company_id, id, member_ids).await?;
                tx.commit().await?;
                crate::AccessStore::user_group(self, company_id, id).await
            }
        }
    };
}

pub(crate) use impl_scim_store;
