//! The pages under `docs/` are generated from the rules: they must be fresh,
//! carry all of Debitura's troubleshooting page, and render rule text as literal text.
#[path = "../../tests/common/mod.rs"]
mod common;

use std::fs;
use std::path::Path;

use debitura_triage::{Rule, RULES, SECTIONS};
use debitura_triage_cli::docs::{self, escape, Cell};
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

fn committed(file: &str) -> Option<String> {
    fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../docs")
            .join(file),
    )
    .ok()
}

/// Fails when `docs/` (the Markdown pages and the site under `docs/site/`)
/// differs from what the rules generate. Outside CI the stale files are
/// rewritten first, so the next run passes once they are committed.
#[test]
fn committed_docs_match_the_rules() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs");
    let mut stale = Vec::new();
    for (name, content) in debitura_triage_cli::pages::generated() {
        let path = root.join(&name);
        if fs::read_to_string(&path).ok().as_deref() != Some(content.as_str()) {
            if std::env::var_os("CI").is_none() {
                fs::create_dir_all(path.parent().unwrap()).expect("docs/ is writable");
                fs::write(&path, &content).expect("docs/ is writable");
            }
            stale.push(format!("docs/{name}"));
        }
    }
    assert!(
        stale.is_empty(),
        "stale generated docs: {}\nregenerate them with `{}` and commit the result",
        stale.join(", "),
        docs::REGENERATE
    );
}

/// The catalog page carries the catalog as `rules --json` prints it, has an
/// element for every rule under its id, and refers to nothing outside itself.
#[test]
fn the_catalog_page_embeds_the_catalog_and_stands_alone() {
    let page = debitura_triage_cli::site::index();
    let start = "<script type=\"application/json\" id=\"catalog-data\">";
    let data = &page[page.find(start).expect("embedded data") + start.len()..];
    let data = &data[..data.find("</script>").unwrap()];
    let embedded: serde_json::Value = serde_json::from_str(data).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_debitura-triage"))
        .args(["rules", "--json"])
        .output()
        .unwrap();
    let printed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(embedded, printed);
    assert_eq!(embedded.as_array().unwrap().len(), RULES.len());
    for rule in RULES.iter() {
        let anchor = format!("<article class=\"rule\" id=\"{}\"", rule.id.as_str());
        assert_eq!(page.matches(&anchor).count(), 1, "{anchor}");
    }
    assert!(page.len() < 500 * 1024, "{} bytes", page.len());
    // Nothing is loaded from elsewhere: no source attribute, no style sheet
    // or script by URL, and a policy that forbids any other request.
    for needle in [
        " src=",
        "<link rel=\"stylesheet",
        "@import",
        "url(",
        "fetch(",
    ] {
        assert!(!page.contains(needle), "{needle}");
    }
    assert!(page.contains("default-src 'none'"));
    assert_eq!(page.matches("<link ").count(), 1, "only the empty icon");
}
/// The pages as insta snapshots: a docs change fails here like any other
/// snapshot until it is reviewed (`cargo insta review`). Only the freshness
/// test above rewrites `docs/`.
#[test]
fn pages() {
    for page in docs::pages() {
        insta::assert_snapshot!(page.file, page.markdown);
    }
}

/// A Markdown table as parsed by pulldown-cmark: rows of cells, each cell's text.
/// Inline HTML anywhere in a cell is a failure.
struct Table {
    heading: String,
    rows: Vec<Vec<String>>,
}

