//! Reading what the user names: scenarios, workflows, tokens (`@FILE`, `@-`), state files,
//! shard reports. Each must be a regular file, checked without blocking before a byte is
//! read (a FIFO is opened non-blocking, so an `open` that would wait for a writer returns at
//! once), and each kind has a size cap. So a FIFO, a device such as `/dev/zero`, a folder or
//! a huge file is a clear error naming the file, not a hang or an out-of-memory kill.
//! A UTF-8 byte order mark is dropped.

use std::io::Read;
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use super::text;

/// One kind of input and its size cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kind {
    /// What it is, for messages (`scenario`, `token file`).
    pub what: &'static str,
    /// Its largest size in bytes.
    pub cap: u64,
}

const MIB: u64 = 1 << 20;

/// A scenario file.
pub const SCENARIO: Kind = Kind {
    what: "scenario",
    cap: 64 * MIB,
};
/// A workflow file (a scenario's `workflow_file` or `equivalent_to`, or `harness run`'s).
pub const WORKFLOW: Kind = Kind {
    what: "workflow",
    cap: 64 * MIB,
};
/// A replay token (`@FILE` or `@-`).
pub const TOKEN: Kind = Kind {
    what: "token file",
    cap: MIB,
};
/// `harness run --state-file`.
pub const STATE: Kind = Kind {
    what: "state file",
    cap: 64 * MIB,
};
/// A shard's `report.json` (`harness report merge`): a scenario's tally holds at most
/// 100,000 fingerprints, a few hundred bytes each.
pub const REPORT: Kind = Kind {
    what: "shard report",
    cap: 256 * MIB,
};
/// A `Cargo.toml` looked at to find the project root.
pub const MANIFEST: Kind = Kind {
    what: "manifest",
    cap: MIB,
};

/// Why an input could not be read.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// It could not be opened or read.
    #[error("read {} {}: {source}", kind.what, text::path(path))]
    Io {
        /// What it is.
        kind: Kind,
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// A FIFO, a device, a socket or a folder.
    #[error("read {} {}: it is {found}, not a regular file", kind.what, text::path(path))]
    NotAFile {
        /// What it is.
        kind: Kind,
        /// The file.
        path: PathBuf,
        /// What it is instead (`a FIFO`).
        found: &'static str,
    },
    /// Larger than its cap.
    #[error(
        "read {} {}: it is larger than {}, the cap for a {}",
        kind.what, text::path(path), size(kind.cap), kind.what
    )]
    TooLarge {
        /// What it is.
        kind: Kind,
        /// The file.
        path: PathBuf,
    },
    /// Not UTF-8.
    #[error(
        "read {} {}: it is not UTF-8 text (an invalid byte at offset {at})",
        kind.what, text::path(path)
    )]
    NotText {
        /// What it is.
        kind: Kind,
        /// The file.
        path: PathBuf,
        /// The offset of the first invalid byte.
        at: usize,
    },
}

/// `64 MiB`, `1 MiB`.
pub fn size(bytes: u64) -> String {
    if bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else {
        format!("{bytes} bytes")
    }
}

/// Reads `path` as text: a regular file of at most `kind.cap` bytes.
pub fn read_text(path: &Path, kind: Kind) -> Result<String, InputError> {
    let io = |source| InputError::Io {
        kind,
        path: path.to_path_buf(),
        source,
    };
    // Non-blocking: opening a FIFO for reading would otherwise wait for a writer. O_NOCTTY:
    // naming a terminal must not make it this process's controlling terminal.
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
        .map_err(io)?;
    let meta = file.metadata().map_err(io)?;
    let file_type = meta.file_type();
    let found = if file_type.is_dir() {
        Some("a folder")
    } else if file_type.is_fifo() {
        Some("a FIFO")
    } else if file_type.is_char_device() {
        Some("a character device")
    } else if file_type.is_block_device() {
        Some("a block device")
    } else if file_type.is_socket() {
        Some("a socket")
    } else if !file_type.is_file() {
        Some("not a file")
    } else {
        None
    };
    if let Some(found) = found {
        return Err(InputError::NotAFile {
            kind,
            path: path.to_path_buf(),
            found,
        });
    }
    if meta.len() > kind.cap {
        return Err(InputError::TooLarge {
            kind,
            path: path.to_path_buf(),
        });
    }
    bounded(file, path, kind)
}

/// Reads standard input (`@-`) as text, under the same cap as a file of `kind`.
pub fn read_stdin(kind: Kind) -> Result<String, InputError> {
    bounded(std::io::stdin().lock(), Path::new("(standard input)"), kind)
}

/// Reads at most one byte past the cap (a file may grow while it is read), then decodes.
fn bounded(reader: impl Read, path: &Path, kind: Kind) -> Result<String, InputError> {
    let mut bytes = Vec::new();
    reader
        .take(kind.cap + 1)
        .read_to_end(&mut bytes)
        .map_err(|source| InputError::Io {
            kind,
            path: path.to_path_buf(),
            source,
        })?;
    if bytes.len() as u64 > kind.cap {
        return Err(InputError::TooLarge {
            kind,
            path: path.to_path_buf(),
        });
    }
    let text = String::from_utf8(bytes).map_err(|e| InputError::NotText {
        kind,
        path: path.to_path_buf(),
        at: e.utf8_error().valid_up_to(),
    })?;
    Ok(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: Kind = Kind {
        what: "thing",
        cap: 8,
    };

    #[test]
    fn a_regular_file_is_read_without_its_byte_order_mark() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.yaml");
        std::fs::write(&file, "\u{feff}name: x").unwrap();
        assert_eq!(read_text(&file, SCENARIO).unwrap(), "name: x");
    }

    #[test]
    fn a_file_past_its_cap_is_refused_naming_the_cap() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("big");
        std::fs::write(&file, "123456789").unwrap();
        let e = read_text(&file, SMALL).unwrap_err().to_string();
        assert!(
            e.contains("larger than 8 bytes, the cap for a thing"),
            "{e}"
        );
        std::fs::write(&file, "12345678").unwrap();
        assert_eq!(read_text(&file, SMALL).unwrap(), "12345678");
    }

    #[test]
    fn folders_devices_and_binary_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let e = read_text(dir.path(), SCENARIO).unwrap_err().to_string();
        assert!(e.contains("it is a folder, not a regular file"), "{e}");
        let e = read_text(Path::new("/dev/null"), SCENARIO)
            .unwrap_err()
            .to_string();
        assert!(e.contains("it is a character device"), "{e}");
        let file = dir.path().join("bin");
        std::fs::write(&file, b"ab\xffcd").unwrap();
        let e = read_text(&file, SCENARIO).unwrap_err().to_string();
        assert!(
            e.contains("not UTF-8 text (an invalid byte at offset 2)"),
            "{e}"
        );
    }
}
