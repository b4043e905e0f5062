//! Adapting the stream to the link: the agent measures how long each batch takes
//! to be painted and acknowledged (the round trip, which grows when the link or
//! the console cannot keep up) and steps the lossy quality and the frame rate
//! down under lag and back up when it clears. Text and other lossless regions
//! are never degraded, only sent less often.
//!
//! Owns the round-trip bookkeeping and the level decision, as pure logic over
//! the instants it is given (so it is tested without clocks). It must not send,
//! encode or sleep.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// One step of the ladder: what the stream costs at that level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Level {
    /// JPEG quality of changing photo-like regions.
    pub lossy_quality: u8,
    /// Shortest time between captures while the screen changes.
    pub interval: Duration,
}

/// From the best picture to the lightest stream.
pub const LEVELS: [Level; 4] = [
    Level {
        lossy_quality: 70,
        interval: Duration::from_millis(16),
    },
    Level {
        lossy_quality: 55,
        interval: Duration::from_millis(33),
    },
    Level {
        lossy_quality: 40,
        interval: Duration::from_millis(66),
    },
    Level {
        lossy_quality: 30,
        interval: Duration::from_millis(125),
    },
];

/// A round trip this much longer than the best seen recently is lag. The
/// absolute margin keeps small differences from counting: the best round trip
/// is often that of a tiny batch, and a large batch takes longer to send and
/// decode on any link; lag is a delay a person notices.
const LAG_FACTOR: u32 = 2;
const LAG_MARGIN: Duration = Duration::from_millis(150);
/// Lagging acknowledgements in a row before stepping down.
const LAGS_TO_STEP_DOWN: u32 = 3;
/// Time without lag before stepping back up one level.
const CLEAR_TO_STEP_UP: Duration = Duration::from_secs(2);
/// The best round trip is forgotten after this long, so a link that got slower
/// for good becomes the new normal rather than lag forever.
const FLOOR_MEMORY: Duration = Duration::from_secs(10);

/// Follows the round trips of one session's batches and picks its level.
#[derive(Debug)]
pub struct Adaptation {
    level: usize,
    /// Batches sent and not yet acknowledged: (seq, when).
    in_flight: VecDeque<(u32, Instant)>,
    /// The best recent round trip and when it was seen.
    floor: Option<(Duration, Instant)>,
    lags: u32,
    clear_since: Option<Instant>,
}

impl Default for Adaptation {
    fn default() -> Self {
        Self::new()
    }
}

impl Adaptation {
    pub fn new() -> Self {
        Self {
            level: 0,
            in_flight: VecDeque::new(),
            floor: None,
            lags: 0,
            clear_since: None,
        }
    }

    /// The level now.
    pub fn level(&self) -> usize {
        self.level
    }

    /// What the current level costs.
    pub fn current(&self) -> Level {
        LEVELS[self.level]
    }

    /// Batch `seq` was sent at `at`.
    pub fn sent(&mut self, seq: u32, at: Instant) {
        self.in_flight.push_back((seq, at));
        // Acks can be lost when a viewer leaves; keep the book bounded.
        while self.in_flight.len() > 64 {
            self.in_flight.pop_front();
        }
    }

    /// Batches up to `seq` were acknowledged at `at`. Returns the new level
    /// when it changed.
    pub fn acked(&mut self, seq: u32, at: Instant) -> Option<usize> {
        let mut latest = None;
        while let Some(&(sent_seq, sent_at)) = self.in_flight.front() {
            // Sequence numbers wrap: "at or before" is a small forward distance.
            if seq.wrapping_sub(sent_seq) > u32::MAX / 2 {
                break;
            }
            self.in_flight.pop_front();
            latest = Some(at.saturating_duration_since(sent_at));
        }
        let rtt = latest?;
        self.observe(rtt, at)
    }

