//! Blocking the end user's keyboard and mouse, through the real server and
//! agent on Xvfb. The end user's keyboard is a second XInput 2 master device
//! typing through its own XTEST slave (`reach-test-end-user`); the technician
//! types through the console. While blocked, the end user's keys must not reach
//! the test window and the technician's must; a keyboard plugged in while
//! blocked is blocked too; three Escapes give the end user control back and the
//! console is told; ending the session, losing the server and killing the agent
//! process each give it back as well. Blocks and unblocks are in the event log.

use reach_proto::api::AuditEventView;
use reach_proto::audit::{ActorKind, AuditCode};
use reach_proto::codes::ErrorCode;
use reach_proto::input_block::InputBlockState;
use reach_proto::messages::{ConsoleMessage, InputEvent, ServerToConsole};

use crate::access::watcher;
use crate::support::*;

const ESCAPE: u32 = 0xff1b;
/// The title of the agent's notice to the end user (`block_notice.rs`).
const NOTICE: &str = "Reach: input blocked";

/// Keysyms of lowercase letters are their ASCII codes.
fn letter(c: char) -> u32 {
    u32::from(c)
}

async fn next_block_state(console: &mut Console) -> InputBlockState {
    loop {
        match console.next_control().await {
            Some(ServerToConsole::InputBlock { state }) => return state,
            Some(ServerToConsole::ScreenInfo { .. }) => {}
            other => panic!("expected an input-block message, got {other:?}"),
        }
    }
}

async fn set_block(console: &mut Console, blocked: bool) -> InputBlockState {
    send_console(&mut console.ws, &ConsoleMessage::BlockInput { blocked }).await;
    next_block_state(console).await
}

/// The technician types `c` through the console and the test window gets it.
async fn technician_types(console: &mut Console, pattern: &mut TestPattern, c: char) {
    for pressed in [true, false] {
        send_input(
            &mut console.ws,
            InputEvent::Key {
                keysym: letter(c),
                pressed,
            },
        )
        .await;
    }
    pattern
        .wait_for(&format!("the technician's {c}"), |e| {
            e["event"] == "key_press" && e["keysym"] == letter(c)
        })
        .await;
}

