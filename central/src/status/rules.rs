//! The pure rules of dossier history: which status is current, when a dossier counts as resolved,
//! and what an event id, a note and an event time may be. No I/O here, so all of it is unit-tested.

use motcua_protocol::{DossierStatus, StatusChange};
use time::{Date, Duration, OffsetDateTime};

use super::{StatusError, vietnam_date};

pub const MAX_EVENT_ID_LEN: usize = 100;
pub const MAX_NOTE_CHARS: usize = 1000;
/// How far ahead of the server's clock an event may be dated. A one-stop system with a fast clock
/// would otherwise pin a dossier to a "latest" status that later real events could never replace.
pub const MAX_CLOCK_SKEW: Duration = Duration::minutes(5);

/// A history row with the order it was written in, which breaks ties between equal times.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry {
    pub seq: i64,
    pub change: StatusChange,
}

/// Puts history in time order; of two changes at the same instant the one written later counts as
/// later. Events may arrive out of order, so the order of writing alone says nothing.
pub fn order_timeline(entries: &mut [HistoryEntry]) {
    entries.sort_by_key(|e| (e.change.at, e.seq));
}

/// The current status (that of the latest change) and the first day the dossier reached 9 or 10,
/// from a history already in time order. `None` for an empty history.
pub fn summarise(ordered: &[HistoryEntry]) -> Option<(DossierStatus, Option<Date>)> {
    let current = ordered.last()?.change.status;
    let resolved_on = ordered
        .iter()
        .find(|e| e.change.status.is_resolved())
        .map(|e| vietnam_date(e.change.at));
    Some((current, resolved_on))
}

/// 1–100 visible ASCII characters: ids come from other systems' logs and are echoed in errors.
pub fn check_event_id(event_id: &str) -> Result<(), StatusError> {
    let ok = (1..=MAX_EVENT_ID_LEN).contains(&event_id.len())
        && event_id.bytes().all(|b| b.is_ascii_graphic());
    if ok {
        Ok(())
    } else {
        Err(StatusError::Invalid(format!(
            "event_id must be 1 to {MAX_EVENT_ID_LEN} printable ASCII characters without spaces"
        )))
    }
}

/// Trims a note and normalises line breaks; a blank note is no note. Control characters other
/// than line breaks and tabs are refused rather than silently dropped, so the sender learns its
/// data is odd; bidirectional overrides are refused too, as they can make a public page lie about
/// what it says.
pub fn clean_note(note: Option<&str>) -> Result<Option<String>, StatusError> {
    let Some(note) = note else { return Ok(None) };
    let note = note.replace("\r\n", "\n").replace('\t', " ");
    let note = note.trim();
    if note.is_empty() {
        return Ok(None);
    }
    let count = note.chars().count();
    if count > MAX_NOTE_CHARS {
        return Err(StatusError::Invalid(format!(
            "note is {count} characters long; at most {MAX_NOTE_CHARS} are allowed"
        )));
    }
    let bidi = |c: char| matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
    if let Some((position, c)) = note
        .chars()
        .enumerate()
        .find(|&(_, c)| (c.is_control() && c != '\n') || bidi(c))
    {
        return Err(StatusError::Invalid(format!(
            "note contains the control character U+{:04X} at character {}; only line breaks are allowed",
            u32::from(c),
            position + 1
        )));
    }
    Ok(Some(note.to_owned()))
}

/// Event times must fit the history's nanosecond column, be after 2000, and not be in the future.
pub fn check_event_time(at: OffsetDateTime, now: OffsetDateTime) -> Result<(), StatusError> {
    if at > now + MAX_CLOCK_SKEW {
        return Err(StatusError::Invalid(format!(
            "at {} is in the future (the server's time is {})",
            rfc3339(at),
            rfc3339(now)
        )));
    }
    if at.year() < 2000 {
        return Err(StatusError::Invalid(format!(
            "at {} is before the year 2000",
            rfc3339(at)
        )));
    }
    Ok(())
}

pub fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| at.to_string())
}

/// Nanoseconds since the epoch as stored; `check_event_time` keeps values in range, this refuses
/// anything else instead of wrapping.
pub fn to_ns(at: OffsetDateTime) -> Result<i64, StatusError> {
    i64::try_from(at.unix_timestamp_nanos())
        .map_err(|_| StatusError::Invalid(format!("time {} is out of range", rfc3339(at))))
}

