//! `reach-test-clipboard`: another program on the device's desktop, using the
//! CLIPBOARD selection the way ordinary X applications do, for tests of the
//! shared clipboard.
//!
//! - `get [--selection NAME] [--target NAME]`: asks the owner of CLIPBOARD (or
//!   selection NAME, such as PRIMARY) for `UTF8_STRING` (or target NAME) and
//!   prints `{"text": "...", "type": "..."}` (for `TARGETS`, the target names
//!   joined by spaces), or `{"text": null, "reason": "..."}` when there is no
//!   owner or it refuses.
//! - `set [--incr] [--target NAME]`: reads the text from stdin, owns CLIPBOARD
//!   and serves it (as `UTF8_STRING`, or only as target NAME with `--target`,
//!   in chunks of 4 KiB by the INCR protocol with `--incr`). Prints
//!   `{"event":"owned"}`, then `{"event":"served","target":...}` per answer, and
//!   `{"event":"lost"}` (then exits) when another client takes the clipboard.

use std::io::{Read, Write};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use reach_testkit::xclient::main_with;
use serde_json::json;
use x11rb::connection::Connection;
use x11rb::protocol::xproto::{
    Atom, AtomEnum, ChangeWindowAttributesAux, ConnectionExt as _, CreateWindowAux, EventMask,
    PropMode, Property, SelectionNotifyEvent, Window, WindowClass, SELECTION_NOTIFY_EVENT,
};
use x11rb::protocol::Event;
use x11rb::rust_connection::RustConnection;
use x11rb::wrapper::ConnectionExt as _;
use x11rb::{COPY_FROM_PARENT, CURRENT_TIME, NONE};

const CHUNK: usize = 4096;
const USAGE: &str =
    "usage: reach-test-clipboard get [--selection NAME] [--target NAME] | set [--incr] [--target NAME] < TEXT";

fn main() -> ExitCode {
    main_with("reach-test-clipboard", run)
}

fn run() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (conn, screen_num) = x11rb::connect(None).context("connecting to $DISPLAY")?;
    let root = conn
        .setup()
        .roots
        .get(screen_num)
        .context("the display has no default screen")?
        .root;
    let window = conn.generate_id()?;
    conn.create_window(
        0,
        window,
        root,
        0,
        0,
        1,
        1,
        0,
        WindowClass::INPUT_ONLY,
        COPY_FROM_PARENT,
        &CreateWindowAux::new().event_mask(EventMask::PROPERTY_CHANGE),
    )?
    .check()?;
    let atom = |name: &str| -> Result<Atom> {
        Ok(conn.intern_atom(false, name.as_bytes())?.reply()?.atom)
    };
    let clipboard = atom("CLIPBOARD")?;
    let utf8 = atom("UTF8_STRING")?;
    match args.first().map(String::as_str) {
        Some("get") => {
            let (mut selection, mut target) = (clipboard, utf8);
            let mut rest = args.iter().skip(1);
            while let Some(arg) = rest.next() {
                match arg.as_str() {
                    "--selection" => selection = atom(rest.next().context(USAGE)?)?,
                    "--target" => target = atom(rest.next().context(USAGE)?)?,
                    other => bail!("unknown argument {other:?}; {USAGE}"),
                }
            }
            get(&conn, window, selection, target, atom("REACH_TEST_GET")?)
        }
        Some("set") => {
            let mut incr = false;
            let mut target = utf8;
            let mut rest = args.iter().skip(1);
            while let Some(arg) = rest.next() {
                match arg.as_str() {
                    "--incr" => incr = true,
                    "--target" => target = atom(rest.next().context(USAGE)?)?,
                    other => bail!("unknown argument {other:?}; {USAGE}"),
                }
            }
            let mut text = Vec::new();
            std::io::stdin().read_to_end(&mut text)?;
            let atoms = SetAtoms {
                clipboard,
                target,
                targets: atom("TARGETS")?,
                incr: atom("INCR")?,
            };
            set(&conn, window, &atoms, &text, incr)
        }
        _ => bail!(USAGE),
    }
}

fn print(line: serde_json::Value) -> Result<()> {
    let mut out = std::io::stdout();
    writeln!(out, "{line}")?;
    out.flush()?;
    Ok(())
}

