//! Makes tokens from the shapes in `tokens.rs`, at test time: an example of each format
//! (with a valid checksum where the format has one) and a near miss (one character
//! short where the shape is strict, or a wrong checksum), so that no token is ever
//! written into the repository. Reads only the regular-expression subset the table
//! uses. Plain code with no imports from the crate, shared with the integration tests.

use super::tokens::{Checksum, Token, base62_6, crc32};

/// Where a token may stand: a bare argument, a URL's query and path, a variable of any
/// name, JSON, YAML and a `.env` line. `<T>` is the token.
pub const CONTEXTS: &[&str] = &[
    "mytool login <T>",
    "curl 'https://api.example.com/v1/items?key=<T>&limit=5'",
    "curl https://api.example.com/hook/<T> -d x",
    "export SVC_KEY=<T>",
    r#"echo '{"auth": {"value": "<T>"}}' > c.json"#,
    r#"echo "  value: <T>" >> config.yml"#,
    "echo SETTING=<T> >> .env",
];

/// One element of a shape, repeated between `min` and `max` times.
#[derive(Clone, Debug)]
struct Item {
    atom: Atom,
    min: usize,
    max: usize,
}

#[derive(Clone, Debug)]
enum Atom {
    Byte(u8),
    Class(Vec<u8>),
    Group(Vec<Vec<Item>>),
    /// `\b`: makes nothing.
    Boundary,
}

/// How many more than the minimum an open repeat (`{n,}`, `+`, `*`) makes at most.
const OPEN: usize = 12;

fn parse(shape: &[u8]) -> Vec<Item> {
    let mut at = 0;
    let alternatives = parse_alternatives(shape, &mut at);
    assert!(
        at == shape.len(),
        "unbalanced shape {}",
        String::from_utf8_lossy(shape)
    );
    match alternatives.len() {
        1 => alternatives.into_iter().next().unwrap_or_default(),
        _ => vec![Item {
            atom: Atom::Group(alternatives),
            min: 1,
            max: 1,
        }],
    }
}

fn parse_alternatives(shape: &[u8], at: &mut usize) -> Vec<Vec<Item>> {
    let mut alternatives = vec![Vec::new()];
    while let Some(&b) = shape.get(*at) {
        let atom = match b {
            b')' => break,
            b'|' => {
                *at += 1;
                alternatives.push(Vec::new());
                continue;
            }
            b'(' => {
                *at += 1;
                if shape[*at..].starts_with(b"?:") {
                    *at += 2;
                }
                let inner = parse_alternatives(shape, at);
                assert!(shape.get(*at) == Some(&b')'), "unclosed group");
                *at += 1;
                Atom::Group(inner)
            }
            b'[' => {
                *at += 1;
                let mut set = Vec::new();
                while let Some(&c) = shape.get(*at) {
                    *at += 1;
                    match c {
                        b']' => break,
                        b'\\' => {
                            set.push(shape[*at]);
                            *at += 1;
                        }
                        _ if shape.get(*at) == Some(&b'-')
                            && shape.get(*at + 1).is_some_and(|&e| e != b']') =>
                        {
                            let end = shape[*at + 1];
                            set.extend(c..=end);
                            *at += 2;
                        }
                        _ => set.push(c),
                    }
                }
                Atom::Class(set)
            }
            b'\\' => {
                *at += 2;
                match shape[*at - 1] {
                    b'b' => Atom::Boundary,
                    c => Atom::Byte(c),
                }
            }
            _ => {
                *at += 1;
                Atom::Byte(b)
            }
        };
        let (min, max) = quantifier(shape, at);
        if let Some(items) = alternatives.last_mut() {
            items.push(Item { atom, min, max });
        }
    }
    alternatives
}

fn quantifier(shape: &[u8], at: &mut usize) -> (usize, usize) {
    let number = |text: &[u8]| -> usize {
        std::str::from_utf8(text)
            .ok()
            .and_then(|t| t.parse().ok())
            .unwrap_or(0)
    };
    match shape.get(*at) {
        Some(b'?') => {
            *at += 1;
            (0, 1)
        }
        Some(b'*') => {
            *at += 1;
            (0, OPEN)
        }
        Some(b'+') => {
            *at += 1;
            (1, 1 + OPEN)
        }
        Some(b'{') => {
            let close = shape[*at..].iter().position(|&b| b == b'}').unwrap_or(0) + *at;
            let inner = &shape[*at + 1..close];
            *at = close + 1;
            match inner.iter().position(|&b| b == b',') {
                None => (number(inner), number(inner)),
                Some(comma) if comma + 1 == inner.len() => {
                    let min = number(&inner[..comma]);
                    (min, min + OPEN)
                }
                Some(comma) => (number(&inner[..comma]), number(&inner[comma + 1..])),
            }
        }
        _ => (1, 1),
    }
}

