//! Typed errors. A [`Diagnostic`] names the file, line, column and key the user must fix and,
//! where the text is at hand, renders the source line with a caret.

use std::fmt;
use std::path::PathBuf;

/// One problem in a scenario (or a `--set` override), located.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    /// File path as given by the user, or `--set` for a command-line override.
    pub file: String,
    /// 1-based line; 0 when the problem has no place in a file.
    pub line: usize,
    /// 1-based column (in characters).
    pub col: usize,
    /// Dotted key, e.g. `actor[2].capability` (`actor[2]` is the third `[[actor]]`).
    pub key: String,
    pub message: String,
    /// The source line, for the caret display.
    pub snippet: Option<String>,
    /// Width of the caret underline.
    pub width: usize,
    /// A suggested fix.
    pub help: Option<String>,
    /// Warnings do not stop a run.
    pub warning: bool,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = if self.warning { "warning" } else { "error" };
        if self.line > 0 {
            write!(f, "{level}: {}:{}:{}: ", self.file, self.line, self.col)?;
        } else {
            write!(f, "{level}: {}: ", self.file)?;
        }
        if self.key.is_empty() {
            writeln!(f, "{}", self.message)?;
        } else {
            writeln!(f, "key `{}`: {}", self.key, self.message)?;
        }
        if let Some(text) = &self.snippet {
            let num = self.line.to_string();
            let pad = " ".repeat(num.len());
            writeln!(f, "{pad} |")?;
            writeln!(f, "{num} | {text}")?;
            let lead: String = text
                .chars()
                .take(self.col.saturating_sub(1))
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            writeln!(f, "{pad} | {lead}{}", "^".repeat(self.width.max(1)))?;
        }
        if let Some(help) = &self.help {
            writeln!(f, "  = help: {help}")?;
        }
        Ok(())
    }
}

/// Errors of the library.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// One or more problems in scenario input (exit code 2).
    #[error("{}", render(.0))]
    Invalid(Vec<Diagnostic>),
    /// A bad command-line value that is not a scenario key (exit code 2).
    #[error("{0}")]
    Usage(String),
    /// A file could not be read (exit code 2: the input path is bad).
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A result could not be written (exit code 1).
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    /// Anything else that fails while running (exit code 1).
    #[error("{0}")]
    Run(String),
    /// Stopped by Ctrl-C; nothing was written (exit code 130).
    #[error("interrupted: no output was written")]
    Interrupted,
}

fn render(diags: &[Diagnostic]) -> String {
    // Errors in file order, then line and column, so a long report reads top to bottom.
    let mut sorted: Vec<&Diagnostic> = diags.iter().collect();
    sorted.sort_by(|a, b| (&a.file, a.line, a.col).cmp(&(&b.file, b.line, b.col)));
    let mut s = String::new();
    for d in sorted {
        s.push_str(&d.to_string());
    }
    let errors = diags.iter().filter(|d| !d.warning).count();
    if errors > 1 {
        s.push_str(&format!("{errors} errors\n"));
    }
    s.trim_end().to_string()
}

impl Error {
    /// Process exit code: 2 for bad input, 1 for failures while running.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Invalid(_) | Error::Usage(_) | Error::Read { .. } => 2,
            Error::Write { .. } | Error::Run(_) => 1,
            Error::Interrupted => 130,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The closest candidate within a small edit distance, for "did you mean" hints.
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        // Optimal string alignment: an adjacent transposition is one edit, so `chian` is one
        // edit from `china`.
        let d = strsim::osa_distance(word, c);
        let limit = (word.len().max(c.len()) / 3).max(1);
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_near_names_only() {
        assert_eq!(
            suggest("chian", ["china", "russia", "japan"]),
            Some("china")
        );
        assert_eq!(
            suggest("capabilty", ["capability", "salience"]),
            Some("capability")
        );
        assert_eq!(suggest("zzz", ["china", "russia"]), None);
        assert_eq!(strsim::osa_distance("kitten", "sitting"), 3);
        assert_eq!(strsim::osa_distance("chian", "china"), 1);
    }

    #[test]
    fn caret_points_at_the_column() {
        let d = Diagnostic {
            file: "a.toml".into(),
            line: 3,
            col: 14,
            key: "actor[0].capability".into(),
            message: "must be in (0, 1], got 1.5".into(),
            snippet: Some("capability = 1.5".into()),
            width: 3,
            help: None,
            warning: false,
        };
        let text = d.to_string();
        assert!(text.starts_with(
            "error: a.toml:3:14: key `actor[0].capability`: must be in (0, 1], got 1.5\n"
        ));
        assert!(
            text.contains("3 | capability = 1.5\n  |              ^^^\n"),
            "{text}"
        );
    }
}
