//! The catalog is complete and every word goes through it.
use super::*;

#[test]
fn catalogs_parse() {
    for (tag, source) in SHIPPED {
        if let Err(e) = catalog::parse(source) {
            panic!("locales/{tag}.properties: {e}");
        }
    }
}
