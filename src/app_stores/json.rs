//! Counting the passwords in a JSON store without keeping any: the document is
//! walked once, and each string is looked at where it lies — counted when its
//! place (the keys leading to it) names a password and it is not empty — and
//! dropped. No value is copied into a tree as `serde_json::Value` would.

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

/// Which places hold a password: the keys from the top to the string, an array
/// element as `*`.
pub type Wanted<'w> = &'w dyn Fn(&[String]) -> bool;

/// How many non-empty strings of `bytes` sit where `wanted` says a password does.
pub fn count_strings(bytes: &[u8], wanted: Wanted<'_>) -> Result<usize, String> {
    let mut counter = Counter {
        path: Vec::new(),
        wanted,
        count: 0,
    };
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    Node(&mut counter)
        .deserialize(&mut deserializer)
        .and_then(|()| deserializer.end())
        .map_err(|e| {
            // Only the position: serde_json's message may quote part of the input.
            format!(
                "is not valid JSON (line {}, column {})",
                e.line(),
                e.column()
            )
        })?;
    Ok(counter.count)
}

struct Counter<'w> {
    path: Vec<String>,
    wanted: Wanted<'w>,
    count: usize,
}

struct Node<'a, 'w>(&'a mut Counter<'w>);

impl<'de> DeserializeSeed<'de> for Node<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Node<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_str<E>(self, value: &str) -> Result<(), E> {
        if !value.is_empty() && (self.0.wanted)(&self.0.path) {
            self.0.count += 1;
        }
        Ok(())
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.0.path.push("*".to_owned());
        while seq.next_element_seed(Node(&mut *self.0))?.is_some() {}
        self.0.path.pop();
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            self.0.path.push(key);
            map.next_value_seed(Node(&mut *self.0))?;
            self.0.path.pop();
        }
        Ok(())
    }
}

/// Whether the last key of `path` is `name`.
pub fn ends_with(path: &[String], name: &str) -> bool {
    path.last().is_some_and(|last| last == name)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn counts_non_empty_strings_at_the_wanted_places() {
        let doc = br#"{"logins":[{"encryptedPassword":"MDoE"},{"encryptedPassword":""},
            {"other":"x"}],"encryptedPassword":"top"}"#;
        let wanted = |p: &[String]| p.len() == 3 && p[0] == "logins" && p[2] == "encryptedPassword";
        assert_eq!(count_strings(doc, &wanted).unwrap(), 1);
        let anywhere = |p: &[String]| ends_with(p, "encryptedPassword");
        assert_eq!(count_strings(doc, &anywhere).unwrap(), 2);
    }

    #[test]
    fn bad_json_names_the_place_not_the_content() {
        let error = count_strings(br#"{"password": "Hunter2-secret"#, &|_| true).unwrap_err();
        assert!(!error.contains("Hunter2"), "{error}");
        assert!(error.contains("line 1"), "{error}");
        assert!(count_strings(b"{} trailing", &|_| true).is_err());
        // Nesting beyond serde_json's recursion limit is an error, not a crash.
        let deep = "[".repeat(100_000);
        assert!(count_strings(deep.as_bytes(), &|_| true).is_err());
    }
}
