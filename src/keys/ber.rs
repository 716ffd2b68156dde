//! BER, as NSS (`pk12util`, Firefox), Java and Windows write PKCS#12: indefinite
//! lengths closed by an end-of-contents mark, and OCTET STRINGs cut into pieces.
//! Rather than teach every reader both encodings, one element is rewritten here in
//! DER's definite form — pieces of a string joined — so the strict readers in
//! `der` and `pkcs12` read either. The content of an OCTET STRING is left as it
//! is: where it holds another encoding (PKCS#12 nests them), the reader of that
//! level rewrites it in turn.
//!
//! The input is a file from someone's home: every length is checked, nesting is
//! bounded, and the output is never longer than the input plus a few octets per
//! element, so a crafted file cannot make it grow.

/// Nesting deeper than any real PKCS#12 or key (about 12 levels) is refused.
const MAX_NESTING: usize = 48;
/// Universal constructed OCTET STRING: BER's string in pieces.
const CONSTRUCTED_OCTET_STRING: u8 = 0x24;
const OCTET_STRING: u8 = 0x04;

/// The first element of `input` in DER form, and how many input octets it took.
/// `None` when it is not well-formed BER (or is nested too deep).
pub fn to_der(input: &[u8]) -> Option<(Vec<u8>, usize)> {
    let mut out = Vec::with_capacity(input.len());
    let used = element(input, 0, &mut out)?;
    Some((out, used))
}

/// The first element in DER form, when it is all of `input` but for trailing
/// zero padding (which some writers leave after the PFX).
pub fn whole_to_der(input: &[u8]) -> Option<Vec<u8>> {
    let (der, used) = to_der(input)?;
    input[used..].iter().all(|&b| b == 0).then_some(der)
}

/// A tag and length, read without requiring the content to be present.
pub(super) struct Head {
    pub(super) tag: u8,
    /// `None` for the indefinite form.
    pub(super) length: Option<usize>,
    /// The octets of tag and length.
    pub(super) len: usize,
}

pub(super) fn head(input: &[u8]) -> Option<Head> {
    let tag = *input.first()?;
    // High tag numbers: nothing read here uses them.
    if tag & 0x1F == 0x1F {
        return None;
    }
    let first = *input.get(1)?;
    if first < 0x80 {
        return Some(Head {
            tag,
            length: Some(usize::from(first)),
            len: 2,
        });
    }
    if first == 0x80 {
        // Only a constructed element may be of indefinite length.
        return (tag & 0x20 != 0).then_some(Head {
            tag,
            length: None,
            len: 2,
        });
    }
    let count = usize::from(first & 0x7F);
    if count > 4 {
        return None;
    }
    let mut length = 0usize;
    for &octet in input.get(2..2 + count)? {
        length = length.checked_mul(256)?.checked_add(usize::from(octet))?;
    }
    Some(Head {
        tag,
        length: Some(length),
        len: 2 + count,
    })
}

/// Appends a DER header for `tag` and `length`.
pub(super) fn put_header(out: &mut Vec<u8>, tag: u8, length: usize) {
    out.push(tag);
    if length < 0x80 {
        out.push(length as u8);
        return;
    }
    let bytes = length.to_be_bytes();
    let skip = bytes.iter().take_while(|&&b| b == 0).count();
    out.push(0x80 | (bytes.len() - skip) as u8);
    out.extend_from_slice(&bytes[skip..]);
}

/// Rewrites one element onto `out`; returns the input octets it took.
fn element(input: &[u8], depth: usize, out: &mut Vec<u8>) -> Option<usize> {
    if depth > MAX_NESTING {
        return None;
    }
    let head = head(input)?;
    let body = &input[head.len..];
    if head.tag & 0x20 == 0 {
        let length = head.length?;
        let content = body.get(..length)?;
        put_header(out, head.tag, length);
        out.extend_from_slice(content);
        return head.len.checked_add(length);
    }
    // Constructed: rewrite the children into a scratch buffer, then prefix it.
    let mut children = Vec::new();
    let used = match head.length {
        Some(length) => {
            let mut inner = body.get(..length)?;
            while !inner.is_empty() {
                let took = element(inner, depth + 1, &mut children)?;
                inner = &inner[took..];
            }
            length
        }
        None => {
            let mut at = 0;
            loop {
                let rest = body.get(at..)?;
                if rest.starts_with(&[0, 0]) {
                    break at + 2;
                }
                at += element(rest, depth + 1, &mut children)?;
            }
        }
    };
    if head.tag == CONSTRUCTED_OCTET_STRING {
        let joined = join_pieces(&children)?;
        put_header(out, OCTET_STRING, joined.len());
        out.extend_from_slice(&joined);
    } else {
        put_header(out, head.tag, children.len());
        out.extend_from_slice(&children);
    }
    head.len.checked_add(used)
}

/// The content of DER OCTET STRING pieces (already rewritten), joined.
pub(super) fn join_pieces(mut pieces: &[u8]) -> Option<Vec<u8>> {
    let mut joined = Vec::with_capacity(pieces.len());
    while !pieces.is_empty() {
        let head = head(pieces)?;
        let length = head.length?;
        if head.tag != OCTET_STRING {
            return None;
        }
        let end = head.len.checked_add(length)?;
        joined.extend_from_slice(pieces.get(head.len..end)?);
        pieces = &pieces[end..];
    }
    Some(joined)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn definite_der_is_unchanged() {
        let der = [0x30, 0x06, 0x02, 0x01, 0x03, 0x04, 0x01, 0xAA];
        assert_eq!(to_der(&der), Some((der.to_vec(), der.len())));
        let mut long = vec![0x04, 0x81, 0x90];
        long.extend_from_slice(&[7; 0x90]);
        assert_eq!(to_der(&long).unwrap().0, long);
    }

    #[test]
    fn indefinite_lengths_and_pieces_become_der() {
        // SEQUENCE (indefinite) { INTEGER 3, OCTET STRING in pieces "ab" "c" }
        let ber = [
            0x30, 0x80, 0x02, 0x01, 0x03, 0x24, 0x80, 0x04, 0x02, b'a', b'b', 0x04, 0x01, b'c',
            0x00, 0x00, 0x00, 0x00, 0xFF,
        ];
        let (der, used) = to_der(&ber).unwrap();
        assert_eq!(
            der,
            [0x30, 0x08, 0x02, 0x01, 0x03, 0x04, 0x03, b'a', b'b', b'c']
        );
        assert_eq!(used, ber.len() - 1);
        assert_eq!(whole_to_der(&ber), None);
        assert_eq!(whole_to_der(&ber[..ber.len() - 1]), Some(der));
    }

    #[test]
    fn malformed_input_is_refused() {
        for bad in [
            &[0x30, 0x80, 0x02, 0x01][..],         // no end-of-contents
            &[0x04, 0x80, 0x00, 0x00],             // primitive of indefinite length
            &[0x30, 0x03, 0x02, 0x05, 0x00],       // child longer than parent
            &[0x24, 0x80, 0x02, 0x01, 0x00, 0, 0], // a piece that is no OCTET STRING
            &[0x30, 0x85, 0, 0, 0, 0, 1],          // length of five octets
            &[0x1F, 0x01, 0x00],                   // high tag number
            &[],
        ] {
            assert_eq!(to_der(bad), None, "{bad:02x?}");
        }
        let deep: Vec<u8> = [0x30, 0x80].repeat(100_000);
        assert_eq!(to_der(&deep), None);
    }
}
