//! Headless Chromium driven over the DevTools protocol, for tests.
//!
//! Chromium is started with `--remote-debugging-pipe`: it reads commands on
//! file descriptor 3 and writes answers and events on 4, each a JSON message
//! ended by a NUL byte. The descriptors are two named pipes, opened by a
//! shell that then becomes Chromium, so no library and no port is involved.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// How long one command may take before the test fails.
const PATIENCE: Duration = Duration::from_secs(30);

/// The Chromium to drive: `$CHROMIUM`, or the first of the usual names on `PATH`.
fn executable() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

pub struct Browser {
    child: Child,
    commands: File,
    messages: Receiver<Value>,
    session: String,
    next_id: u64,
    /// Every event received so far, in order.
    pub events: Vec<Value>,
    scratch: PathBuf,
}

impl Browser {
    /// A fresh browser with one blank page, or `None` when there is no
    /// Chromium here and the environment allows skipping (the reason is
    /// printed). Under CI, which installs Chromium, a missing one fails.
    pub fn launch(test: &str) -> Option<Browser> {
        let Some(chromium) = executable() else {
            let why = std::env::var("DEBITURA_TRIAGE_NO_BROWSER").ok();
            match why {
                Some(why) => eprintln!("skipped {test}: no Chromium here ({why})"),
                None if std::env::var_os("CI").is_some() => {
                    panic!("{test}: no Chromium found; `.ci/run` installs Debian's `chromium`, or set CHROMIUM")
                }
                None => eprintln!(
                    "skipped {test}: no Chromium found; install Debian's `chromium` (as `.ci/run` does) or set CHROMIUM"
                ),
            }
            return None;
        };
        let scratch = std::env::temp_dir().join(format!(
            "debitura-triage-browser-{}-{test}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&scratch);
        std::fs::create_dir_all(scratch.join("profile")).expect("a scratch folder");
        let (to_browser, from_browser) = (scratch.join("in"), scratch.join("out"));
        for fifo in [&to_browser, &from_browser] {
            let made = Command::new("mkfifo")
                .arg(fifo)
                .status()
                .expect("mkfifo runs");
            assert!(made.success(), "mkfifo {}", fifo.display());
        }
        let child = Command::new("sh")
            .arg("-c")
            .arg(r#"exec "$@" 3<"$TO_BROWSER" 4>"$FROM_BROWSER""#)
            .arg("sh")
            .arg(&chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                "--remote-debugging-pipe",
            ])
            .arg(format!(
                "--user-data-dir={}",
                scratch.join("profile").display()
            ))
            .env("TO_BROWSER", &to_browser)
            .env("FROM_BROWSER", &from_browser)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("Chromium starts");
        // The shell opens its end of each pipe in this order.
        let commands = OpenOptions::new()
            .write(true)
            .open(&to_browser)
            .expect("the command pipe opens");
        let answers = File::open(&from_browser).expect("the answer pipe opens");
        let (sender, messages) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(answers);
            let mut message = Vec::new();
            while matches!(reader.read_until(0, &mut message), Ok(n) if n > 0) {
                message.pop();
                if let Ok(value) = serde_json::from_slice::<Value>(&message) {
                    if sender.send(value).is_err() {
                        return;
                    }
                }
                message.clear();
            }
        });
        let mut browser = Browser {
            child,
            commands,
            messages,
            session: String::new(),
            next_id: 0,
            events: Vec::new(),
            scratch,
        };
        let target = browser.call("Target.createTarget", json!({ "url": "about:blank" }));
        let attached = browser.call(
            "Target.attachToTarget",
            json!({ "targetId": target["targetId"], "flatten": true }),
        );
        browser.session = attached["sessionId"]
            .as_str()
            .expect("a session")
            .to_string();
        for domain in ["Page.enable", "Network.enable", "Runtime.enable"] {
            browser.call(domain, json!({}));
        }
        browser.viewport(1280, 900, false);
        Some(browser)
    }

