//! What a query's terms found, per document; and what the last query's found, kept so that the
//! next keystroke, which mostly adds a letter to the last word, looks up only the terms that
//! changed. At 50,000 procedures the first words of a query ("dang ky") match most of the
//! catalog, and walking their postings again was most of each keystroke's search.

use super::{Narrowing, Section, Term};

/// What the query's terms found so far, per document.
pub(super) struct Found {
    pub n: usize,
    /// Best score of each document for each term, `n` per document.
    pub best: Vec<f32>,
    /// The documents any term matched, in the order first matched.
    pub touched: Vec<u32>,
    pub seen: Vec<bool>,
    /// Per document: how many matched words are in its name, and in its keywords. Ranking looks
    /// for phrases only where there can be one.
    pub hits: Vec<[u8; 2]>,
}

impl Found {
    /// Nothing found yet, for `n` terms in a catalog of `docs` documents.
    pub fn new(docs: usize, n: usize) -> Self {
        Self {
            n,
            best: vec![0.0; docs * n],
            touched: Vec::new(),
            seen: vec![false; docs],
            hits: vec![[0; 2]; docs],
        }
    }

    /// What this found for its first `done` terms, laid out for a query of `n` terms.
    pub fn resumed(&self, done: usize, n: usize) -> Self {
        let mut best = vec![0.0; self.seen.len() * n];
        for &doc in &self.touched {
            let doc = doc as usize;
            best[doc * n..doc * n + done]
                .copy_from_slice(&self.best[doc * self.n..doc * self.n + done]);
        }
        Self {
            n,
            best,
            touched: self.touched.clone(),
            seen: self.seen.clone(),
            hits: self.hits.clone(),
        }
    }

    pub fn touch(&mut self, doc: u32) {
        if !self.seen[doc as usize] {
            self.seen[doc as usize] = true;
            self.touched.push(doc);
        }
    }

    pub fn note(&mut self, doc: u32, term: usize, section: Section, score: f32) {
        self.touch(doc);
        let hits = &mut self.hits[doc as usize];
        match section {
            Section::Name => hits[0] = hits[0].saturating_add(1),
            Section::Keyword => hits[1] = hits[1].saturating_add(1),
            _ => {}
        }
        let slot = &mut self.best[doc as usize * self.n + term];
        if score > *slot {
            *slot = score;
        }
    }

    /// The touched documents in document order, so that ranking reads the per-document arrays
    /// front to back. When most of the catalog was touched, walking `seen` beats sorting.
    pub fn in_document_order(&self) -> Vec<u32> {
        if self.touched.len() * 8 > self.seen.len() {
            (0..self.seen.len() as u32)
                .filter(|doc| self.seen[*doc as usize])
                .collect()
        } else {
            let mut sorted = self.touched.clone();
            sorted.sort_unstable();
            sorted
        }
    }
}

/// Where `find` was after the first `terms.len()` terms of a query.
pub(super) struct Progress {
    pub terms: Vec<Term>,
    pub narrowing: Narrowing,
    pub found: Found,
    /// Per indexed word, which of those terms it matches (bit t for term t).
    pub matched_word: Vec<u8>,
}

impl Progress {
    /// Whether a query of `terms`, narrowing by `narrowing`, begins as this one's did.
    fn begins(&self, terms: &[Term], narrowing: Narrowing) -> bool {
        self.narrowing == narrowing && terms.starts_with(&self.terms)
    }
}

/// The last query's progress: before its last term, and after all of them. A letter or a space
/// typed after a word resumes from the first (only the last term changed); a new word's first
/// letter resumes from the second.
#[derive(Default)]
pub(super) struct LastQuery {
    pub before_last: Option<Progress>,
    pub whole: Option<Progress>,
    /// How many searches resumed, for the tests to show that they do.
    #[cfg(test)]
    pub resumed: usize,
}

impl LastQuery {
    /// Whether the progress kept before the last term is where `terms` stands before its own.
    pub fn holds_before_last(&self, terms: &[Term], narrowing: Narrowing) -> bool {
        self.before_last
            .as_ref()
            .is_some_and(|p| p.terms.len() + 1 == terms.len() && p.begins(terms, narrowing))
    }

    /// The furthest kept progress that `terms` continues, laid out for `terms`; with how many
    /// of `terms` it has done.
    pub fn resume(
        &mut self,
        terms: &[Term],
        narrowing: Narrowing,
    ) -> Option<(Found, Vec<u8>, usize)> {
        let continued =
            |progress: &Progress| !progress.terms.is_empty() && progress.begins(terms, narrowing);
        let done = |progress: &Option<Progress>| {
            progress
                .as_ref()
                .filter(|p| continued(p))
                .map(|p| p.terms.len())
        };
        let progress = match (done(&self.whole), done(&self.before_last)) {
            (Some(whole), before) if before.is_none_or(|before| whole >= before) => {
                if whole + 1 == terms.len() {
                    // A new word: the last query, whole, is this one before its last term.
                    // Kept as that, it need not be copied again.
                    self.before_last = self.whole.take();
                    self.before_last.as_ref()
                } else {
                    self.whole.as_ref()
                }
            }
            (_, Some(_)) => self.before_last.as_ref(),
            _ => None,
        }?;
        let done = progress.terms.len();
        let resumed = (
            progress.found.resumed(done, terms.len()),
            progress.matched_word.clone(),
            done,
        );
        #[cfg(test)]
        {
            self.resumed += 1;
        }
        Some(resumed)
    }
}