fn tables(markdown: &str) -> Vec<Table> {
    let mut out = Vec::new();
    let mut heading = String::new();
    let mut in_heading = false;
    let mut row: Vec<String> = Vec::new();
    let mut cell: Option<String> = None;
    for event in Parser::new_ext(markdown, Options::ENABLE_TABLES) {
        match event {
            Event::Start(Tag::Heading { .. }) => {
                in_heading = true;
                heading.clear();
            }
            Event::End(TagEnd::Heading(_)) => in_heading = false,
            Event::Start(Tag::Table(_)) => out.push(Table {
                heading: heading.clone(),
                rows: Vec::new(),
            }),
            Event::Start(Tag::TableCell) => cell = Some(String::new()),
            Event::End(TagEnd::TableCell) => row.push(cell.take().unwrap_or_default()),
            Event::End(TagEnd::TableRow) | Event::End(TagEnd::TableHead) => {
                if let Some(table) = out.last_mut() {
                    table.rows.push(std::mem::take(&mut row));
                }
            }
            Event::Text(text) | Event::Code(text) => {
                if in_heading {
                    heading.push_str(&text);
                }
                if let Some(cell) = cell.as_mut() {
                    cell.push_str(&text);
                }
            }
            Event::Html(html) | Event::InlineHtml(html) if cell.is_some() => {
                panic!("HTML in a table cell under `{heading}`: {html}")
            }
            Event::Start(Tag::Emphasis | Tag::Strong | Tag::Strikethrough | Tag::Image { .. })
                if cell.is_some() =>
            {
                panic!("markup in a table cell under `{heading}`")
            }
            _ => {}
        }
    }
    out
}

fn folded(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn troubleshooting_tables_hold_the_rule_text_exactly() {
    let page = docs::pages()
        .into_iter()
        .find(|p| p.file == "troubleshooting.md")
        .unwrap();
    let tables = tables(&page.markdown);
    for section in &SECTIONS {
        let rules: Vec<&Rule> = RULES
            .iter()
            .filter(|r| std::ptr::eq(r.section, section))
            .collect();
        let found = tables.iter().find(|t| t.heading == section.title);
        if rules.is_empty() {
            assert!(
                found.is_none(),
                "{} has no rules but a table",
                section.title
            );
            continue;
        }
        let table = found.unwrap_or_else(|| panic!("no table under {}", section.title));
        let mut expected = vec![if section.show_cause {
            vec!["Issue".to_string(), "Cause".into(), "Solution".into()]
        } else {
            vec!["Issue".to_string(), "Solution".into()]
        }];
        for rule in rules {
            let mut row = vec![folded(rule.title)];
            if section.show_cause {
                row.push(folded(rule.page_cause.unwrap_or(rule.cause)));
            }
            row.push(folded(rule.page_solution.unwrap_or(rule.solution)));
            expected.push(row);
        }
        assert_eq!(table.rows, expected, "table under {}", section.title);
    }
}

#[test]
fn special_characters_in_rule_text_render_literally() {
    let nasty = [
        "a | pipe",
        "`code` and ``double``",
        "<script>alert(1)</script>",
        "AT&T &amp; &#42; &copy;",
        "first line\nsecond line",
        "*not emphasis* _nor this_ **nor this**",
        "[not a link](https://example.org) ![no image](x.png)",
        r"back\slash \| \\",
        "# not a heading",
        "~~not struck~~ <br> trailing |",
        "https://example.org/<x>",
    ];
    let rows: Vec<Vec<Cell>> = nasty
        .iter()
        .map(|t| vec![Cell::Text(t.to_string()), Cell::Text("x".into())])
        .collect();
    let markdown = docs::table(&["Text", "Other"], &rows);
    let parsed = tables(&markdown);
    assert_eq!(parsed.len(), 1, "{markdown}");
    let body = &parsed[0].rows[1..];
    assert_eq!(body.len(), nasty.len(), "{markdown}");
    for (text, row) in nasty.iter().zip(body) {
        assert_eq!(row, &vec![folded(text), "x".to_string()], "{markdown}");
    }
    // Outside tables the same escaping keeps text literal.
    for text in nasty {
        let escaped = escape(text);
        let events: Vec<Event> = Parser::new(&escaped).collect();
        let plain: String = events
            .iter()
            .map(|e| match e {
                Event::Text(t) => t.to_string(),
                Event::Start(Tag::Paragraph) | Event::End(TagEnd::Paragraph) => String::new(),
                other => panic!("`{text}` rendered {other:?}"),
            })
            .collect();
        assert_eq!(plain, folded(text));
    }
}

/// The plain text of a page, one line per block or code line.
fn plain_text(markdown: &str) -> String {
    let mut out = String::new();
    for event in Parser::new_ext(markdown, Options::ENABLE_TABLES) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            Event::End(_) => out.push('\n'),
            _ => {}
        }
    }
    out
}

