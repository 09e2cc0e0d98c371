//! HTML for the docs site (`debitura-triage docs --html DIR`): Markdown
//! rendered with pulldown-cmark, and the frame every page of the site shares
//! (one style sheet, one navigation bar, no request outside the page).

use pulldown_cmark::{html, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use debitura_triage::RuleId;

use crate::docs::{anchor, Document};

/// The style every page of the site shares.
pub const STYLE: &str = include_str!("site/style.css");

/// The site's pages in navigation order: file name and label.
pub const NAV: [(&str, &str); 6] = [
    ("index.html", "Catalog"),
    ("troubleshooting.html", "Troubleshooting"),
    ("error-reference.html", "Error reference"),
    ("retry-policy.html", "Retry policy"),
    ("coverage.html", "Coverage"),
    ("diagnostics.html", "Diagnostics"),
];

/// The HTML file name for a page (`error-reference.md` → `error-reference.html`).
pub fn html_name(file: &str) -> String {
    format!("{}.html", file.strip_suffix(".md").unwrap_or(file))
}

/// How Markdown becomes HTML.
#[derive(Debug, Clone, Copy)]
pub struct Render {
    /// Levels added to every heading (`#` becomes `<h2>` with 1).
    pub shift: usize,
    /// Give headings the anchors GitHub would give them.
    pub anchors: bool,
    /// Turn inline code that is a rule id into a link to that rule on the page.
    pub link_rules: bool,
}

/// `markdown` as an HTML fragment, and the text of its first heading. Links
/// to sibling `.md` pages point at their `.html` files.
pub fn fragment(markdown: &str, render: Render) -> (String, String) {
    let mut title = String::new();
    let mut in_heading = None;
    let mut events: Vec<Event> = Vec::new();
    for event in Parser::new_ext(markdown, Options::ENABLE_TABLES) {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                in_heading = Some(events.len());
                let level = HeadingLevel::try_from(level as usize + render.shift)
                    .unwrap_or(HeadingLevel::H6);
                events.push(Event::Start(Tag::Heading {
                    level,
                    id: None,
                    classes: Vec::new(),
                    attrs: Vec::new(),
                }));
            }
            Event::End(TagEnd::Heading(level)) => {
                let level = HeadingLevel::try_from(level as usize + render.shift)
                    .unwrap_or(HeadingLevel::H6);
                if let Some(start) = in_heading.take() {
                    let text: String = events[start..]
                        .iter()
                        .filter_map(|e| match e {
                            Event::Text(t) | Event::Code(t) => Some(t.as_ref()),
                            _ => None,
                        })
                        .collect();
                    if render.anchors {
                        if let Event::Start(Tag::Heading { id, .. }) = &mut events[start] {
                            *id = Some(CowStr::from(anchor(&text)));
                        }
                    }
                    if title.is_empty() {
                        title = text;
                    }
                }
                events.push(Event::End(TagEnd::Heading(level)));
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
            Event::Code(code) if render.link_rules && is_rule_id(&code) => {
                let dest_url = CowStr::from(format!("#{code}"));
                events.push(Event::Start(Tag::Link {
                    link_type: pulldown_cmark::LinkType::Inline,
                    dest_url,
                    title: CowStr::Borrowed(""),
                    id: CowStr::Borrowed(""),
                }));
                events.push(Event::Code(code));
                events.push(Event::End(TagEnd::Link));
            }
            other => events.push(other),
        }
    }
    let mut body = String::new();
    html::push_html(&mut body, events.into_iter());
    (body, title)
}

fn is_rule_id(text: &str) -> bool {
    RuleId::ALL.iter().any(|id| id.as_str() == text)
}

/// A whole page of the site: one generated Markdown page.
pub fn render(page: &Document) -> String {
    let render = Render {
        shift: 0,
        anchors: true,
        link_rules: false,
    };
    let (body, title) = fragment(&page.markdown, render);
    document(&title, &html_name(page.file), &body, None)
}

/// The frame of every page: the shared style, the navigation bar with
/// `current` marked, `body`, and an inline script if the page has one. The
/// content security policy forbids every request outside the page itself.
pub fn document(title: &str, current: &str, body: &str, script: Option<&str>) -> String {
    let nav: String = NAV
        .iter()
        .map(|(file, label)| {
            let here = if *file == current {
                " aria-current=\"page\""
            } else {
                ""
            };
            format!("<a href=\"{file}\"{here}>{label}</a>")
        })
        .collect::<Vec<_>>()
        .join("\n");
    let script_src = if script.is_some() {
        "'unsafe-inline'"
    } else {
        "'none'"
    };
    let script = script.map_or_else(String::new, |s| format!("<script>\n{s}</script>\n"));
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <!-- Generated from rules/*.yaml by `debitura-triage docs`. Do not edit: change the rules and run `{}`. -->\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; \
         script-src {script_src}; img-src data:; base-uri 'none'; form-action 'none'\">\n\
         <link rel=\"icon\" href=\"data:,\">\n<title>{}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n\
         <nav aria-label=\"Pages\">\n{nav}\n</nav>\n<main>\n{body}</main>\n{script}</body>\n</html>\n",
        crate::docs::REGENERATE,
        escape(title)
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

/// Text made safe for HTML element content and quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_covers_element_content_and_attributes() {
        assert_eq!(
            escape(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }

    #[test]
    fn shifted_headings_keep_their_level_order_and_ids_are_optional() {
        let render = Render {
            shift: 1,
            anchors: false,
            link_rules: true,
        };
        let (html, title) = fragment(
            "# Top `missing-power-of-attorney`\n\n## Cause\n\nSee `missing-power-of-attorney` and `create-case`.\n",
            render,
        );
        assert_eq!(title, "Top missing-power-of-attorney");
        assert!(html.contains("<h2>Top"), "{html}");
        assert!(html.contains("<h3>Cause</h3>"), "{html}");
        assert!(!html.contains("id="), "{html}");
        assert!(
            html.contains(
                "<a href=\"#missing-power-of-attorney\"><code>missing-power-of-attorney</code></a>"
            ),
            "{html}"
        );
        assert!(html.contains("<code>create-case</code>."), "{html}");
        let (html, _) = fragment(
            "# HTTP 409\n\n[x](retry-policy.md#backoff) [y](https://e.org/a.md)\n",
            Render {
                shift: 0,
                anchors: true,
                link_rules: false,
            },
        );
        assert!(html.contains("<h1 id=\"http-409\">"), "{html}");
        assert!(
            html.contains("href=\"retry-policy.html#backoff\""),
            "{html}"
        );
        assert!(html.contains("href=\"https://e.org/a.md\""), "{html}");
    }
}
