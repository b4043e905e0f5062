//! `reach admin` against a running server's data: the real binary, as an
//! operator runs it on the server machine.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use reach_proto::api::{AuditEventView, SignedIn};
use reach_proto::audit::AuditCode;
use reach_proto::codes::ErrorCode;

use crate::support::*;

/// Runs `reach admin ARGS... <storage args>` with `stdin` on standard input.
fn reach_admin(server: &TestServer, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_reach"))
        .arg("admin")
        .args(args)
        .args(server.storage_args())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

async fn operator_creates_users_from_the_command_line(backend: Backend) {
    let server = TestServer::start(backend).await;
    let mut admin = server.api();
    admin.sign_in_admin().await;
    let create = [
        "user",
        "create",
        "--email",
        "Tina@Reach.Test",
        "--name",
        "Tina",
        "--password-stdin",
    ];
    let created = reach_admin(&server, &create, "a long enough password\n");
    assert!(created.status.success(), "{created:?}");

    let mut tina = server.api();
    let signed_in: SignedIn = serde_json::from_value(
        tina.login("tina@reach.test", "a long enough password")
            .await
            .ok("the new technician signs in"),
    )
    .unwrap();
    assert!(!signed_in.user.operator);
    assert!(
        signed_in
            .user
            .permissions
            .contains(&reach_proto::access::Permission::StartUnattendedSession)
            && !signed_in
                .user
                .permissions
                .contains(&reach_proto::access::Permission::ViewEventLog),
        "a technician gives support and does not read the event log: {:?}",
        signed_in.user.permissions
    );
    assert_eq!(signed_in.user.display_name, "Tina");

    // Bad input: a clear message, a failing exit code, and nothing created.
    for (args, stdin, message) in [
        (&create[..], "a long enough password\n", "already exists"),
        (
            &[
                "user",
                "create",
                "--email",
                "short@reach.test",
                "--name",
                "S",
                "--password-stdin",
            ][..],
            "short\n",
            "at least 12 characters",
        ),
        (
            &["user", "create", "--email", "not-an-address", "--name", "N"][..],
            "",
            "not a valid e-mail",
        ),
    ] {
        let refused = reach_admin(&server, args, stdin);
        assert!(!refused.status.success(), "{args:?} must fail");
        let stderr = String::from_utf8_lossy(&refused.stderr);
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }
    let listed = reach_admin(&server, &["user", "list"], "");
    let listing = String::from_utf8_lossy(&listed.stdout);
    assert_eq!(listing.lines().count(), 2, "{listing}");
    assert!(
        listing.contains("tina@reach.test  Technician  active  Tina"),
        "{listing}"
    );

    // A generated password is printed once, alone on standard output.
    let generated = reach_admin(
        &server,
        &[
            "user",
            "create",
            "--email",
            "ops@reach.test",
            "--name",
            "Ops",
            "--role",
            "administrator",
        ],
        "",
    );
    assert!(generated.status.success(), "{generated:?}");
    let password = String::from_utf8_lossy(&generated.stdout)
        .trim()
        .to_string();
    let mut ops = server.api();
    ops.login("ops@reach.test", &password)
        .await
        .ok("sign in with the generated password");

    let events: Vec<AuditEventView> =
        serde_json::from_value(admin.get("/api/audit-events").await.ok("read the log")).unwrap();
    let created_by_cli = events
        .iter()
        .filter(|e| e.code == AuditCode::UserCreated)
        .filter(|e| {
            e.details
                .iter()
                .any(|(k, v)| k == "through" && v == "reach admin")
        })
        .count();
    assert_eq!(created_by_cli, 2);
}

on_both_backends!(operator_creates_users_from_the_command_line);

/// Runs `reach admin` and returns its standard output, failing the test if it failed.
fn admin_ok(server: &TestServer, args: &[&str], stdin: &str) -> String {
    let output = reach_admin(server, args, stdin);
    assert!(output.status.success(), "{args:?}: {output:?}");
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operator_manages_companies_from_the_command_line() {
    let server = TestServer::start(Backend::Sqlite).await;
    let mut admin = server.api();
    let me = admin.sign_in_admin().await;
    let create = [
        "company",
        "create",
        "--name",
        "Globex",
        "--admin-email",
        "Boss@Globex.test",
        "--admin-name",
        "Boss",
    ];
    let password = admin_ok(&server, &create, "");
    let mut boss = server.api();
    let signed_in: SignedIn = serde_json::from_value(
        boss.login("boss@globex.test", &password)
            .await
            .ok("the new company's owner signs in"),
    )
    .unwrap();
    assert_ne!(signed_in.user.company_id, me.user.company_id);
    assert!(!signed_in.user.operator);

    // The same address again is refused, and no second company appears.
    let refused = reach_admin(&server, &create, "");
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("already exists"));
    let listing = admin_ok(&server, &["company", "list"], "");
    assert_eq!(listing.lines().count(), 2, "{listing}");
    assert!(listing.contains("Globex  boss@globex.test"), "{listing}");

    // Users go into the company named with --company, and only there.
    admin_ok(
        &server,
        &[
            "user",
            "create",
            "--company",
            "globex",
            "--email",
            "tech@globex.test",
            "--name",
            "Tech",
            "--password-stdin",
        ],
        "a long enough password\n",
    );
    let globex = admin_ok(&server, &["user", "list", "--company", "Globex"], "");
    assert!(globex.contains("tech@globex.test  Technician"), "{globex}");
    let default = admin_ok(&server, &["user", "list"], "");
    assert!(!default.contains("globex.test"), "{default}");
    let unknown = reach_admin(&server, &["user", "list", "--company", "Initech"], "");
    assert!(!unknown.status.success());
    let stderr = String::from_utf8_lossy(&unknown.stderr);
    assert!(
        stderr.contains("no company named Initech") && stderr.contains("Globex"),
        "{stderr}"
    );

    // The last resort for a lost second factor.
    crate::two_factor::enrol(&boss).await;
    let mut again = server.api();
    again.login("boss@globex.test", &password).await.refused(
        "sign-in without the code",
        401,
        ErrorCode::SecondFactorRequired,
    );
    admin_ok(
        &server,
        &[
            "user",
            "reset-two-factor",
            "--company",
            "Globex",
            "--email",
            "boss@globex.test",
        ],
        "",
    );
    again
        .login("boss@globex.test", &password)
        .await
        .ok("password sign-in after the reset");
    let log = boss
        .get("/api/audit-events")
        .await
        .ok("Globex's event log")
        .to_string();
    for needle in ["R1300I", "R1009I", "reach admin"] {
        assert!(log.contains(needle), "{needle} missing: {log}");
    }
}
