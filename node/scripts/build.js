// Builds the addon with cargo (release) and copies it next to index.js as
// debitura-triage.node, the file index.js loads.
"use strict";
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..", "..");
const target = process.env.CARGO_TARGET_DIR || path.join(root, "target");
execFileSync("cargo", ["build", "--release", "--quiet", "-p", "debitura-triage-node"], {
  cwd: root,
  stdio: "inherit",
});
const names = { linux: "libdebitura_triage_node.so", darwin: "libdebitura_triage_node.dylib", win32: "debitura_triage_node.dll" };
const built = path.join(target, "release", names[process.platform] || names.linux);
const out = path.join(__dirname, "..", "debitura-triage.node");
fs.copyFileSync(built, out);
console.log(`built ${path.relative(process.cwd(), out)} from ${path.relative(process.cwd(), built)}`);
