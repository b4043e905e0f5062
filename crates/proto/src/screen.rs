//! Screen settings the technician chooses during a session and that console,
//! server and agent share.
//!
//! Owns their names on the wire. It must not say how a mode is encoded (that is
//! `reach-screen`) or who may change it (that is the server's policy check).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// How the agent sends the screen. The technician picks it live; the server
/// keeps the session's current mode and tells every console of the session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ScreenMode {
    /// One bit per pixel: the least bandwidth; text stays readable.
    BlackAndWhite,
    /// 216 colours (6 levels per channel).
    FewColours,
    /// 65 536 colours (RGB 5-6-5).
    MoreColours,
    /// Every colour; changing photo-like regions go lossy, then are refined.
    #[default]
    AllColours,
    /// The whole screen as H.264 video, decoded by the browser (WebCodecs):
    /// smooth moving pictures, softer text. A console that cannot decode it
    /// asks for `AllColours` instead.
    Video,
}

impl ScreenMode {
    /// Every mode, from the least bandwidth to the most faithful.
    pub const ALL: [ScreenMode; 5] = [
        Self::BlackAndWhite,
        Self::FewColours,
        Self::MoreColours,
        Self::AllColours,
        Self::Video,
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_use_snake_case_names() {
        let names: Vec<String> = ScreenMode::ALL
            .iter()
            .map(|mode| serde_json::to_string(mode).unwrap_or_default())
            .collect();
        assert_eq!(
            names,
            [
                "\"black_and_white\"",
                "\"few_colours\"",
                "\"more_colours\"",
                "\"all_colours\"",
                "\"video\""
            ]
        );
        assert!(serde_json::from_str::<ScreenMode>("\"sepia\"").is_err());
    }
}
