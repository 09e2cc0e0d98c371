//! The docs pages as standalone HTML, for `debitura-triage docs --html DIR`.

use pulldown_cmark::{html, CowStr, Event, Options, Parser, Tag, TagEnd};

use crate::docs::{anchor, Document};

/// Markdown extensions the pages use.
fn options() -> Options {
    Options::ENABLE_TABLES
}

/// The HTML file name for a page (`error-reference.md` → `error-reference.html`).
pub fn html_name(file: &str) -> String {
    format!("{}.html", file.strip_suffix(".md").unwrap_or(file))
}

/// A whole HTML document for one page. Headings get the anchors GitHub would
/// give them and links to sibling `.md` pages point at their `.html` files.
pub fn render(page: &Document) -> String {
    let mut title = String::new();
    let mut in_heading = None;
    let mut events: Vec<Event> = Vec::new();
    for event in Parser::new_ext(&page.markdown, options()) {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                in_heading = Some((events.len(), level));
                events.push(Event::Text(CowStr::Borrowed("")));
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((start, level)) = in_heading.take() {
                    let text: String = events[start + 1..]
                        .iter()
                        .filter_map(|e| match e {
                            Event::Text(t) | Event::Code(t) => Some(t.as_ref()),
                            _ => None,
                        })
                        .collect();
                    if title.is_empty() {
                        title = text.clone();
                    }
                    events[start] = Event::Start(Tag::Heading {
                        level,
                        id: Some(CowStr::from(anchor(&text))),
                        classes: Vec::new(),
                        attrs: Vec::new(),
                    });
                }
                events.push(event);
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title: link_title,
                id,
            }) => {
                events.push(Event::Start(Tag::Link {
                    link_type,
                    dest_url: CowStr::from(sibling_html(&dest_url)),
                    title: link_title,
                    id,
                }));
            }
            other => events.push(other),
        }
    }
    let mut body = String::new();
    html::push_html(&mut body, events.into_iter());
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n\
         <style>body{{font-family:sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.5}}\
         table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:.3rem .5rem;vertical-align:top}}\
         code,pre{{background:#f4f4f4}}pre{{padding:.5rem;overflow-x:auto}}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        escape_html(&title)
    )
}

/// `page.md#x` → `page.html#x`, for links between the generated pages only.
fn sibling_html(url: &str) -> String {
    let (path, fragment) = match url.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (url, None),
    };
    let local = !path.contains(':') && !path.contains('/') && path.ends_with(".md");
    let path = if local {
        html_name(path)
    } else {
        path.to_string()
    };
    match fragment {
        Some(f) => format!("{path}#{f}"),
        None => path,
    }
}

fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
