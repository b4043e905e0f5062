//! `reach-test-end-user`: plays the end user's own keyboard and mouse for tests
//! of blocking input. Xvfb has no physical devices, so this client adds a second
//! master device pair with XInput 2 (`XIChangeHierarchy` AddMaster, which gives
//! it its own XTEST slave devices), makes that master its client pointer, and
//! types through it with XTEST: its key presses come from a slave device other
//! than the one the agent types through, as a physical keyboard's would.
//!
//! On start it adds master NAME (default `reach-end-user`) and prints
//! `{"event":"ready","keyboard":ID,"slaves":[...]}`. Then it reads commands on
//! stdin, one per line: `key KEYSYM` (decimal; press and release, printing
//! `{"event":"typed","keysym":N}`) and `add-master NAME` (another master, which
//! then types; printing `ready` again, as a keyboard plugged in later), and
//! `await-grab` (waits up to 10 s until another client grabbed the current
//! master's slave devices, which the X server shows by floating them; prints
//! `{"event":"grabbed"}`).

use std::io::{BufRead, Write};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use reach_testkit::xclient::main_with;
use serde_json::json;
use x11rb::connection::Connection;
use x11rb::protocol::xinput::{
    ConnectionExt as _, DeviceType, HierarchyChange, HierarchyChangeData,
    HierarchyChangeDataAddMaster,
};
use x11rb::protocol::xproto::{ConnectionExt as _, KEY_PRESS_EVENT, KEY_RELEASE_EVENT};
use x11rb::protocol::xtest::ConnectionExt as _;
use x11rb::rust_connection::RustConnection;
use x11rb::wrapper::ConnectionExt as _;
use x11rb::{CURRENT_TIME, NONE};

/// XInput's "all devices" id.
const ALL_DEVICES: u16 = 0;
/// `XISetFocus` to PointerRoot: keys go to the window under this master's pointer.
const POINTER_ROOT: u32 = 1;

fn main() -> ExitCode {
    main_with("reach-test-end-user", run)
}

fn run() -> Result<()> {
    let name = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "reach-end-user".into());
    let (conn, screen_num) = x11rb::connect(None).context("connecting to $DISPLAY")?;
    let root = conn
        .setup()
        .roots
        .get(screen_num)
        .context("no default screen")?
        .root;
    conn.xinput_xi_query_version(2, 2)?.reply()?;
    let mut slaves = add_master(&conn, root, &name)?;
    for line in std::io::stdin().lock().lines() {
        let line = line?;
        let mut words = line.split_whitespace();
        match (words.next(), words.next()) {
            (Some("key"), Some(keysym)) => {
                let keysym: u32 = keysym
                    .parse()
                    .with_context(|| format!("{keysym:?} is not a keysym"))?;
                let keycode = keycode_of(&conn, keysym)?;
                for kind in [KEY_PRESS_EVENT, KEY_RELEASE_EVENT] {
                    conn.xtest_fake_input(kind, keycode, CURRENT_TIME, root, 0, 0, 0)?;
                }
                conn.sync()?;
                print(json!({"event": "typed", "keysym": keysym}))?;
            }
            (Some("add-master"), Some(name)) => slaves = add_master(&conn, root, name)?,
            (Some("await-grab"), None) => {
                await_grab(&conn, &slaves)?;
                print(json!({"event": "grabbed"}))?;
            }
            _ => bail!("unknown command {line:?}: key KEYSYM | add-master NAME | await-grab"),
        }
    }
    Ok(())
}

fn print(line: serde_json::Value) -> Result<()> {
    let mut out = std::io::stdout();
    writeln!(out, "{line}")?;
    out.flush()?;
    Ok(())
}

/// Waits until every device of `slaves` floats (a client grabbed it).
fn await_grab(conn: &RustConnection, slaves: &[u16]) -> Result<()> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let devices = conn.xinput_xi_query_device(ALL_DEVICES)?.reply()?.infos;
        let floating = slaves.iter().all(|id| {
            devices
                .iter()
                .any(|d| d.deviceid == *id && d.type_ == DeviceType::FLOATING_SLAVE)
        });
        if floating {
            return Ok(());
        }
        if std::time::Instant::now() > deadline {
            bail!("the devices {slaves:?} were not grabbed within 10 s");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// Adds master `name`, types through it from now on, prints `ready` and
/// returns the master's slave devices.
fn add_master(conn: &RustConnection, root: u32, name: &str) -> Result<Vec<u16>> {
    let name_bytes = name.as_bytes().to_vec();
    // type, len, name_len, send_core, enable: 8 bytes, then the padded name.
    let len = u16::try_from((8 + name_bytes.len().div_ceil(4) * 4) / 4)?;
    conn.xinput_xi_change_hierarchy(&[HierarchyChange {
        len,
        data: HierarchyChangeData::AddMaster(HierarchyChangeDataAddMaster {
            send_core: true,
            enable: true,
            name: name_bytes,
        }),
    }])?
    .check()?;
    let devices = conn.xinput_xi_query_device(ALL_DEVICES)?.reply()?.infos;
    let named = |suffix: &str| {
        devices
            .iter()
            .find(|d| d.name == format!("{name} {suffix}").into_bytes())
            .with_context(|| format!("the new master has no device \"{name} {suffix}\""))
    };
    let pointer = named("pointer")?;
    let keyboard = named("keyboard")?;
    if pointer.type_ != DeviceType::MASTER_POINTER || keyboard.type_ != DeviceType::MASTER_KEYBOARD
    {
        bail!("\"{name}\" did not become a master device pair");
    }
    // XTEST requests of this client now go through this master's XTEST devices.
    conn.xinput_xi_set_client_pointer(NONE, pointer.deviceid)?
        .check()?;
    conn.xinput_xi_set_focus(POINTER_ROOT, CURRENT_TIME, keyboard.deviceid)?
        .check()?;
    // Put its pointer on the screen's centre, over the test window.
    let screen = &conn.setup().roots[0];
    let (x, y) = (
        i16::try_from(screen.width_in_pixels / 2)?,
        i16::try_from(screen.height_in_pixels / 2)?,
    );
    conn.xtest_fake_input(
        x11rb::protocol::xproto::MOTION_NOTIFY_EVENT,
        0,
        CURRENT_TIME,
        root,
        x,
        y,
        0,
    )?;
    conn.sync()?;
    let slaves: Vec<u16> = devices
        .iter()
        .filter(|d| d.attachment == pointer.deviceid || d.attachment == keyboard.deviceid)
        .filter(|d| d.type_ == DeviceType::SLAVE_POINTER || d.type_ == DeviceType::SLAVE_KEYBOARD)
        .map(|d| d.deviceid)
        .collect();
    print(
        json!({"event": "ready", "pointer": pointer.deviceid, "keyboard": keyboard.deviceid, "slaves": slaves}),
    )?;
    Ok(slaves)
}

fn keycode_of(conn: &RustConnection, keysym: u32) -> Result<u8> {
    let setup = conn.setup();
    let (min, max) = (setup.min_keycode, setup.max_keycode);
    let reply = conn.get_keyboard_mapping(min, max - min + 1)?.reply()?;
    let per = usize::from(reply.keysyms_per_keycode.max(1));
    reply
        .keysyms
        .chunks(per)
        .zip(min..=max)
        .find(|(syms, _)| syms.first() == Some(&keysym))
        .map(|(_, keycode)| keycode)
        .with_context(|| format!("keysym {keysym:#x} is not on the keyboard"))
}
