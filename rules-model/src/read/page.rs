//! The file of the troubleshooting page's header: its title and intro.

use crate::diagnostic::Diagnostic;
use crate::model::Page;
use crate::read::layout::Layout;
use crate::read::raw::raw_struct;
use crate::read::yaml::yaml_problem;

raw_struct! {
    struct RawPageFile {
        page: RawPage,
    }
}

raw_struct! {
    struct RawPage {
        title: String,
        intro: String,
    }
}

/// Reads the page's header; `None` when its YAML does not read (the
/// problem is in `out`).
pub fn load(file: &str, text: &str, out: &mut Vec<Diagnostic>) -> Option<Page> {
    match serde_yaml::from_str::<RawPageFile>(text) {
        Ok(raw) => Some(Page {
            title: raw.page.title,
            intro: raw.page.intro,
        }),
        Err(err) => {
            out.push(yaml_problem(file, &Layout::new(text), &err, 0));
            None
        }
    }
}