pub fn from_ns(ns: i64) -> Result<OffsetDateTime, StatusError> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ns))
        .map_err(|e| StatusError::Corrupt(format!("history time {ns}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    fn entry(seq: i64, status: u8, at: OffsetDateTime) -> HistoryEntry {
        HistoryEntry {
            seq,
            change: StatusChange {
                status: DossierStatus::from_number(status).unwrap(),
                at,
                note: None,
            },
        }
    }

    #[test]
    fn out_of_order_changes_take_their_place_in_time() {
        let mut entries = vec![
            entry(1, 2, datetime!(2026-06-09 01:00 UTC)),
            entry(2, 9, datetime!(2026-06-12 03:00 UTC)),
            // Arrives last but happened between the two.
            entry(3, 4, datetime!(2026-06-10 02:00 UTC)),
        ];
        order_timeline(&mut entries);
        let order: Vec<i64> = entries.iter().map(|e| e.seq).collect();
        assert_eq!(order, [1, 3, 2]);
        let (current, resolved) = summarise(&entries).unwrap();
        assert_eq!(current, DossierStatus::Resolved);
        assert_eq!(resolved, Some(date!(2026 - 06 - 12)));
    }

    #[test]
    fn equal_times_go_to_the_later_write_and_resolution_is_the_first_in_vietnam_time() {
        let at = datetime!(2026-06-10 18:30 UTC); // 01:30 on 11 June in Vietnam
        let mut entries = vec![entry(5, 4, at), entry(4, 9, at), entry(9, 10, at)];
        order_timeline(&mut entries);
        let (current, resolved) = summarise(&entries).unwrap();
        assert_eq!(current, DossierStatus::Returned);
        assert_eq!(resolved, Some(date!(2026 - 06 - 11)));

        // Reopened after resolution: current follows time, resolution day stays the first one.
        let mut reopened = vec![
            entry(1, 9, datetime!(2026-06-10 03:00 UTC)),
            entry(2, 4, datetime!(2026-06-11 03:00 UTC)),
        ];
        order_timeline(&mut reopened);
        assert_eq!(
            summarise(&reopened),
            Some((DossierStatus::Processing, Some(date!(2026 - 06 - 10))))
        );
        assert_eq!(summarise(&[]), None);
    }

    #[test]
    fn event_ids() {
        assert!(check_event_id("evt-2026-06-09/0001:a").is_ok());
        assert!(check_event_id(&"x".repeat(100)).is_ok());
        for bad in ["", " ", "has space", "tiếng", "tab\t", &"x".repeat(101)] {
            assert!(check_event_id(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn notes_are_trimmed_limited_and_free_of_control_characters() {
        assert_eq!(clean_note(None).unwrap(), None);
        assert_eq!(clean_note(Some("  \r\n ")).unwrap(), None);
        assert_eq!(
            clean_note(Some(" Thiếu bản sao sổ đỏ.\r\nThiếu\ttờ khai. ")).unwrap(),
            Some("Thiếu bản sao sổ đỏ.\nThiếu tờ khai.".to_owned())
        );
        assert!(clean_note(Some(&"ă".repeat(1000))).is_ok());
        let long = clean_note(Some(&"ă".repeat(1001))).unwrap_err().to_string();
        assert!(long.contains("1001 characters"), "{long}");
        let bell = clean_note(Some("ab\u{7}c")).unwrap_err().to_string();
        assert!(bell.contains("U+0007 at character 3"), "{bell}");
        assert!(clean_note(Some("abc\u{202E}cba")).is_err());
        assert!(clean_note(Some("a\u{0}")).is_err());
    }

    #[test]
    fn event_times() {
        let now = datetime!(2026-06-09 03:00 UTC);
        assert!(check_event_time(now, now).is_ok());
        assert!(check_event_time(now + Duration::minutes(4), now).is_ok());
        assert!(check_event_time(now + Duration::minutes(6), now).is_err());
        assert!(check_event_time(datetime!(1999-12-31 23:00 UTC), now).is_err());
        let ns = to_ns(now).unwrap();
        assert_eq!(from_ns(ns).unwrap(), now);
    }
}
