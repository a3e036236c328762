//! In-memory Vietnamese search over the local catalog, fast enough to run on every keystroke.
//!
//! The index maps each folded word to the accent variants seen in the catalog and their postings.
//! A query term matches words exactly, by prefix (the word being typed), with one typo (longer
//! words), or as Telex/VNI keystrokes; a term that looks like a procedure code matches codes.
//! Documents are ranked by how many query terms they match, then by where (name before keywords,
//! result and field), then by how much of the name the query covers.

mod found;

use std::collections::HashMap;
use std::ops::Range;
use std::sync::{Mutex, MutexGuard, PoisonError, TryLockError};

use motcua_protocol::{OnlineLevel, Procedure};
use serde::Serialize;
use unicode_normalization::UnicodeNormalization;

use super::fold::{accent_key, compose_keystrokes, fold, has_diacritics, words};
use found::{Found, LastQuery, Progress};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Section {
    Name,
    Keyword,
    Result,
    Field,
    Agency,
}

impl Section {
    /// Most weight first, as ranking prefers them.
    const ALL: [Section; 5] = [
        Self::Name,
        Self::Keyword,
        Self::Result,
        Self::Field,
        Self::Agency,
    ];

    fn weight(self) -> f32 {
        match self {
            Self::Name => 10.0,
            Self::Keyword => 6.0,
            Self::Result => 3.0,
            Self::Field => 2.5,
            Self::Agency => 1.0,
        }
    }
}

#[derive(Clone, Copy, Debug)]
struct Posting {
    doc: u32,
    section: Section,
}

struct Variant {
    accent: String,
    postings: Vec<Posting>,
}

struct Word {
    folded: String,
    variants: Range<usize>,
}

/// What a result shows; read only for the results returned.
struct Doc {
    code: String,
    name: String,
    field: String,
    online: OnlineLevel,
}

/// What ranking reads for every candidate, kept small and contiguous: ranking touches thousands
/// of documents per keystroke, so cache misses, not arithmetic, set its speed.
#[derive(Clone, Copy)]
struct RankKeys {
    /// Range in `flat_words` of the name's word ids, in order.
    name: (u32, u32),
    /// Range in `flat_words` of the keywords' word ids, keywords separated by `SEPARATOR`.
    keywords: (u32, u32),
    name_len: u16,
    /// How many keywords have 1, 2, … 8 words, four bits each (at most 15): only a keyword of
    /// exactly as many words as the query can earn the whole-keyword bonus.
    keyword_sizes: u32,
}

impl RankKeys {
    /// How many keywords have exactly `words` words (1–8); 15 means 15 or more.
    fn keywords_of(&self, words: usize) -> u32 {
        (self.keyword_sizes >> (4 * (words - 1))) & 0xF
    }
}

const SEPARATOR: u32 = u32::MAX;

/// What `bonus_bound` gives: the most the name's part of the phrase bonus can be, and the most
/// the whole bonus can be.
struct Bound {
    name: f32,
    whole: f32,
}

/// One search result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchHit {
    pub code: String,
    pub name: String,
    pub field: String,
    pub online: OnlineLevel,
    pub score: f32,
}

pub struct SearchIndex {
    docs: Vec<Doc>,
    keys: Vec<RankKeys>,
    flat_words: Vec<u32>,
    words: Vec<Word>,
    variants: Vec<Variant>,
    /// Per document and section (in `Section::ALL` order), the first letters of its words
    /// (`initial_bit`). They answer a single letter, typed alone or after other words (where it
    /// only narrows what those found), without walking the postings of every word that starts
    /// with it: most of such a keystroke at 50,000 procedures.
    initials: Vec<[u32; 5]>,
    /// What the last query found, for the next keystroke to continue (`found.rs`).
    last_query: Mutex<LastQuery>,
}

/// A one-letter fragment's match quality, as a prefix of a word of about three letters (a prefix
/// match is `0.85 + 0.15 × typed / word`). Alone, a letter ranks names that start with it first,
/// shortest first; after other words, it only orders documents that match equally otherwise.
const INITIAL_QUALITY: f32 = 0.9;

/// The bit of a folded word's first character: `a`–`z`, or bit 26 for anything else.
fn initial_bit(folded: &str) -> u32 {
    match folded.bytes().next() {
        Some(c @ b'a'..=b'z') => 1 << (c - b'a'),
        _ => 1 << 26,
    }
}

/// Whether ranking skips the candidates that cannot reach the results (what the kiosk does), or
/// scores every candidate in full (kept to check the other against).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ranking {
    Pruned,
    #[cfg_attr(not(test), allow(dead_code))]
    Every,
}

/// How a single letter typed after other words narrows: by the documents' first letters (what
/// the kiosk does), or through the postings of every word starting with it (kept to check the
/// other against).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Narrowing {
    Initials,
    #[cfg_attr(not(test), allow(dead_code))]
    Postings,
}

