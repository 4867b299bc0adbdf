//! Output folders written safely. A command writes into a hidden staging folder
//! `.<name>.partial-<pid>/` beside its destination and moves it into place only when complete;
//! the destination is locked meanwhile, so two commands writing the same folder cannot both
//! succeed; the old folder is replaced only after the new one is in, and only when it holds a
//! diplosim output. Staging folders of processes that no longer exist are removed by the next
//! command that writes beside them, and [`abandon_all`] removes the live ones when a signal stops
//! the process.

use crate::error::{Error, Result};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// What a signal must remove: every staging folder, lock and freshly created parent still live.
#[derive(Default)]
struct Live {
    next: u64,
    items: Vec<(u64, Leftovers)>,
}

/// The paths one [`Staging`] would leave behind if the process stopped now.
#[derive(Default, Clone)]
struct Leftovers {
    tmp: Option<PathBuf>,
    lock: Option<PathBuf>,
    /// Parents created for the destination, outermost first.
    created: Vec<PathBuf>,
}

impl Leftovers {
    /// Remove them all (best effort): the staging folder, the lock file, then the parents the
    /// command created if they are empty, innermost first.
    fn remove(&self) {
        if let Some(t) = &self.tmp {
            let _ = std::fs::remove_dir_all(t);
        }
        if let Some(l) = &self.lock {
            let _ = std::fs::remove_file(l);
        }
        for d in self.created.iter().rev() {
            let _ = std::fs::remove_dir(d);
        }
    }
}

static LIVE: Mutex<Live> = Mutex::new(Live {
    next: 0,
    items: Vec::new(),
});

fn live() -> std::sync::MutexGuard<'static, Live> {
    LIVE.lock().unwrap_or_else(|e| e.into_inner())
}

/// Remove every staging folder, lock and created parent of this process. Called by the signal
/// handler before it exits; a commit in progress finishes first (it holds the same lock), and
/// none starts afterwards, since the caller exits while holding nothing else.
pub fn abandon_all() {
    let mut g = live();
    for (_, l) in g.items.drain(..) {
        l.remove();
    }
    // Hold the registry until the process exits: no commit may start after this point.
    std::mem::forget(g);
}

/// A folder being written; [`Staging::commit`] moves it to its final place, dropping it removes it.
pub struct Staging {
    pub tmp: PathBuf,
    dest: PathBuf,
    id: u64,
    left: Leftovers,
    lock: Option<DirLock>,
    done: bool,
    /// Which tables go in: CSV, Parquet copies made at commit, or both.
    format: super::parquet::Format,
}

impl Staging {
    /// Prepare to write `dest`. With `replace`, an existing `dest` that holds a diplosim output
    /// is replaced at commit; without it, a non-empty `dest` is refused now. A `dest` that is a
    /// file, a symbolic link, the current folder (or contains it), or lies under a file is refused.
    pub fn new(dest: &Path, replace: bool) -> Result<Staging> {
        check_shape(dest)?;
        let parent = parent_of(dest);
        let name = dest
            .file_name()
            .and_then(|s| s.to_str())
            .unwrap_or("out")
            .to_string();
        let id = {
            let mut g = live();
            g.next += 1;
            let id = g.next;
            g.items.push((id, Leftovers::default()));
            id
        };
        let mut st = Staging {
            tmp: parent.join(format!(".{name}.partial-{}", std::process::id())),
            dest: dest.to_path_buf(),
            id,
            left: Leftovers::default(),
            lock: None,
            done: false,
            format: super::parquet::Format::Csv,
        };
        st.left.created = create_parents(&parent)?;
        st.publish();
        let lock_path = parent.join(format!(".{name}.lock"));
        st.lock = Some(DirLock::acquire(&lock_path, dest)?);
        st.left.lock = Some(lock_path);
        st.publish();
        check_contents(dest, replace)?;
        clean_stale(&parent);
        st.left.tmp = Some(st.tmp.clone());
        st.publish();
        if st.tmp.exists() {
            let _ = std::fs::remove_dir_all(&st.tmp);
        }
        std::fs::create_dir(&st.tmp).map_err(|e| Error::Write {
            path: st.tmp.clone(),
            source: e,
        })?;
        Ok(st)
    }

