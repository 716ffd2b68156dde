//! The JSON stores: DBeaver's `credentials-config.json` (JSON encrypted with a key
//! built into DBeaver), Oracle SQL Developer's `connections.json` (or its older
//! `connections.xml`) and Composer's `auth.json`.

use aes::Aes128;
use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockDecryptMut, KeyIvInit};
use zeroize::Zeroizing;

use super::{Saved, markup};
use crate::app_stores::json::{count_strings, ends_with};
use crate::fs::SafeDir;

/// The AES-128 key every copy of DBeaver uses for `credentials-config.json`
/// (public in its source; DBeaver's own documentation calls it not secure). The
/// file is readable by anyone exactly because this key opens it.
const DBEAVER_KEY: [u8; 16] = [
    0xba, 0xbb, 0x4a, 0x9f, 0x77, 0x4a, 0xb8, 0x53, 0xc9, 0x6c, 0x2d, 0x65, 0x3d, 0xfe, 0x54, 0x4a,
];

/// DBeaver's credentials: an IV, then AES-128-CBC of JSON such as
/// `{"conn-id":{"#connection":{"user":…,"password":…}}}`. A file that does not
/// open with the built-in key is under a project password and passes. The
/// decrypted text is kept in a zeroizing buffer for the count only.
pub fn dbeaver(bytes: &[u8], _: &SafeDir) -> Result<Saved, String> {
    if bytes.is_empty() {
        return Ok(Saved::default());
    }
    let sealed = Saved {
        sealed: true,
        ..Saved::default()
    };
    if bytes.len() < 32 || bytes.len() % 16 != 0 {
        return Ok(sealed);
    }
    let (iv, ciphertext) = bytes.split_at(16);
    let mut plain = Zeroizing::new(ciphertext.to_vec());
    let decryptor = cbc::Decryptor::<Aes128>::new(&DBEAVER_KEY.into(), iv.into());
    let Ok(text) = decryptor.decrypt_padded_mut::<Pkcs7>(&mut plain) else {
        return Ok(sealed);
    };
    if !text.trim_ascii_start().starts_with(b"{") {
        return Ok(sealed);
    }
    let count = count_strings(text, &|path| ends_with(path, "password"))
        .map_err(|why| format!("decrypts with DBeaver's built-in key but {why}"))?;
    Ok(Saved::readable(count))
}

/// SQL Developer: `connections.json` (`{"connections":[{"info":{"password":…}}]}`)
/// or the older `connections.xml`.
pub fn sql_developer(bytes: &[u8], _: &SafeDir) -> Result<Saved, String> {
    if bytes.trim_ascii_start().starts_with(b"<") {
        return markup::sql_developer_xml(bytes);
    }
    count_strings(bytes, &|path| ends_with(path, "password")).map(Saved::readable)
}

/// Composer's `auth.json`: HTTP basic passwords, OAuth and bearer tokens.
pub fn composer(bytes: &[u8], _: &SafeDir) -> Result<Saved, String> {
    let wanted = |path: &[String]| match path.first().map(String::as_str) {
        Some("http-basic") => ends_with(path, "password"),
        Some("github-oauth" | "gitlab-oauth" | "bearer") => path.len() == 2,
        Some("gitlab-token" | "forgejo-token") => path.len() == 2 || ends_with(path, "token"),
        Some("bitbucket-oauth") => ends_with(path, "consumer-secret"),
        _ => false,
    };
    count_strings(bytes, &wanted).map(Saved::readable)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use cbc::cipher::BlockEncryptMut;

    fn root() -> SafeDir {
        SafeDir::open_root(std::path::Path::new("/")).unwrap()
    }

    fn encrypt(key: &[u8; 16], plain: &[u8]) -> Vec<u8> {
        let iv = [3u8; 16];
        let mut out = iv.to_vec();
        out.extend(
            cbc::Encryptor::<Aes128>::new(key.into(), &iv.into())
                .encrypt_padded_vec_mut::<Pkcs7>(plain),
        );
        out
    }

    #[test]
    fn dbeaver_with_the_built_in_key_is_counted_with_another_it_is_sealed() {
        let json = br##"{"postgres-jdbc-1":{"#connection":{"user":"me","password":"pw"}},"mysql-2":{"#connection":{"user":"me"}}}"##;
        assert_eq!(
            dbeaver(&encrypt(&DBEAVER_KEY, json), &root()).unwrap(),
            Saved::readable(1)
        );
        let sealed = dbeaver(&encrypt(&[9u8; 16], json), &root()).unwrap();
        assert!(sealed.sealed && sealed.readable == 0, "{sealed:?}");
        assert!(dbeaver(&[1u8; 7], &root()).unwrap().sealed);
    }

    #[test]
    fn composer_counts_secrets_not_user_names() {
        let auth = br#"{"http-basic":{"repo.example.org":{"username":"me","password":"pw"}},
            "github-oauth":{"github.com":"ghp_x"},"gitlab-token":{"gitlab.example.org":{"username":"me","token":"t"}},
            "bitbucket-oauth":{"bitbucket.org":{"consumer-key":"k","consumer-secret":"s"}}}"#;
        assert_eq!(composer(auth, &root()).unwrap(), Saved::readable(4));
        assert_eq!(composer(b"{}", &root()).unwrap(), Saved::default());
    }
}