#[test]
fn troubleshooting_page_carries_all_of_debituras_page() {
    let page = docs::pages()
        .into_iter()
        .find(|p| p.file == "troubleshooting.md")
        .unwrap();
    // Every row, with its text, in its section, in the page's order.
    let tables = tables(&page.markdown);
    let mut by_section: Vec<(String, Vec<Vec<String>>)> = Vec::new();
    for row in common::rows() {
        match by_section.last_mut() {
            Some((section, rows)) if *section == row.section => rows.push(row.cells),
            _ => by_section.push((row.section.clone(), vec![row.cells])),
        }
    }
    for (section, rows) in &by_section {
        let table = tables
            .iter()
            .find(|t| &t.heading == section)
            .unwrap_or_else(|| panic!("no table for {section}"));
        let body = &table.rows[1..];
        assert!(
            body.len() >= rows.len(),
            "{section}: fewer rows than Debitura's page"
        );
        // Rules added beyond the page come after its rows.
        assert_eq!(&body[..rows.len()], rows.as_slice(), "{section}");
    }
    // Every other line of the page, in order: title, intro, headings, prose,
    // the JSON example, the "See …" lines and the contact paragraph.
    let text = plain_text(&page.markdown);
    let mut from = 0;
    for line in common::prose_lines() {
        match text[from..].find(&line) {
            Some(at) => from += at + line.len(),
            None => panic!("line of Debitura's page missing or out of order: {line}"),
        }
    }
}

#[test]
fn error_reference_has_an_anchor_per_rule_and_its_examples() {
    let page = docs::pages()
        .into_iter()
        .find(|p| p.file == "error-reference.md")
        .unwrap();
    for rule in &RULES {
        let heading = format!("\n### {}\n", rule.id.as_str());
        assert!(
            page.markdown.contains(&heading),
            "no heading for {}",
            rule.id.as_str()
        );
        assert_eq!(docs::anchor(rule.id.as_str()), rule.id.as_str());
        assert!(rule
            .id
            .docs_url()
            .ends_with(&format!("error-reference.md#{}", rule.id.as_str())));
        for example in rule.examples {
            assert!(
                page.markdown.contains(&docs::diagnose_command(example)),
                "{} example missing",
                rule.id.as_str()
            );
        }
    }
}

#[test]
fn retry_policy_page_lists_each_rule_under_its_policy() {
    let page = docs::pages()
        .into_iter()
        .find(|p| p.file == "retry-policy.md")
        .unwrap();
    for rule in &RULES {
        let section_start = page
            .markdown
            .find(&format!("\n## {}\n", rule.retry))
            .expect("a section per policy");
        let section = &page.markdown[section_start..];
        let end = section[4..].find("\n## ").map_or(section.len(), |e| e + 4);
        assert!(
            section[..end].contains(&format!("[`{}`]", rule.id.as_str())),
            "{} not under {}",
            rule.id.as_str(),
            rule.retry
        );
    }
}
/// Orphaned snapshots would keep passing review while testing nothing: every
/// file under `cli/tests/snapshots/` belongs to a snapshot some test takes.
#[test]
fn every_snapshot_file_is_referenced() {
    let expected: Vec<String> = docs::pages()
        .iter()
        .map(|page| format!("docs__{}.snap", page.file))
        .collect();
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/snapshots");
    for entry in std::fs::read_dir(dir).expect("tests/snapshots exists") {
        let name = entry
            .expect("readable")
            .file_name()
            .to_string_lossy()
            .into_owned();
        if name.ends_with(".snap") {
            assert!(
                expected.contains(&name),
                "{name} is not taken by any test; delete it"
            );
        }
    }
}

