//! `diplosim list`: named scenarios with titles.

use crate::error::{Error, Result};
use crate::scenario::Library;

pub fn list(lib: &Library) -> Result<i32> {
    let items = lib.list();
    if items.is_empty() {
        return Err(Error::Usage(format!(
            "no scenarios in {} (run from the repository root, or give --scenarios DIR)",
            lib.dir.display()
        )));
    }
    let width = items.iter().map(|(n, _)| n.len()).max().unwrap_or(0);
    for (name, title) in items {
        println!("{name:width$}  {title}");
    }
    Ok(0)
}