fn saw_key(pattern: &TestPattern, c: char) -> bool {
    pattern.has_seen(|e| e["event"] == "key_press" && e["keysym"] == letter(c))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_end_users_input_is_blocked_until_given_or_taken_back() {
    let xvfb = start_xvfb(320, 240).await;
    let mut pattern = TestPattern::start(&xvfb.display).await;
    let mut server = TestServer::start(Backend::Sqlite).await;
    let mut api = server.api();
    let me = api.sign_in_admin().await;
    let device = enroll_device(&server, &api, "reception").await;
    let agent = RunningAgent::spawn(&device, Some(xvfb.display.clone()));
    api.wait_online(&device.id).await;
    let session = api.start_session(&device.id).await;
    let mut console = Console::open(&server, &api, &session.id).await;
    console.screen_info().await;

    // Before blocking, the end user's keyboard works (the simulation is faithful).
    let mut end_user = EndUser::start(&xvfb.display).await;
    end_user.type_key(letter('a')).await;
    pattern
        .wait_for("the end user's a", |e| {
            e["event"] == "key_press" && e["keysym"] == letter('a')
        })
        .await;

    // Blocked: the end user's keys go nowhere, the technician's arrive. The
    // end user typed first, so once the technician's key arrived theirs would have.
    assert_eq!(
        set_block(&mut console, true).await,
        InputBlockState::Blocked
    );
    end_user.type_key(letter('b')).await;
    technician_types(&mut console, &mut pattern, 't').await;
    assert!(!saw_key(&pattern, 'b'), "a blocked end user's key arrived");

    // A keyboard plugged in while blocked is blocked as well.
    end_user.plug_in_keyboard("reach-late-keyboard").await;
    end_user.grabbed().await;
    end_user.type_key(letter('c')).await;
    technician_types(&mut console, &mut pattern, 'u').await;
    assert!(
        !saw_key(&pattern, 'c'),
        "a keyboard plugged in while blocked typed"
    );

    // Three Escapes give the end user control back; the console is told.
    for _ in 0..3 {
        end_user.type_key(ESCAPE).await;
    }
    assert_eq!(
        next_block_state(&mut console).await,
        InputBlockState::TakenBack
    );
    assert!(!window_shown(&xvfb.display, NOTICE).await);
    end_user.type_key(letter('d')).await;
    pattern
        .wait_for("the end user's d after taking back control", |e| {
            e["event"] == "key_press" && e["keysym"] == letter('d')
        })
        .await;

    // The technician blocks and unblocks; then blocking again and ending the
    // session gives the input back too.
    assert_eq!(
        set_block(&mut console, true).await,
        InputBlockState::Blocked
    );
    assert_eq!(
        set_block(&mut console, false).await,
        InputBlockState::Unblocked
    );
    end_user.type_key(letter('e')).await;
    pattern
        .wait_for("the end user's e after unblocking", |e| {
            e["event"] == "key_press" && e["keysym"] == letter('e')
        })
        .await;
    assert_eq!(
        set_block(&mut console, true).await,
        InputBlockState::Blocked
    );
    send_console(&mut console.ws, &ConsoleMessage::End).await;
    assert!(matches!(
        console.next_control().await,
        Some(ServerToConsole::Ended { .. })
    ));
    end_user.type_key(letter('f')).await;
    pattern
        .wait_for("the end user's f after the session ended", |e| {
            e["event"] == "key_press" && e["keysym"] == letter('f')
        })
        .await;

    // The event log: who blocked, who gave back, and that the end user took it back.
    let log: Vec<AuditEventView> =
        serde_json::from_value(api.get("/api/audit-events").await.ok("event log")).unwrap();
    let of_session = |code: AuditCode| {
        log.iter()
            .filter(|e| e.code == code && e.target_id.as_deref() == Some(session.id.as_str()))
            .collect::<Vec<_>>()
    };
    let blocked = of_session(AuditCode::InputBlocked);
    assert_eq!(blocked.len(), 3, "{log:?}");
    assert!(blocked
        .iter()
        .all(|e| e.actor_id.as_deref() == Some(me.user.id.as_str())));
    let unblocked = of_session(AuditCode::InputUnblocked);
    let by = |e: &AuditEventView| {
        e.details
            .iter()
            .find(|(key, _)| key == "by")
            .map(|(_, value)| value.clone())
    };
    let mut who: Vec<(ActorKind, Option<String>)> =
        unblocked.iter().map(|e| (e.actor_kind, by(e))).collect();
    who.sort_by_key(|(kind, _)| kind.as_str());
    assert_eq!(
        who,
        vec![
            (ActorKind::Device, Some("end_user".into())),
            (ActorKind::User, Some("technician".into())),
        ]
    );

    // Losing the server gives the input back.
    let second = api.start_session(&device.id).await;
    let mut console = Console::open(&server, &api, &second.id).await;
    console.screen_info().await;
    assert_eq!(
        set_block(&mut console, true).await,
        InputBlockState::Blocked
    );
    end_user.type_key(letter('g')).await;
    technician_types(&mut console, &mut pattern, 'v').await;
    assert!(!saw_key(&pattern, 'g'));
    server.stop().await;
    end_user.type_key(letter('h')).await;
    pattern
        .wait_for("the end user's h after the server went away", |e| {
            e["event"] == "key_press" && e["keysym"] == letter('h')
        })
        .await;
    drop(agent);
}

/// A `reach agent run` child, killed if the test fails first.
struct AgentProcess(std::process::Child);

impl Drop for AgentProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_the_agent_gives_the_input_back() {
    let xvfb = start_xvfb(320, 240).await;
    let mut pattern = TestPattern::start(&xvfb.display).await;
    let server = TestServer::start(Backend::Sqlite).await;
    let mut api = server.api();
    api.sign_in_admin().await;
    let device = enroll_device(&server, &api, "kiosk").await;
    // The real `reach agent run` process, so it can be killed outright.
    let mut agent = AgentProcess(
        std::process::Command::new(env!("CARGO_BIN_EXE_reach"))
            .args(["agent", "run", "--state-dir"])
            .arg(device.dir.path())
            .args(["--display", &xvfb.display])
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("reach agent run starts"),
    );
    api.wait_online(&device.id).await;
    let session = api.start_session(&device.id).await;
    let mut console = Console::open(&server, &api, &session.id).await;
    console.screen_info().await;
    let mut end_user = EndUser::start(&xvfb.display).await;
    assert_eq!(
        set_block(&mut console, true).await,
        InputBlockState::Blocked
    );
    end_user.type_key(letter('k')).await;
    technician_types(&mut console, &mut pattern, 't').await;
    assert!(!saw_key(&pattern, 'k'));

    // SIGKILL: no chance to clean up; the X server drops the grabs itself.
    agent.0.kill().unwrap();
    agent.0.wait().unwrap();
    end_user.type_key(letter('l')).await;
    pattern
        .wait_for("the end user's l after the agent was killed", |e| {
            e["event"] == "key_press" && e["keysym"] == letter('l')
        })
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_watching_console_cannot_block_the_end_user() {
    let xvfb = start_xvfb(320, 240).await;
    let mut pattern = TestPattern::start(&xvfb.display).await;
    let server = TestServer::start(Backend::Sqlite).await;
    let mut admin = server.api();
    admin.sign_in_admin().await;
    let device = enroll_device(&server, &admin, "kiosk").await;
    let _agent = AgentLink::spawn(&device, Some(xvfb.display.clone()));
    admin.wait_online(&device.id).await;
    let watcher = watcher(&server, &admin).await;
    let session = watcher.start_session(&device.id).await;
    let mut console = Console::open_expecting(&server, &watcher, &session.id, true).await;
    console.screen_info().await;
    let mut end_user = EndUser::start(&xvfb.display).await;
    send_console(
        &mut console.ws,
        &ConsoleMessage::BlockInput { blocked: true },
    )
    .await;
    match console.next_control().await {
        Some(ServerToConsole::Refused { code, .. }) => assert_eq!(code, ErrorCode::Forbidden),
        other => panic!("expected a refusal, got {other:?}"),
    }
    end_user.type_key(letter('w')).await;
    pattern
        .wait_for("the end user's w", |e| {
            e["event"] == "key_press" && e["keysym"] == letter('w')
        })
        .await;
    let log = admin.get("/api/audit-events").await.ok("event log");
    assert!(
        !log.to_string().contains("R3004I"),
        "a refused block was logged: {log}"
    );
}
