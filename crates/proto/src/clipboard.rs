//! The clipboard shared between the technician and the device: what the agent
//! reports about the device's clipboard and what the console may send, and the
//! size limit both must keep.
//!
//! Clipboard text travels in control messages, so it must fit one (at most
//! [`crate::MAX_CONTROL_MESSAGE`] bytes of JSON). The limit is put on the text as
//! it is written in JSON ([`MAX_CLIPBOARD_JSON`]): plain text counts its UTF-8
//! bytes, and each quote, backslash, newline or tab counts twice (other control
//! characters six times), which leaves room for the message around it. This
//! module owns the shapes and that rule; it must not do I/O.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Most bytes clipboard text may take written as a JSON string (quotes
/// included): 48 KiB, so that its message stays under the 64 KiB control limit.
pub const MAX_CLIPBOARD_JSON: usize = 48 * 1024;

/// What happened to a clipboard, reported to the console of a session that
/// controls the device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ClipboardEvent {
    /// Someone on the device copied this text.
    DeviceText { text: String },
    /// Someone on the device copied text too large to send: `bytes` is its
    /// size as copied, or as JSON when escaping pushed it over
    /// [`MAX_CLIPBOARD_JSON`] (for a transfer refused before it started, the
    /// size its owner announced).
    DeviceTooLarge { bytes: u32 },
    /// Someone on the device copied something that is not text (an image, files).
    DeviceNotText,
    /// The technician's text is now the device's clipboard (and its primary
    /// selection, for middle-click paste).
    Applied,
    /// The device cannot take or read the clipboard (the agent says why in its log).
    Unavailable,
}

/// How many bytes `text` takes written as a JSON string, quotes included.
pub fn json_len(text: &str) -> usize {
    2 + text
        .chars()
        .map(|c| match c {
            '"' | '\\' | '\n' | '\r' | '\t' | '\u{8}' | '\u{c}' => 2,
            c if u32::from(c) < 0x20 => 6,
            c => c.len_utf8(),
        })
        .sum::<usize>()
}

/// Whether `text` may travel as clipboard text; `Err` carries its JSON size.
pub fn check_text(text: &str) -> Result<(), usize> {
    match json_len(text) {
        len if len <= MAX_CLIPBOARD_JSON => Ok(()),
        len => Err(len),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_len_matches_serde_json() {
        for text in [
            "",
            "plain",
            "é — 漢字 🎉",
            "quote \" backslash \\ newline \n tab \t cr \r",
            "\u{0}\u{1}\u{1f}\u{7f}\u{8}\u{c}",
            "\u{2028}\u{2029} </script>",
        ] {
            let serialized = serde_json::to_string(text).unwrap_or_default();
            assert_eq!(json_len(text), serialized.len(), "{text:?}");
        }
    }

    #[test]
    fn the_limit_keeps_a_message_under_the_control_limit() {
        let text = "a".repeat(MAX_CLIPBOARD_JSON - 2);
        assert_eq!(check_text(&text), Ok(()));
        assert_eq!(check_text(&format!("{text}a")), Err(MAX_CLIPBOARD_JSON + 1));
        let escaped = "\n".repeat((MAX_CLIPBOARD_JSON - 2) / 2);
        assert_eq!(check_text(&escaped), Ok(()));
        let message = crate::messages::AgentMessage::Clipboard {
            channel: u32::MAX,
            event: ClipboardEvent::DeviceText { text: escaped },
        };
        let size = serde_json::to_string(&message).unwrap_or_default().len();
        assert!(size <= crate::MAX_CONTROL_MESSAGE, "{size}");
    }
}
