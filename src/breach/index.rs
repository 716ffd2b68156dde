//! Looking a hash up in an index without reading more than a lookup needs: the
//! header once, then per lookup one block of the bucket table and the block or two
//! holding the bucket, each through `pread` and each checked against its checksum.
//! That is what a memory map would touch, a few pages, without the `unsafe` that
//! mapping a file takes in Rust (the crate forbids it); the page cache keeps the
//! pages warm between lookups and between processes alike.

use super::format::{self, BLOCK, HEADER_LEN, Header, HeaderError, Layout};
use crate::fs::SafeFile;

/// Why an index cannot be used, or a lookup in it could not be made.
#[derive(Debug)]
pub enum IndexError {
    /// Shorter than a header.
    Short { size: u64 },
    /// The header could not be read.
    ReadHeader(std::io::Error),
    /// The header is not one this version reads.
    Header(HeaderError),
    /// Not as long as the header says.
    Length { size: u64, expected: u64 },
    /// Blocks a lookup needs could not be read.
    Read(std::io::Error),
    /// A block does not match its checksum.
    Checksum,
    /// The bucket table is not in order.
    BucketOrder,
}

impl std::fmt::Display for IndexError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            IndexError::Short { size } => write!(
                f,
                "truncated: {size} bytes, shorter than the {HEADER_LEN}-byte header"
            ),
            IndexError::ReadHeader(error) => write!(f, "cannot read the header: {error}"),
            IndexError::Header(error) => write!(f, "{error}"),
            IndexError::Length { size, expected } => {
                let how = if size < expected {
                    "truncated"
                } else {
                    "corrupt"
                };
                write!(f, "{how}: {size} bytes, but its header says {expected}")
            }
            IndexError::Read(error) => write!(f, "cannot read: {error}"),
            IndexError::Checksum => write!(f, "corrupt: a block's checksum does not match"),
            IndexError::BucketOrder => write!(f, "corrupt: the bucket table is out of order"),
        }
    }
}

impl std::error::Error for IndexError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            IndexError::ReadHeader(error) | IndexError::Read(error) => Some(error),
            IndexError::Header(error) => Some(error),
            IndexError::Short { .. }
            | IndexError::Length { .. }
            | IndexError::Checksum
            | IndexError::BucketOrder => None,
        }
    }
}

/// An open, validated index.
#[derive(Debug)]
pub struct Index {
    file: SafeFile,
    header: Header,
    layout: Layout,
}

impl Index {
    /// Validates the header and that the file is exactly as long as the header
    /// implies: a truncated or extended copy is refused here, before any lookup.
    pub fn open(file: SafeFile) -> Result<Index, IndexError> {
        let size = file.meta().size;
        if size < HEADER_LEN {
            return Err(IndexError::Short { size });
        }
        let mut bytes = [0u8; HEADER_LEN as usize];
        file.read_exact_at(&mut bytes, 0)
            .map_err(IndexError::ReadHeader)?;
        let (header, layout) = Header::decode(&bytes).map_err(IndexError::Header)?;
        if size != layout.file_len {
            return Err(IndexError::Length {
                size,
                expected: layout.file_len,
            });
        }
        Ok(Index {
            file,
            header,
            layout,
        })
    }

    pub fn header(&self) -> &Header {
        &self.header
    }

    /// How often the hash was seen, or `None` when it is not in the index.
    pub fn lookup(&self, hash: &[u8; 20]) -> Result<Option<u32>, IndexError> {
        let layout = &self.layout;
        let bucket = layout.bucket(hash);
        // The end of the bucket before (0 for the first) and this bucket's end.
        let (first, at) = if bucket == 0 {
            (true, HEADER_LEN)
        } else {
            (false, HEADER_LEN + (bucket - 1) * 4)
        };
        let want = if first { 4 } else { 8 };
        let ends = self.read_verified(at, want)?;
        let word = |i: usize| {
            u64::from(u32::from_le_bytes([
                ends[i],
                ends[i + 1],
                ends[i + 2],
                ends[i + 3],
            ]))
        };
        let (start, end) = if first {
            (0, word(0))
        } else {
            (word(0), word(4))
        };
        if start > end || end > layout.entries {
            return Err(IndexError::BucketOrder);
        }
        if start == end {
            return Ok(None);
        }
        let record = layout.record as usize;
        let bytes = self.read_verified(
            layout.entries_offset + start * layout.record,
            (end - start) as usize * record,
        )?;
        let key = &hash[20 - layout.key_bytes..];
        let entries: Vec<&[u8]> = bytes.chunks_exact(record).collect();
        match entries.binary_search_by(|entry| entry[..layout.key_bytes].cmp(key)) {
            Ok(i) => Ok(Some(format::decode_count(&entries[i][layout.key_bytes..]))),
            Err(_) => Ok(None),
        }
    }

    /// `len` bytes at `offset`, read as the whole blocks that hold them, every block
    /// checked against its checksum before any byte of it is believed.
    fn read_verified(&self, offset: u64, len: usize) -> Result<Vec<u8>, IndexError> {
        let layout = &self.layout;
        let first = (offset - HEADER_LEN) / BLOCK;
        let last = (offset + len as u64 - 1 - HEADER_LEN) / BLOCK;
        let from = HEADER_LEN + first * BLOCK;
        let to = (HEADER_LEN + (last + 1) * BLOCK).min(layout.sums_offset);
        let mut blocks = vec![0u8; (to - from) as usize];
        let mut sums = vec![0u8; ((last + 1 - first) * 8) as usize];
        self.file
            .read_exact_at(&mut blocks, from)
            .and_then(|()| {
                self.file
                    .read_exact_at(&mut sums, layout.sums_offset + first * 8)
            })
            .map_err(IndexError::Read)?;
        for (block, sum) in blocks.chunks(BLOCK as usize).zip(sums.chunks_exact(8)) {
            let mut stored = [0u8; 8];
            stored.copy_from_slice(sum);
            if format::checksum(block) != u64::from_le_bytes(stored) {
                return Err(IndexError::Checksum);
            }
        }
        let skip = (offset - from) as usize;
        blocks.drain(..skip);
        blocks.truncate(len);
        Ok(blocks)
    }
}
