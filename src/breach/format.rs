//! The bytes of a breached-password index, in one place, so that the writer
//! (`import`) and the reader (`Index`) cannot drift apart.
//!
//! ```text
//! offset 0        header, 4096 bytes (fields below; its own checksum in the last 8)
//! 4096            bucket table: for each of the 2^b buckets (the first b bits of a
//!                 hash, b = 8, 16 or 24), the u32 index one past its last entry;
//!                 zero-padded to a multiple of 4096 bytes
//! E               entries, sorted by hash: the hash minus its first b/8 bytes, then
//!                 the count in 3 bytes (big-endian, saturating at 16,777,215)
//! S               one u64 checksum per 4096-byte block of [4096, S)
//! S + 8 × blocks  end of file: the header implies the exact length
//! ```
//!
//! Why this shape: an entry is 20 bytes at b = 24 (17 + 3), and the table costs
//! 64 MiB, 0.67 bytes a hash at 100 million; `best_prefix_bits` picks the width that
//! makes the whole file smallest. A lookup reads one table block and the one or two
//! blocks of its bucket, each verified against its checksum, so a flipped bit or a
//! truncated copy is an error, never a password let through. The checksum guards
//! against accidents (a bad disk, a half-finished copy), not against someone who can
//! write the index: they could write any index they liked.

pub const MAGIC: [u8; 8] = *b"CSIBRIDX";
pub const VERSION: u32 = 1;
pub const HEADER_LEN: u64 = 4096;
pub const BLOCK: u64 = 4096;
pub const COUNT_BYTES: usize = 3;
/// The largest count 3 bytes hold; a count above it is stored as this ("at least").
pub const MAX_COUNT: u32 = (1 << 24) - 1;
/// The longest source name kept in the header.
pub const MAX_SOURCE: usize = 256;
/// Bucket ends are u32, which bounds the number of entries (HIBP has about 10^9).
pub const MAX_ENTRIES: u64 = u32::MAX as u64;

const SUM_AT: usize = 4088;

/// What the header says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    pub prefix_bits: u8,
    pub entries: u64,
    /// Seconds since the epoch when the import finished.
    pub built: u64,
    /// Lines read from the source, blank and zero-count lines included.
    pub source_lines: u64,
    /// The source file's name (its last component), as bytes.
    pub source: Vec<u8>,
}

/// Where everything is, derived from the prefix width and the number of entries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    pub prefix_bits: u8,
    /// Hash bytes kept in an entry.
    pub key_bytes: usize,
    /// Bytes per entry.
    pub record: u64,
    pub entries: u64,
    pub table_len: u64,
    pub entries_offset: u64,
    pub sums_offset: u64,
    pub blocks: u64,
    pub file_len: u64,
}

impl Layout {
    pub fn new(prefix_bits: u8, entries: u64) -> Layout {
        let key_bytes = 20 - usize::from(prefix_bits / 8);
        let record = (key_bytes + COUNT_BYTES) as u64;
        let table_len = ((1u64 << prefix_bits) * 4).div_ceil(BLOCK) * BLOCK;
        let entries_offset = HEADER_LEN + table_len;
        let sums_offset = entries_offset + entries * record;
        let blocks = (sums_offset - HEADER_LEN).div_ceil(BLOCK);
        Layout {
            prefix_bits,
            key_bytes,
            record,
            entries,
            table_len,
            entries_offset,
            sums_offset,
            blocks,
            file_len: sums_offset + blocks * 8,
        }
    }

    pub fn buckets(&self) -> u64 {
        1 << self.prefix_bits
    }

    /// The bucket of a hash: its first `prefix_bits` bits.
    pub fn bucket(&self, hash: &[u8; 20]) -> u64 {
        let head = u64::from(u32::from_be_bytes([hash[0], hash[1], hash[2], hash[3]]));
        head >> (32 - u32::from(self.prefix_bits))
    }
}

/// The prefix width (8, 16 or 24 bits) that makes an index of `entries` smallest:
/// each byte of prefix saves a byte per entry and multiplies the table by 256.
pub fn best_prefix_bits(entries: u64) -> u8 {
    [8u8, 16, 24]
        .into_iter()
        .min_by_key(|&bits| Layout::new(bits, entries).file_len)
        .unwrap_or(24)
}

/// Why a header was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HeaderError {
    /// Not an index at all.
    NoMagic,
    /// An index of another format version.
    Version(u32),
    /// The header's own checksum does not match.
    Checksum,
    /// Fields no import writes.
    Fields,
}

impl std::fmt::Display for HeaderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HeaderError::NoMagic => write!(
                f,
                "not a csi-self-check breached-password index (no CSIBRIDX magic); make one with `csi-self-check breach import`"
            ),
            HeaderError::Version(version) => write!(
                f,
                "index format version {version}, this csi-self-check reads version {VERSION}; import it again"
            ),
            HeaderError::Checksum => write!(f, "corrupt: the header's checksum does not match"),
            HeaderError::Fields => write!(f, "corrupt: impossible header fields"),
        }
    }
}

impl std::error::Error for HeaderError {}