fn get(
    conn: &RustConnection,
    window: Window,
    selection: Atom,
    target: Atom,
    property: Atom,
) -> Result<()> {
    if conn.get_selection_owner(selection)?.reply()?.owner == NONE {
        return print(json!({"text": null, "reason": "no owner"}));
    }
    conn.convert_selection(window, selection, target, property, CURRENT_TIME)?;
    conn.flush()?;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if Instant::now() > deadline {
            bail!("the selection owner did not answer in 10 s");
        }
        let Some(event) = conn.poll_for_event()? else {
            std::thread::sleep(Duration::from_millis(5));
            continue;
        };
        if let Event::SelectionNotify(notify) = event {
            if notify.property == NONE {
                return print(json!({"text": null, "reason": "refused"}));
            }
            let reply = conn
                .get_property(true, window, property, AtomEnum::ANY, 0, u32::MAX / 4)?
                .reply()?;
            let type_name = atom_name(conn, reply.type_)?;
            let text = if reply.type_ == u32::from(AtomEnum::ATOM) {
                let atoms: Vec<Atom> = reply.value32().context("TARGETS is not 32-bit")?.collect();
                let names = atoms.into_iter().map(|a| atom_name(conn, a));
                names.collect::<Result<Vec<_>>>()?.join(" ")
            } else if reply.type_ == u32::from(AtomEnum::STRING) {
                // Latin-1, whose code points are the bytes.
                reply.value.iter().map(|b| char::from(*b)).collect()
            } else {
                String::from_utf8(reply.value).context("the owner's text is not UTF-8")?
            };
            return print(json!({"text": text, "type": type_name}));
        }
    }
}

fn atom_name(conn: &RustConnection, atom: Atom) -> Result<String> {
    Ok(String::from_utf8_lossy(&conn.get_atom_name(atom)?.reply()?.name).into_owned())
}

struct SetAtoms {
    clipboard: Atom,
    target: Atom,
    targets: Atom,
    incr: Atom,
}

/// An INCR transfer to one requestor: what is left to send.
struct Transfer {
    requestor: Window,
    property: Atom,
    offset: usize,
}

fn set(
    conn: &RustConnection,
    window: Window,
    atoms: &SetAtoms,
    text: &[u8],
    incr: bool,
) -> Result<()> {
    conn.set_selection_owner(window, atoms.clipboard, CURRENT_TIME)?;
    if conn.get_selection_owner(atoms.clipboard)?.reply()?.owner != window {
        bail!("could not own CLIPBOARD");
    }
    print(json!({"event": "owned"}))?;
    let mut transfers: Vec<Transfer> = Vec::new();
    loop {
        match conn.wait_for_event()? {
            Event::SelectionClear(_) => return print(json!({"event": "lost"})),
            Event::SelectionRequest(request) => {
                let property = if request.property == NONE {
                    request.target
                } else {
                    request.property
                };
                let answered = if request.target == atoms.targets {
                    conn.change_property32(
                        PropMode::REPLACE,
                        request.requestor,
                        property,
                        AtomEnum::ATOM,
                        &[atoms.targets, atoms.target],
                    )?;
                    true
                } else if request.target == atoms.target && incr {
                    // Watch the requestor's property: it deletes it to ask for the next chunk.
                    conn.change_window_attributes(
                        request.requestor,
                        &ChangeWindowAttributesAux::new().event_mask(EventMask::PROPERTY_CHANGE),
                    )?;
                    let size = u32::try_from(text.len())?;
                    conn.change_property32(
                        PropMode::REPLACE,
                        request.requestor,
                        property,
                        atoms.incr,
                        &[size],
                    )?;
                    transfers.push(Transfer {
                        requestor: request.requestor,
                        property,
                        offset: 0,
                    });
                    true
                } else if request.target == atoms.target {
                    conn.change_property8(
                        PropMode::REPLACE,
                        request.requestor,
                        property,
                        atoms.target,
                        text,
                    )?;
                    true
                } else {
                    false
                };
                let notify = SelectionNotifyEvent {
                    response_type: SELECTION_NOTIFY_EVENT,
                    sequence: 0,
                    time: request.time,
                    requestor: request.requestor,
                    selection: request.selection,
                    target: request.target,
                    property: if answered { property } else { NONE },
                };
                conn.send_event(false, request.requestor, EventMask::NO_EVENT, notify)?;
                conn.flush()?;
                print(json!({"event": "served", "target": request.target, "answered": answered}))?;
            }
            Event::PropertyNotify(notify) if notify.state == Property::DELETE => {
                let Some(at) = transfers
                    .iter()
                    .position(|t| t.requestor == notify.window && t.property == notify.atom)
                else {
                    continue;
                };
                let transfer = &mut transfers[at];
                let end = (transfer.offset + CHUNK).min(text.len());
                // The last chunk is empty: that ends the transfer.
                conn.change_property8(
                    PropMode::REPLACE,
                    transfer.requestor,
                    transfer.property,
                    atoms.target,
                    &text[transfer.offset..end],
                )?;
                conn.flush()?;
                if transfer.offset == end {
                    transfers.remove(at);
                    print(json!({"event": "incr_done"}))?;
                } else {
                    transfer.offset = end;
                }
            }
            _ => {}
        }
    }
}
