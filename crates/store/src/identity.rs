//! The SQL of identity and access: companies, accounts, sign-ins, the setup link,
//! roles, user groups and role grants. Expanded inside [`crate::backend::impl_store!`]
//! (which brings the imports), once per backend, like the rest of the SQL.

macro_rules! impl_identity_store {
    ($store:ty, $db:ty) => {
        /// Creates the built-in roles of a new company.
        async fn insert_builtin_roles(
            tx: &mut sqlx::Transaction<'_, $db>,
            company_id: &str,
            now: Millis,
        ) -> Result<()> {
            for builtin in reach_proto::access::BuiltinRole::ALL {
                sqlx::query(
                    "INSERT INTO roles (id, company_id, name, builtin, created_at) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(uuid::Uuid::new_v4().to_string())
                .bind(company_id)
                .bind(builtin.display_name())
                .bind(builtin.as_str())
                .bind(now)
                .execute(&mut **tx)
                .await?;
            }
            Ok(())
        }

        /// Inserts an account with company-wide grants of `role_ids`; an account
        /// given the Administrator role of an ownerless company becomes its owner.
        async fn insert_account(
            tx: &mut sqlx::Transaction<'_, $db>,
            user: &User,
            role_ids: &[String],
            now: Millis,
        ) -> Result<()> {
            sqlx::query(&format!(
                "INSERT INTO users ({USER_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
            ))
            .bind(&user.id)
            .bind(&user.company_id)
            .bind(&user.email)
            .bind(&user.display_name)
            .bind(&user.password_hash)
            .bind(user.operator)
            .bind(user.disabled)
            .bind(user.created_at)
            .execute(&mut **tx)
            .await
            .map_err(|err| conflict_or(err, "a user with this e-mail"))?;
            let Some(company_id) = &user.company_id else {
                return if role_ids.is_empty() { Ok(()) } else { Err(StoreError::NotFound) };
            };
            for role_id in role_ids {
                let granted = sqlx::query(
                    "INSERT INTO role_grants (id, company_id, role_id, user_id, created_at) \
                     SELECT $1, company_id, id, $3, $4 FROM roles WHERE id = $2 AND company_id = $5",
                )
                .bind(uuid::Uuid::new_v4().to_string())
                .bind(role_id)
                .bind(&user.id)
                .bind(now)
                .bind(company_id)
                .execute(&mut **tx)
                .await?;
                if granted.rows_affected() != 1 {
                    return Err(StoreError::NotFound);
                }
            }
            sqlx::query(
                "UPDATE companies SET owner_id = $2 WHERE id = $1 AND owner_id IS NULL AND EXISTS \
                 (SELECT 1 FROM role_grants g JOIN roles r ON r.id = g.role_id \
                  WHERE g.user_id = $2 AND r.builtin = 'administrator')",
            )
            .bind(company_id)
            .bind(&user.id)
            .execute(&mut **tx)
            .await?;
            Ok(())
        }

        /// Ends every sign-in of the account and takes away its grants, groups and API tokens.
        async fn strip_account(tx: &mut sqlx::Transaction<'_, $db>, user_id: &str) -> Result<Vec<String>> {
            // Owning a domain is a role in the company, not of the account.
            sqlx::query("DELETE FROM sso_domain_owners WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut **tx)
                .await?;
            // What an identity provider provisioned was about the company's member.
            sqlx::query("DELETE FROM scim_users WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut **tx)
                .await?;
            sqlx::query("DELETE FROM role_grants WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut **tx)
                .await?;
            sqlx::query("DELETE FROM user_group_members WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut **tx)
                .await?;
            // A token acts as its user: it goes with the user's rights.
            sqlx::query("DELETE FROM api_tokens WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut **tx)
                .await?;
            let ended: Vec<(String,)> =
                sqlx::query_as("DELETE FROM web_sessions WHERE user_id = $1 RETURNING token_hash")
                    .bind(user_id)
                    .fetch_all(&mut **tx)
                    .await?;
            Ok(ended.into_iter().map(|(hash,)| hash).collect())
        }

        async fn fetch_company<'e, E>(executor: E, id: &str) -> Result<Company>
        where
            E: sqlx::Executor<'e, Database = $db>,
        {
            let row: Option<CompanyRow> =
                sqlx::query_as(&format!("SELECT {COMPANY_COLUMNS} FROM companies WHERE id = $1"))
                    .bind(id)
                    .fetch_optional(executor)
                    .await?;
            row.map(Into::into).ok_or(StoreError::NotFound)
        }

        async fn insert_group_members(
            tx: &mut sqlx::Transaction<'_, $db>,
            company_id: &str,
            group_id: &str,
            member_ids: &[String],
        ) -> Result<()> {
            let unique: std::collections::BTreeSet<&String> = member_ids.iter().collect();
            for user_id in unique {
                let added = sqlx::query(
                    "INSERT INTO user_group_members (group_id, user_id) \
                     SELECT $1, id FROM users WHERE id = $2 AND company_id = $3",
                )
                .bind(group_id)
                .bind(user_id)
                .bind(company_id)
                .execute(&mut **tx)
                .await?;
                if added.rows_affected() != 1 {
                    return Err(StoreError::NotFound);
                }
            }
            Ok(())
        }

        #[async_trait]
        impl crate::CompanyStore for $store {
            async fn ensure_default_company(&self, name: &str, now: Millis) -> Result<Company> {
                // Insert only into an empty table, then read the oldest company: two
                // processes starting at once (server and an admin command) agree on it.
                let mut tx = self.pool.begin().await?;
                let id = uuid::Uuid::new_v4().to_string();
                let inserted = sqlx::query(
                    "INSERT INTO companies (id, name, created_at) SELECT $1, $2, $3 \
                     WHERE NOT EXISTS (SELECT 1 FROM companies)",
                )
                .bind(&id)
                .bind(name)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                if inserted.rows_affected() == 1 {
                    insert_builtin_roles(&mut tx, &id, now).await?;
                }
                tx.commit().await?;
                let first: CompanyRow = sqlx::query_as(&format!(
                    "SELECT {COMPANY_COLUMNS} FROM companies ORDER BY created_at, id LIMIT 1"
                ))
                .fetch_one(&self.pool)
                .await?;
                Ok(first.into())
            }

            async fn company(&self, id: &str) -> Result<Company> {
                fetch_company(&self.pool, id).await
            }

            async fn list_companies(&self) -> Result<Vec<Company>> {
                let rows: Vec<CompanyRow> =
                    sqlx::query_as(&format!("SELECT {COMPANY_COLUMNS} FROM companies ORDER BY name, id"))
                        .fetch_all(&self.pool)
                        .await?;
                Ok(rows.into_iter().map(Into::into).collect())
            }

            async fn create_company(&self, id: &str, name: &str, now: Millis) -> Result<Company> {
                let mut tx = self.pool.begin().await?;
                sqlx::query("INSERT INTO companies (id, name, created_at) VALUES ($1, $2, $3)")
                    .bind(id)
                    .bind(name)
                    .bind(now)
                    .execute(&mut *tx)
                    .await
                    .map_err(|err| conflict_or(err, "a company with this id"))?;
                insert_builtin_roles(&mut tx, id, now).await?;
                let company = fetch_company(&mut *tx, id).await?;
                tx.commit().await?;
                Ok(company)
            }

            async fn rename_company(&self, id: &str, name: &str) -> Result<Company> {
                sqlx::query("UPDATE companies SET name = $2 WHERE id = $1")
                    .bind(id)
                    .bind(name)
                    .execute(&self.pool)
                    .await?;
                fetch_company(&self.pool, id).await
            }

            async fn update_company_settings(&self, id: &str, settings: &CompanySettings) -> Result<Company> {
                sqlx::query(
                    "UPDATE companies SET require_two_factor = $2, password_sign_in = $3, \
                     tenant_only = $4, just_in_time = $5 WHERE id = $1",
                )
                .bind(id)
                .bind(settings.require_two_factor)
                .bind(settings.password_sign_in)
                .bind(settings.tenant_only)
                .bind(settings.just_in_time)
                .execute(&self.pool)
                .await?;
                fetch_company(&self.pool, id).await
            }
        }

        #[async_trait]
        impl crate::UserStore for $store {
            async fn count_users(&self) -> Result<i64> {
                let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users")
                    .fetch_one(&self.pool)
                    .await?;
                Ok(count)
            }

            async fn create_user(&self, user: &User, role_ids: &[String], now: Millis) -> Result<()> {
                let mut tx = self.pool.begin().await?;
                insert_account(&mut tx, user, role_ids, now).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn user_by_email(&self, email: &str) -> Result<User> {
                let row: Option<UserRow> =
                    sqlx::query_as(&format!("SELECT {USER_FIELDS} FROM users WHERE email = $1"))
                        .bind(email)
                        .fetch_optional(&self.pool)
                        .await?;
                row.map(Into::into).ok_or(StoreError::NotFound)
            }

            async fn user(&self, id: &str) -> Result<User> {
                let row: Option<UserRow> =
                    sqlx::query_as(&format!("SELECT {USER_FIELDS} FROM users WHERE id = $1"))
                        .bind(id)
                        .fetch_optional(&self.pool)
                        .await?;
                row.map(Into::into).ok_or(StoreError::NotFound)
            }

            async fn list_users(&self, company_id: &str) -> Result<Vec<User>> {
                let rows: Vec<UserRow> = sqlx::query_as(&format!(
                    "SELECT {USER_FIELDS} FROM users WHERE company_id = $1 ORDER BY email"
                ))
                .bind(company_id)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows.into_iter().map(Into::into).collect())
            }

            async fn set_password_hash(&self, user_id: &str, password_hash: &str) -> Result<()> {
                let done = sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
                    .bind(user_id)
                    .bind(password_hash)
                    .execute(&self.pool)
                    .await?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::NotFound);
                }
                Ok(())
            }

            async fn update_user(
                &self,
                company_id: &str,
                id: &str,
                display_name: &str,
                disabled: bool,
            ) -> Result<User> {
                let row: Option<UserRow> = sqlx::query_as(&format!(
                    "UPDATE users SET display_name = $3, disabled = $4 \
                     WHERE company_id = $1 AND id = $2 RETURNING {USER_FIELDS}"
                ))
                .bind(company_id)
                .bind(id)
                .bind(display_name)
                .bind(disabled)
                .fetch_optional(&self.pool)
                .await?;
                row.map(Into::into).ok_or(StoreError::NotFound)
            }

            async fn remove_from_company(&self, company_id: &str, id: &str) -> Result<Vec<String>> {
                let mut tx = self.pool.begin().await?;
                let moved = sqlx::query("UPDATE users SET company_id = NULL WHERE company_id = $1 AND id = $2")
                    .bind(company_id)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                if moved.rows_affected() != 1 {
                    return Err(StoreError::NotFound);
                }
                let ended = strip_account(&mut tx, id).await?;
                tx.commit().await?;
                Ok(ended)
            }

            async fn delete_account(&self, id: &str, now: Millis) -> Result<Vec<String>> {
                let mut tx = self.pool.begin().await?;
                let ended = strip_account(&mut tx, id).await?;
                sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            let erased = sqlx::query(
                    "UPDATE users SET email = 'deleted-' || id || '@deleted.invalid', \
                     display_name = 'Deleted user', password_hash = '', operator = $3, disabled = $4, \
                     company_id = NULL, deleted_at = $2, totp_secret = NULL, totp_pending = NULL, totp_last_step = NULL, \
                     totp_enabled_at = NULL WHERE id = $1 AND deleted_at IS NULL",
                )
                .bind(id)
                .bind(now)
                .bind(false)
                .bind(true)
                .execute(&mut *tx)
                .await?;
                if erased.rows_affected() != 1 {
                    return Err(StoreError::NotFound);
                }
                tx.commit().await?;
                Ok(ended)
            }
        }

        #[async_trait]
        impl crate::WebSessionStore for $store {
            async fn create_web_session(&self, session: &WebSession) -> Result<()> {
                sqlx::query(
                    "INSERT INTO web_sessions (token_hash, user_id, csrf_token, created_at, expires_at) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(&session.token_hash)
                .bind(&session.user_id)
                .bind(&session.csrf_token)
                .bind(session.created_at)
                .bind(session.expires_at)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn web_session(&self, token_hash: &str, now: Millis) -> Result<WebSession> {
                let row: Option<WebSessionRow> = sqlx::query_as(
                    "SELECT token_hash, user_id, csrf_token, created_at, expires_at \
                     FROM web_sessions WHERE token_hash = $1 AND expires_at > $2",
                )
                .bind(token_hash)
                .bind(now)
                .fetch_optional(&self.pool)
                .await?;
                row.map(Into::into).ok_or(StoreError::NotFound)
            }

            async fn delete_web_session(&self, token_hash: &str) -> Result<()> {
                sqlx::query("DELETE FROM web_sessions WHERE token_hash = $1")
                    .bind(token_hash)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn delete_other_web_sessions(&self, user_id: &str, keep: &str) -> Result<Vec<String>> {
                let removed: Vec<(String,)> = sqlx::query_as(
                    "DELETE FROM web_sessions WHERE user_id = $1 AND token_hash <> $2 RETURNING token_hash",
                )
                .bind(user_id)
                .bind(keep)
                .fetch_all(&self.pool)
                .await?;
                Ok(removed.into_iter().map(|(hash,)| hash).collect())
            }

            async fn delete_expired_web_sessions(&self, now: Millis) -> Result<u64> {
                let done = sqlx::query("DELETE FROM web_sessions WHERE expires_at <= $1")
                    .bind(now)
                    .execute(&self.pool)
                    .await?;
                Ok(done.rows_affected())
            }
        }

        #[async_trait]
        impl crate::SetupStore for $store {
            async fn create_setup_token(&self, token_hash: &str, now: Millis, expires_at: Millis) -> Result<()> {
                sqlx::query("INSERT INTO setup_tokens (token_hash, created_at, expires_at) VALUES ($1, $2, $3)")
                    .bind(token_hash)
                    .bind(now)
                    .bind(expires_at)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn complete_setup(&self, token_hash: &str, now: Millis, admin: &User) -> Result<()> {
                let mut tx = self.pool.begin().await?;
                let used = sqlx::query(
                    "UPDATE setup_tokens SET used_at = $2 \
                     WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 \
                     AND NOT EXISTS (SELECT 1 FROM users)",
                )
                .bind(token_hash)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                if used.rows_affected() != 1 {
                    return Err(StoreError::SetupTokenInvalid);
                }
                let company_id = admin.company_id.as_deref().ok_or(StoreError::NotFound)?;
                let (role_id,): (String,) =
                    sqlx::query_as("SELECT id FROM roles WHERE company_id = $1 AND builtin = 'administrator'")
                        .bind(company_id)
                        .fetch_one(&mut *tx)
                        .await?;
                let operator = User {
                    operator: true,
                    ..admin.clone()
                };
                insert_account(&mut tx, &operator, &[role_id], now).await?;
                tx.commit().await?;
                Ok(())
            }
        }

        #[async_trait]
        impl crate::AccessStore for $store {
            async fn list_roles(&self, company_id: &str) -> Result<Vec<Role>> {
                let rows: Vec<RoleRow> = sqlx::query_as(&format!(
                    "SELECT {ROLE_COLUMNS} FROM roles WHERE company_id = $1 \
                     ORDER BY (CASE WHEN builtin IS NULL THEN 1 ELSE 0 END), name, id"
                ))
                .bind(company_id)
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map(TryInto::try_into).collect()
            }

            async fn role(&self, company_id: &str, id: &str) -> Result<Role> {
                let row: Option<RoleRow> = sqlx::query_as(&format!(
                    "SELECT {ROLE_COLUMNS} FROM roles WHERE company_id = $1 AND id = $2"
                ))
                .bind(company_id)
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
                row.ok_or(StoreError::NotFound)?.try_into()
            }

            async fn builtin_role(&self, company_id: &str, builtin: reach_proto::access::BuiltinRole) -> Result<Role> {
                let row: Option<RoleRow> = sqlx::query_as(&format!(
                    "SELECT {ROLE_COLUMNS} FROM roles WHERE company_id = $1 AND builtin = $2"
                ))
                .bind(company_id)
                .bind(builtin.as_str())
                .fetch_optional(&self.pool)
                .await?;
                row.ok_or(StoreError::NotFound)?.try_into()
            }

            async fn create_role(&self, role: &Role) -> Result<()> {
                sqlx::query(&format!(
                    "INSERT INTO roles ({ROLE_COLUMNS}) VALUES ($1, $2, $3, $4, NULL, $5, $6, $7, $8, $9)"
                ))
                .bind(&role.id)
                .bind(&role.company_id)
                .bind(&role.name)
                .bind(&role.description)
                .bind(permissions_json(&role.permissions))
                .bind(role.view_only)
                .bind(paths_json(&role.upload_paths))
                .bind(paths_json(&role.download_paths))
                .bind(role.created_at)
                .execute(&self.pool)
                .await
                .map_err(|err| conflict_or(err, "a role with this name"))?;
                Ok(())
            }

            async fn update_role(&self, role: &Role) -> Result<Role> {
                let done = sqlx::query(
                    "UPDATE roles SET name = $3, description = $4, permissions = $5, view_only = $6, \
                     upload_paths = $7, download_paths = $8 \
                     WHERE company_id = $1 AND id = $2 AND builtin IS NULL",
                )
                .bind(&role.company_id)
                .bind(&role.id)
                .bind(&role.name)
                .bind(&role.description)
                .bind(permissions_json(&role.permissions))
                .bind(role.view_only)
                .bind(paths_json(&role.upload_paths))
                .bind(paths_json(&role.download_paths))
                .execute(&self.pool)
                .await
                .map_err(|err| conflict_or(err, "a role with this name"))?;
                if done.rows_affected() != 1 {
                    return Err(StoreError::NotFound);
                }
                self.role(&role.company_id, &role.id).await
            }

            async fn delete_role(&self, company_id: &str, id: &str) -> Result<Role> {
                let role = self.role(company_id, id).await?;
                if role.builtin.is_some() {
                    return Err(StoreError::NotFound);
                }
                sqlx::query("DELETE FROM roles WHERE company_id = $1 AND id = $2 AND builtin IS NULL")
                    .bind(company_id)
                    .bind(id)
                    .execute(&self.pool)
                    .await?;
                Ok(role)
            }

            async fn list_user_groups(&self, company_id: &str) -> Result<Vec<UserGroup>> {
                let groups: Vec<(String, String, Option<String>, i64)> = sqlx::query_as(
                    "SELECT id, name, external_id, created_at FROM user_groups WHERE company_id = $1 ORDER BY name, id",
                )
                .bind(company_id)
                .fetch_all(&self.pool)
                .await?;
                let members: Vec<(String, String)> = sqlx::query_as(
                    "SELECT m.group_id, m.user_id FROM user_group_members m \
                     JOIN user_groups g ON g.id = m.group_id JOIN users u ON u.id = m.user_id \
                     WHERE g.company_id = $1 ORDER BY u.email",
                )
                .bind(company_id)
                .fetch_all(&self.pool)
                .await?;
                Ok(groups
                    .into_iter()
                    .map(|(id, name, external_id, created_at)| UserGroup {
                        member_ids: members
                            .iter()
                            .filter(|(group, _)| *group == id)
                            .map(|(_, user)| user.clone())
                            .collect(),
                        id,
                        company_id: company_id.to_string(),
                        name,
                        external_id,
                        created_at,
                    })
                    .collect())
            }

            async fn user_group(&self, company_id: &str, id: &str) -> Result<UserGroup> {
                self.list_user_groups(company_id)
                    .await?
                    .into_iter()
                    .find(|group| group.id == id)
                    .ok_or(StoreError::NotFound)
            }

            async fn create_user_group(&self, group: &UserGroup) -> Result<()> {
                let mut tx = self.pool.begin().await?;
                sqlx::query(
                    "INSERT INTO user_groups (id, company_id, name, external_id, created_at) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(&group.id)
                .bind(&group.company_id)
                .bind(&group.name)
                .bind(&group.external_id)
                .bind(group.created_at)
                .execute(&mut *tx)
                .await
                .map_err(|err| conflict_or(err, "a group with this name"))?;
                insert_group_members(&mut tx, &group.company_id, &group.id, &group.member_ids).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn update_user_group(
                &self,
                company_id: &str,
                id: &str,
                name: &str,
                member_ids: Option<&[String]>,
            ) -> Result<UserGroup> {
                let mut tx = self.pool.begin().await?;
                let renamed = sqlx::query("UPDATE user_groups SET name = $3 WHERE company_id = $1 AND id = $2")
                    .bind(company_id)
                    .bind(id)
                    .bind(name)
                    .execute(&mut *tx)
                    .await
                    .map_err(|err| conflict_or(err, "a group with this name"))?;
                if renamed.rows_affected() != 1 {
                    return Err(StoreError::NotFound);
                }
                if let Some(member_ids) = member_ids {
                    sqlx::query("DELETE FROM user_group_members WHERE group_id = $1")
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                    insert_group_members(&mut tx, company_id, id, member_ids).await?;
                }
                tx.commit().await?;
                self.user_group(company_id, id).await
            }

            async fn delete_user_group(&self, company_id: &str, id: &str) -> Result<UserGroup> {
                let group = self.user_group(company_id, id).await?;
                sqlx::query("DELETE FROM user_groups WHERE company_id = $1 AND id = $2")
                    .bind(company_id)
                    .bind(id)
                    .execute(&self.pool)
                    .await?;
                Ok(group)
            }

            async fn list_grants(&self, company_id: &str) -> Result<Vec<RoleGrant>> {
                let rows: Vec<GrantRow> = sqlx::query_as(&format!(
                    "SELECT {GRANT_COLUMNS} FROM role_grants WHERE company_id = $1 ORDER BY created_at, id"
                ))
                .bind(company_id)
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map(TryInto::try_into).collect()
            }

            async fn create_grant(&self, grant: &RoleGrant) -> Result<()> {
                let (user_id, group_id) = match &grant.grantee {
                    Grantee::User(id) => (Some(id.as_str()), None),
                    Grantee::Group(id) => (None, Some(id.as_str())),
                };
                let done = sqlx::query(&format!(
                    "INSERT INTO role_grants ({GRANT_COLUMNS}) SELECT $1, $2, $3, $4, $5, $6, $7 \
                     WHERE EXISTS (SELECT 1 FROM roles WHERE id = $3 AND company_id = $2) \
                     AND ($4 IS NULL OR EXISTS (SELECT 1 FROM users WHERE id = $4 AND company_id = $2)) \
                     AND ($5 IS NULL OR EXISTS (SELECT 1 FROM user_groups WHERE id = $5 AND company_id = $2)) \
                     AND ($6 IS NULL OR EXISTS (SELECT 1 FROM device_groups WHERE id = $6 AND company_id = $2))"
                ))
                .bind(&grant.id)
                .bind(&grant.company_id)
                .bind(&grant.role_id)
                .bind(user_id)
                .bind(group_id)
                .bind(&grant.device_group_id)
                .bind(grant.created_at)
                .execute(&self.pool)
                .await
                .map_err(|err| conflict_or(err, "this grant"))?;
                if done.rows_affected() != 1 {
                    return Err(StoreError::NotFound);
                }
                Ok(())
            }

            async fn delete_grant(&self, company_id: &str, id: &str) -> Result<RoleGrant> {
                let row: Option<GrantRow> = sqlx::query_as(&format!(
                    "DELETE FROM role_grants WHERE company_id = $1 AND id = $2 RETURNING {GRANT_COLUMNS}"
                ))
                .bind(company_id)
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
                row.ok_or(StoreError::NotFound)?.try_into()
            }

            async fn effective_grants(&self, user_id: &str) -> Result<Vec<EffectiveGrant>> {
                let rows: Vec<EffectiveGrantRow> = sqlx::query_as(
                    "SELECT r.id, r.company_id, r.name, r.description, r.builtin, r.permissions, r.view_only, \
                     r.upload_paths, r.download_paths, r.created_at, g.device_group_id \
                     FROM role_grants g JOIN roles r ON r.id = g.role_id JOIN users u ON u.id = $1 \
                     WHERE g.company_id = u.company_id AND r.company_id = u.company_id \
                     AND (g.user_id = $1 OR g.group_id IN (SELECT group_id FROM user_group_members WHERE user_id = $1)) \
                     ORDER BY r.name, g.id",
                )
                .bind(user_id)
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map(TryInto::try_into).collect()
            }
        }
    };
}

pub(crate) use impl_identity_store;
