//! Where a secret comes from (a webhook secret, or an API key): an
//! environment variable or a file, never a plain argument (it would land in
//! shell history and the process list), and never echoed back in an error.

use std::fs;
use std::path::PathBuf;

use clap::{value_parser, Arg, ArgGroup, ArgMatches};

/// Where a secret comes from. Never a plain argument: it would land in
/// shell history and the process list.
pub struct SecretSource {
    /// Read the secret from this environment variable.
    pub secret_env: Option<String>,
    /// Read the secret from this file (surrounding whitespace is ignored).
    pub secret_file: Option<PathBuf>,
    /// The flags it was given with (`--secret-env`, `--secret-file`).
    flags: [&'static str; 2],
}

impl SecretSource {
    /// The API key's flags: `--key-env NAME`, `--key-file PATH`.
    pub(super) fn key_args() -> [Arg; 2] {
        [
            Arg::new("key_env")
                .long("key-env")
                .value_name("NAME")
                .help("Read the API key (XApiKey) from this environment variable"),
            Arg::new("key_file")
                .long("key-file")
                .value_name("PATH")
                .value_parser(value_parser!(PathBuf))
                .help("Read the API key from this file (surrounding whitespace is ignored)"),
        ]
    }

    pub(super) fn key_group() -> ArgGroup {
        ArgGroup::new("KeySource")
            .required(true)
            .multiple(false)
            .args(["key_env", "key_file"])
    }

    pub(super) fn key_from_matches(m: &ArgMatches) -> SecretSource {
        SecretSource {
            secret_env: m.get_one::<String>("key_env").cloned(),
            secret_file: m.get_one::<PathBuf>("key_file").cloned(),
            flags: ["--key-env", "--key-file"],
        }
    }

    pub(super) fn args() -> [Arg; 2] {
        [
            Arg::new("secret_env")
                .long("secret-env")
                .value_name("NAME")
                .help(
                    "Read the secret (base64, as Debitura shows it) from this environment variable",
                ),
            Arg::new("secret_file")
                .long("secret-file")
                .value_name("PATH")
                .value_parser(value_parser!(PathBuf))
                .help("Read the secret from this file (surrounding whitespace is ignored)"),
        ]
    }

    pub(super) fn group() -> ArgGroup {
        ArgGroup::new("SecretSource")
            .required(true)
            .multiple(false)
            .args(["secret_env", "secret_file"])
    }

    pub(super) fn from_matches(m: &ArgMatches) -> SecretSource {
        SecretSource {
            secret_env: m.get_one::<String>("secret_env").cloned(),
            secret_file: m.get_one::<PathBuf>("secret_file").cloned(),
            flags: ["--secret-env", "--secret-file"],
        }
    }

    /// The secret. Errors never show what was given unless it is plainly a
    /// variable name: a secret pasted in place of the name must not be echoed.
    pub fn read(&self) -> Result<String, String> {
        let [env_flag, file_flag] = self.flags;
        match (&self.secret_env, &self.secret_file) {
            (Some(name), _) if !is_variable_name(name) => Err(format!(
                "{env_flag} takes the name of an environment variable (letters, digits and `_`), \
                 not the secret itself; what was given is not shown"
            )),
            (Some(name), _) => std::env::var(name)
                .map(|s| s.trim().to_string())
                .map_err(|_| format!("the environment variable {name} is not set (or not UTF-8)")),
            (None, Some(path)) => read_secret_file(path)
                .map(|s| s.trim().to_string())
                .map_err(|e| format!("cannot read the file given with {file_flag}: {e}")),
            (None, None) => Err(format!("give {env_flag} NAME or {file_flag} PATH")),
        }
    }
}

/// What a shell accepts as a variable name, and reads like one: a long run
/// of mixed-case letters and digits without `_` is more likely a secret.
fn is_variable_name(name: &str) -> bool {
    let mut chars = name.chars();
    let shell_name = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    let random_looking = name.len() > 24
        && !name.contains('_')
        && name.chars().any(|c| c.is_ascii_lowercase())
        && name.chars().any(|c| c.is_ascii_uppercase());
    shell_name && name.len() <= 64 && !random_looking
}

/// The largest secret file read; a webhook secret is a few dozen bytes.
const MAX_SECRET_FILE: u64 = 4096;

fn read_secret_file(path: &std::path::Path) -> std::io::Result<String> {
    use std::io::Read;
    let mut text = String::new();
    fs::File::open(path)?
        .take(MAX_SECRET_FILE + 1)
        .read_to_string(&mut text)?;
    if text.len() as u64 > MAX_SECRET_FILE {
        return Err(std::io::Error::other(format!(
            "longer than {MAX_SECRET_FILE} bytes, so not a secret"
        )));
    }
    Ok(text)
}