const MAX_TERMS: usize = 8;
/// Ranking scores the bonus of this many times `limit` candidates first (see `search_with`).
const SAMPLE: usize = 4;
/// What a name starting with the query earns.
const NAME_START_BONUS: f32 = 1.5;
const EXACT: f32 = 1.0;
const TYPO: f32 = 0.6;
const TYPO_PREFIX: f32 = 0.5;

#[derive(Clone, PartialEq)]
enum Term {
    Text {
        alternatives: Vec<String>,
        accent: Option<String>,
        prefix: bool,
    },
    Code(String),
}

impl Term {
    /// One or two letters of a word still being typed: they match most of the catalog.
    fn is_short_fragment(&self) -> bool {
        matches!(self, Term::Text { alternatives, prefix: true, .. }
            if alternatives.iter().all(|a| a.chars().count() <= 2))
    }

    /// The `initial_bit`s a one-letter fragment typed without accents stands for.
    fn single_letter_bits(&self) -> Option<u32> {
        match self {
            Term::Text {
                alternatives,
                accent: None,
                prefix: true,
            } if alternatives.iter().all(|a| a.len() == 1) => Some(
                alternatives
                    .iter()
                    .map(|a| initial_bit(a))
                    .fold(0, |a, b| a | b),
            ),
            _ => None,
        }
    }
}

/// `text` in NFC, borrowed when it already is (catalog text almost always is).
fn nfc(text: &str) -> std::borrow::Cow<'_, str> {
    match unicode_normalization::is_nfc_quick(text.chars()) {
        unicode_normalization::IsNormalized::Yes => std::borrow::Cow::Borrowed(text),
        _ => std::borrow::Cow::Owned(text.nfc().collect()),
    }
}

impl SearchIndex {
    pub fn build(procedures: &[Procedure]) -> Self {
        let mut postings: HashMap<(String, String), Vec<Posting>> = HashMap::new();
        // A catalog repeats a few thousand words hundreds of thousands of times; folding each
        // occurrence again (Unicode decomposition and recomposition) was most of the start-up.
        let mut word_keys: HashMap<String, (String, String)> = HashMap::new();
        let mut docs = Vec::with_capacity(procedures.len());
        let mut name_keys: Vec<Vec<String>> = Vec::with_capacity(procedures.len());
        let mut keyword_keys: Vec<Vec<Vec<String>>> = Vec::with_capacity(procedures.len());
        let mut initials: Vec<[u32; 5]> = Vec::with_capacity(procedures.len());
        // Documents in code order, so that the document number breaks ties deterministically.
        let mut ordered: Vec<&Procedure> = procedures.iter().collect();
        ordered.sort_by(|a, b| a.code.cmp(&b.code));
        for (doc, procedure) in ordered.into_iter().enumerate() {
            let doc_id = doc as u32;
            let mut doc_initials = [0u32; 5];
            let mut add = |text: &str, section: Section, keys: Option<&mut Vec<String>>| {
                let text = nfc(text);
                let mut keys = keys;
                for word in words(&text) {
                    let (folded, accent) = match word_keys.get(word) {
                        Some(known) => known.clone(),
                        None => {
                            let computed = (fold(word), accent_key(word));
                            word_keys.insert(word.to_owned(), computed.clone());
                            computed
                        }
                    };
                    doc_initials[section as usize] |= initial_bit(&folded);
                    if let Some(keys) = keys.as_deref_mut() {
                        keys.push(folded.clone());
                    }
                    let list = postings.entry((folded, accent)).or_default();
                    if !list
                        .iter()
                        .rev()
                        .take(4)
                        .any(|p| p.doc == doc_id && p.section == section)
                    {
                        list.push(Posting {
                            doc: doc_id,
                            section,
                        });
                    }
                }
            };
            let mut keys = Vec::new();
            add(&procedure.name, Section::Name, Some(&mut keys));
            let mut keywords = Vec::with_capacity(procedure.keywords.len());
            for keyword in &procedure.keywords {
                let mut keys = Vec::new();
                add(keyword, Section::Keyword, Some(&mut keys));
                keywords.push(keys);
            }
            keyword_keys.push(keywords);
            add(&procedure.result, Section::Result, None);
            add(&procedure.field, Section::Field, None);
            add(&procedure.agency, Section::Agency, None);
            initials.push(doc_initials);
            name_keys.push(keys);
            docs.push(Doc {
                code: procedure.code.as_str().to_owned(),
                name: procedure.name.clone(),
                field: procedure.field.clone(),
                online: procedure.online,
            });
        }

        let mut entries: Vec<((String, String), Vec<Posting>)> = postings.into_iter().collect();
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let mut words: Vec<Word> = Vec::new();
        let mut variants = Vec::with_capacity(entries.len());
        for ((folded, accent), postings) in entries {
            match words.last_mut() {
                Some(word) if word.folded == folded => word.variants.end += 1,
                _ => words.push(Word {
                    folded,
                    variants: variants.len()..variants.len() + 1,
                }),
            }
            variants.push(Variant { accent, postings });
        }
        let ids = |keys: &[String]| -> Vec<u32> {
            keys.iter()
                .filter_map(|key| words.binary_search_by(|w| w.folded.as_str().cmp(key)).ok())
                .map(|i| i as u32)
                .collect()
        };
        let mut flat_words = Vec::new();
        let mut keys = Vec::with_capacity(docs.len());
        for ((doc, name), keywords) in docs.iter().zip(name_keys).zip(keyword_keys) {
            let name_start = flat_words.len() as u32;
            flat_words.extend(ids(&name));
            let keywords_start = flat_words.len() as u32;
            let mut keyword_sizes = 0u32;
            for (i, keyword) in keywords.iter().enumerate() {
                if i > 0 {
                    flat_words.push(SEPARATOR);
                }
                let keyword = ids(keyword);
                if (1..=MAX_TERMS).contains(&keyword.len()) {
                    let shift = 4 * (keyword.len() - 1);
                    if (keyword_sizes >> shift) & 0xF < 0xF {
                        // Saturates at 15, which `bonus_bound` reads as "no bound".
                        keyword_sizes += 1 << shift;
                    }
                }
                flat_words.extend(keyword);
            }
            keys.push(RankKeys {
                name: (name_start, keywords_start),
                keywords: (keywords_start, flat_words.len() as u32),
                name_len: u16::try_from(doc.name.len()).unwrap_or(u16::MAX),
                keyword_sizes,
            });
        }
        Self {
            docs,
            keys,
            flat_words,
            words,
            variants,
            initials,
            last_query: Mutex::new(LastQuery::default()),
        }
    }

