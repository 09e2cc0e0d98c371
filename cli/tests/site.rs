//! The docs site in a real browser: headless Chromium loads the generated
//! `index.html` from disk, and the tests check which rules it shows for a
//! search and for filters set through the address and through the controls,
//! where deep links land, that every control is labelled, that the page reads
//! on a phone, in print and without JavaScript, and that it asks for nothing
//! outside itself. The expected rules are computed here from `rules --json`.
mod browser;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use browser::Browser;
use debitura_triage::Operation;
use debitura_triage_cli::site::{index_with, Retirement};
use serde_json::Value;

fn cli(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_debitura-triage"))
        .args(args)
        .output()
        .expect("the CLI runs");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Where screenshots and figures are kept for a person to look at.
fn target() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"))
        .join("site")
}

/// The site as `docs --html DIR` writes it, in a folder of its own.
fn site(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "debitura-triage-site-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    cli(&["docs", "--html", dir.to_str().unwrap()]);
    dir
}

fn file_url(path: &Path) -> String {
    format!("file://{}", path.canonicalize().unwrap().display())
}

/// The catalog as `rules --json` prints it.
fn catalog() -> Vec<Value> {
    serde_json::from_str::<Value>(&cli(&["rules", "--json"]))
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn strings(value: &Value) -> Vec<&str> {
    value
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect()
}

fn within(a: &str, b: &str) -> bool {
    Operation::ALL
        .iter()
        .filter(|o| o.as_str() == a)
        .any(|a| std::iter::successors(a.parent(), |o| o.parent()).any(|o| o.as_str() == b))
}

/// The ids of the rules a filtered view shows, computed from the catalog:
/// each filter names a value the rule's conditions name (an operation
/// filter also keeps the APIs around it and the operations within it), and
/// every word of the search occurs in the id, title, types, messages, cause
/// or solution.
fn expected(rules: &[Value], filters: &[(&str, &str)]) -> BTreeSet<String> {
    let sections: Vec<(String, String)> = debitura_triage::SECTIONS
        .iter()
        .map(|s| (s.slug.to_string(), s.title.to_string()))
        .collect();
    rules
        .iter()
        .filter(|rule| {
            let w = &rule["when"];
            filters.iter().all(|(key, value)| match *key {
                "status" => {
                    let statuses: Vec<u64> = w["status"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .filter_map(Value::as_u64)
                        .collect();
                    match value.strip_suffix("xx") {
                        Some(class) => statuses.iter().any(|s| (s / 100).to_string() == class),
                        None => statuses.iter().any(|s| s.to_string() == *value),
                    }
                }
                "type" => strings(&w["type"]).contains(value),
                "op" => strings(&w["operation"])
                    .iter()
                    .any(|op| op == value || within(op, value) || within(value, op)),
                "retry" => rule["retry"] == *value,
                "section" => sections
                    .iter()
                    .any(|(slug, title)| slug == value && rule["section"] == title.as_str()),
                "event" => strings(&w["event"]).contains(value),
                "symptom" => strings(&w["symptom"]).contains(value),
                "env" => strings(&w["environment"]).contains(value),
                "state" => *value == "released",
                "q" => {
                    let mut text = vec![
                        rule["rule"].as_str().unwrap(),
                        rule["title"].as_str().unwrap(),
                        rule["cause"].as_str().unwrap(),
                        rule["solution"].as_str().unwrap(),
                    ];
                    text.extend(strings(&w["type"]));
                    text.extend(strings(&w["message"]));
                    let text = text.join("\n").to_lowercase();
                    value
                        .split_whitespace()
                        .all(|word| text.contains(&word.to_lowercase()))
                }
                other => panic!("no filter {other}"),
            })
        })
        .map(|rule| rule["rule"].as_str().unwrap().to_string())
        .collect()
}

/// The ids of the rules the page shows now.
fn shown(browser: &mut Browser) -> BTreeSet<String> {
    let ids = browser.eval(
        "[...document.querySelectorAll('article.rule')].filter(a => a.offsetParent !== null).map(a => a.id)",
    );
    ids.as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

fn count_text(browser: &mut Browser) -> String {
    browser
        .eval("document.getElementById('count').textContent")
        .as_str()
        .unwrap()
        .to_string()
}

/// No request left the page: every URL asked for is the page's own file.
fn assert_no_request_outside(browser: &Browser, page: &str) {
    let requests = browser.requests();
    assert!(!requests.is_empty(), "the navigation itself was not seen");
    for url in requests {
        let file = url.split(['?', '#']).next().unwrap();
        assert_eq!(file, page, "the page asked for {url}");
    }
}

#[test]
fn filters_in_the_address_show_exactly_the_rules_the_catalog_says_match() {
    let Some(mut browser) = Browser::launch("filters-in-the-address") else {
        return;
    };
    let dir = site("address");
    let page = file_url(&dir.join("index.html"));
    let rules = catalog();
    let views: &[&[(&str, &str)]] = &[
        &[("op", "create-case"), ("retry", "after-user-action")],
        &[("op", "customer-api")],
        &[("op", "referral-api"), ("status", "4xx")],
        &[("status", "409")],
        &[("status", "5xx"), ("retry", "backoff")],
        &[("type", "MissingPowerOfAttorney")],
        &[("section", "webhooks")],
        &[("event", "client.link_expired")],
        &[("symptom", "signature-verification-failing")],
        &[("env", "production")],
        &[("state", "released"), ("q", "token")],
        &[("q", "power of attorney")],
        &[("q", "POA")],
        &[("q", "Unknown country")],
        &[("op", "no-such-operation")],
    ];
    let mut nonempty = 0;
    for filters in views {
        let query: Vec<String> = filters
            .iter()
            .map(|(k, v)| format!("{k}={}", v.replace(' ', "+")))
            .collect();
        browser.open(&format!("{page}?{}", query.join("&")));
        let want = expected(&rules, filters);
        assert_eq!(shown(&mut browser), want, "{query:?}");
        assert!(
            count_text(&mut browser).starts_with(&format!(
                "{} of {} rules",
                want.len(),
                rules.len()
            )),
            "{query:?}: {}",
            count_text(&mut browser)
        );
        nonempty += usize::from(!want.is_empty());
    }
    // The views are worth checking: all but the unknown operation show some rules.
    assert_eq!(nonempty, views.len() - 1);
    let acceptance = expected(
        &rules,
        &[("op", "create-case"), ("retry", "after-user-action")],
    );
    assert!(
        acceptance.contains("missing-power-of-attorney"),
        "{acceptance:?}"
    );
    browser.open(&format!("{page}?op=create-case&retry=after-user-action"));
    browser.screenshot(&target().join("catalog.png"));
    assert_no_request_outside(&browser, &page);
}

#[test]
fn typing_and_the_controls_filter_the_list_and_keep_the_state_in_the_address() {
    let Some(mut browser) = Browser::launch("typing-and-controls") else {
        return;
    };
    let dir = site("controls");
    let page = file_url(&dir.join("index.html"));
    let rules = catalog();
    browser.open(&page);
    assert_eq!(shown(&mut browser).len(), rules.len());

    // `/` focuses the search box and is not typed into it.
    browser.press("/", "Slash", 191, Some("/"));
    assert_eq!(browser.eval("document.activeElement.id"), "q");
    browser.type_text("attorney");
    assert_eq!(
        browser.eval("document.getElementById('q').value"),
        "attorney"
    );
    assert_eq!(shown(&mut browser), expected(&rules, &[("q", "attorney")]));
    assert_eq!(browser.eval("location.search"), "?q=attorney");

    // A select, driven from the keyboard: focus it, then the arrow keys.
    browser.eval("document.getElementById('retry').focus()");
    let mut retry = String::new();
    for _ in 0..8 {
        browser.press("ArrowDown", "ArrowDown", 40, None);
        retry = browser
            .eval("document.getElementById('retry').value")
            .as_str()
            .unwrap()
            .to_string();
        if retry == "after-user-action" {
            break;
        }
    }
    assert_eq!(retry, "after-user-action");
    let want = expected(&rules, &[("q", "attorney"), ("retry", "after-user-action")]);
    assert_eq!(shown(&mut browser), want);
    assert_eq!(
        browser.eval("location.search"),
        "?q=attorney&retry=after-user-action"
    );

    // Reloading the address gives the same view.
    let address = browser.eval("location.href").as_str().unwrap().to_string();
    browser.open(&address);
    assert_eq!(shown(&mut browser), want);
    assert_eq!(
        browser.eval("document.getElementById('retry').value"),
        "after-user-action"
    );

    // The clear button empties every control and the query string.
    browser.click("button[type=reset]");
    browser.wait_for("location.search === ''");
    assert_eq!(shown(&mut browser).len(), rules.len());
    assert_eq!(browser.eval("document.getElementById('q').value"), "");
    assert_no_request_outside(&browser, &page);
}

#[test]
fn deep_links_land_on_the_rule_and_a_retired_id_on_its_replacement() {
    let Some(mut browser) = Browser::launch("deep-links") else {
        return;
    };
    let dir = site("links");
    let page = file_url(&dir.join("index.html"));
    let landed = "(() => { const e = document.getElementById(location.hash.slice(1)); \
                  const r = e.getBoundingClientRect(); \
                  return e.offsetParent !== null && Math.abs(r.top) < 2 && document.activeElement === e; })()";

    browser.open(&format!("{page}#missing-power-of-attorney"));
    assert_eq!(browser.eval(landed), true);
    // A filter that would hide the linked rule does not hide it.
    browser.open(&format!("{page}?retry=never#missing-power-of-attorney"));
    assert_eq!(browser.eval("location.hash"), "#missing-power-of-attorney");
    assert_eq!(browser.eval(landed), true);
    let mut want = expected(&catalog(), &[("retry", "never")]);
    assert!(want.insert("missing-power-of-attorney".to_string()));
    assert_eq!(shown(&mut browser), want);

    // Every rule's docs URL anchor exists on the page.
    for id in debitura_triage::RuleId::ALL {
        let (_, anchor) = id.docs_url().split_once('#').unwrap();
        let found = browser.eval(&format!("document.getElementById({anchor:?}) !== null"));
        assert_eq!(found, true, "{anchor}");
    }

    // A retired id's anchor leads to the rule that replaced it.
    let retired = dir.join("retired");
    std::fs::create_dir_all(&retired).unwrap();
    let html = index_with(&[Retirement {
        id: "power-of-attorney-missing",
        on: "2026-11-30",
        replaced_by: Some("missing-power-of-attorney"),
    }]);
    std::fs::write(retired.join("index.html"), html).unwrap();
    let retired_page = file_url(&retired.join("index.html"));
    browser.open(&format!("{retired_page}#power-of-attorney-missing"));
    assert_eq!(browser.eval("location.hash"), "#missing-power-of-attorney");
    assert_eq!(browser.eval(landed), true);
    let notice = browser.eval("document.getElementById('notice').textContent");
    assert!(
        notice
            .as_str()
            .unwrap()
            .contains("power-of-attorney-missing"),
        "{notice}"
    );
    // Without a hash the retired id is listed, and the state filter hides it.
    browser.open(&format!("{retired_page}?state=released"));
    assert_eq!(
        browser.eval("document.getElementById('power-of-attorney-missing').hidden"),
        true
    );
    browser.open(&format!("{retired_page}?state=retired"));
    assert_eq!(
        browser.eval("document.getElementById('power-of-attorney-missing').hidden"),
        false
    );
    assert!(shown(&mut browser).is_empty());
}

#[test]
fn every_control_is_labelled_and_the_page_reads_on_a_phone_in_print_and_without_script() {
    let Some(mut browser) = Browser::launch("labels-phone-print") else {
        return;
    };
    let dir = site("reading");
    let page = file_url(&dir.join("index.html"));
    browser.open(&page);
    let unlabelled = browser.eval(
        "[...document.querySelectorAll('input, select, textarea, button')].filter(c => \
           !(c.labels && c.labels.length && c.labels[0].textContent.trim()) && \
           !(c.getAttribute('aria-label') || '').trim() && \
           !(c.tagName === 'BUTTON' && c.textContent.trim())).map(c => c.outerHTML.slice(0, 80))",
    );
    assert_eq!(unlabelled, Value::Array(Vec::new()));
    let controls =
        browser.eval("document.querySelectorAll('#filters select, #filters input').length");
    assert_eq!(controls, 10, "one search box and nine filters");

    // On a phone nothing is wider than the screen.
    browser.viewport(390, 844, true);
    browser.open(&page);
    let overflow =
        browser.eval("document.documentElement.scrollWidth - document.documentElement.clientWidth");
    assert_eq!(overflow, 0);
    browser.screenshot(&target().join("catalog-phone.png"));
    browser.viewport(1280, 900, false);

    // In print the controls go and the rules stay.
    browser.call(
        "Emulation.setEmulatedMedia",
        serde_json::json!({ "media": "print" }),
    );
    assert_eq!(
        browser.eval("getComputedStyle(document.getElementById('filters')).display"),
        "none"
    );
    assert_eq!(
        browser.eval("getComputedStyle(document.querySelector('nav')).display"),
        "none"
    );
    assert_eq!(shown(&mut browser).len(), catalog().len());
    browser.call(
        "Emulation.setEmulatedMedia",
        serde_json::json!({ "media": "" }),
    );

    // Without JavaScript every rule is there and the dead controls are not.
    browser.call(
        "Emulation.setScriptExecutionDisabled",
        serde_json::json!({ "value": true }),
    );
    browser.open(&format!("{page}?retry=never"));
    assert_eq!(shown(&mut browser).len(), catalog().len());
    assert_eq!(
        browser.eval("document.getElementById('filters').hidden"),
        true
    );
    assert_eq!(
        browser.eval("document.querySelector('button.copy').hidden"),
        true
    );
    assert_no_request_outside(&browser, &page);
}

/// How fast the first view is, measured and written down (not asserted):
/// `target/site/first-view.txt`, which the README reports.
#[test]
fn the_first_view_is_measured_and_the_page_is_light() {
    let Some(mut browser) = Browser::launch("first-view") else {
        return;
    };
    let dir = site("timing");
    let index = dir.join("index.html");
    let bytes = std::fs::metadata(&index).unwrap().len();
    assert!(bytes < 500 * 1024, "index.html is {bytes} bytes");
    let page = file_url(&index);
    let mut runs = Vec::new();
    for _ in 0..5 {
        browser.open(&format!("{page}?op=create-case&retry=after-user-action"));
        // Chromium records the first paint once the frame is presented,
        // which may come just after the load event.
        browser.wait_for("performance.getEntriesByName('first-contentful-paint').length > 0");
        let paint = browser.eval(
            "(() => { const p = performance.getEntriesByName('first-contentful-paint')[0]; \
               const n = performance.getEntriesByType('navigation')[0]; \
               return [p ? p.startTime : -1, n.domContentLoadedEventEnd, n.loadEventEnd]; })()",
        );
        let figures: Vec<f64> = paint
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        assert!(figures.iter().all(|f| *f >= 0.0), "{figures:?}");
        runs.push(figures);
    }
    runs.sort_by(|a, b| a[0].total_cmp(&b[0]));
    let median = &runs[runs.len() / 2];
    let report = format!(
        "index.html: {bytes} bytes; median of {} loads from disk with ?op=create-case&retry=after-user-action: \
         first contentful paint {:.0} ms, DOMContentLoaded {:.0} ms, load {:.0} ms\n",
        runs.len(),
        median[0],
        median[1],
        median[2]
    );
    eprint!("{report}");
    std::fs::create_dir_all(target()).unwrap();
    std::fs::write(target().join("first-view.txt"), report).unwrap();
}
