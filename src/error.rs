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
        let file = terminal_text(&self.file, MAX_TEXT);
        if self.line > 0 {
            write!(f, "{level}: {file}:{}:{}: ", self.line, self.col)?;
        } else {
            write!(f, "{level}: {file}: ")?;
        }
        let message = terminal_text(&self.message, MAX_TEXT);
        if self.key.is_empty() {
            writeln!(f, "{message}")?;
        } else {
            writeln!(f, "key `{}`: {message}", terminal_text(&self.key, 200))?;
        }
        if let Some(text) = &self.snippet {
            let (shown, lead, width) = snippet_window(text, self.col, self.width);
            let num = self.line.to_string();
            let pad = " ".repeat(num.len());
            writeln!(f, "{pad} |")?;
            writeln!(f, "{num} | {shown}")?;
            writeln!(f, "{pad} | {lead}{}", "^".repeat(width.max(1)))?;
        }
        if let Some(help) = &self.help {
            writeln!(f, "  = help: {}", terminal_text(help, MAX_TEXT))?;
        }
        Ok(())
    }
}

/// Longest message or help text printed, in characters.
const MAX_TEXT: usize = 1000;
/// Widest source line printed under a diagnostic, in characters.
const MAX_SNIPPET: usize = 120;
/// Most diagnostics printed for one error; the rest are counted.
pub const MAX_SHOWN: usize = 50;

/// Whether `c` is an invisible formatting character (Unicode general category Cf): bidirectional
/// overrides and isolates (U+202A–U+202E, U+2066–U+2069) that reorder what a terminal shows,
/// zero-width spaces and joiners, the byte-order mark, tag characters. Refused in scenario text
/// like control characters, and escaped when printed.
pub fn is_invisible_format(c: char) -> bool {
    matches!(c as u32,
        0x00AD | 0x0600..=0x0605 | 0x061C | 0x06DD | 0x070F | 0x0890..=0x0891 | 0x08E2 | 0x180E
        | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2064 | 0x2066..=0x206F | 0xFEFF
        | 0xFFF9..=0xFFFB | 0x110BD | 0x110CD | 0x13430..=0x1343F | 0x1BCA0..=0x1BCA3
        | 0x1D173..=0x1D17A | 0xE0001 | 0xE0020..=0xE007F)
}

/// One character as it may reach a terminal: control characters (escape sequences, bells,
/// carriage returns) and invisible formatting characters as `\u{1b}`; others (tabs included) as
/// they are.
fn escape_char(c: char, out: &mut String) {
    if (c.is_control() && c != '\t') || is_invisible_format(c) {
        out.extend(c.escape_unicode());
    } else {
        out.push(c);
    }
}

/// Text from a file made safe to print: control characters but newlines escaped, at most `max`
/// characters, then how many more there were.
pub fn terminal_text(s: &str, max: usize) -> String {
    let mut out = String::new();
    for (n, c) in s.chars().enumerate() {
        if n == max {
            let rest = s.chars().count() - n;
            out.push_str(&format!("… ({rest} more characters)"));
            break;
        }
        if c == '\n' {
            out.push('\n');
        } else {
            escape_char(c, &mut out);
        }
    }
    out
}

/// The part of a source line printed under a diagnostic — escaped, and cut to a window around
/// the caret when long — with the caret's lead (spaces, tabs kept) and width.
fn snippet_window(text: &str, col: usize, width: usize) -> (String, String, usize) {
    let chars: Vec<char> = text.chars().collect();
    let at = col.saturating_sub(1).min(chars.len());
    let (from, to) = if chars.len() <= MAX_SNIPPET {
        (0, chars.len())
    } else {
        let from = at.saturating_sub(MAX_SNIPPET / 3);
        (from, (from + MAX_SNIPPET).min(chars.len()))
    };
    let mut shown = String::new();
    let mut lead = String::new();
    if from > 0 {
        shown.push('…');
        lead.push(' ');
    }
    for (i, &c) in chars[from..to].iter().enumerate() {
        let before = shown.chars().count();
        escape_char(c, &mut shown);
        if from + i < at {
            let w = shown.chars().count() - before;
            lead.extend(std::iter::repeat_n(if c == '\t' { '\t' } else { ' ' }, w));
        }
    }
    if to < chars.len() {
        shown.push('…');
    }
    let width = width.min(to.saturating_sub(at).max(1));
    (shown, lead, width)
}

/// Warnings as printed: at most [`MAX_SHOWN`], then how many more.
pub fn render_warnings(ws: &[Diagnostic]) -> String {
    let mut s = String::new();
    for w in ws.iter().take(MAX_SHOWN) {
        s.push_str(&w.to_string());
    }
    if ws.len() > MAX_SHOWN {
        s.push_str(&format!(
            "… and {} more warnings not shown\n",
            ws.len() - MAX_SHOWN
        ));
    }
    s
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
    for d in sorted.iter().take(MAX_SHOWN) {
        s.push_str(&d.to_string());
    }
    if sorted.len() > MAX_SHOWN {
        let more = sorted.len() - MAX_SHOWN;
        s.push_str(&format!(
            "… and {more} more problems not shown (the first {MAX_SHOWN} are above)\n"
        ));
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
