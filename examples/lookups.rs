//! Runs one named query through the matcher N times, for counting the
//! instructions a lookup takes (repeatable, unlike a timer):
//!
//! ```sh
//! cargo build --release --example lookups
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null \
//!     target/release/examples/lookups 100000 typical
//! ```
//!
//! The total divided by N is the cost of one lookup plus the loop's few
//! instructions. Queries: `typical` (422 `MissingPowerOfAttorney` on
//! `create-case`), `miss` (418 `TeapotOverflow`), `message` (a 400 whose
//! message a rule names, on `create-case`).

use std::hint::black_box;
use std::process::ExitCode;

use debitura_triage::{diagnose, Operation, Query};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(count) = args.next().and_then(|n| n.parse::<usize>().ok()) else {
        eprintln!("usage: lookups COUNT [typical|miss|message]");
        return ExitCode::from(2);
    };
    let query = match args.next().as_deref().unwrap_or("typical") {
        "typical" => Query::new()
            .status(422)
            .error_type("MissingPowerOfAttorney")
            .operation(Operation::CreateCase),
        "miss" => Query::new().status(418).error_type("TeapotOverflow"),
        "message" => Query::new()
            .status(400)
            .error_type("ValidationError")
            .message("Unknown country: XX")
            .operation(Operation::CreateCase),
        other => {
            eprintln!("unknown query `{other}`: typical, miss or message");
            return ExitCode::from(2);
        }
    };
    let matched = (0..count)
        .filter(|_| diagnose(black_box(&query)).is_matched())
        .count();
    println!("{matched} of {count} matched");
    ExitCode::SUCCESS
}