    pub fn len(&self) -> usize {
        self.docs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    pub fn search(&self, query: &str, limit: usize) -> Vec<SearchHit> {
        self.search_with(query, limit, Ranking::Pruned, Narrowing::Initials)
    }

    /// Drops what the last query found, so that no trace of a visitor's search stays in memory
    /// after their visit.
    pub fn forget_last_query(&self) {
        let mut last = self
            .last_query
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        *last = LastQuery::default();
        self.last_query.clear_poison();
    }

    /// Whether anything of a query is kept for the next keystroke to continue.
    pub fn remembers_a_query(&self) -> bool {
        let last = self
            .last_query
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        last.whole.is_some() || last.before_last.is_some()
    }

    /// The last query's progress, unless another search holds it (this one then starts from
    /// nothing). A search that panicked midway may have left it half-written: it is dropped.
    fn last_query(&self) -> Option<MutexGuard<'_, LastQuery>> {
        match self.last_query.try_lock() {
            Ok(last) => Some(last),
            Err(TryLockError::Poisoned(poisoned)) => {
                let mut last = poisoned.into_inner();
                *last = LastQuery::default();
                self.last_query.clear_poison();
                Some(last)
            }
            Err(TryLockError::WouldBlock) => None,
        }
    }

    fn search_with(
        &self,
        query: &str,
        limit: usize,
        ranking: Ranking,
        narrowing: Narrowing,
    ) -> Vec<SearchHit> {
        let terms = parse_query(query);
        if terms.is_empty() || self.docs.is_empty() || limit == 0 {
            return Vec::new();
        }
        let n = terms.len();
        let mut last = self.last_query();
        let (found, matched_word) = self.find(&terms, narrowing, last.as_deref_mut());
        let required = n - n / 3;
        // One or two letters typed so far match most of the catalog; phrases mean nothing yet, so
        // rank those on match quality and on whether the name starts with them, and stay fast.
        let first_letters = n == 1 && terms[0].is_short_fragment();
        let Found { best, hits, .. } = &found;
        // The match score first, for every candidate: cheap, and most of the final score.
        let candidates: Vec<(f32, u32)> = found
            .in_document_order()
            .into_iter()
            .filter_map(|doc_id| {
                let row = &best[doc_id as usize * n..doc_id as usize * n + n];
                let coverage = row.iter().filter(|s| **s > 0.0).count();
                if coverage < required {
                    return None;
                }
                Some((coverage as f32 * 1000.0 + row.iter().sum::<f32>(), doc_id))
            })
            .collect();
        // The phrase bonus is the costly part, and a few letters into a query tens of thousands
        // of procedures match, most with about the same match score. So candidates are scored
        // in rounds, most promising first: the `SAMPLE × limit` with the highest match score plus
        // the most their name can add (`Bound::name`). The `limit`-th best final score so far is
        // a threshold no result can be below, so every candidate whose match score plus the most
        // its bonus can add (`Bound::whole`) stays under it is dropped unscored. Rounds go on
        // while one drops at least half of what remains. One or two letters alone are ranked
        // on whether the name starts with them, which is no dearer than its bound.
        let bonus = |doc_id: u32| {
            let keys = self.keys[doc_id as usize];
            if first_letters {
                self.name_start_bonus(keys, &matched_word)
            } else {
                self.phrase_bonus(keys, hits[doc_id as usize], &matched_word, n)
            }
        };
        let rank = |matched: f32, doc_id: u32| {
            (
                matched + bonus(doc_id),
                self.keys[doc_id as usize].name_len,
                doc_id,
            )
        };
        let order = |a: &(f32, u16, u32), b: &(f32, u16, u32)| {
            b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2))
        };
        let best_of = |ranked: &mut Vec<(f32, u16, u32)>| {
            if ranked.len() > limit {
                ranked.select_nth_unstable_by(limit - 1, order);
                ranked.truncate(limit);
            }
        };
        let mut ranked: Vec<(f32, u16, u32)> = Vec::new();
        let sample = limit.saturating_mul(SAMPLE);
        if ranking == Ranking::Pruned && !first_letters {
            struct Candidate {
                promise: f32,
                most: f32,
                matched: f32,
                doc_id: u32,
            }
            let mut rest: Vec<Candidate> = candidates
                .into_iter()
                .map(|(matched, doc_id)| {
                    let keys = self.keys[doc_id as usize];
                    let bound = self.bonus_bound(keys, hits[doc_id as usize], &matched_word, n);
                    Candidate {
                        promise: matched + bound.name,
                        most: matched + bound.whole,
                        matched,
                        doc_id,
                    }
                })
                .collect();
            while rest.len() > sample {
                rest.select_nth_unstable_by(sample - 1, |a, b| b.promise.total_cmp(&a.promise));
                let later = rest.split_off(sample);
                ranked.extend(rest.drain(..).map(|c| rank(c.matched, c.doc_id)));
                best_of(&mut ranked);
                let threshold = ranked[limit - 1].0;
                let before = later.len();
                rest = later.into_iter().filter(|c| c.most >= threshold).collect();
                if rest.len() * 2 > before {
                    break;
                }
            }
            ranked.extend(rest.into_iter().map(|c| rank(c.matched, c.doc_id)));
        } else {
            ranked = candidates
                .into_iter()
                .map(|(matched, doc_id)| rank(matched, doc_id))
                .collect();
        }
        best_of(&mut ranked);
        ranked.sort_unstable_by(order);
        let results = ranked
            .into_iter()
            .map(|(score, _, doc_id)| {
                let doc = &self.docs[doc_id as usize];
                SearchHit {
                    code: doc.code.clone(),
                    name: doc.name.clone(),
                    field: doc.field.clone(),
                    online: doc.online,
                    score,
                }
            })
            .collect();
        if let Some(last) = last.as_deref_mut() {
            last.whole = Some(Progress {
                terms,
                narrowing,
                found,
                matched_word,
            });
        }
        results
    }

    /// What each query term matches: per document, its best score for each term and where it
    /// matched (`Found`); per indexed word, which terms it matches (bit t for term t, so that
    /// phrases are runs of consecutive bits).
    ///
    /// It continues from `last`, the last query's progress, as far as this query repeats that
    /// query's terms, and saves its own progress before its last term there.
    fn find(
        &self,
        terms: &[Term],
        narrowing: Narrowing,
        mut last: Option<&mut LastQuery>,
    ) -> (Found, Vec<u8>) {
        let n = terms.len();
        let resumed = last.as_deref_mut().and_then(|l| l.resume(terms, narrowing));
        let (mut found, mut matched_word, done) = resumed.unwrap_or_else(|| {
            let found = Found::new(self.docs.len(), n);
            (found, vec![0; self.words.len()], 0)
        });
        let mut save_before_last = last.filter(|l| !l.holds_before_last(terms, narrowing));
        for (t, term) in terms.iter().enumerate().skip(done) {
            if t > 0
                && t + 1 == n
                && let Some(last) = save_before_last.as_deref_mut()
            {
                last.before_last = Some(Progress {
                    terms: terms[..t].to_vec(),
                    narrowing,
                    found: found.resumed(t, n),
                    matched_word: matched_word.clone(),
                });
            }
            match term {
                Term::Text {
                    alternatives,
                    accent,
                    prefix,
                } => {
                    let accent_factor = |variant: &Variant| match accent {
                        Some(accent) if *accent == variant.accent => 1.15,
                        Some(_) => 0.9,
                        None => 1.0,
                    };
                    let matching = self.matching_words(alternatives, *prefix);
                    for (word, _) in &matching {
                        matched_word[*word] |= 1 << t;
                    }
                    // A letter or two after other words ("dang ky t") only narrows what those
                    // words found; on its own it would touch most of the catalog.
                    let narrows_only = t > 0 && term.is_short_fragment();
                    // A single letter, alone or narrowing, is answered from the first letters.
                    let letters = term.single_letter_bits().filter(|_| narrows_only || n == 1);
                    if let (Some(letters), Narrowing::Initials) = (letters, narrowing) {
                        let among = if narrows_only {
                            found.touched.clone()
                        } else {
                            (0..self.docs.len() as u32).collect()
                        };
                        for doc in among {
                            let initials = &self.initials[doc as usize];
                            if let Some(section) = Section::ALL
                                .into_iter()
                                .find(|s| initials[*s as usize] & letters != 0)
                            {
                                let score = section.weight() * INITIAL_QUALITY;
                                found.note(doc, t, section, score);
                            }
                        }
                        continue;
                    }
                    for (word, quality) in matching {
                        for variant in &self.variants[self.words[word].variants.clone()] {
                            let factor = accent_factor(variant);
                            for posting in &variant.postings {
                                if narrows_only && !found.seen[posting.doc as usize] {
                                    continue;
                                }
                                let score = posting.section.weight() * quality * factor;
                                found.note(posting.doc, t, posting.section, score);
                            }
                        }
                    }
                }
                Term::Code(code) => {
                    for (doc_id, doc) in self.docs.iter().enumerate() {
                        let quality = code_match(&doc.code, code);
                        if quality > 0.0 {
                            found.touch(doc_id as u32);
                            let slot = &mut found.best[doc_id * n + t];
                            *slot = slot.max(12.0 * quality);
                        }
                    }
                }
            }
        }
        (found, matched_word)
    }

    fn name_start_bonus(&self, keys: RankKeys, matched_word: &[u8]) -> f32 {
        let name = &self.flat_words[keys.name.0 as usize..keys.name.1 as usize];
        if starts_with_first_term(name, matched_word) {
            NAME_START_BONUS
        } else {
            0.0
        }
    }

    /// The most `phrase_bonus` can give this document, read from what ranking already has at
    /// hand: the words in its name, whether its name starts with the first query term, how many
    /// matches were in its name (`hits`; at least the number of query terms found there, so at
    /// least any phrase's length), and how many of its keywords have as many words as the
    /// query. Each part is the same expression as in `phrase_bonus`, added in the same order,
    /// with every count at least as large, so the rounded sum is at least the bonus.
    fn bonus_bound(&self, keys: RankKeys, hits: [u8; 2], matched_word: &[u8], n: usize) -> Bound {
        let mut bound = 0.0;
        let [name_hits, keyword_hits] = hits;
        let name = &self.flat_words[keys.name.0 as usize..keys.name.1 as usize];
        if name_hits > 0 && !name.is_empty() {
            let name_hits = usize::from(name_hits);
            bound += 4.0 * name_hits.min(name.len()) as f32 / name.len() as f32;
            let run = if n == 1 || name_hits < 2 {
                1
            } else {
                n.min(name_hits).min(name.len())
            };
            if run >= 2 {
                bound += (run - 1) as f32 + 2.0 * run as f32 / name.len() as f32;
            }
            if name_hits >= n && starts_with_first_term(name, matched_word) {
                bound += NAME_START_BONUS;
            }
        }
        let name_part = bound;
        if keyword_hits >= 1 {
            let whole = keys.keywords_of(n);
            if whole == 0xF {
                // Fifteen or more: the count saturated, so there is no bound to rely on.
                return Bound {
                    name: name_part,
                    whole: f32::INFINITY,
                };
            }
            for _ in 0..whole {
                bound += 3.0;
            }
            if n >= 2 {
                bound += 0.8 * (n - 1) as f32;
            }
        }
        Bound {
            name: name_part,
            whole: bound,
        }
    }

    /// Rewards query words found together, in order: in the name (more when they make up most of
    /// it, most when the name starts with them), or as a whole keyword phrase. Ranking skips
    /// candidates by `bonus_bound`, which follows this part by part: change them together (the
    /// unit test `the_bonus_bound_is_never_below_the_phrase_bonus` checks it).
    fn phrase_bonus(&self, keys: RankKeys, hits: [u8; 2], matched_word: &[u8], n: usize) -> f32 {
        let mut bonus = 0.0;
        let [name_hits, keyword_hits] = hits;
        let name = &self.flat_words[keys.name.0 as usize..keys.name.1 as usize];
        if name_hits > 0 && !name.is_empty() {
            let covered = usize::from(name_hits).min(name.len());
            bonus += 4.0 * covered as f32 / name.len() as f32;
            let run = if n == 1 || name_hits < 2 {
                Run {
                    longest: 1,
                    from_start: usize::from(starts_with_first_term(name, matched_word)),
                }
            } else {
                longest_run(name, matched_word)
            };
            if run.longest >= 2 {
                bonus += (run.longest - 1) as f32 + 2.0 * run.longest as f32 / name.len() as f32;
            }
            if run.from_start >= n {
                bonus += NAME_START_BONUS;
            }
        }
        if keyword_hits >= 1 {
            let mut keyword_run = 0;
            let keywords = &self.flat_words[keys.keywords.0 as usize..keys.keywords.1 as usize];
            for keyword in keywords.split(|w| *w == SEPARATOR) {
                let run = longest_run(keyword, matched_word).longest;
                keyword_run = keyword_run.max(run);
                if run == n && run == keyword.len() {
                    bonus += 3.0;
                }
            }
            if keyword_run >= 2 {
                bonus += 0.8 * (keyword_run - 1) as f32;
            }
        }
        bonus
    }

    /// Every indexed word a query term can mean, with how good a match it is.
    fn matching_words(&self, alternatives: &[String], prefix: bool) -> Vec<(usize, f32)> {
        let mut found: HashMap<usize, f32> = HashMap::new();
        let mut note = |word: usize, quality: f32| {
            let entry = found.entry(word).or_insert(0.0);
            *entry = entry.max(quality);
        };
        for alternative in alternatives {
            let start = self
                .words
                .partition_point(|w| w.folded.as_str() < alternative.as_str());
            if prefix {
                for (offset, word) in self.words[start..].iter().enumerate() {
                    if !word.folded.starts_with(alternative.as_str()) {
                        break;
                    }
                    let quality = if word.folded == *alternative {
                        EXACT
                    } else {
                        0.85 + 0.15 * alternative.len() as f32 / word.folded.len() as f32
                    };
                    note(start + offset, quality);
                }
            } else if self
                .words
                .get(start)
                .is_some_and(|w| w.folded == *alternative)
            {
                note(start, EXACT);
            }
            if alternative.chars().count() >= 4 {
                let a = alternative.as_bytes();
                for (i, word) in self.words.iter().enumerate() {
                    let w = word.folded.as_bytes();
                    if within_one_edit(a, w) {
                        note(i, TYPO);
                    } else if prefix && w.len() > a.len() && prefix_within_one_edit(a, w) {
                        note(i, TYPO_PREFIX);
                    }
                }
            }
        }
        found.into_iter().collect()
    }
}