    /// Copy this staging's leftovers into the registry the signal handler reads.
    fn publish(&self) {
        let mut g = live();
        if let Some((_, l)) = g.items.iter_mut().find(|(i, _)| *i == self.id) {
            *l = self.left.clone();
        }
    }

    /// Path of a file inside the staging folder.
    pub fn file(&self, name: &str) -> PathBuf {
        self.tmp.join(name)
    }

    /// Write a whole file.
    pub fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> Result<()> {
        let p = self.file(name);
        std::fs::write(&p, bytes).map_err(|e| Error::Write { path: p, source: e })
    }

    /// Write the tables as `format` says at commit ([`super::parquet::convert_folder`]).
    pub fn with_format(mut self, format: super::parquet::Format) -> Staging {
        self.format = format;
        self
    }

    /// Move into place (after the Parquet copies `with_format` asks for): the files are synced, then the new folder goes in and only then is the
    /// old one (if any) removed; if the move fails the old folder is left as it was.
    pub fn commit(mut self) -> Result<PathBuf> {
        super::parquet::convert_folder(&self.tmp, self.format)?;
        sync_tree(&self.tmp).map_err(|e| Error::Write {
            path: self.tmp.clone(),
            source: e,
        })?;
        let g = live();
        let old = swap_in(&self.tmp, &self.dest)?;
        self.done = true;
        drop(g);
        if let Ok(d) = File::open(parent_of(&self.dest)) {
            let _ = d.sync_all();
        }
        if let Some(old) = old {
            remove_replaced(&old, &self.dest)?;
        }
        Ok(self.dest.clone())
    }
}

/// Remove the folder `--force` replaced (now at `old`); if it cannot be removed (another user's
/// files in a shared folder), say so, with where it is left, as a failure (exit 1): the new
/// results are already in place at `dest`.
fn remove_replaced(old: &Path, dest: &Path) -> Result<()> {
    match std::fs::remove_dir_all(old) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::Run(format!(
            "the results are in {}, but the folder they replaced could not be removed ({e}): it is left at {}; remove it by hand",
            dest.display(),
            old.display()
        ))),
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        let mut g = live();
        g.items.retain(|(i, _)| *i != self.id);
        drop(g);
        if !self.done {
            let _ = std::fs::remove_dir_all(&self.tmp);
        }
        if let Some(l) = self.lock.take() {
            l.release();
        }
        if !self.done {
            for d in self.left.created.iter().rev() {
                let _ = std::fs::remove_dir(d);
            }
        }
    }
}

/// The folder `dest` is written beside (`.` for a bare name).
fn parent_of(dest: &Path) -> PathBuf {
    dest.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf()
}

/// `dest` must be (or become) a plain folder that is not the current folder nor contains it.
fn check_shape(dest: &Path) -> Result<()> {
    let shown = dest.display();
    if let Ok(md) = std::fs::symlink_metadata(dest) {
        if md.file_type().is_symlink() {
            let what = if dest.exists() { "" } else { " to nothing" };
            return Err(Error::Usage(format!(
                "output folder {shown} is a symbolic link{what}: give a real folder as --out"
            )));
        }
        if !md.is_dir() {
            return Err(Error::Usage(format!(
                "output folder {shown} is a file, not a folder: choose another --out"
            )));
        }
        let here = std::env::current_dir().and_then(|c| c.canonicalize());
        if let (Ok(here), Ok(d)) = (here, dest.canonicalize()) {
            if here.starts_with(&d) {
                return Err(Error::Usage(format!(
                    "output folder {shown} is the current folder or contains it: choose a folder below it as --out"
                )));
            }
        }
    }
    Ok(())
}

/// Create the missing parents of an output folder; returns those created, outermost first.
fn create_parents(parent: &Path) -> Result<Vec<PathBuf>> {
    let mut missing = Vec::new();
    let mut p = Some(parent);
    while let Some(d) = p.filter(|d| !d.as_os_str().is_empty()) {
        if std::fs::symlink_metadata(d).is_ok() {
            break;
        }
        missing.push(d.to_path_buf());
        p = d.parent();
    }
    missing.reverse();
    let mut created = Vec::new();
    for d in &missing {
        if let Err(e) = std::fs::create_dir(d) {
            for c in created.iter().rev() {
                let _ = std::fs::remove_dir(c);
            }
            return Err(bad_parent(parent, e));
        }
        created.push(d.clone());
    }
    if !parent.is_dir() {
        return Err(bad_parent(
            parent,
            std::io::Error::from(std::io::ErrorKind::NotADirectory),
        ));
    }
    Ok(created)
}

