//! Where things are in a scenario file: turns a key path such as `actor[2].capability` into a
//! line, a column and the source line, using the span-preserving parse of the `toml` crate.

use crate::error::Diagnostic;
use std::collections::HashMap;
use std::fmt;
use std::ops::Range;
use std::sync::OnceLock;
use toml::de::{DeTable, DeValue};

/// One segment of a key path.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Seg {
    Key(String),
    Index(usize),
}

/// A key path inside a file.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct KeyPath(pub Vec<Seg>);

impl KeyPath {
    pub fn key(mut self, k: &str) -> Self {
        self.0.push(Seg::Key(k.to_string()));
        self
    }
    pub fn index(mut self, i: usize) -> Self {
        self.0.push(Seg::Index(i));
        self
    }
    pub fn root(k: &str) -> Self {
        KeyPath::default().key(k)
    }
}

impl fmt::Display for KeyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, s) in self.0.iter().enumerate() {
            match s {
                Seg::Key(k) if i == 0 => write!(f, "{k}")?,
                Seg::Key(k) => write!(f, ".{k}")?,
                Seg::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// The text of one input: a scenario file, or a `--set KEY=VALUE` override.
#[derive(Debug, Clone)]
pub struct SourceText {
    /// Shown in messages: the path as the user gave it, or `--set`.
    pub display: String,
    pub text: String,
    /// A `--set` override: messages point at the value in `KEY=VALUE`.
    pub cli: bool,
    /// Built once, on the first diagnostic: line starts and the span of every key path.
    index: OnceLock<Index>,
}

/// Where everything is in a file, built in one pass so that locating N diagnostics costs
/// O(file + N) rather than O(file × N).
#[derive(Debug, Clone, Default)]
struct Index {
    /// Byte offset of the start of each line.
    lines: Vec<usize>,
    /// The span to point at for each key path: its value, or its key for an array of tables.
    spans: HashMap<Vec<Seg>, Range<usize>>,
}

/// Paths deeper than this are not indexed (no scenario key is deeper than 4).
const MAX_INDEX_DEPTH: usize = 16;

impl Index {
    fn build(text: &str) -> Index {
        let mut lines = vec![0];
        lines.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        let mut spans = HashMap::new();
        if let Ok(root) = DeTable::parse(text) {
            let mut prefix = Vec::new();
            index_table(root.get_ref(), &mut prefix, &mut spans);
        }
        Index { lines, spans }
    }
}

fn index_table(t: &DeTable, prefix: &mut Vec<Seg>, spans: &mut HashMap<Vec<Seg>, Range<usize>>) {
    if prefix.len() >= MAX_INDEX_DEPTH {
        return;
    }
    for (k, v) in t.iter() {
        prefix.push(Seg::Key(k.get_ref().as_ref().to_string()));
        // Point at the value; an array of tables has no single value, so at its key.
        let span = if matches!(v.get_ref(), DeValue::Array(_)) {
            k.span()
        } else {
            v.span()
        };
        spans.insert(prefix.clone(), span);
        index_value(v.get_ref(), prefix, spans);
        prefix.pop();
    }
}

fn index_value(v: &DeValue, prefix: &mut Vec<Seg>, spans: &mut HashMap<Vec<Seg>, Range<usize>>) {
    if prefix.len() >= MAX_INDEX_DEPTH {
        return;
    }
    match v {
        DeValue::Table(t) => index_table(t, prefix, spans),
        DeValue::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                prefix.push(Seg::Index(i));
                spans.insert(prefix.clone(), item.span());
                index_value(item.get_ref(), prefix, spans);
                prefix.pop();
            }
        }
        _ => {}
    }
}

impl SourceText {
    /// The text of a file (or, with `cli`, of one `--set` override) shown as `display`.
    pub fn new(display: impl Into<String>, text: impl Into<String>, cli: bool) -> SourceText {
        SourceText {
            display: display.into(),
            text: text.into(),
            cli,
            index: OnceLock::new(),
        }
    }

    fn index(&self) -> &Index {
        self.index.get_or_init(|| Index::build(&self.text))
    }

