//! `feedback list|answer` and `ratings`: staff read and answer visitors' feedback, and read the
//! rating statistics, on the database directly. Output is English; the visitors' words are printed
//! as they were stored, already stripped of control characters (so of terminal escapes) when the
//! server received them.

use anyhow::Context;
use clap::Subcommand;
use motcua_central::feedback::{FeedbackItem, stats};
use motcua_central::status::page::format_moment;
use motcua_central::{CentralConfig, open_feedback, today_in_vietnam};
use motcua_protocol::{AnswerText, FeedbackReference, RatingGroup, feedback_url};
use time::OffsetDateTime;

/// Who answered, when the answer comes from the command line.
pub const COMMAND_LINE: &str = "command line";

#[derive(Subcommand)]
pub enum FeedbackCommand {
    /// List feedback, most recently submitted first, with the phone numbers to call back.
    List {
        /// Only feedback without an answer.
        #[arg(long)]
        unanswered: bool,
    },
    /// Answer a feedback (replacing any earlier answer); it shows on the feedback's public page.
    Answer {
        /// The reference on the visitor's slip, e.g. PA-4821-0937-5512.
        reference: String,
        /// The answer, at most 4,000 characters.
        text: String,
    },
}

pub fn run(config: &CentralConfig, command: FeedbackCommand) -> anyhow::Result<()> {
    let mut store = open_feedback(config)?;
    match command {
        FeedbackCommand::List { unanswered } => {
            let items = store.list(unanswered)?;
            if items.is_empty() {
                println!(
                    "{}",
                    if unanswered {
                        "no unanswered feedback"
                    } else {
                        "no feedback"
                    }
                );
            }
            let base = config.public_base();
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    println!();
                }
                print_item(item, &base);
            }
        }
        FeedbackCommand::Answer { reference, text } => {
            let reference = FeedbackReference::parse(&reference)?;
            let text = AnswerText::parse(&text).context("the answer cannot be stored")?;
            let item = store
                .answer(&reference, &text, COMMAND_LINE, OffsetDateTime::now_utc())
                .with_context(|| format!("cannot answer feedback {reference}"))?;
            println!(
                "answered feedback {}; it shows at {}",
                item.reference,
                feedback_url(&config.public_base(), &item.reference)
            );
        }
    }
    Ok(())
}

/// The body of a text, each line indented under its label.
fn indented(text: &str) -> String {
    text.lines().collect::<Vec<_>>().join("\n             ")
}

fn print_item(item: &FeedbackItem, base: &str) {
    println!("Reference    {}", item.reference);
    println!("Kiosk        {}", item.kiosk);
    println!(
        "Topic        {} ({})",
        item.topic.label_en(),
        item.topic.label_vi()
    );
    println!(
        "Submitted    {} (Vietnam time)",
        format_moment(item.submitted_at)
    );
    if let Some(phone) = &item.phone {
        println!("Phone        {}", phone.as_str());
    }
    println!("Text         {}", indented(item.text.as_str()));
    match &item.answer {
        Some(answer) => {
            println!(
                "Answered     {} by {}",
                format_moment(answer.answered_at),
                item.answered_by.as_deref().unwrap_or("-")
            );
            println!("Answer       {}", indented(answer.text.as_str()));
        }
        None => println!("Answer       (not answered yet)"),
    }
    println!("Page         {}", feedback_url(base, &item.reference));
}

fn row(key: &str, group: &RatingGroup) -> String {
    let counts = &group.counts;
    let percent = counts
        .satisfied_percent()
        .map_or_else(|| "-".to_owned(), |p| format!("{p:.1}%"));
    format!(
        "{key:<28} {:>14} {:>9} {:>12} {:>6} {:>10}",
        counts.very_satisfied,
        counts.satisfied,
        counts.dissatisfied,
        counts.total(),
        percent
    )
}

fn header(first: &str) -> String {
    format!(
        "{first:<28} {:>14} {:>9} {:>12} {:>6} {:>10}",
        "VERY SATISFIED", "SATISFIED", "DISSATISFIED", "TOTAL", "SATISFIED%"
    )
}

/// `ratings [--months N]`: the statistics as three tables.
pub fn ratings(config: &CentralConfig, months: u32) -> anyhow::Result<()> {
    if !(1..=stats::MAX_MONTHS).contains(&months) {
        anyhow::bail!(
            "--months must be from 1 to {}, not {months}",
            stats::MAX_MONTHS
        );
    }
    let store = open_feedback(config)?;
    let statistics = stats::statistics(&store, months, today_in_vietnam())?;
    println!("Ratings of the last {months} months (Vietnam calendar months of the kiosk's time)");
    println!();
    println!("{}", header("MONTH"));
    for group in &statistics.months {
        println!("{}", row(&group.key, group));
    }
    println!(
        "{}",
        row(
            "total",
            &RatingGroup {
                key: String::new(),
                counts: statistics.total
            }
        )
    );
    for (title, groups) in [("FIELD", &statistics.fields), ("KIOSK", &statistics.kiosks)] {
        println!();
        println!("{}", header(title));
        if groups.is_empty() {
            println!("(no ratings)");
        }
        for group in groups {
            println!("{}", row(&group.key, group));
        }
    }
    Ok(())
}
