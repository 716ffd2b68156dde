// csi-self-check patch: sorts zxcvbn's frequency lists at compile time, so that
// looking a word up needs no hash map built at first use (which took most of a
// short-lived process's time). Writes OUT_DIR/ranked_lists.rs: for each list, its
// words in byte order and each word's rank, the 1-based position in the list (the
// last one for a word listed twice, as the map built from the list kept).
use std::collections::BTreeMap;
use std::fmt::Write;

include!("src/frequency_lists_data.rs");

fn main() {
    println!("cargo:rerun-if-changed=src/frequency_lists_data.rs");
    println!("cargo:rerun-if-changed=build.rs");
    let lists = [
        ("PASSWORDS_RANKED", PASSWORDS),
        ("ENGLISH_WIKI_RANKED", ENGLISH_WIKI),
        ("FEMALE_NAMES_RANKED", FEMALE_NAMES),
        ("MALE_NAMES_RANKED", MALE_NAMES),
        ("SURNAMES_RANKED", SURNAMES),
        ("US_TV_AND_FILM_RANKED", US_TV_AND_FILM),
    ];
    let mut out = String::new();
    for (name, list) in lists {
        let mut ranked: BTreeMap<&str, usize> = BTreeMap::new();
        for (i, word) in list.split(',').enumerate() {
            ranked.insert(word, i + 1);
        }
        // One string and the words' end offsets, not an array of `&str`: each of
        // those would be a pointer for the dynamic loader to relocate at start-up.
        let text: String = ranked.keys().copied().collect();
        let mut end = 0;
        let ends: Vec<String> = ranked
            .keys()
            .map(|w| {
                end += w.len();
                end.to_string()
            })
            .collect();
        let ranks: Vec<String> = ranked.values().map(ToString::to_string).collect();
        writeln!(
            out,
            "static {name}: RankedList = RankedList::new({text:?}, &[{}], &[{}]);",
            ends.join(","),
            ranks.join(",")
        )
        .unwrap();
    }
    let dir = std::env::var("OUT_DIR").unwrap();
    std::fs::write(format!("{dir}/ranked_lists.rs"), out).unwrap();
}