    /// A diagnostic at a byte span of this text.
    pub fn at_span(&self, span: Range<usize>, key: &str, message: String) -> Diagnostic {
        if self.cli {
            return self.at_cli(key, message);
        }
        let mut start = span.start.min(self.text.len());
        while !self.text.is_char_boundary(start) {
            start -= 1;
        }
        let lines = &self.index().lines;
        let line = lines.partition_point(|&s| s <= start).max(1);
        let line_start = lines[line - 1];
        let col = self.text[line_start..start].chars().count() + 1;
        let line_text = self.text[line_start..]
            .lines()
            .next()
            .unwrap_or("")
            .to_string();
        let mut end = span.end.min(self.text.len()).max(start);
        while !self.text.is_char_boundary(end) {
            end -= 1;
        }
        let width = self.text[start..end]
            .lines()
            .next()
            .map(|l| l.chars().count())
            .unwrap_or(1)
            .max(1);
        Diagnostic {
            file: self.display.clone(),
            line,
            col,
            key: key.to_string(),
            message,
            snippet: Some(line_text),
            width,
            help: None,
            warning: false,
        }
    }

    /// A diagnostic on a `--set KEY=VALUE` override: at the value.
    fn at_cli(&self, key: &str, message: String) -> Diagnostic {
        let col = self.text.find('=').map(|i| i + 2).unwrap_or(1);
        let width = self.text.chars().count().saturating_sub(col - 1).max(1);
        Diagnostic {
            file: self.display.clone(),
            line: 1,
            col,
            // The key as the user typed it, not the path inside the generated patch.
            key: self
                .text
                .split('=')
                .next()
                .unwrap_or(key)
                .trim()
                .to_string(),
            message,
            snippet: Some(self.text.clone()),
            width,
            help: None,
            warning: false,
        }
    }

    /// A diagnostic at a key path; where the key itself is absent, at the nearest enclosing item.
    pub fn at(&self, path: &KeyPath, message: impl Into<String>) -> Diagnostic {
        let span = if self.cli {
            Some(0..0)
        } else {
            self.find(path)
        };
        match span {
            Some(span) => self.at_span(span, &path.to_string(), message.into()),
            None => Diagnostic {
                file: self.display.clone(),
                line: 0,
                col: 0,
                key: path.to_string(),
                message: message.into(),
                snippet: None,
                width: 1,
                help: None,
                warning: false,
            },
        }
    }

    /// Whether `path` (keys only, through tables) exists in this file.
    pub fn locate(&self, path: &KeyPath) -> bool {
        !self.cli
            && path.0.iter().all(|s| matches!(s, Seg::Key(_)))
            && self.index().spans.contains_key(path.0.as_slice())
    }

    /// Byte span of the value at `path`, or of the deepest existing parent.
    fn find(&self, path: &KeyPath) -> Option<Range<usize>> {
        let spans = &self.index().spans;
        (1..=path.0.len())
            .rev()
            .find_map(|n| spans.get(&path.0[..n]).cloned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_point_at_values_keys_of_arrays_and_nearest_parents() {
        let src = SourceText::new(
            "a.toml",
            "[scenario]\ntitle = \"x\"\n\n[[actor]]\nid = \"a\"\n\n[[actor]]\nid = \"b\"\n",
            false,
        );
        let d = src.at(&KeyPath::root("actor").index(1).key("id"), "m");
        assert_eq!((d.line, d.col), (8, 6));
        let d = src.at(&KeyPath::root("actor").index(1).key("nope"), "m");
        assert_eq!(d.line, 7, "the enclosing table");
        let d = src.at(&KeyPath::root("actor"), "m");
        assert_eq!((d.line, d.col), (4, 3), "the key of the array of tables");
        assert!(src.locate(&KeyPath::root("scenario").key("title")));
        assert!(!src.locate(&KeyPath::root("scenario").key("steps")));
        let d = src.at(&KeyPath::root("model"), "m");
        assert_eq!(d.line, 0, "nowhere in the file");
    }
}