fn parse_query(query: &str) -> Vec<Term> {
    let query: String = query.nfc().collect();
    let ends_open = query.chars().last().is_some_and(char::is_alphanumeric);
    let mut raw: Vec<(bool, &str)> = Vec::new();
    for token in query.split(|c: char| c.is_whitespace() || c == ',' || c == ';') {
        let is_code = token.chars().any(|c| c.is_ascii_digit())
            && token.chars().all(|c| c.is_ascii_digit() || c == '.');
        if is_code {
            let trimmed = token.trim_matches('.');
            if !trimmed.is_empty() {
                raw.push((true, trimmed));
            }
        } else {
            raw.extend(words(token).map(|w| (false, w)));
        }
    }
    raw.truncate(MAX_TERMS);
    let last = raw.len().saturating_sub(1);
    raw.into_iter()
        .enumerate()
        .map(|(i, (is_code, word))| {
            if is_code {
                return Term::Code(word.to_owned());
            }
            let composed = compose_keystrokes(word);
            let mut alternatives = vec![fold(word)];
            if let Some(composed) = &composed {
                let folded = fold(composed);
                if !alternatives.contains(&folded) {
                    alternatives.push(folded);
                }
            }
            let accent = match &composed {
                Some(composed) => Some(accent_key(composed)),
                None => has_diacritics(word).then(|| accent_key(word)),
            };
            Term::Text {
                alternatives,
                accent,
                prefix: i == last && ends_open,
            }
        })
        .collect()
}