impl Header {
    pub fn encode(&self) -> [u8; HEADER_LEN as usize] {
        let layout = Layout::new(self.prefix_bits, self.entries);
        let mut out = [0u8; HEADER_LEN as usize];
        out[0..8].copy_from_slice(&MAGIC);
        out[8..12].copy_from_slice(&VERSION.to_le_bytes());
        out[12..16].copy_from_slice(&(BLOCK as u32).to_le_bytes());
        out[16] = self.prefix_bits;
        out[17] = layout.key_bytes as u8;
        out[18] = COUNT_BYTES as u8;
        out[20..28].copy_from_slice(&self.entries.to_le_bytes());
        out[28..36].copy_from_slice(&self.built.to_le_bytes());
        out[36..44].copy_from_slice(&self.source_lines.to_le_bytes());
        out[44..52].copy_from_slice(&layout.file_len.to_le_bytes());
        let source = &self.source[..self.source.len().min(MAX_SOURCE)];
        out[52..54].copy_from_slice(&(source.len() as u16).to_le_bytes());
        out[54..54 + source.len()].copy_from_slice(source);
        let sum = checksum(&out[..SUM_AT]);
        out[SUM_AT..].copy_from_slice(&sum.to_le_bytes());
        out
    }

    /// Reads and validates a header: every field the reader relies on is checked
    /// here, once, so that a lookup can trust the layout it derives.
    pub fn decode(bytes: &[u8; HEADER_LEN as usize]) -> Result<(Header, Layout), HeaderError> {
        if bytes[0..8] != MAGIC {
            return Err(HeaderError::NoMagic);
        }
        let u32_at = |at: usize| {
            u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
        };
        let u64_at = |at: usize| {
            let mut word = [0u8; 8];
            word.copy_from_slice(&bytes[at..at + 8]);
            u64::from_le_bytes(word)
        };
        let version = u32_at(8);
        if version != VERSION {
            return Err(HeaderError::Version(version));
        }
        if u64_at(SUM_AT) != checksum(&bytes[..SUM_AT]) {
            return Err(HeaderError::Checksum);
        }
        let prefix_bits = bytes[16];
        let entries = u64_at(20);
        if ![8, 16, 24].contains(&prefix_bits) || entries > MAX_ENTRIES {
            return Err(HeaderError::Fields);
        }
        let layout = Layout::new(prefix_bits, entries);
        let source_len = usize::from(u16::from_le_bytes([bytes[52], bytes[53]]));
        if u32_at(12) != BLOCK as u32
            || usize::from(bytes[17]) != layout.key_bytes
            || usize::from(bytes[18]) != COUNT_BYTES
            || u64_at(44) != layout.file_len
            || source_len > MAX_SOURCE
        {
            return Err(HeaderError::Fields);
        }
        let header = Header {
            prefix_bits,
            entries,
            built: u64_at(28),
            source_lines: u64_at(36),
            source: bytes[54..54 + source_len].to_vec(),
        };
        Ok((header, layout))
    }
}

/// A 64-bit checksum of a block: four independent multiply-rotate lanes (fast enough
/// to verify the few blocks of every lookup), then a final mix. Each step is a
/// bijection of the running state, so changing any one 8-byte word always changes
/// the result; anything more is missed with a chance of about 2^-64.
pub fn checksum(bytes: &[u8]) -> u64 {
    const K: [u64; 4] = [
        0x9E37_79B9_7F4A_7C15,
        0xC2B2_AE3D_27D4_EB4F,
        0x1656_67B1_9E37_79F9,
        0xD6E8_FEB8_6659_FD93,
    ];
    let mut lanes = [1u64, 2, 3, 4];
    let mut chunks = bytes.chunks_exact(32);
    for chunk in &mut chunks {
        for (lane, (word, k)) in lanes.iter_mut().zip(chunk.chunks_exact(8).zip(K)) {
            let mut w = [0u8; 8];
            w.copy_from_slice(word);
            *lane = (*lane ^ u64::from_le_bytes(w))
                .wrapping_mul(k)
                .rotate_left(31);
        }
    }
    let mut tail = [0u8; 32];
    let rest = chunks.remainder();
    tail[..rest.len()].copy_from_slice(rest);
    for (lane, (word, k)) in lanes.iter_mut().zip(tail.chunks_exact(8).zip(K)) {
        let mut w = [0u8; 8];
        w.copy_from_slice(word);
        *lane = (*lane ^ u64::from_le_bytes(w))
            .wrapping_mul(k)
            .rotate_left(31);
    }
    let mut h = bytes.len() as u64;
    for (lane, k) in lanes.into_iter().zip(K) {
        h = (h ^ lane).wrapping_mul(k).rotate_left(27);
    }
    h ^= h >> 33;
    h = h.wrapping_mul(0xFF51_AFD7_ED55_8CCD);
    h ^ (h >> 33)
}

/// The stored count: exact up to 16,777,215, that value above.
pub fn encode_count(count: u32) -> [u8; COUNT_BYTES] {
    let c = count.min(MAX_COUNT).to_be_bytes();
    [c[1], c[2], c[3]]
}

pub fn decode_count(bytes: &[u8]) -> u32 {
    u32::from_be_bytes([0, bytes[0], bytes[1], bytes[2]])
}
