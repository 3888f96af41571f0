//! No run may overwrite a file it reads, or write one file twice.
//!
//! Paths are compared by the file they name, not by their spelling:
//! `same.pcap`, `./same.pcap`, `dir/../same.pcap` and a symbolic link to it
//! are one file, and so is a hard link (same device and inode). A file that
//! does not exist yet is named by its canonical directory and its name.

use std::fmt;
use std::path::{Path, PathBuf};

/// Whether `a` and `b` name the same file.
pub fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let (Ok(x), Ok(y)) = (std::fs::metadata(a), std::fs::metadata(b)) {
            return x.dev() == y.dev() && x.ino() == y.ino();
        }
    }
    identity(a) == identity(b)
}

/// The canonical path of `p`, or of its directory joined with its name when
/// it does not exist yet.
fn identity(p: &Path) -> PathBuf {
    if let Ok(c) = p.canonicalize() {
        return c;
    }
    let dir = match p.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    match (dir.canonicalize(), p.file_name()) {
        (Ok(d), Some(name)) => d.join(name),
        _ => p.to_path_buf(),
    }
}

/// Two roles of a run that name the same file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileClash {
    /// The role written (an output), e.g. `--pcap-delivered`.
    pub output: String,
    /// Its path as given.
    pub output_path: PathBuf,
    /// The other role (an input, or another output).
    pub other: String,
    /// Its path as given.
    pub other_path: PathBuf,
}

impl fmt::Display for FileClash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} is the same file as {} {}: it would be overwritten; give {} another file",
            self.output,
            self.output_path.display(),
            self.other,
            self.other_path.display(),
            self.output
        )
    }
}

impl std::error::Error for FileClash {}

/// Checks that no output in `outputs` is the same file as an input or as
/// another output. Each entry is a role (how the user named it) and a path.
pub fn check_distinct(inputs: &[(&str, &Path)], outputs: &[(&str, &Path)]) -> Result<(), FileClash> {
    for (i, &(out, out_path)) in outputs.iter().enumerate() {
        let others = inputs.iter().chain(&outputs[..i]);
        if let Some(&(other, other_path)) = others.into_iter().find(|(_, p)| same_file(out_path, p)) {
            return Err(FileClash {
                output: out.into(),
                output_path: out_path.into(),
                other: other.into(),
                other_path: other_path.into(),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("verinic-paths-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn spellings_of_one_file_are_the_same_file() {
        let d = temp_dir("spell");
        let f = d.join("same.pcap");
        std::fs::write(&f, b"x").unwrap();
        std::fs::create_dir_all(d.join("sub")).unwrap();
        assert!(same_file(&f, &d.join(".").join("same.pcap")));
        assert!(same_file(&f, &d.join("sub").join("..").join("same.pcap")));
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(&f, d.join("link.pcap")).unwrap();
            assert!(same_file(&f, &d.join("link.pcap")));
            std::fs::hard_link(&f, d.join("hard.pcap")).unwrap();
            assert!(same_file(&f, &d.join("hard.pcap")));
        }
        // Not yet existing: by directory and name.
        assert!(same_file(&d.join("new.pcap"), &d.join("sub/../new.pcap")));
        assert!(!same_file(&d.join("new.pcap"), &d.join("other.pcap")));
        assert!(!same_file(&f, &d.join("new.pcap")));
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn clash_names_both_roles() {
        let d = temp_dir("clash");
        let input = d.join("in.pcap");
        std::fs::write(&input, b"x").unwrap();
        let alias = d.join("sub/../in.pcap");
        std::fs::create_dir_all(d.join("sub")).unwrap();
        let e = check_distinct(&[("--pcap-in", &input)], &[("--pcap-delivered", &alias)]).unwrap_err();
        assert_eq!((e.output.as_str(), e.other.as_str()), ("--pcap-delivered", "--pcap-in"));
        assert!(e.to_string().contains("overwritten"), "{e}");
        let out = d.join("out.pcap");
        let e = check_distinct(&[], &[("--pcap-out", &out), ("--waves", &d.join("./out.pcap"))]).unwrap_err();
        assert_eq!(e.other, "--pcap-out");
        assert!(check_distinct(&[("--pcap-in", &input)], &[("--pcap-out", &out)]).is_ok());
        let _ = std::fs::remove_dir_all(&d);
    }
}
