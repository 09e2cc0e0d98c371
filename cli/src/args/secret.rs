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
    /// The flags it was given with (`secret-env`, `secret-file`).
    flags: [&'static str; 2],
}

/// The flags a secret is given with.
struct Flags {
    env: (&'static str, &'static str, &'static str),
    file: (&'static str, &'static str, &'static str),
    group: &'static str,
}

/// The webhook secret's flags.
const SECRET: Flags = Flags {
    env: (
        "secret_env",
        "secret-env",
        "Read the secret (base64, as Debitura shows it) from this environment variable",
    ),
    file: (
        "secret_file",
        "secret-file",
        "Read the secret from this file (surrounding whitespace is ignored)",
    ),
    group: "SecretSource",
};

/// The API key's flags.
const KEY: Flags = Flags {
    env: (
        "key_env",
        "key-env",
        "Read the API key (XApiKey) from this environment variable",
    ),
    file: (
        "key_file",
        "key-file",
        "Read the API key from this file (surrounding whitespace is ignored)",
    ),
    group: "KeySource",
};

impl Flags {
    fn args(&self) -> [Arg; 2] {
        let (env_id, env_long, env_help) = self.env;
        let (file_id, file_long, file_help) = self.file;
        [
            Arg::new(env_id)
                .long(env_long)
                .value_name("NAME")
                .help(env_help),
            Arg::new(file_id)
                .long(file_long)
                .value_name("PATH")
                .value_parser(value_parser!(PathBuf))
                .help(file_help),
        ]
    }

    fn group(&self) -> ArgGroup {
        ArgGroup::new(self.group)
            .required(true)
            .multiple(false)
            .args([self.env.0, self.file.0])
    }

    fn read(&self, m: &ArgMatches) -> SecretSource {
        SecretSource {
            secret_env: m.get_one::<String>(self.env.0).cloned(),
            secret_file: m.get_one::<PathBuf>(self.file.0).cloned(),
            flags: [self.env.1, self.file.1],
        }
    }
}

impl SecretSource {
    /// The webhook secret's flags: `--secret-env NAME`, `--secret-file PATH`.
    pub(super) fn args() -> [Arg; 2] {
        SECRET.args()
    }

    pub(super) fn group() -> ArgGroup {
        SECRET.group()
    }

    pub(super) fn from_matches(m: &ArgMatches) -> SecretSource {
        SECRET.read(m)
    }

    /// The API key's flags: `--key-env NAME`, `--key-file PATH`.
    pub(super) fn key_args() -> [Arg; 2] {
        KEY.args()
    }

    pub(super) fn key_group() -> ArgGroup {
        KEY.group()
    }

    pub(super) fn key_from_matches(m: &ArgMatches) -> SecretSource {
        KEY.read(m)
    }

    /// The secret. Errors never show what was given unless it is plainly a
    /// variable name: a secret pasted in place of the name must not be echoed.
    pub fn read(&self) -> Result<String, String> {
        let [env_flag, file_flag] = self.flags.map(|long| format!("--{long}"));
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