fn starts_with_first_term(name: &[u32], matched: &[u8]) -> bool {
    name.first().is_some_and(|w| matched[*w as usize] & 1 != 0)
}

struct Run {
    longest: usize,
    /// Length of the run that starts at the first word with the first query term.
    from_start: usize,
}

/// The longest stretch of `sequence` matching consecutive query terms (term t, then t+1…).
fn longest_run(sequence: &[u32], matched: &[u8]) -> Run {
    let mut run = Run {
        longest: 0,
        from_start: 0,
    };
    for start in 0..sequence.len() {
        let mut bits = matched[sequence[start] as usize];
        while bits != 0 {
            let t = bits.trailing_zeros() as usize;
            bits &= bits - 1;
            let mut len = 1;
            while start + len < sequence.len()
                && t + len < 8
                && matched[sequence[start + len] as usize] & (1 << (t + len)) != 0
            {
                len += 1;
            }
            run.longest = run.longest.max(len);
            if start == 0 && t == 0 {
                run.from_start = len;
            }
        }
    }
    run
}

fn code_match(code: &str, typed: &str) -> f32 {
    let serial = code.get(2..).unwrap_or("");
    if code == typed || serial == typed {
        1.0
    } else if typed.len() >= 3 && (code.starts_with(typed) || serial.starts_with(typed)) {
        0.8
    } else if typed.len() >= 3 && code.contains(typed) {
        0.5
    } else {
        0.0
    }
}