/// The --out path cannot have a folder made for it (a parent is a file, a dangling link, ...).
fn bad_parent(parent: &Path, e: std::io::Error) -> Error {
    let why = match e.kind() {
        std::io::ErrorKind::NotADirectory | std::io::ErrorKind::AlreadyExists => {
            "a part of the path is a file or a link to nothing".to_string()
        }
        _ => e.to_string(),
    };
    Error::Usage(format!(
        "cannot create output folder {}: {why}: choose another --out",
        parent.display()
    ))
}

/// With the lock held: a non-empty `dest` is refused unless replacing, and replaced only when it
/// holds a diplosim output.
fn check_contents(dest: &Path, replace: bool) -> Result<()> {
    let Ok(mut entries) = std::fs::read_dir(dest) else {
        return Ok(());
    };
    if entries.next().is_none() {
        return Ok(());
    }
    if !replace {
        return Err(Error::Usage(format!(
            "output folder {} exists and is not empty: choose another --out or add --force to replace it",
            dest.display()
        )));
    }
    if !is_output(dest) {
        return Err(Error::Usage(format!(
            "output folder {} does not hold a diplosim output (no manifest.json, scenario.resolved.toml or comparison.csv): --force replaces only a folder diplosim wrote; choose another --out",
            dest.display()
        )));
    }
    Ok(())
}

/// Whether `dir` holds what a diplosim command writes.
pub fn is_output(dir: &Path) -> bool {
    ["scenario.resolved.toml", "comparison.csv"]
        .iter()
        .any(|f| dir.join(f).is_file())
        || std::fs::read_to_string(dir.join("manifest.json"))
            .is_ok_and(|t| t.contains("\"tool\": \"diplosim\""))
}

/// Put `tmp` at `dest`; returns where the old folder now is, for removal.
fn swap_in(tmp: &Path, dest: &Path) -> Result<Option<PathBuf>> {
    let werr = |e| Error::Write {
        path: dest.to_path_buf(),
        source: e,
    };
    if std::fs::symlink_metadata(dest).is_err() {
        std::fs::rename(tmp, dest).map_err(werr)?;
        return Ok(None);
    }
    if exchange(tmp, dest).is_ok() {
        return Ok(Some(tmp.to_path_buf()));
    }
    let name = dest.file_name().and_then(|s| s.to_str()).unwrap_or("out");
    let old = parent_of(dest).join(format!(".{name}.old-{}", std::process::id()));
    std::fs::rename(dest, &old).map_err(werr)?;
    if let Err(e) = std::fs::rename(tmp, dest) {
        let _ = std::fs::rename(&old, dest);
        return Err(werr(e));
    }
    Ok(Some(old))
}

/// Swap two paths atomically (Linux `renameat2(RENAME_EXCHANGE)`).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let ca = CString::new(a.as_os_str().as_bytes())?;
    let cb = CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: two valid NUL-terminated paths relative to the current directory.
    let r = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            ca.as_ptr(),
            libc::AT_FDCWD,
            cb.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<()> {
    Err(std::io::ErrorKind::Unsupported.into())
}

/// fsync every file and folder under `dir`, so that what is moved into place is on disk.
fn sync_tree(dir: &Path) -> std::io::Result<()> {
    for e in std::fs::read_dir(dir)? {
        let e = e?;
        if e.file_type()?.is_dir() {
            sync_tree(&e.path())?;
        } else {
            File::open(e.path())?.sync_all()?;
        }
    }
    File::open(dir)?.sync_all()
}

