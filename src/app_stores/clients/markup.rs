//! The XML stores: Pidgin, FileZilla, DbVisualizer, SQuirreL, Psi and Apache
//! Directory Studio (SQL Developer's `connections.xml` is read in `documents`). The
//! parser is roxmltree with entity declarations refused (no entity expansion) and
//! a bound on nodes; an error names only the line and column, never
//! what stands there.

use roxmltree::{Document, Node, ParsingOptions};

use super::Saved;
use crate::fs::SafeDir;

/// Nodes parsed at most: far more than any real configuration file holds.
const MAX_NODES: u32 = 1_000_000;

/// Parses `bytes` and hands the document to `count`.
pub fn with_document(
    bytes: &[u8],
    count: impl FnOnce(&Document<'_>) -> Saved,
) -> Result<Saved, String> {
    let text = std::str::from_utf8(bytes).map_err(|_| "is not UTF-8 text".to_owned())?;
    // Psi writes `<!DOCTYPE accounts>` (Qt's QDomDocument does); a declaration
    // without entities is harmless, and entities are refused outright.
    let options = ParsingOptions {
        allow_dtd: !text.contains("<!ENTITY"),
        nodes_limit: MAX_NODES,
        ..ParsingOptions::default()
    };
    let document = Document::parse_with_options(text, options).map_err(|e| {
        let at = e.pos();
        format!(
            "is not well-formed XML (line {}, column {})",
            at.row, at.col
        )
    })?;
    Ok(count(&document))
}

/// Whether an element holds any text other than white space.
fn has_text(node: &Node<'_, '_>) -> bool {
    node.text().is_some_and(|t| !t.trim().is_empty())
}

/// Elements named `name` (any namespace) holding text.
fn elements_with_text(document: &Document<'_>, name: &str) -> usize {
    document
        .descendants()
        .filter(|n| n.is_element() && n.tag_name().name() == name && has_text(n))
        .count()
}

/// Pidgin's `accounts.xml`: `<account>…<password>` in plain text.
pub fn pidgin(bytes: &[u8], _: &SafeDir) -> Result<Saved, String> {
    with_document(bytes, |document| {
        let count = document
            .descendants()
            .filter(|n| {
                n.is_element()
                    && n.tag_name().name() == "password"
                    && n.parent_element()
                        .is_some_and(|p| p.tag_name().name() == "account")
                    && has_text(n)
            })
            .count();
        Saved::readable(count)
    })
}

/// FileZilla's `<Pass>`: `encoding="crypt"` is under the master password; base64
/// or no encoding is anyone's.
pub fn filezilla(bytes: &[u8], _: &SafeDir) -> Result<Saved, String> {
    with_document(bytes, |document| {
        let mut saved = Saved::default();
        for node in document
            .descendants()
            .filter(|n| n.is_element() && n.tag_name().name() == "Pass" && has_text(n))
        {
            if node.attribute("encoding") == Some("crypt") {
                saved.protected += 1;
            } else {
                saved.readable += 1;
            }
        }
        saved
    })
}

/// DbVisualizer's `dbvis.xml`: `<Password>` under a fixed PBEWithMD5AndDES key.
pub fn dbvisualizer(bytes: &[u8], _: &SafeDir) -> Result<Saved, String> {
    with_document(bytes, |document| {
        Saved::readable(elements_with_text(document, "Password"))
    })
}

/// SQuirreL's `SQLAliases23.xml`: each alias's `<password>` in plain text.
pub fn squirrel(bytes: &[u8], _: &SafeDir) -> Result<Saved, String> {
    with_document(bytes, |document| {
        Saved::readable(elements_with_text(document, "password"))
    })
}

/// Psi's and Psi+'s `accounts.xml`: `<password>` encoded with the account's JID.
/// With Qt Keychain the element stays empty.
pub fn psi(bytes: &[u8], _: &SafeDir) -> Result<Saved, String> {
    with_document(bytes, |document| {
        Saved::readable(elements_with_text(document, "password"))
    })
}

/// Apache Directory Studio's `connections.xml`: a `bindPassword` attribute in plain
/// text (empty when the password is not saved, or kept in Eclipse's secure storage).
pub fn directory_studio(bytes: &[u8], _: &SafeDir) -> Result<Saved, String> {
    with_document(bytes, |document| {
        let count = document
            .descendants()
            .filter(|n| {
                n.is_element()
                    && n.attribute("bindPassword")
                        .is_some_and(|v| !v.trim().is_empty())
            })
            .count();
        Saved::readable(count)
    })
}

/// SQL Developer's older `connections.xml`: `<StringRefAddr addrType="password">`
/// with its `<Contents>`.
pub fn sql_developer_xml(bytes: &[u8]) -> Result<Saved, String> {
    with_document(bytes, |document| {
        let count = document
            .descendants()
            .filter(|n| {
                n.is_element()
                    && n.tag_name().name() == "StringRefAddr"
                    && n.attribute("addrType") == Some("password")
                    && n.children().any(|c| {
                        c.is_element() && c.tag_name().name() == "Contents" && has_text(&c)
                    })
            })
            .count();
        Saved::readable(count)
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn run(reader: fn(&[u8], &SafeDir) -> Result<Saved, String>, xml: &str) -> Saved {
        let home = SafeDir::open_root(std::path::Path::new("/")).unwrap();
        reader(xml.as_bytes(), &home).unwrap()
    }

    #[test]
    fn each_reader_counts_its_own_elements() {
        let pidgin_xml = "<account version='1.0'><account><protocol>prpl-jabber</protocol><name>a@b</name><password>pw</password></account><account><name>c@d</name></account></account>";
        assert_eq!(run(pidgin, pidgin_xml), Saved::readable(1));
        let fz = r#"<FileZilla3><Servers><Server><Pass encoding="base64">cHc=</Pass></Server><Server><Pass encoding="crypt" pubkey="k">x</Pass></Server><Server><Pass>plain</Pass></Server></Servers></FileZilla3>"#;
        assert_eq!(
            run(filezilla, fz),
            Saved {
                readable: 2,
                protected: 1,
                sealed: false
            }
        );
        let ads = r#"<connections><connection id="1" bindPassword="pw"/><connection id="2" bindPassword=""/></connections>"#;
        assert_eq!(run(directory_studio, ads), Saved::readable(1));
        let psi_xml = r#"<accounts xmlns="http://psi-im.org/options"><accounts><a0><password type="QString">enc</password></a0><a1><password type="QString"/></a1></accounts></accounts>"#;
        assert_eq!(run(psi, psi_xml), Saved::readable(1));
        let sqldev = r#"<References><Reference name="c"><RefAddresses><StringRefAddr addrType="user"><Contents>u</Contents></StringRefAddr><StringRefAddr addrType="password"><Contents>enc</Contents></StringRefAddr></RefAddresses></Reference></References>"#;
        assert_eq!(
            sql_developer_xml(sqldev.as_bytes()).unwrap(),
            Saved::readable(1)
        );
    }

    #[test]
    fn entities_and_bad_xml_are_refused_without_quoting_the_file() {
        let home = SafeDir::open_root(std::path::Path::new("/")).unwrap();
        let bomb = r#"<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]><account><password>&b;</password></account>"#;
        assert!(pidgin(bomb.as_bytes(), &home).is_err());
        let error = pidgin(b"<account><password>Sekrit-9</pass>", &home).unwrap_err();
        assert!(!error.contains("Sekrit"), "{error}");
        assert!(!error.contains("pass"), "{error}");
        assert!(pidgin(b"\xff\xfe<a/>", &home).is_err());
    }
}