/// The diagnostics page documents exactly the codes the compiler has, one
/// section each, in their order: a code added to the compiler without a
/// page entry, or one left on the page after it is gone, fails here.
#[test]
fn the_diagnostics_page_lists_every_code_once() {
    let page = committed("diagnostics.md").expect("docs/diagnostics.md is committed");
    let documented: Vec<&str> = page
        .lines()
        .filter_map(|line| line.strip_prefix("## "))
        .collect();
    let codes: Vec<&str> = debitura_triage_rules_model::Code::ALL
        .iter()
        .map(|c| c.as_str())
        .collect();
    assert_eq!(documented, codes);
    for code in debitura_triage_rules_model::Code::ALL {
        assert!(page.contains(code.cause()), "{}: its cause", code.as_str());
        assert!(
            page.contains(code.example()),
            "{}: its example",
            code.as_str()
        );
    }
}

/// The section of the generated error reference for rule `id`, up to the next rule.
fn reference_section(id: &str) -> String {
    let page = committed("error-reference.md").expect("docs/error-reference.md");
    let start = page
        .find(&format!("\n### {id}\n"))
        .unwrap_or_else(|| panic!("no section for `{id}`"));
    let rest = &page[start + 1..];
    let end = rest[4..].find("\n### ").map_or(rest.len(), |n| n + 4);
    folded(&rest[..end])
}

/// Where the sources disagree, the generated text follows the newest and
/// says both where both may hold; these read the pages a partner reads.
#[test]
fn the_generated_words_agree_with_the_newest_sources() {
    // The Customer API spec declares no key on `POST /cases/{id}/files`.
    for page in [
        "error-reference.md",
        "troubleshooting.md",
        "retry-policy.md",
    ] {
        let text = folded(&committed(page).expect("a generated page"));
        for wrong in [
            "file uploads take an Idempotency-Key",
            "the KYC submission and the file uploads",
            "These writes take an Idempotency-Key",
        ] {
            assert!(!text.contains(wrong), "{page} says `{wrong}`");
        }
    }
    let conflict = reference_section("idempotency-conflict");
    assert!(
        conflict.contains("declares no key on `POST /cases/{id}/files`"),
        "{conflict}"
    );
    assert!(!conflict.contains("upload-case-file`"), "{conflict}");
    let bad_write = reference_section("write-bad-request");
    assert!(bad_write.contains("takes no key"), "{bad_write}");
    // The token-mint 404: the newest page's cause and the spec's, both.
    let mint = reference_section("token-minting-not-found");
    assert!(
        mint.contains("never created")
            && mint.contains("not yet signed the debt collection agreement"),
        "{mint}"
    );
    // A 400 on `PATCH /webhooks/{id}` is not always a change of events.
    let patch = reference_section("customer-webhook-events-unchangeable");
    assert!(
        patch.contains("delete the subscription and create it again")
            && patch.contains("otherwise fix the URL"),
        "{patch}"
    );
    // A Referral Partner upload is looked up where a lookup exists.
    for id in [
        "outcome-unknown-server-error",
        "no-response-outcome-unknown",
    ] {
        let unknown = reference_section(id);
        assert!(
            unknown.contains("GET /cases/{id}/files on the Customer API"),
            "{id}: {unknown}"
        );
        assert!(
            unknown.contains("GET /cases/by-creditor-reference/{creditorReference}"),
            "{id}"
        );
    }
    // The archive endpoint's 422 is not the delete endpoint's.
    assert!(reference_section("division-already-archived").contains("already archived"));
    assert!(!reference_section("division-has-active-cases").contains("or archived"));
}