/// Optimal string alignment distance ≤ 1 (one substitution, insertion, deletion or swap), but not
/// equal.
fn within_one_edit(a: &[u8], b: &[u8]) -> bool {
    match a.len() as isize - b.len() as isize {
        0 => {
            let Some(i) = a.iter().zip(b).position(|(x, y)| x != y) else {
                return false;
            };
            a[i + 1..] == b[i + 1..]
                || (i + 1 < a.len()
                    && a[i] == b[i + 1]
                    && a[i + 1] == b[i]
                    && a[i + 2..] == b[i + 2..])
        }
        1 => one_deletion(a, b),
        -1 => one_deletion(b, a),
        _ => false,
    }
}

/// `longer` with one byte removed equals `shorter`.
fn one_deletion(longer: &[u8], shorter: &[u8]) -> bool {
    let i = longer
        .iter()
        .zip(shorter)
        .position(|(x, y)| x != y)
        .unwrap_or(shorter.len());
    longer[i + 1..] == shorter[i..]
}

/// Some prefix of `word` is one edit away from `typed` (a typo in a half-typed word).
fn prefix_within_one_edit(typed: &[u8], word: &[u8]) -> bool {
    (typed.len().saturating_sub(1)..=typed.len() + 1)
        .filter(|len| *len <= word.len() && *len > 0)
        .any(|len| within_one_edit(typed, &word[..len]))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every prefix of each query, as typed letter by letter; accents, Telex and codes included.
    fn typed(queries: &[&str]) -> Vec<String> {
        queries
            .iter()
            .flat_map(|q| {
                let chars: Vec<char> = q.chars().collect();
                (1..=chars.len()).map(move |n| chars[..n].iter().collect::<String>())
            })
            .collect()
    }

    /// `count` generated procedures plus the demo catalog's, indexed; and how many there are.
    fn generated_index(count: usize, seed: u64) -> (SearchIndex, usize) {
        let mut procedures = motcua_central::catalog::generate::generate(count, seed).procedures;
        let demo: motcua_protocol::CatalogFile =
            serde_json::from_str(motcua_central::DEMO_CATALOG).unwrap();
        procedures.extend(demo.procedures);
        (SearchIndex::build(&procedures), procedures.len())
    }

    #[test]
    fn the_bonus_bound_is_never_below_the_phrase_bonus() {
        let (index, _) = generated_index(3_000, 5);
        let keystrokes = typed(&[
            "dang ky khai sinh cho tre moi sinh",
            "trích lục khai sinh",
            "kết hôn với người nước ngoài",
            "xin giấy xác nhận độc thân",
            "cap giay phep xay dung",
            "giay chung nhan quyen su dung dat",
            "dangw kys thuowng tru",
        ]);
        let (mut compared, mut reached, mut whole_keywords) = (0, 0, 0);
        for query in &keystrokes {
            let terms = parse_query(query);
            let n = terms.len();
            for narrowing in [Narrowing::Initials, Narrowing::Postings] {
                let (found, matched_word) = index.find(&terms, narrowing, None);
                for &doc in &found.touched {
                    let keys = index.keys[doc as usize];
                    let hits = found.hits[doc as usize];
                    let bonus = index.phrase_bonus(keys, hits, &matched_word, n);
                    let bound = index.bonus_bound(keys, hits, &matched_word, n).whole;
                    assert!(bound >= bonus, "{query:?}, doc {doc}: {bound} < {bonus}");
                    compared += 1;
                    reached += usize::from(bound == bonus && bonus > 0.0);
                    let whole = keys.keywords_of(n) > 0;
                    whole_keywords += usize::from(bound == bonus && hits[1] > 0 && whole);
                }
            }
        }
        // The bound is exact where the whole name or a whole keyword is the query, so it is
        // not a loose constant.
        assert!(compared > 100_000, "{compared}");
        assert!(reached > 100, "{reached}");
        assert!(whole_keywords > 10, "{whole_keywords}");
    }

    #[test]
    fn pruned_ranking_finds_what_scoring_every_candidate_finds() {
        let (index, _) = generated_index(4_000, 7);
        let keystrokes = typed(&[
            "cap giay phep xay dung",
            "xac nhan tinh trang hon nhan",
            "đăng ký kinh doanh hộ gia đình",
            "dang ky khai sinh cho con",
            "giấy chứng nhận quyền sử dụng đất",
            "cap lai the bao hiem y te",
            "dangw kys thuowng tru",
            "1.00 cap t",
            "tro cap thất nghiệp",
        ]);
        for query in &keystrokes {
            assert_eq!(
                index.search_with(query, 60, Ranking::Pruned, Narrowing::Initials),
                index.search_with(query, 60, Ranking::Every, Narrowing::Initials),
                "{query:?}"
            );
        }
    }

    #[test]
    fn continuing_the_last_query_finds_what_a_fresh_search_finds() {
        let (typed_into, _) = generated_index(3_000, 13);
        let (fresh, _) = generated_index(3_000, 13);
        let typed_letter_by_letter = typed(&[
            "dang ky kinh doanh ho gia dinh",
            "cap giay phep xay dung",
            "đăng ký kết hôn",
            "dangw kys thuowng tru",
            "1.00 cap giay",
            "giay chung nhan quyen su dung dat",
        ]);
        // Taken back letter by letter, a word changed, the same query twice, a new query.
        let corrected = [
            "giay chung nhan quyen",
            "giay chung nhan quye",
            "giay chung nhan qu",
            "giay chung nhan",
            "giay chung nha",
            "giay chung nhan ket hon",
            "giay chung nhan ket hon",
            "giay ket hon",
            "xac nhan tinh trang",
            "xac nhan",
            "xac nhan t",
        ]
        .map(String::from);
        let resumed = |index: &SearchIndex| index.last_query().map_or(0, |l| l.resumed);
        for narrowing in [Narrowing::Initials, Narrowing::Postings] {
            let compare = |queries: &[String]| {
                for query in queries {
                    fresh.forget_last_query();
                    assert_eq!(
                        typed_into.search_with(query, 60, Ranking::Pruned, narrowing),
                        fresh.search_with(query, 60, Ranking::Pruned, narrowing),
                        "{query:?}"
                    );
                    assert!(fresh.remembers_a_query());
                }
            };
            compare(&typed_letter_by_letter);
            // Every keystroke of more than one word continues the keystroke before it, and so
            // does one that leaves the terms as they were ("1." after "1").
            let mut previous = Vec::new();
            let mut continuing = 0;
            for query in &typed_letter_by_letter {
                let terms = parse_query(query);
                continuing += usize::from(terms.len() > 1 || terms == previous);
                previous = terms;
            }
            assert_eq!(resumed(&typed_into), continuing);
            compare(&corrected);
            assert!(resumed(&typed_into) > continuing + corrected.len() / 2);
            assert_eq!(resumed(&fresh), 0, "the reference started afresh each time");
            typed_into.forget_last_query();
            assert!(!typed_into.remembers_a_query());
        }
    }

    #[test]
    fn a_single_letter_narrows_by_first_letters_to_what_the_postings_give() {
        let (index, all) = generated_index(3_000, 11);
        let codes = |query: &str, narrowing| -> std::collections::BTreeSet<String> {
            index
                .search_with(query, all, Ranking::Every, narrowing)
                .into_iter()
                .map(|hit| hit.code)
                .collect()
        };
        let mut letters_tried = 0;
        for words in [
            "",
            "dang ky",
            "cap giay phep",
            "xac nhan tinh",
            "tro cap",
            "giay",
            "cap",
            "đăng ký kinh",
            "1.00 cap",
            "thu tuc",
        ] {
            for letter in ('a'..='z').chain(['0']) {
                let query = format!("{words} {letter}");
                let by_initials = codes(&query, Narrowing::Initials);
                assert_eq!(by_initials, codes(&query, Narrowing::Postings), "{query:?}");
                letters_tried += usize::from(!by_initials.is_empty());
            }
        }
        assert!(
            letters_tried > 100,
            "most letters find something: {letters_tried}"
        );
        // And the first letters are those of every section, not only the name's.
        let typed = "dang ky t";
        assert!(index.search(typed, all).len() > index.search("dang ky tam", all).len());
    }

    #[test]
    fn edit_distance_one() {
        assert!(within_one_edit(b"thuong", b"thuonf"));
        assert!(within_one_edit(b"thuong", b"thuogn"));
        assert!(within_one_edit(b"thuong", b"thuon"));
        assert!(within_one_edit(b"thuon", b"thuong"));
        assert!(!within_one_edit(b"thuong", b"thuong"));
        assert!(!within_one_edit(b"thuong", b"thunk"));
        assert!(prefix_within_one_edit(b"thuon", b"thuongg"));
        assert!(prefix_within_one_edit(b"xaiy", b"xaydung"));
    }

    #[test]
    fn codes_match_whole_serial_and_partial() {
        assert_eq!(code_match("1.004222", "1.004222"), 1.0);
        assert_eq!(code_match("1.004222", "004222"), 1.0);
        assert_eq!(code_match("1.004222", "0042"), 0.8);
        assert_eq!(code_match("1.004222", "422"), 0.5);
        assert_eq!(code_match("1.004222", "12"), 0.0);
    }
}
