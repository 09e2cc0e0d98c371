//! `debitura-triage`: ask the rule catalog what a failure means and what to do.

mod cli;

use std::process::ExitCode;

use clap::Parser;
use debitura_triage::{diagnose, diagnose_response, docs, Query, RuleId, MAX_SCAN, RULES};
use serde_json::Value;

use cli::args::{Cli, Command};
use cli::report::{diagnosis_json, diagnosis_text, response_json, response_text, rule_json};
use cli::suggest::nearest;
use cli::{pages, printable, read_body};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Diagnose(args) => {
            let mut query = Query::new();
            query.status = args.status;
            query.error_type = args.error_type.as_deref();
            query.message = args.message.as_deref();
            query.operation = args.operation;
            query.event = args.event.as_deref();
            query.symptom = args.symptom.as_deref();
            query.after_token_refresh = args.after_token_refresh;
            query.environment = args.environment;
            if let Some(text) = args.delivery_error.as_deref() {
                query = query.delivery_error(text);
            }
            // The scanner reads at most MAX_SCAN bytes; one more tells it the body goes on.
            let body = args.body.as_deref().map(|b| read_body(b, MAX_SCAN + 1));
            let body = match body.transpose() {
                Ok(body) => body.map(|(bytes, _)| bytes),
                Err(message) => {
                    eprintln!("error: {message}");
                    return ExitCode::from(2);
                }
            };
            let response = match (&body, args.status) {
                (Some(body), Some(status)) => Some(diagnose_response(status, body, &query)),
                _ => None,
            };
            let diagnosis = response.map_or_else(|| diagnose(&query), |r| r.diagnosis());
            if args.json {
                let mut value = diagnosis_json(&query, &diagnosis);
                if let (Some(r), Value::Object(map)) = (&response, &mut value) {
                    map.extend(response_json(r));
                }
                println!("{value}");
            } else {
                print!("{}", diagnosis_text(&query, &diagnosis));
                if let Some(r) = &response {
                    print!("{}", response_text(r));
                }
            }
            ExitCode::SUCCESS
        }
        Command::Explain { rule_id } => match RuleId::from_id(&rule_id) {
            Some(id) => {
                print!("{}", docs::explain(id.rule()));
                ExitCode::SUCCESS
            }
            None => {
                let ids: Vec<&str> = RuleId::ALL.iter().map(|id| id.as_str()).collect();
                eprintln!("error: no rule has the id `{}`", printable(&rule_id));
                match nearest(&rule_id, ids.iter().copied()).as_slice() {
                    [] => eprintln!("  run `debitura-triage rules` to list every rule"),
                    near => eprintln!("  did you mean: {}", near.join(", ")),
                }
                ExitCode::from(2)
            }
        },
        Command::Docs { out, check, html } => pages::run(&out, check, html.as_deref()),
        Command::Webhook { action } => match cli::webhook::run(action) {
            Ok(code) => code,
            Err(message) => {
                eprintln!("error: {message}");
                ExitCode::from(2)
            }
        },
        Command::Rules { json } => {
            if json {
                let rules: Vec<Value> = RULES.iter().map(rule_json).collect();
                println!("{}", Value::Array(rules));
            } else {
                for rule in &RULES {
                    println!(
                        "{:<42} {:<18} {}",
                        rule.id.as_str(),
                        rule.retry.as_str(),
                        rule.title
                    );
                }
            }
            ExitCode::SUCCESS
        }
    }
}
