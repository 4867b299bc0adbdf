//! Where things are in a scenario file: turns a key path such as `actor[2].capability` into a
//! line, a column and the source line, using the span-preserving parse of the `toml` crate.

use crate::error::Diagnostic;
use std::fmt;
use toml::de::{DeTable, DeValue};

/// One segment of a key path.
#[derive(Debug, Clone, PartialEq)]
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
}

impl SourceText {
    /// A diagnostic at a byte span of this text.
    pub fn at_span(&self, span: std::ops::Range<usize>, key: &str, message: String) -> Diagnostic {
        if self.cli {
            let col = self.text.find('=').map(|i| i + 2).unwrap_or(1);
            let width = self.text.chars().count().saturating_sub(col - 1).max(1);
            return Diagnostic {
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
            };
        }
        let start = span.start.min(self.text.len());
        let before = &self.text[..start];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
        let col = self.text[line_start..start].chars().count() + 1;
        let line_text = self.text[line_start..]
            .lines()
            .next()
            .unwrap_or("")
            .to_string();
        let end = span.end.min(self.text.len()).max(start);
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

    /// Whether `path` exists in this file.
    pub fn locate(&self, path: &KeyPath) -> bool {
        !self.cli && self.find_exact(path)
    }

    fn find_exact(&self, path: &KeyPath) -> bool {
        let Ok(root) = DeTable::parse(&self.text) else {
            return false;
        };
        let mut table: Option<&DeTable> = Some(root.get_ref());
        for seg in &path.0 {
            let Seg::Key(k) = seg else { return false };
            let Some((_, v)) = table.and_then(|t| {
                t.iter()
                    .find(|(key, _)| key.get_ref().as_ref() == k.as_str())
            }) else {
                return false;
            };
            table = match v.get_ref() {
                DeValue::Table(t) => Some(t),
                _ => None,
            };
        }
        true
    }

    /// Byte span of the value at `path`, or of the deepest existing parent.
    fn find(&self, path: &KeyPath) -> Option<std::ops::Range<usize>> {
        let root = DeTable::parse(&self.text).ok()?;
        let mut table: Option<&DeTable> = Some(root.get_ref());
        let mut value: Option<&toml::Spanned<DeValue>> = None;
        let mut best = None;
        for seg in &path.0 {
            match seg {
                Seg::Key(k) => {
                    let Some((key, v)) = table.and_then(|t| {
                        t.iter()
                            .find(|(key, _)| key.get_ref().as_ref() == k.as_str())
                    }) else {
                        return best;
                    };
                    // Point at the value; an array of tables has no single value, so at its key.
                    best = Some(if matches!(v.get_ref(), DeValue::Array(_)) {
                        key.span()
                    } else {
                        v.span()
                    });
                    value = Some(v);
                }
                Seg::Index(i) => {
                    let Some(DeValue::Array(items)) = value.map(|v| v.get_ref()) else {
                        return best;
                    };
                    let Some(item) = items.get(*i) else {
                        return best;
                    };
                    best = Some(item.span());
                    value = Some(item);
                }
            }
            table = match value.map(|v| v.get_ref()) {
                Some(DeValue::Table(t)) => Some(t),
                _ => None,
            };
        }
        best
    }
}