/// Remove `.<name>.partial-<pid>` and `.<name>.old-<pid>` folders in `parent` whose process is gone.
pub fn clean_stale(parent: &Path) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    let me = std::process::id();
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(pid) = stale_pid(&name) else {
            continue;
        };
        if pid != me && !pid_alive(pid) && e.file_type().is_ok_and(|t| t.is_dir()) {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

/// The pid in a staging folder's name, `.<name>.partial-<pid>` or `.<name>.old-<pid>`.
fn stale_pid(name: &str) -> Option<u32> {
    let rest = name.strip_prefix('.')?;
    let (_, pid) = rest
        .rsplit_once(".partial-")
        .or_else(|| rest.rsplit_once(".old-"))?;
    pid.parse().ok()
}

/// Whether a process with this id exists (kill with signal 0 sends nothing).
fn pid_alive(pid: u32) -> bool {
    let Ok(p) = libc::pid_t::try_from(pid) else {
        return false;
    };
    // SAFETY: signal 0 only checks that the process exists and may be signalled.
    let r = unsafe { libc::kill(p, 0) };
    r == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

/// An exclusive lock on an output folder: `flock` on `.<name>.lock` beside it, removed on release.
struct DirLock {
    file: File,
    path: PathBuf,
}

impl DirLock {
    /// Take the lock, or fail at once if another command holds it.
    fn acquire(path: &Path, dest: &Path) -> Result<DirLock> {
        use std::os::unix::fs::MetadataExt;
        use std::os::unix::io::AsRawFd;
        for _ in 0..100 {
            let file = std::fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(path)
                .map_err(|e| Error::Write {
                    path: path.to_path_buf(),
                    source: e,
                })?;
            // SAFETY: a valid open descriptor.
            if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
                return Err(Error::Run(format!(
                    "output folder {} is being written by another diplosim command: wait for it or choose another --out",
                    dest.display()
                )));
            }
            // The holder before us may have removed the file after we opened it: retry then.
            let same = match (file.metadata(), std::fs::metadata(path)) {
                (Ok(a), Ok(b)) => a.ino() == b.ino() && a.dev() == b.dev(),
                _ => false,
            };
            if same {
                return Ok(DirLock {
                    file,
                    path: path.to_path_buf(),
                });
            }
        }
        Err(Error::Run(format!(
            "cannot lock output folder {}",
            dest.display()
        )))
    }

    /// Remove the lock file, then unlock (closing the file).
    fn release(self) {
        let _ = std::fs::remove_file(&self.path);
        drop(self.file);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn f09_a_replaced_folder_that_cannot_be_removed_is_reported() {
        // remove_dir_all fails on a regular file, as it does on another user's folder: the
        // failure is an error that says where the old results are left.
        let t = tempfile::tempdir().unwrap();
        let old = t.path().join(".out.old-1");
        std::fs::write(&old, "not a folder").unwrap();
        let e = remove_replaced(&old, &t.path().join("out")).unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("could not be removed") && msg.contains(".out.old-1"),
            "{msg}"
        );
        assert_eq!(e.exit_code(), 1);
        // Already gone is fine.
        assert!(remove_replaced(&t.path().join("gone"), &t.path().join("out")).is_ok());
    }

    #[test]
    fn stale_names_carry_their_pid() {
        assert_eq!(stale_pid(".seed-1.partial-123"), Some(123));
        assert_eq!(stale_pid(".seed-1.old-9"), Some(9));
        assert_eq!(stale_pid("seed-1.partial-9"), None);
        assert_eq!(stale_pid(".seed-1.lock"), None);
        assert!(pid_alive(std::process::id()));
    }

    #[test]
    fn replacing_keeps_the_new_folder_and_removes_the_old() {
        let t = tempfile::tempdir().unwrap();
        let dest = t.path().join("out");
        let s = Staging::new(&dest, false).unwrap();
        s.write("scenario.resolved.toml", "a").unwrap();
        s.commit().unwrap();
        let s = Staging::new(&dest, true).unwrap();
        s.write("scenario.resolved.toml", "b").unwrap();
        s.commit().unwrap();
        let left: Vec<_> = std::fs::read_dir(t.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "only the output folder remains");
        assert_eq!(
            std::fs::read_to_string(dest.join("scenario.resolved.toml")).unwrap(),
            "b"
        );
    }

    #[test]
    fn an_abandoned_folder_leaves_nothing_not_even_its_parents() {
        let t = tempfile::tempdir().unwrap();
        let s = Staging::new(&t.path().join("a").join("b").join("out"), false).unwrap();
        s.write("x.csv", "1").unwrap();
        drop(s);
        assert_eq!(std::fs::read_dir(t.path()).unwrap().count(), 0);
    }

    #[test]
    fn a_locked_folder_is_refused() {
        let t = tempfile::tempdir().unwrap();
        let dest = t.path().join("out");
        let a = Staging::new(&dest, true).unwrap();
        let b = Staging::new(&dest, true);
        assert!(b.is_err());
        drop(a);
        assert!(Staging::new(&dest, true).is_ok());
    }
}