/// A deterministic source of choices.
pub struct Dice(u64);

impl Dice {
    pub fn new(seed: u64) -> Dice {
        Dice(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n.max(1) as u64) as usize
    }
}

fn make(items: &[Item], dice: &mut Dice, out: &mut Vec<u8>) {
    for item in items {
        let count = item.min + dice.below(item.max - item.min + 1);
        for _ in 0..count {
            make_atom(&item.atom, dice, out);
        }
    }
}

fn make_atom(atom: &Atom, dice: &mut Dice, out: &mut Vec<u8>) {
    match atom {
        Atom::Byte(b) => out.push(*b),
        Atom::Class(set) => out.push(set[dice.below(set.len())]),
        Atom::Group(alternatives) => make(&alternatives[dice.below(alternatives.len())], dice, out),
        Atom::Boundary => {}
    }
}

/// As `make`, but the last element the shape needs comes out one short; elements after
/// it, all optional, are left out.
fn make_short(items: &[Item], dice: &mut Dice, out: &mut Vec<u8>) {
    let Some(last) = items
        .iter()
        .rposition(|i| i.min > 0 && !matches!(i.atom, Atom::Boundary))
    else {
        return;
    };
    make(&items[..last], dice, out);
    let item = &items[last];
    match &item.atom {
        Atom::Group(alternatives) => {
            for _ in 1..item.min {
                make_atom(&item.atom, dice, out);
            }
            make_short(&alternatives[dice.below(alternatives.len())], dice, out);
        }
        atom => {
            for _ in 1..item.min {
                make_atom(atom, dice, out);
            }
        }
    }
}

/// An example of `token`, made from its shape (`seed` picks which), with a valid
/// checksum where the format has one. For a shape with a capturing group, the example
/// is the whole match; `secret_of` finds the part that is secret.
pub fn example(token: &Token, seed: u64) -> String {
    let mut dice = Dice::new(seed);
    let mut out = Vec::new();
    make(&parse(token.shape.as_bytes()), &mut dice, &mut out);
    match token.checksum {
        Checksum::None => {}
        Checksum::Crc32Base62 => {
            let underscore = out.iter().position(|&b| b == b'_').unwrap_or(0);
            let payload = out[underscore + 1..underscore + 31].to_vec();
            out.truncate(underscore + 31);
            out.extend_from_slice(&base62_6(crc32(&payload)));
        }
        Checksum::PypiMacaroon => {
            out = b"pypi-".to_vec();
            out.extend_from_slice(base64url(&macaroon(&mut dice)).as_bytes());
        }
    }
    String::from_utf8(out).unwrap_or_default()
}

/// A near miss of `token`: one short where the shape allows no less, or, for a format
/// with a checksum, the full length with a checksum that does not hold.
pub fn near_miss(token: &Token, seed: u64) -> String {
    let mut dice = Dice::new(seed);
    let mut out = Vec::new();
    match token.checksum {
        Checksum::None => make_short(&parse(token.shape.as_bytes()), &mut dice, &mut out),
        Checksum::Crc32Base62 => {
            let good = example(token, seed);
            out = good.into_bytes();
            let last = out.len() - 1;
            out[last] = if out[last] == b'a' { b'b' } else { b'a' };
        }
        Checksum::PypiMacaroon => {
            // The right prefix and length, but not a macaroon.
            let good = example(token, seed);
            out = good.into_bytes();
            for b in out.iter_mut().skip(24) {
                *b = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"[dice.below(52)];
            }
        }
    }
    String::from_utf8(out).unwrap_or_default()
}

/// The part of `example` that is secret: what the shape's capturing group takes, if
/// it has one, else all of it.
pub fn secret_of(token: &Token, example: &str) -> String {
    let shape = regex::Regex::new(token.shape).expect("shapes compile");
    shape
        .captures(example)
        .and_then(|c| c.get(1).or_else(|| c.get(0)))
        .map_or_else(|| example.to_owned(), |m| m.as_str().to_owned())
}

/// A version-2 macaroon as PyPI issues them: location `pypi.org`, an identifier, one
/// caveat, a 32-byte signature, all random but the location.
fn macaroon(dice: &mut Dice) -> Vec<u8> {
    let mut random = |n: usize| -> Vec<u8> { (0..n).map(|_| dice.below(256) as u8).collect() };
    let field = |out: &mut Vec<u8>, kind: u8, data: &[u8]| {
        out.push(kind);
        out.push(data.len() as u8);
        out.extend_from_slice(data);
    };
    let mut out = vec![2];
    field(&mut out, 1, b"pypi.org");
    field(&mut out, 2, &random(40));
    out.push(0);
    field(&mut out, 2, &random(60));
    out.push(0);
    out.push(0);
    field(&mut out, 6, &random(32));
    out
}

/// Base64 with the URL-safe alphabet and no padding.
pub fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
        }
    }
    out
}