    /// Sends one command (to the page once attached) and waits for its answer.
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({ "id": id, "method": method, "params": params });
        if !self.session.is_empty() {
            message["sessionId"] = Value::from(self.session.clone());
        }
        let mut bytes = serde_json::to_vec(&message).unwrap();
        bytes.push(0);
        self.commands
            .write_all(&bytes)
            .expect("Chromium reads its commands");
        let deadline = Instant::now() + PATIENCE;
        loop {
            let message = self.next_message(deadline, method);
            if message["id"] == id {
                if let Some(error) = message.get("error") {
                    panic!("{method} failed: {error}");
                }
                return message["result"].clone();
            }
            self.events.push(message);
        }
    }

    fn next_message(&mut self, deadline: Instant, waiting_for: &str) -> Value {
        let left = deadline.saturating_duration_since(Instant::now());
        match self.messages.recv_timeout(left) {
            Ok(message) => message,
            Err(RecvTimeoutError::Timeout) => panic!("no answer to {waiting_for} in {PATIENCE:?}"),
            Err(RecvTimeoutError::Disconnected) => {
                panic!("Chromium exited while waiting for {waiting_for}")
            }
        }
    }

    /// Waits for an event named `method`, received after `after` events.
    fn wait_event(&mut self, method: &str, after: usize) {
        let deadline = Instant::now() + PATIENCE;
        if self.events[after..].iter().any(|e| e["method"] == method) {
            return;
        }
        loop {
            let message = self.next_message(deadline, method);
            let found = message["method"] == method;
            self.events.push(message);
            if found {
                return;
            }
        }
    }

    /// Loads `url` and waits until the page's script has run.
    pub fn open(&mut self, url: &str) {
        let before = self.events.len();
        self.call("Page.navigate", json!({ "url": url }));
        self.wait_event("Page.loadEventFired", before);
        self.wait_for("document.readyState === 'complete'");
    }

    /// Waits until `condition` holds in the page.
    pub fn wait_for(&mut self, condition: &str) {
        let deadline = Instant::now() + PATIENCE;
        while self.eval(condition) != Value::Bool(true) {
            assert!(Instant::now() < deadline, "never true: {condition}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The value of a JavaScript expression in the page.
    pub fn eval(&mut self, expression: &str) -> Value {
        let result = self.call(
            "Runtime.evaluate",
            json!({ "expression": expression, "returnByValue": true, "awaitPromise": true }),
        );
        if let Some(exception) = result.get("exceptionDetails") {
            panic!("{expression} threw: {exception}");
        }
        result["result"]["value"].clone()
    }

    /// Presses one key, as a person would.
    pub fn press(&mut self, key: &str, code: &str, key_code: u32, text: Option<&str>) {
        let mut down = json!({ "type": "keyDown", "key": key, "code": code, "windowsVirtualKeyCode": key_code });
        if let Some(text) = text {
            down["text"] = Value::from(text);
        }
        self.call("Input.dispatchKeyEvent", down);
        self.call(
            "Input.dispatchKeyEvent",
            json!({ "type": "keyUp", "key": key, "code": code, "windowsVirtualKeyCode": key_code }),
        );
    }

    /// Types `text` into whatever has the focus, one character at a time.
    pub fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            let s = c.to_string();
            self.call(
                "Input.dispatchKeyEvent",
                json!({ "type": "keyDown", "key": s, "text": s }),
            );
            self.call(
                "Input.dispatchKeyEvent",
                json!({ "type": "keyUp", "key": s }),
            );
        }
    }

    /// Clicks the middle of the first element matching `selector`.
    pub fn click(&mut self, selector: &str) {
        let at = self.eval(&format!(
            "(() => {{ const e = document.querySelector({selector:?}); e.scrollIntoView({{block: 'center'}}); \
             const r = e.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; }})()"
        ));
        for kind in ["mousePressed", "mouseReleased"] {
            self.call(
                "Input.dispatchMouseEvent",
                json!({ "type": kind, "x": at[0], "y": at[1], "button": "left", "clickCount": 1 }),
            );
        }
    }

    /// Sets the window's size and whether it is a phone.
    pub fn viewport(&mut self, width: u32, height: u32, mobile: bool) {
        self.call(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile }),
        );
    }

    /// Saves a PNG of what the window shows.
    pub fn screenshot(&mut self, path: &Path) {
        use base64::Engine as _;
        let shot = self.call("Page.captureScreenshot", json!({ "format": "png" }));
        let png = base64::engine::general_purpose::STANDARD
            .decode(shot["data"].as_str().expect("image data"))
            .expect("base64 image");
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).unwrap();
        }
        std::fs::write(path, png).unwrap();
    }

    /// Every URL the page asked for since it was opened.
    pub fn requests(&self) -> Vec<String> {
        self.events
            .iter()
            .filter(|e| e["method"] == "Network.requestWillBeSent")
            .filter_map(|e| e["params"]["request"]["url"].as_str().map(str::to_string))
            .collect()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.scratch);
    }
}