    fn observe(&mut self, rtt: Duration, at: Instant) -> Option<usize> {
        let floor = match self.floor {
            Some((best, seen)) if best <= rtt && at.duration_since(seen) < FLOOR_MEMORY => best,
            _ => {
                self.floor = Some((rtt, at));
                rtt
            }
        };
        let lagging = rtt > floor * LAG_FACTOR + LAG_MARGIN;
        if lagging {
            self.clear_since = None;
            self.lags += 1;
            if self.lags >= LAGS_TO_STEP_DOWN && self.level + 1 < LEVELS.len() {
                self.lags = 0;
                self.level += 1;
                return Some(self.level);
            }
            return None;
        }
        self.lags = 0;
        let since = *self.clear_since.get_or_insert(at);
        if self.level > 0 && at.duration_since(since) >= CLEAR_TO_STEP_UP {
            self.level -= 1;
            self.clear_since = Some(at);
            return Some(self.level);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sends `count` batches, each acknowledged `rtt` later, `gap` apart.
    fn run(
        adapt: &mut Adaptation,
        start: Instant,
        first_seq: u32,
        count: u32,
        rtt: Duration,
        gap: Duration,
    ) -> Instant {
        let mut now = start;
        for seq in first_seq..first_seq + count {
            adapt.sent(seq, now);
            adapt.acked(seq, now + rtt);
            now += gap;
        }
        now
    }

    #[test]
    fn lag_steps_down_one_level_at_a_time_and_a_clear_link_steps_back_up() {
        let mut adapt = Adaptation::new();
        let fast = Duration::from_millis(5);
        let slow = Duration::from_millis(600);
        let gap = Duration::from_millis(20);
        let now = run(&mut adapt, Instant::now(), 1, 20, fast, gap);
        assert_eq!(
            adapt.level(),
            0,
            "a steady fast link stays at the best level"
        );
        let now = run(&mut adapt, now, 21, 3, slow, gap);
        assert_eq!(adapt.level(), 1);
        let now = run(&mut adapt, now, 24, 30, slow, gap);
        assert_eq!(adapt.level(), LEVELS.len() - 1, "and down to the lightest");
        assert!(adapt.current().lossy_quality < LEVELS[0].lossy_quality);
        assert!(adapt.current().interval > LEVELS[0].interval);
        // Fast again: one level up per two clear seconds.
        let now = run(&mut adapt, now, 54, 50, fast, gap);
        assert_eq!(
            adapt.level(),
            LEVELS.len() - 1,
            "one clear second is not enough"
        );
        run(&mut adapt, now, 104, 400, fast, gap);
        assert_eq!(adapt.level(), 0);
    }

    #[test]
    fn a_single_slow_acknowledgement_is_not_lag() {
        let mut adapt = Adaptation::new();
        let gap = Duration::from_millis(20);
        let now = run(
            &mut adapt,
            Instant::now(),
            1,
            10,
            Duration::from_millis(5),
            gap,
        );
        let now = run(&mut adapt, now, 11, 2, Duration::from_millis(800), gap);
        run(&mut adapt, now, 13, 10, Duration::from_millis(5), gap);
        assert_eq!(adapt.level(), 0);
    }

    #[test]
    fn cumulative_acknowledgements_and_wrapping_sequence_numbers() {
        let mut adapt = Adaptation::new();
        let start = Instant::now();
        adapt.sent(u32::MAX, start);
        adapt.sent(0, start);
        adapt.sent(1, start);
        // One ack for all three, across the wrap.
        adapt.acked(1, start + Duration::from_millis(5));
        assert!(adapt.in_flight.is_empty());
        // An ack for something long gone changes nothing.
        assert_eq!(adapt.acked(0, start), None);
    }

    #[test]
    fn a_link_that_stays_slower_becomes_the_new_normal() {
        let mut adapt = Adaptation::new();
        let gap = Duration::from_millis(100);
        let now = run(
            &mut adapt,
            Instant::now(),
            1,
            10,
            Duration::from_millis(5),
            gap,
        );
        // Slower for good: lag at first, then the floor moves and it recovers.
        run(&mut adapt, now, 11, 1000, Duration::from_millis(600), gap);
        assert_eq!(adapt.level(), 0);
    }
}
