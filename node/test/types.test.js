// The TypeScript declarations: a right use compiles, each wrong use is refused.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const tsc = path.join(__dirname, "..", "node_modules", "typescript", "bin", "tsc");

function compile(file) {
  return spawnSync(process.execPath, [tsc, "--strict", "--noEmit", "--target", "es2020", "--module", "commonjs", "--moduleResolution", "node", path.join(__dirname, file)], { encoding: "utf8" });
}

test("a right use compiles", { skip: !fs.existsSync(tsc) && "typescript is not installed (npm install)" }, () => {
  const out = compile("types.ts");
  assert.equal(out.status, 0, out.stdout + out.stderr);
});

test("each wrong use is refused", { skip: !fs.existsSync(tsc) && "typescript is not installed (npm install)" }, () => {
  const out = compile("types-wrong.ts");
  assert.notEqual(out.status, 0);
  for (const line of [4, 5, 6, 7, 9]) {
    assert.match(out.stdout, new RegExp(`types-wrong\\.ts\\(${line},`), out.stdout);
  }
});
