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

test("the README's TypeScript compiles", { skip: !fs.existsSync(tsc) && "typescript is not installed (npm install)" }, () => {
  const readme = fs.readFileSync(path.join(__dirname, "..", "..", "README.md"), "utf8");
  const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1].replace(/^ {2}/gm, ""));
  assert.ok(blocks.length > 0, "the README has a TypeScript snippet");
  // The package's own names, as an installed package resolves them.
  const local = blocks
    .join("\n")
    .replace(/from "debitura-triage\/(\w+)"/g, 'from "../$1"')
    .replace(/from "debitura-triage"/g, 'from ".."');
  const file = path.join(__dirname, `readme-snippet-${process.pid}.ts`);
  fs.writeFileSync(file, `declare const apiKey: string;\n${local}\nexport {};\n`);
  try {
    const out = compile(path.basename(file));
    assert.equal(out.status, 0, out.stdout + out.stderr);
  } finally {
    fs.rmSync(file);
  }
});

test("each wrong use is refused", { skip: !fs.existsSync(tsc) && "typescript is not installed (npm install)" }, () => {
  const out = compile("types-wrong.ts");
  assert.notEqual(out.status, 0);
  for (const line of [4, 5, 6, 7, 9, 13, 14, 15]) {
    assert.match(out.stdout, new RegExp(`types-wrong\\.ts\\(${line},`), out.stdout);
  }
});

// Each answer interface of the declarations names exactly the keys the
// package returns (read with the TypeScript compiler's own parser).
test("the declarations name exactly the keys returned", { skip: !fs.existsSync(tsc) && "typescript is not installed (npm install)" }, () => {
  const ts = require("typescript");
  const t = require("..");
  const source = ts.createSourceFile("index.d.ts", fs.readFileSync(path.join(__dirname, "..", "index.d.ts"), "utf8"), ts.ScriptTarget.Latest);
  const declared = {};
  for (const node of source.statements) {
    if (!ts.isInterfaceDeclaration(node)) continue;
    const inherited = (node.heritageClauses || []).flatMap((h) => h.types.flatMap((x) => declared[x.expression.text] || []));
    declared[node.name.text] = [...inherited, ...node.members.map((m) => m.name.text)];
  }
  const d = t.diagnose({ status: 503, operation: "get-case" });
  const r = t.diagnoseResponse(422, Buffer.from('{"businessErrors":[{"type":"MissingPowerOfAttorney"}]}'));
  const v = t.checkWebhook("c2VjcmV0", "t=1,v1=00", Buffer.from("{}"), { now: 1 });
  const rule = t.rule("missing-power-of-attorney");
  for (const [name, answer] of [["Diagnosis", d], ["Backoff", d.backoff], ["ResponseDiagnosis", r], ["Finding", r.findings[0]], ["WebhookCheck", v], ["Rule", rule]]) {
    assert.deepEqual([...declared[name]].sort(), Object.keys(answer).sort(), name);
  }
});
